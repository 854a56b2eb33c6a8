"""Grounding: turn the stylist's item description into a catalog query, and explain each real item found."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.encoders import Encoder
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.knowledge import colour_reason
from fashionm3.stylist.prompts import StylistRequest

CATEGORY_SIMILARITY = 0.45  # below this, free words are not mapped onto a catalog category


class CategoryMatcher:
    """Maps a category in words ("ankle boots", "a bag for work") to the catalog's article types: first by the
    query vocabulary and synonyms, then by text-embedding similarity to the article type names."""

    def __init__(self, catalog: Catalog, encoder: Encoder):
        self.catalog = catalog
        self.encoder = encoder
        self.types = catalog.values("article_type")
        self._vectors: np.ndarray | None = None

    def match(self, text: str) -> list[str]:
        """Catalog article types meant by ``text`` (empty when nothing is close)."""
        if not text.strip():
            return []
        found = parse_query(text, self.catalog).filters.get("article_type")
        if found:
            return list(found)  # type: ignore[arg-type]
        if self._vectors is None:
            self._vectors = self.encoder.encode_text(self.types)
        similarity = self._vectors @ self.encoder.encode_text([text])[0]
        best = int(np.argmax(similarity))
        return [self.types[best]] if similarity[best] >= CATEGORY_SIMILARITY else []


@dataclasses.dataclass
class CatalogQuery:
    """What is sent to the search engine for one recommendation."""

    text: str
    filters: dict[str, Any]  # explicit: never relaxed
    exclude: set[str]


def build_query(description: ItemDescription, request: StylistRequest, types: list[str], catalog: Catalog, exclude: set[str]) -> CatalogQuery:
    """Hard constraints (category, gender, budget, avoided materials and colours, items already shown) become
    explicit filters and exclusions; the description's colour and style stay soft (relaxed when nothing matches)."""
    constraints = request.constraints
    filters: dict[str, Any] = {}
    if types:
        filters["article_type"] = types
    if constraints.get("gender"):
        filters["gender"] = constraints["gender"]
    for bound in ("price_max", "price_min"):
        if constraints.get(bound) is not None:
            filters[bound] = constraints[bound]
    excluded = set(exclude)
    for material in constraints.get("avoid_materials", []):
        excluded |= {item.id for item in catalog.items if re.search(rf"\b{material}\b", item.name, re.IGNORECASE)}
    avoid_colours = {c.lower() for c in constraints.get("avoid_colours", [])}
    if avoid_colours:
        excluded |= {item.id for item in catalog.items if item.colour.lower() in avoid_colours}
    colours = [c for c in constraints.get("colour", []) if c.lower() not in avoid_colours][:4]
    if constraints.get("usage") and {"more formal", "more casual"} & set(request.refinements):
        filters["usage"] = constraints["usage"]  # "more formal" means more formal: never relaxed
    if colours and {"darker", "lighter"} & set(request.refinements):
        filters["colour"] = colours  # "darker" means darker: never relaxed
    elif colours and description.colour in colours:  # every colour asked for may match (relaxed if none does)
        description = dataclasses.replace(description, colour=" ".join(colours))
    text = description.query_text() or request.message
    if request.outfit and not constraints.get("gender"):
        genders = [piece.gender for piece in request.outfit if piece.gender and piece.gender != "Unisex"]
        text += f" {genders[0]}" if genders else ""
    return CatalogQuery(text=text, filters=filters, exclude=excluded)


def explain(item: Item, description: ItemDescription, request: StylistRequest) -> str:
    """Why this real item fits: its colour with the outfit, its occasion, the user's budget and preference."""
    reasons = []
    outfit_colours = [piece.colour for piece in request.outfit if piece.colour]
    if item.colour and outfit_colours:
        reasons.append(colour_reason(item.colour, outfit_colours))
    elif item.colour and description.colour and item.colour.lower() == description.colour.lower():
        reasons.append(f"the {item.colour.lower()} you asked for")
    usages = {piece.usage for piece in request.outfit}
    if item.usage and item.usage in usages:
        reasons.append(f"{item.usage.lower()} like your outfit")
    elif item.usage and description.style and item.usage.lower() == description.style.lower():
        reasons.append(f"right for {item.usage.lower()}")
    price_max = request.constraints.get("price_max")
    if item.price is not None and price_max is not None:
        reasons.append(f"{item.price:.0f} is within your budget of {price_max:g}")
    if request.task == "alternative" and request.replace:
        reasons.insert(0, f"another {item.article_type.lower()} instead of your {request.replace}")
    if not reasons:
        reasons.append(description.reason.rstrip(".").lower() or "closest catalog match to the description")
    text = "; ".join(reasons)
    return text[0].upper() + text[1:] + "."
