"""HTML and JSON views of catalog items for the chat, the gallery and the API (the only Gradio-aware formatting).

Styles live in ``assets/fashionm3.css``. Cards show what a person needs (picture, full name, colour, type, price,
why it fits); catalog ids stay in the API and in the ``data-item-id`` attribute."""

from __future__ import annotations

import html
import re

from gradio_client.utils import encode_file_path

from fashionm3.catalog.schema import Item
from fashionm3.retrieval.engine import Hit
from fashionm3.stylist.grounding import money


def file_url(path: str, root: str = "") -> str:
    """The URL under which Gradio serves a local file in ``allowed_paths``."""
    return f"{root}/gradio_api/file={encode_file_path(path)}"


def item_caption(item: Item, currency: str = "$") -> str:
    """One-line caption: name, then colour, type and price."""
    return f"{item.name} — {item.colour} {_kind(item)}{_price(item, currency)}".strip()


def _kind(item: Item) -> str:
    """The article type as a shopper writes it ("Tshirts" -> "T-shirts")."""
    return re.sub(r"\bTshirt", "T-shirt", item.article_type)


def _price(item: Item, currency: str) -> str:
    return f" · {money(item.price, currency)}" if item.price is not None else ""


def product_cards_html(hits: list[Hit], explanations: dict[str, str] | None = None, currency: str = "$") -> str:
    """A grid of product cards (image or a "no photo" placeholder, name, colour · type · price, why it fits)."""
    cards = []
    for hit in hits:
        item = hit.item
        name = html.escape(item.name)
        image = f'<img src="{file_url(item.image_path)}" alt="{name}">' if item.image_path else '<div class="fm3-nophoto">No photo in the catalog</div>'
        meta = html.escape(f"{item.colour} · {_kind(item)}{_price(item, currency)}")
        reason = (explanations or {}).get(item.id, "")
        why = f'<div class="fm3-why">{html.escape(reason)}</div>' if reason else ""
        cards.append(
            f'<div class="fm3-card" data-item-id="{html.escape(item.id)}" title="{name}">{image}'
            f'<div class="fm3-name">{name}</div><div class="fm3-meta">{meta}</div>{why}</div>'
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
