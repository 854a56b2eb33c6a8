"""What may be drawn: validation, refusals and the product-photo prompt built from an item description."""

from __future__ import annotations

import dataclasses
import re

from fashionm3.catalog.schema import Catalog
from fashionm3.errors import InvalidInput
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.knowledge import mentioned_materials

MAX_DESCRIPTION_CHARS = 1000
MAX_IMAGES = 4
PRODUCT_STYLE = "e-commerce product photo, single item, centred, plain white background, soft studio lighting, sharp focus, no person"
NEGATIVE_PROMPT = "person, model, mannequin, face, hands, text, watermark, logo, several items, cluttered background, blurry, low quality, deformed"
# Requests FashionM3 refuses to draw whatever garment they mention (it renders product photos only).
UNSAFE = re.compile(
    r"\b(nude|naked|nudity|nsfw|topless|porn\w*|sexual|erotic|fetish|gore|gory|corpse|dead body|gun|guns|rifle|pistol|"
    r"weapon\w*|bomb|explosive\w*|cocaine|heroin|meth|swastika|nazi|kkk)\b",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class ProductPrompt:
    """A validated request to draw one catalog-style item: the description, the prompt and its negative."""

    description: ItemDescription
    subject: str  # the item in words, e.g. "a navy blue cotton casual shirt"
    text: str
    negative: str = NEGATIVE_PROMPT


def product_prompt(request: ItemDescription | str, vocabulary: Catalog) -> ProductPrompt:
    """Turn a stylist description (or free text) into a product-photo prompt; refuse what is not a fashion item.

    Raises :class:`InvalidInput` for empty, over-long, unsafe or non-fashion requests.
    """
    if isinstance(request, ItemDescription):
        subject = check_description(request.sentence())
        description = request if request.category else _describe(subject, vocabulary)
    else:
        subject = check_description(request)
        description = _describe(subject, vocabulary)
    category = description.category.lower()
    named = category.rstrip("s") in subject.lower()
    text = f"{subject}{'' if named else f' ({category})'}, {PRODUCT_STYLE}"  # subject first: CLIP text encoders keep 77 tokens
    return ProductPrompt(description, subject, text)


def check_count(count: int) -> int:
    """1 to :data:`MAX_IMAGES` images per request."""
    if not 1 <= int(count) <= MAX_IMAGES:
        raise InvalidInput(f"Ask for 1 to {MAX_IMAGES} images at a time (you asked for {count}).")
    return int(count)


def check_description(description: str) -> str:
    """Validate an item description for image generation: present, not too long, nothing unsafe."""
    description = " ".join((description or "").split())
    if not description:
        raise InvalidInput("Describe the item to draw, e.g. “a red striped shirt”.")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(f"The description has {len(description):,} characters; keep it under {MAX_DESCRIPTION_CHARS:,}.")
    if UNSAFE.search(description):
        raise InvalidInput("I can't draw that. FashionM3 only makes product photos of clothing and accessories.")
    return description


def _describe(text: str, vocabulary: Catalog) -> ItemDescription:
    """Read category, colour and material from free text with the catalog's vocabulary."""
    filters = parse_query(text, vocabulary).filters
    types = list(filters.get("article_type", []))  # type: ignore[arg-type]
    if not types:
        raise InvalidInput(
            "I can only draw clothing and accessories. Name the item, e.g. “a red striped shirt” or “brown leather boots”."
        )
    colours = list(filters.get("colour", []))  # type: ignore[arg-type]
    materials = mentioned_materials(text)
    return ItemDescription(category=types[0], colour=colours[0] if colours else "", material=" ".join(materials), details=text, source="request")
