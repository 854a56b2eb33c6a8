"""Small interfaces for the model-backed capabilities, and their offline implementations.

Encoders and vector indexes have theirs in ``fashionm3.retrieval``. Model backends (the 4-bit VLM stylist, the
diffusers generator, the try-on pipeline) implement the same protocols, so the chat, the UI, the CLI and the MCP
tools never change when a deployment switches backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from PIL import Image, ImageDraw

from fashionm3.catalog.draw import ARTICLE_TYPES, COLOURS, PATTERNS, draw_item
from fashionm3.catalog.schema import Catalog
from fashionm3.errors import InvalidInput, Unavailable
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.prompts import StylistRequest

MAX_DESCRIPTION_CHARS = 1000
MAX_IMAGES = 4


class Stylist(Protocol):
    """Answers a stylist request with one structured item description (model backends stream text first)."""

    label: str

    def describe(self, request: StylistRequest, fallback: ItemDescription) -> Iterator[str | ItemDescription]:
        """Yield streamed text chunks (none for rule-based backends), then exactly one :class:`ItemDescription`."""
        ...

    def summarize(self, messages: list[dict]) -> str:
        """A short free-text answer to ``messages`` ("" when the backend has no language model)."""
        ...


class ImageGenerator(Protocol):
    """Renders product images from an item description."""

    label: str

    def generate(self, description: str, seed: int = 0, count: int = 1) -> list[Image.Image]: ...


class TryOn(Protocol):
    """Renders a person photo wearing a garment."""

    label: str

    def try_on(self, person: Image.Image, garment: Image.Image, garment_type: str) -> Image.Image: ...


class UserStore(Protocol):
    """Per-user history and feedback."""

    label: str

    def add_event(self, user_id: str, kind: str, payload: dict[str, Any], session_id: str = "") -> None: ...

    def set_feedback(self, user_id: str, item_id: str, liked: bool, session_id: str = "") -> None: ...

    def history(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]: ...

    def feedback(self, user_id: str) -> dict[str, bool]: ...


class SketchGenerator:
    """Offline: a flat sketch of the described item (category silhouette, colour, pattern) drawn by our own code.

    Every image carries a visible "SKETCH" label: it is not a photo and not a model's output.
    """

    label = "offline: labelled sketches drawn by our code (no diffusion model)"

    def __init__(self, vocabulary: Catalog):
        self.vocabulary = vocabulary

    def generate(self, description: str, seed: int = 0, count: int = 1) -> list[Image.Image]:
        description = check_description(description)
        if not 1 <= count <= MAX_IMAGES:
            raise InvalidInput(f"Ask for 1 to {MAX_IMAGES} images.")
        filters = parse_query(description, self.vocabulary).filters
        types = [t for t in filters.get("article_type", []) if t in ARTICLE_TYPES]  # type: ignore[union-attr]
        if not types:
            known = ", ".join(sorted({t.lower() for t in ARTICLE_TYPES}))
            raise InvalidInput(f"I can only sketch clothing and accessories ({known}).")
        colours = [c for c in filters.get("colour", []) if c in COLOURS] or ["Grey"]  # type: ignore[union-attr]
        pattern = next((p for p in PATTERNS if p.lower().split()[0] in description.lower()), "Solid")
        return [_labelled(draw_item(types[0], colours[(seed + n) % len(colours)], pattern, 512)) for n in range(count)]


class NoTryOn:
    """Offline: try-on needs segmentation and inpainting models; this backend says so instead of faking it."""

    label = "unavailable offline (needs segmentation and inpainting models and a GPU)"

    def try_on(self, person: Image.Image, garment: Image.Image, garment_type: str) -> Image.Image:
        raise Unavailable(
            "Virtual try-on needs a segmentation model, an inpainting model and a GPU, which this offline "
            "instance does not have. Nothing was generated."
        )


def check_description(description: str) -> str:
    """Validate an item description for image generation."""
    description = " ".join((description or "").split())
    if not description:
        raise InvalidInput("Describe the item to draw, e.g. “a red striped shirt”.")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(f"The description has {len(description):,} characters; keep it under {MAX_DESCRIPTION_CHARS:,}.")
    return description


def _labelled(image: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 150, 28], fill=(30, 30, 30))
    draw.text((10, 8), "SKETCH - not a photo", fill=(255, 255, 255))
    return image
