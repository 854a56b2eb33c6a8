"""HTML and JSON views of catalog items for the chat, the gallery and the API (the only Gradio-aware formatting)."""

from __future__ import annotations

import html

from gradio_client.utils import encode_file_path

from fashionm3.catalog.schema import Item
from fashionm3.retrieval.engine import Hit

CARDS_CSS = """
.fm3-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; margin-top: 6px; }
.fm3-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 6px; background: var(--background-fill-primary); }
.fm3-card img { width: 100%; aspect-ratio: 1 / 1; object-fit: contain; background: #fff; border-radius: 6px; }
.fm3-name { font-weight: 600; font-size: 0.85em; line-height: 1.2; margin-top: 4px; }
.fm3-meta { font-size: 0.75em; opacity: 0.75; }
.fm3-why { font-size: 0.75em; margin-top: 3px; font-style: italic; }
.fm3-status { font-size: 0.85em; opacity: 0.85; }
"""


def file_url(path: str, root: str = "") -> str:
    """The URL under which Gradio serves a local file in ``allowed_paths``."""
    return f"{root}/gradio_api/file={encode_file_path(path)}"


def item_caption(item: Item) -> str:
    """One-line caption: name, then colour, type and price."""
    price = f" · {item.price:.2f}" if item.price is not None else ""
    return f"{item.name} — {item.colour} {item.article_type}{price}".strip()


def product_cards_html(hits: list[Hit], explanations: dict[str, str] | None = None) -> str:
    """A grid of product cards (image, name, colour · type · price, id, and why it fits when known)."""
    cards = []
    for hit in hits:
        item = hit.item
        image = f'<img src="{file_url(item.image_path)}" alt="{html.escape(item.name)}">' if item.image_path else ""
        price = f" · {item.price:.2f}" if item.price is not None else ""
        meta = html.escape(f"{item.colour} · {item.article_type}{price}")
        reason = (explanations or {}).get(item.id, "")
        why = f'<div class="fm3-why">{html.escape(reason)}</div>' if reason else ""
        cards.append(
            f'<div class="fm3-card" data-item-id="{html.escape(item.id)}">{image}'
            f'<div class="fm3-name">{html.escape(item.name)}</div>'
            f'<div class="fm3-meta">{meta} · id {html.escape(item.id)}</div>{why}</div>'
        )
    return f'<div class="fm3-cards">{"".join(cards)}</div>' if cards else ""


def hits_to_json(hits: list[Hit], root: str = "") -> list[dict[str, object]]:
    """API view of search hits: id, name, category, colour, score and image URL."""
    results = []
    for hit in hits:
        record = hit.item.to_public()
        record["score"] = round(hit.score, 4)
        record["image_url"] = file_url(hit.item.image_path, root) if hit.item.image_path else None
        results.append(record)
    return results
