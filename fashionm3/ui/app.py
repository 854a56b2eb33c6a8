"""The Gradio Blocks app: Chat, Gallery, Try-on and Profile tabs over one :class:`FashionM3` service."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.assistant import converse
from fashionm3.catalog.schema import Item
from fashionm3.errors import FashionM3Error
from fashionm3.retrieval.engine import Hit
from fashionm3.service import FashionM3
from fashionm3.ui.cards import CARDS_CSS, item_caption, product_cards_html
from fashionm3.ui.tools import register_tools, user_errors

ANY = "Any"
GALLERY_SIZE = 60
CHAT_EXAMPLES = ["a navy shirt for a man", "something red for a party", "black sneakers under 80", "a summer dress"]


def gradio_upload_dir() -> Path:
    """Where Gradio stores uploaded files (images there may be passed to the tools by path)."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def status_markdown(service: FashionM3) -> str:
    """The status line naming the backend of every capability."""
    rows = " · ".join(f"**{name}**: {label}" for name, label in service.backends().items())
    notice = f"\n\n⚠️ {service.notice()}" if service.notice() else ""
    return f"Mode: **{service.mode}** — {rows}{notice}"


def build_demo(service: FashionM3) -> gr.Blocks:
    """Assemble the whole UI (tabs, events, API/MCP endpoints) for ``service``."""
    service.upload_roots.append(gradio_upload_dir())
    with gr.Blocks(title="FashionM3") as demo:
        user_id = gr.BrowserState(None, storage_key="fashionm3-user")
        gr.Markdown("# FashionM3 — your multimodal fashion assistant")
        gr.Markdown(status_markdown(service), elem_classes="fm3-status", elem_id="fm3-status")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                chat_parts = _chat_tab(service)
            with gr.Tab("Gallery", id="gallery"):
                _gallery_tab(service)
            with gr.Tab("Try-on", id="try-on"):
                garment = _tryon_tab(service)
            with gr.Tab("Profile", id="profile"):
                _profile_tab(service, user_id)
        _wire_chat(service, chat_parts, user_id, garment, tabs)
        demo.load(_ensure_user_id, inputs=user_id, outputs=user_id, api_visibility="private")
        register_tools(service)
    return demo


def _ensure_user_id(current: str | None) -> str:
    return current or f"anon-{secrets.token_urlsafe(12)}"


# --- Chat ----------------------------------------------------------------------------------------------------
TASK_CHOICES = [("Auto (from your message)", "auto"), ("Complete my outfit", "basic"), ("Personalised pick", "personalized"),
                ("Alternative to a piece", "alternative"), ("Catalog search", "search")]  # fmt: skip


def _chat_tab(service: FashionM3) -> tuple[gr.MultimodalTextbox, gr.Chatbot, gr.State, gr.Dropdown]:
    chatbot = gr.Chatbot(label="FashionM3", height=560, elem_id="fm3-chatbot", placeholder="Ask for an item, or attach photos of your outfit.")
    box = gr.MultimodalTextbox(
        placeholder="e.g. what shoes go with this? — attach up to 4 outfit photos with the clip",
        file_count="multiple",  # any type: our loader explains what is wrong with a non-image
        elem_id="fm3-chat-input",
        show_label=False,
    )
    with gr.Row():
        task = gr.Dropdown(TASK_CHOICES, value="auto", label="Task", scale=1, elem_id="fm3-task")
        gr.Examples(CHAT_EXAMPLES, inputs=box, label="Try")
    return box, chatbot, gr.State(""), task


def _wire_chat(service: FashionM3, parts: tuple, user_id: gr.BrowserState, garment: gr.Dropdown, tabs: gr.Tabs) -> None:
    box, chatbot, session, task = parts

    def respond(message: dict[str, Any], history: list, user: str | None, task_name: str, session_id: str, request: gr.Request) -> Iterator[tuple]:
        message = message or {}
        text, files = (message.get("text") or "").strip(), list(message.get("files") or [])
        history = list(history or []) + [{"role": "user", "content": {"path": _path(f)}} for f in files]
        if text:
            history.append({"role": "user", "content": text})
        yield history, gr.MultimodalTextbox(value=None, interactive=False), session_id, gr.skip(), gr.skip()
        streamed, final = "", None
        try:
            for event in converse(service, text, [Path(_path(f)) for f in files], user or "anonymous", session_id, task_name or "auto"):
                if isinstance(event, str):
                    streamed += event
                    yield [*history, _thought(streamed, "pending")], gr.skip(), session_id, gr.skip(), gr.skip()
                else:
                    final = event
        except FashionM3Error as error:
            history.append({"role": "assistant", "content": f"⚠️ {error}"})
            yield history, gr.MultimodalTextbox(interactive=True), session_id, gr.skip(), gr.skip()
            return
        history += [_thought(streamed, "done")] if streamed else []
        history += [{"role": "assistant", "content": {"path": _save_image(service, image)}} for image in final.images]
        cards = product_cards_html(final.hits, final.explanations)
        history.append({"role": "assistant", "content": f"{final.text}\n\n{cards}\n\n<sub>Served by {final.backend}</sub>"})
        handoff = final.handoff_item
        yield (history, gr.MultimodalTextbox(interactive=True), final.session_id,
               gr.Dropdown(value=handoff) if handoff else gr.skip(), gr.Tabs(selected="try-on") if handoff else gr.skip())  # fmt: skip

    box.submit(respond, [box, chatbot, user_id, task, session], [chatbot, box, session, garment, tabs], api_name="chat", api_visibility="undocumented")


def _thought(text: str, status: str) -> dict[str, Any]:
    """The model's raw streamed output, shown folded under a title (it is JSON, not the answer)."""
    return {"role": "assistant", "content": text, "metadata": {"title": "Stylist model output", "status": status}}


def _save_image(service: FashionM3, image: Any) -> str:
    """Save a generated image where the app may serve it; returns the path."""
    folder = service.settings.data_dir / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}.png"
    image.save(path)
    return str(path)


def _path(file: Any) -> str:
    return file if isinstance(file, str) else file.get("path", "")


# --- Gallery -------------------------------------------------------------------------------------------------
def _gallery_tab(service: FashionM3) -> None:
    catalog = service.catalog

    def choices(field: str) -> list[str]:
        return [ANY, *catalog.values(field)]

    with gr.Row():
        text = gr.Textbox(label="Search", placeholder="e.g. striped shirt", scale=3)
        gender = gr.Dropdown(choices("gender"), value=ANY, label="Gender")
        article = gr.Dropdown(choices("article_type"), value=ANY, label="Category")
        colour = gr.Dropdown(choices("colour"), value=ANY, label="Colour")
    browse = gr.Button("Browse", variant="primary")
    info = gr.Markdown()
    first = _interleave_categories([item for item in catalog.items if item.image_path])[:GALLERY_SIZE]
    gallery = gr.Gallery(
        [(item.image_path, item_caption(item)) for item in first],
        label="Catalog", columns=6, height=620, elem_id="fm3-gallery", allow_preview=True,
    )
    shown = gr.State([item.id for item in first])
    selected = gr.State(None)
    similar = gr.Button("Find similar items", interactive=False)

    def show(hits: list[Hit], message: str) -> tuple[list, str, list[str], None, dict]:
        images = [(hit.item.image_path, item_caption(hit.item)) for hit in hits if hit.item.image_path]
        ids = [hit.item.id for hit in hits if hit.item.image_path]
        return images, message, ids, None, gr.Button(interactive=False)

    @user_errors
    def on_browse(query: str, gender_value: str, article_value: str, colour_value: str) -> tuple:
        filters = {"gender": gender_value, "article_type": article_value, "colour": colour_value}
        filters = {name: value for name, value in filters.items() if value and value != ANY}
        if (query or "").strip():
            result = service.search_catalog(query, None, filters, k=GALLERY_SIZE)
            return show(result.hits, f"{len(result.hits)} items for “{query.strip()}”.")
        mask = catalog.mask(filters)
        hits = [Hit(item, 1.0) for item, keep in zip(catalog.items, mask) if keep]
        return show(hits[:GALLERY_SIZE], f"{int(mask.sum())} items match; showing {min(GALLERY_SIZE, int(mask.sum()))}.")

    def on_select(ids: list[str], event: gr.SelectData) -> tuple[str, dict]:
        return ids[event.index], gr.Button(interactive=True)

    @user_errors
    def on_similar(item_id: str | None) -> tuple:
        if not item_id:
            raise gr.Error("Select an item in the gallery first.")
        item = catalog.get(item_id)
        result = service.search_catalog("", item.image_path, None, k=GALLERY_SIZE)
        return show(result.hits, f"Items that look like **{item.name}** (by photo).")

    outputs = [gallery, info, shown, selected, similar]
    for trigger in (browse.click, text.submit):
        trigger(on_browse, [text, gender, article, colour], outputs, api_visibility="private")
    gallery.select(on_select, shown, [selected, similar], api_visibility="private")
    similar.click(on_similar, selected, outputs, api_visibility="private")


def _interleave_categories(items: list[Item]) -> list[Item]:
    """Round-robin over article types so the first page shows the catalog's variety."""
    by_type: dict[str, list[Item]] = {}
    for item in items:
        by_type.setdefault(item.article_type, []).append(item)
    columns = list(by_type.values())
    return [column[row] for row in range(max(map(len, columns), default=0)) for column in columns if row < len(column)]


# --- Try-on --------------------------------------------------------------------------------------------------
def _tryon_tab(service: FashionM3) -> gr.Dropdown:
    gr.Markdown("Upload a photo of yourself and choose a catalog garment to see it on you.")
    gr.Markdown(f"Try-on backend: **{service.tryon.label}**", elem_id="fm3-tryon-backend")
    with gr.Row():
        person = gr.Image(label="Your photo", type="filepath", sources=["upload", "webcam"], elem_id="fm3-tryon-person")
        garment = gr.Dropdown(
            [(item_caption(item), item.id) for item in service.catalog.items if item.master_category == "Apparel"],
            label="Garment",
        )
    run = gr.Button("Try it on", variant="primary")
    result = gr.Image(label="Result", interactive=False)
    message = gr.Markdown(elem_id="fm3-tryon-message")

    def on_try(person_path: str | None, item_id: str | None) -> tuple[Any, str]:
        if not item_id:
            return None, "⚠️ Choose a garment first."
        if not person_path:
            return None, "⚠️ Upload a photo of yourself first."
        try:
            return service.virtual_try_on(Path(person_path), item_id), ""
        except FashionM3Error as error:
            return None, f"⚠️ {error}"

    run.click(on_try, [person, garment], [result, message], api_visibility="private")
    return garment


# --- Profile -------------------------------------------------------------------------------------------------
def _profile_tab(service: FashionM3, user_id: gr.BrowserState) -> None:
    gr.Markdown("Your anonymous id, likes and recent activity in this browser.")
    refresh = gr.Button("Refresh")
    view = gr.JSON(label="Profile")

    @user_errors
    def on_refresh(user: str | None) -> dict:
        return service.user_profile(user or "anonymous")

    refresh.click(on_refresh, user_id, view, api_visibility="private")


def launch_options(service: FashionM3) -> dict[str, Any]:
    """Arguments for ``demo.launch``: MCP server, files it may serve, size limits, styling."""
    allowed = [str(service.settings.data_dir.resolve())]
    if service.catalog.image_root:
        allowed.append(str(Path(service.catalog.image_root).resolve()))
    return {
        "mcp_server": True,
        "allowed_paths": allowed,
        "max_file_size": "20mb",
        "css": CARDS_CSS,
        "theme": gr.themes.Soft(),
        "show_error": True,
    }
