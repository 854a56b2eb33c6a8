"""The Gallery tab: generated product images and recommended catalog items in one grid, each with actions.

An entry is a small dict (``path``, ``caption``, ``item_id`` for catalog items, ``description`` for generated
images). The chat adds its answers to the visitor's collection ("My items"); searching and "find similar" show
catalog items; selecting an entry enables find similar, send to Try-on, like/dislike and download.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import gradio as gr
from PIL import Image

from fashionm3.catalog.schema import Item
from fashionm3.errors import InvalidInput
from fashionm3.generation.request import MAX_IMAGES
from fashionm3.retrieval.engine import Hit
from fashionm3.service import FashionM3
from fashionm3.tryon.garments import is_wearable
from fashionm3.ui.cards import item_caption
from fashionm3.ui.identity import optional_visitor, visitor
from fashionm3.ui.tools import GPU_CONCURRENCY, user_errors
from fashionm3.ui.tryon import TryOnParts

ANY = "Any"
GALLERY_SIZE = 60
Entry = dict[str, Any]


@dataclasses.dataclass
class GalleryParts:
    """The components the chat and the Try-on hand-off update."""

    grid: gr.Gallery
    shown: gr.State  # entries in the grid, in order
    collected: gr.State  # this visitor's generated images and recommended items, newest first
    selected: gr.State
    info: gr.Markdown
    actions: list[gr.Button]
    download: gr.DownloadButton


def item_entry(item: Item, currency: str) -> Entry:
    return {"path": item.image_path, "caption": item_caption(item, currency), "item_id": item.id}


def image_entries(service: FashionM3, images: list[Image.Image], subject: str, seed: int = 0) -> list[Entry]:
    """Save generated images and describe them as gallery entries (sketches are captioned as such)."""
    kind = "Sketch (not a photo)" if service.generator.label.startswith("offline") else "Generated image"
    return [
        {"path": str(service.save_generated(image)), "caption": f"{kind}: {subject} · seed {seed + n}", "description": subject}
        for n, image in enumerate(images)
    ]


def collect(collected: list[Entry] | None, new: list[Entry]) -> list[Entry]:
    """Newest first, no duplicates, at most :data:`GALLERY_SIZE`."""
    merged, seen = [], set()
    for entry in [*new, *(collected or [])]:
        key = entry.get("item_id") or entry["path"]
        if key not in seen:
            seen.add(key)
            merged.append(entry)
    return merged[:GALLERY_SIZE]


def grid_value(entries: list[Entry]) -> list[tuple[str, str]]:
    return [(entry["path"], entry["caption"]) for entry in entries]


def build_gallery_tab(service: FashionM3, user_id: gr.BrowserState) -> GalleryParts:
    """Generate row, catalog search row, the grid and the per-image actions."""
    catalog = service.catalog
    gr.Markdown(f"Images the assistant generated and items it recommended collect here. Image generation: **{service.generator.label}**.")
    with gr.Row():
        describe = gr.Textbox(label="Describe an item to draw", placeholder="e.g. a red striped linen shirt", scale=4, elem_id="fm3-generate-text")
        seed = gr.Number(0, label="Seed", precision=0, minimum=0, scale=1)
        count = gr.Slider(1, MAX_IMAGES, 2, step=1, label="Images", scale=1)
        generate = gr.Button("Generate", variant="primary", scale=1)
    with gr.Row():
        text = gr.Textbox(label="Search", placeholder="e.g. striped shirt", scale=3)
        gender, article, colour = (gr.Dropdown([ANY, *catalog.values(field)], value=ANY, label=label) for field, label in
                                   (("gender", "Gender"), ("article_type", "Category"), ("colour", "Colour")))  # fmt: skip
        with gr.Column(scale=1, min_width=120):
            browse = gr.Button("Browse")
            mine = gr.Button("My items")
    info = gr.Markdown(elem_id="fm3-gallery-info")
    first = [item_entry(item, service.settings.currency) for item in _interleave_categories([i for i in catalog.items if i.image_path])[:GALLERY_SIZE]]
    grid = gr.Gallery(grid_value(first), label="Gallery", columns=6, height=620, elem_id="fm3-gallery", allow_preview=False)
    with gr.Row():
        actions = [gr.Button(label, interactive=False, elem_id=f"fm3-gallery-{key}") for key, label in
                   (("similar", "Find similar"), ("tryon", "Send to Try-on"), ("like", "👍 Like"), ("dislike", "👎 Dislike"))]  # fmt: skip
        download = gr.DownloadButton("Download", interactive=False, elem_id="fm3-gallery-download")
    parts = GalleryParts(grid, gr.State(first), gr.State([]), gr.State(None), info, actions, download)
    _wire_search(service, parts, user_id, text, gender, article, colour, browse, mine)

    @user_errors
    def on_generate(description: str, seed_value: float, images: float, collected: list[Entry]) -> tuple:
        picture = service.visualize(description, int(seed_value or 0), int(images))
        entries = image_entries(service, picture.images, picture.prompt.subject, picture.seed) + [item_entry(hit.item, service.settings.currency) for hit in picture.matches if hit.item.image_path]
        message = f"{len(picture.images)} image(s) of “{picture.prompt.subject}” by {picture.backend}; the closest catalog items follow."
        return (*show(parts, entries, message), collect(collected, entries))

    for trigger in (generate.click, describe.submit):
        trigger(on_generate, [describe, seed, count, parts.collected], [*outputs(parts), parts.collected], api_visibility="private",
                concurrency_id="gpu", concurrency_limit=GPU_CONCURRENCY)  # fmt: skip
    return parts


def outputs(parts: GalleryParts) -> list[Any]:
    """The components :func:`show` updates, in its order."""
    return [parts.grid, parts.info, parts.shown, parts.selected, *parts.actions, parts.download]


def show(parts: GalleryParts, entries: list[Entry], message: str) -> tuple:
    """Put ``entries`` in the grid and reset the selection (actions disabled until a new one)."""
    disabled = [gr.Button(interactive=False) for _ in parts.actions]
    return grid_value(entries), message, entries, None, *disabled, gr.DownloadButton(value=None, interactive=False)


def _wire_search(service: FashionM3, parts: GalleryParts, user_id: gr.BrowserState, text: gr.Textbox, gender: gr.Dropdown,
                 article: gr.Dropdown, colour: gr.Dropdown, browse: gr.Button, mine: gr.Button) -> None:  # fmt: skip
    catalog = service.catalog

    @user_errors
    def on_browse(query: str, gender_value: str, article_value: str, colour_value: str, token: str | None,
                  profile: gr.OAuthProfile | None = None) -> tuple:  # fmt: skip
        filters = {"gender": gender_value, "article_type": article_value, "colour": colour_value}
        filters = {name: value for name, value in filters.items() if value and value != ANY}
        if (query or "").strip():
            hits = service.search_catalog(query, None, filters, k=GALLERY_SIZE, user_id=optional_visitor(service, token, profile)).hits
            entries = _entries(hits, service.settings.currency)
            return show(parts, entries, f"The {len(entries)} best matches for “{query.strip()}”{_left_out(len(hits) - len(entries))}.")
        mask = catalog.mask(filters)
        matching = [item for item, keep in zip(catalog.items, mask) if keep]
        items = [item for item in matching if item.image_path]
        message = f"{len(items)} items match{_left_out(len(matching) - len(items))}" + (f"; showing the first {GALLERY_SIZE}." if len(items) > GALLERY_SIZE else ".")
        return show(parts, [item_entry(item, service.settings.currency) for item in items[:GALLERY_SIZE]], message)

    def on_mine(collected: list[Entry]) -> tuple:
        message = "Your generated images and recommended items, newest first." if collected else "Nothing yet: ask the chat for a recommendation, or generate an image above."
        return show(parts, collected or [], message)

    for trigger in (browse.click, text.submit):
        trigger(on_browse, [text, gender, article, colour, user_id], outputs(parts), api_visibility="private")
    mine.click(on_mine, parts.collected, outputs(parts), api_visibility="private")


def wire_gallery_actions(service: FashionM3, parts: GalleryParts, user_id: gr.BrowserState, tryon: TryOnParts, tabs: gr.Tabs) -> None:
    """Selection and the per-entry actions (after every tab exists, since Try-on is the target of one)."""

    def on_select(entries: list[Entry], event: gr.SelectData) -> tuple:
        entry = entries[event.index]
        similar, send, like, dislike = (gr.Button(interactive=True) for _ in parts.actions)
        wearable = not entry.get("item_id") or _wearable(service.catalog.get(entry["item_id"]))
        send = gr.Button(interactive=wearable)
        info = f"Selected: **{entry['caption']}**" + ("" if wearable else " (not something try-on can dress you in)")
        return entry, info, similar, send, like, dislike, gr.DownloadButton(value=entry["path"], interactive=True)

    @user_errors
    def on_similar(entry: Entry | None) -> tuple:
        entry = _require(entry)
        item = service.catalog.get(entry["item_id"]) if entry.get("item_id") in service.catalog else None
        same_type = {"article_type": [item.article_type]} if item and item.article_type else None  # a dress: dresses
        found = service.search_catalog("", entry["path"], same_type, k=GALLERY_SIZE).hits
        hits = [hit for hit in found if not item or hit.item.id != item.id]
        kind = f" among {item.article_type.lower()}" if same_type else ""
        return show(parts, _entries(hits, service.settings.currency), f"Catalog items that look like **{entry['caption']}**{kind} (by image).")

    @user_errors
    def on_try_on(entry: Entry | None) -> tuple:
        entry = _require(entry)
        if entry.get("item_id"):
            item = service.catalog.get(entry["item_id"])
            if not _wearable(item):
                raise InvalidInput(f"{item.name} is not clothing try-on can dress you in.", title="Not a clothing item")
            return gr.Dropdown(value=item.id), gr.Image(value=None), gr.Tabs(selected="try-on")
        return gr.skip(), gr.Image(value=entry["path"]), gr.Tabs(selected="try-on")

    def feedback(liked: bool):  # noqa: ANN202 (a Gradio handler)
        @user_errors
        def on_feedback(entry: Entry | None, token: str | None, profile: gr.OAuthProfile | None = None) -> str:
            entry, user = _require(entry), visitor(service, token, profile)
            if entry.get("item_id"):
                service.record_feedback(user, entry["item_id"], liked)
            else:
                service.record_image_feedback(user, entry["description"], liked, entry["path"])
            return f"{'👍 Liked' if liked else '👎 Disliked'}: {entry['caption']}. Saved to your profile."

        return on_feedback

    similar, send, like, dislike = parts.actions
    parts.grid.select(on_select, parts.shown, [parts.selected, parts.info, *parts.actions, parts.download], api_visibility="private")
    similar.click(on_similar, parts.selected, outputs(parts), api_visibility="private")
    send.click(on_try_on, parts.selected, [tryon.garment, tryon.garment_image, tabs], api_visibility="private")
    like.click(feedback(True), [parts.selected, user_id], parts.info, api_visibility="private")
    dislike.click(feedback(False), [parts.selected, user_id], parts.info, api_visibility="private")


def _require(entry: Entry | None) -> Entry:
    if not entry:
        raise InvalidInput("Select an image in the gallery first.")
    return entry


def _wearable(item: Item) -> bool:
    """Try-on can take it: clothing worn on the body, with a product photo."""
    return bool(item.image_path) and is_wearable(item.article_type, item.sub_category)


def _left_out(count: int) -> str:
    return f" ({count} without a photo left out)" if count else ""


def _entries(hits: list[Hit], currency: str) -> list[Entry]:
    return [item_entry(hit.item, currency) for hit in hits if hit.item.image_path]


def _interleave_categories(items: list[Item]) -> list[Item]:
    """Round-robin over article types so the first page shows the catalog's variety."""
    by_type: dict[str, list[Item]] = {}
    for item in items:
        by_type.setdefault(item.article_type, []).append(item)
    columns = list(by_type.values())
    return [column[row] for row in range(max(map(len, columns), default=0)) for column in columns if row < len(column)]
