"""Understand a free-text shopping query: filters (gender, category, colour, usage, season, price) and synonyms.

Only values that exist in the catalog become filters, so a query can never filter on something the catalog
does not have.
"""

from __future__ import annotations

import dataclasses
import re

from fashionm3.catalog.schema import Catalog

GENDER_WORDS = {
    "Men": ("men", "man", "mens", "men's", "male", "guy", "guys", "gentleman", "gentlemen", "boyfriend", "husband"),
    "Women": ("women", "woman", "womens", "women's", "female", "lady", "ladies", "girlfriend", "wife"),
    "Boys": ("boy", "boys", "boy's", "son"),
    "Girls": ("girl", "girls", "girl's", "daughter"),
}
# synonym -> catalog article types it may mean (kept only if present in the catalog)
ARTICLE_SYNONYMS = {
    "tee": ("Tshirts",), "tees": ("Tshirts",), "t-shirt": ("Tshirts",), "t-shirts": ("Tshirts",),
    "tshirt": ("Tshirts",), "t shirt": ("Tshirts",), "polo": ("Tshirts",),
    "sneaker": ("Casual Shoes", "Sports Shoes"), "sneakers": ("Casual Shoes", "Sports Shoes"),
    "trainers": ("Sports Shoes", "Casual Shoes"), "running shoes": ("Sports Shoes",),
    "shoes": ("Casual Shoes", "Formal Shoes", "Sports Shoes", "Heels", "Flats"),
    "trousers": ("Trousers",), "pants": ("Trousers", "Track Pants"), "chinos": ("Trousers",),
    "slacks": ("Trousers",), "joggers": ("Track Pants",), "denim": ("Jeans",),
    "purse": ("Handbags", "Clutches", "Wallets"), "handbag": ("Handbags",), "bag": ("Handbags", "Backpacks"),
    "tote": ("Handbags",), "clutch": ("Clutches",), "rucksack": ("Backpacks",),
    "pumps": ("Heels",), "stilettos": ("Heels",), "high heels": ("Heels",),
    "jumper": ("Sweaters",), "pullover": ("Sweaters",), "cardigan": ("Sweaters",), "hoodie": ("Sweatshirts",),
    "coat": ("Jackets",), "blazer": ("Jackets", "Blazers"), "shades": ("Sunglasses",), "hat": ("Caps",),
    "frock": ("Dresses",), "gown": ("Dresses",), "blouse": ("Tops", "Shirts"),
    "boots": ("Casual Shoes", "Formal Shoes"), "loafers": ("Casual Shoes", "Formal Shoes"), "brogues": ("Formal Shoes",),
    "oxfords": ("Formal Shoes",), "sandals": ("Sandals", "Sports Sandals"), "beanie": ("Caps",),
}  # fmt: skip
COLOUR_SYNONYMS = {
    "navy": "Navy Blue", "gray": "Grey", "burgundy": "Maroon", "wine": "Maroon", "crimson": "Red",
    "scarlet": "Red", "ivory": "Cream", "tan": "Beige", "camel": "Beige", "golden": "Gold", "violet": "Purple",
    "lilac": "Lavender", "mint": "Green", "charcoal": "Grey",
}  # fmt: skip
USAGE_WORDS = {
    "Party": ("party", "parties", "clubbing", "night out", "cocktail", "wedding guest"),
    "Formal": ("formal", "office", "work", "business", "interview", "meeting"),
    "Sports": ("sport", "sports", "sporty", "gym", "running", "workout", "training", "athletic"),
    "Casual": ("casual", "everyday", "weekend", "relaxed"),
    "Ethnic": ("ethnic", "traditional", "festive"),
}
SEASON_WORDS = {
    "Summer": ("summer", "hot weather", "beach"), "Winter": ("winter", "cold weather", "snow"),
    "Fall": ("fall", "autumn"), "Spring": ("spring",),
}  # fmt: skip
PRICE_MAX = re.compile(r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to)\s*[$€£]?\s*(\d+(?:\.\d+)?)")
PRICE_MIN = re.compile(r"\b(?:over|above|more than|at least|min(?:imum)?)\s*[$€£]?\s*(\d+(?:\.\d+)?)")

# When the filters leave too few items, drop them in this order (explicit filters are never dropped).
RELAX_ORDER = ("season", "usage", "price_min", "colour", "gender", "article_type", "price_max")


@dataclasses.dataclass
class ParsedQuery:
    """Filters understood from the text, and the words left for semantic matching."""

    text: str
    filters: dict[str, list[str] | float] = dataclasses.field(default_factory=dict)

    def describe(self) -> str:
        """Human-readable filters, e.g. ``gender: Men · colour: Navy Blue``."""
        parts = []
        for name, value in self.filters.items():
            shown = " or ".join(value) if isinstance(value, list) else f"{value:g}"
            parts.append(f"{name.replace('_', ' ')}: {shown}")
        return " · ".join(parts)


def _find(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _match_vocabulary(text: str, mapping: dict[str, tuple[str, ...]], known: set[str]) -> list[str]:
    found = []
    for value, words in mapping.items():
        if value in known and any(_find(text, word) for word in words):
            found.append(value)
    return found


def _article_forms(article_type: str) -> set[str]:
    lower = article_type.lower()
    forms = {lower, lower.rstrip("s")}
    if lower.endswith("es"):
        forms.add(lower[:-2])
    return {form for form in forms if len(form) > 2}


def parse_query(text: str, catalog: Catalog) -> ParsedQuery:
    """Extract filters from ``text`` using the catalog's own vocabulary plus common synonyms."""
    lower = " ".join(text.lower().split())
    filters: dict[str, list[str] | float] = {}

    genders = set(catalog.values("gender"))
    found_genders = _match_vocabulary(lower, GENDER_WORDS, genders)
    if found_genders:
        filters["gender"] = found_genders + (["Unisex"] if "Unisex" in genders else [])

    article_types = set(catalog.values("article_type"))
    remaining = lower
    found_types: list[str] = []
    for article_type in sorted(article_types, key=len, reverse=True):  # exact names first ("sports shoes")
        if " " in article_type and _find(remaining, article_type.lower()):
            found_types.append(article_type)
            remaining = remaining.replace(article_type.lower(), " ")
    for phrase in sorted(ARTICLE_SYNONYMS, key=len, reverse=True):
        if _find(remaining, phrase):
            found_types += [t for t in ARTICLE_SYNONYMS[phrase] if t in article_types and t not in found_types]
            remaining = remaining.replace(phrase, " ")
    for article_type in sorted(article_types, key=len, reverse=True):
        if any(_find(remaining, form) for form in _article_forms(article_type)) and article_type not in found_types:
            found_types.append(article_type)
    if found_types:
        filters["article_type"] = found_types

    colours = {colour.lower(): colour for colour in catalog.values("colour")}
    found_colours: list[str] = []
    for phrase in sorted(colours, key=len, reverse=True):
        if _find(lower, phrase) and not any(phrase in chosen.lower() for chosen in found_colours):
            found_colours.append(colours[phrase])
    for word, colour in COLOUR_SYNONYMS.items():
        if colour.lower() in colours and _find(lower, word) and colour not in found_colours:
            found_colours.append(colour)
    if found_colours:
        filters["colour"] = found_colours

    for name, vocabulary in (("usage", USAGE_WORDS), ("season", SEASON_WORDS)):
        values = _match_vocabulary(lower, vocabulary, set(catalog.values(name)))
        if values:
            filters[name] = values

    for name, pattern in (("price_max", PRICE_MAX), ("price_min", PRICE_MIN)):
        match = pattern.search(lower)
        if match:
            filters[name] = float(match.group(1))
    return ParsedQuery(text=text.strip(), filters=filters)
