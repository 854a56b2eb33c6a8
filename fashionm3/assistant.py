"""One chat turn: validate the message and photos, find real catalog items, explain what was done."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from fashionm3.errors import InvalidInput
from fashionm3.retrieval.engine import Hit
from fashionm3.service import MAX_IMAGES_PER_MESSAGE, FashionM3

CHAT_RESULTS = 6


@dataclasses.dataclass
class ChatReply:
    """What the assistant answers: markdown text, the catalog items it shows, and the serving backend."""

    text: str
    hits: list[Hit]
    backend: str
    notes: list[str] = dataclasses.field(default_factory=list)


def chat_turn(
    service: FashionM3,
    message: str,
    images: Sequence["str | Path | bytes | Image.Image"] = (),
    user_id: str = "anonymous",
    session_id: str = "",
) -> ChatReply:
    """Answer one chat message (text and up to four outfit photos) with catalog items."""
    text = service.check_text(message, allow_empty=bool(images))
    notes: list[str] = []
    if len(images) > MAX_IMAGES_PER_MESSAGE:
        notes.append(f"You sent {len(images)} photos; I used the first {MAX_IMAGES_PER_MESSAGE}.")
        images = images[:MAX_IMAGES_PER_MESSAGE]
    loaded = []
    for position, source in enumerate(images, start=1):
        try:
            loaded.append(service.load_user_image(source))
        except InvalidInput as error:
            raise InvalidInput(f"Photo {position}: {error}") from error
    for photo in loaded:
        notes.extend(photo.notes)
    if len(loaded) > 1:
        notes.append("Searching by your first photo; combining several photos into one outfit comes with the stylist.")

    request = service.stylist.request(text, [photo.image for photo in loaded])
    result = service.engine.search(request.text, loaded[0].image if loaded else None, request.filters, CHAT_RESULTS)
    if result.relaxed:
        dropped = ", ".join(name.replace("_", " ") for name in result.relaxed)
        notes.append(f"Few items matched everything, so some results ignore: {dropped}.")
    service.store.add_event(
        user_id,
        "chat",
        {"message": text, "photos": len(loaded), "items": [hit.item.id for hit in result.hits]},
        session_id,
    )
    if request.reason:
        notes.insert(0, request.reason)
    text_out = _compose(text, bool(loaded), result.parsed.describe(), result.hits, notes)
    return ChatReply(text=text_out, hits=result.hits, backend=f"{service.stylist.label}; {service.engine.encoder.label}", notes=notes)


def _compose(text: str, has_photo: bool, understood: str, hits: list[Hit], notes: list[str]) -> str:
    if not hits:
        return "I found no catalog items for that. Try fewer constraints or other words."
    query = f"“{text}”" if text else "your photo"
    if text and has_photo:
        query += " and your photo"
    lines = [f"Here are {len(hits)} catalog items for {query}."]
    if understood:
        lines.append(f"Understood: {understood}.")
    lines += [f"_{note}_" for note in notes]
    return "\n\n".join(lines)
