"""Grounding: the stated constraints become catalog filters (relaxed one at a time, and said so, only when nothing
in stock meets them all), and every item shown gets a caption computed from its own attributes."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.engine import Hit, SearchEngine
from fashionm3.retrieval.preference import Preference
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.knowledge import colour_reason
from fashionm3.stylist.state import OutfitPiece
from fashionm3.stylist.understanding import PLURAL_ONLY, RequestReader, plural, singular

# When nothing meets every stated constraint, drop them in this order (the constraints a refinement changed go
# last but before the gender; the category is never dropped).
RELAX_ORDER = ("season", "usage", "colour", "price_min", "cheaper_than", "price_max", "gender")
PAIRED = ("shoe", "heel", "flat", "sandal", "flop", "sock", "slipper", "boot", "loafer", "sneaker")  # a pair of heels
WORDS = {"colour": "colour", "usage": "occasion", "season": "season", "gender": "gender", "price_max": "budget",
         "price_min": "minimum price", "cheaper_than": "lower price", "article_type": "category"}  # fmt: skip


class CategoryMatcher(RequestReader):
    """The request reader, also used to check the category a model wrote against the catalog."""

    def match(self, text: str) -> list[str]:
        """Catalog article types meant by ``text`` (empty when nothing is close)."""
        if not text.strip():
            return []
        found = parse_query(text, self.catalog).filters.get("article_type")
        return list(found) if found else self.article_types(text)  # type: ignore[arg-type]


def money(value: float, currency: str) -> str:
    """``money(80.99, "$")`` -> "$80.99"; a currency code goes after the amount ("80.99 EUR")."""
    return f"{currency}{value:.2f}" if len(currency) <= 1 else f"{value:.2f} {currency}"


def noun_phrase(item: Item, article: bool = True) -> str:
    """The item in words from its own attributes: "a white shirt", "a pair of black jeans", "a pair of red heels"."""
    kind = singular(item.article_type) if item.article_type else "item"
    words = f"{item.colour.lower()} {kind}".strip()
    if not article:
        return words
    return _with_article(words)


def _with_article(kind: str) -> str:
    """A kind of item with its article: "a shirt", "a pair of jeans", "a pair of heels"."""
    if kind.endswith(PLURAL_ONLY):
        return f"a pair of {kind}"
    return f"a pair of {plural(kind)}" if kind.split()[-1] in PAIRED else indefinite(kind)


def indefinite(words: str) -> str:
    """``words`` after "a" or "an": "an orange dress", "a shirt"."""
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


@dataclasses.dataclass
class Grounded:
    """The items found, and the stated constraints dropped to find them (empty: all items meet everything);
    ``seen``: the items meeting everything were all shown already (an alternative shows them again, and says so)."""

    hits: list[Hit]
    relaxed: list[str]
    seen: bool = False


def stated_filters(constraints: dict[str, Any], types: list[str]) -> dict[str, Any]:
    """The constraints as filters (``cheaper_than`` holds the strict price bound it sets)."""
    filters: dict[str, Any] = {"article_type": types} if types else {}
    for name in ("colour", "usage", "season", "gender", "price_max", "price_min"):
        if constraints.get(name) not in (None, "", []):
            filters[name] = constraints[name]
    if constraints.get("cheaper_than") is not None:
        filters["cheaper_than"] = round(constraints["cheaper_than"] - 0.01, 2)
    return filters


def known_values(filters: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """``filters`` with each list keeping only the values the catalog has (a "Party" occasion it lacks matches
    nothing, so it is left out; a list left empty rules nothing out)."""
    def kept(name: str, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        known = set(catalog.values(name))
        return [v for v in value if v in known]

    return {name: kept(name, value) for name, value in filters.items()}


def engine_filters(filters: dict[str, Any], relaxed: list[str]) -> dict[str, Any]:
    active = {name: value for name, value in filters.items() if name not in relaxed and name != "cheaper_than"}
    if "cheaper_than" in filters and "cheaper_than" not in relaxed:
        active["price_max"] = min(filters["cheaper_than"], active.get("price_max", filters["cheaper_than"]))
    return active


def exclusions(constraints: dict[str, Any], catalog: Catalog, exclude: set[str]) -> set[str]:
    """Items never shown: already shown or rejected ones, avoided materials (named in the product) and colours, and
    children's wear unless the request says who it is for."""
    excluded = set(exclude)
    for material in constraints.get("avoid_materials", []):
        excluded |= {item.id for item in catalog.items if re.search(rf"\b{material}\b", item.name, re.IGNORECASE)}
    for word in constraints.get("avoid_words", []):  # a pattern or brand ruled out ("no stripes": "strip")
        excluded |= {item.id for item in catalog.items if re.search(rf"\b{re.escape(word)}", item.name, re.IGNORECASE)}
    avoid = {c.lower() for c in constraints.get("avoid_colours", [])}
    types = set(constraints.get("avoid_types", []))
    kids = () if constraints.get("gender") else ("Boys", "Girls")
    return excluded | {item.id for item in catalog.items
                       if item.colour.lower() in avoid or item.article_type in types or item.gender in kids}


def ground(engine: SearchEngine, text: str, constraints: dict[str, Any], types: list[str], exclude: set[str], k: int,
           preference: Preference | None = None, keep_last: tuple[str, ...] = (), image: Any = None) -> Grounded:  # fmt: skip
    """Items meeting every stated constraint; when there are none, the same search with constraints dropped one
    at a time (``RELAX_ORDER``, those in ``keep_last`` last) until some item is found."""
    filters = known_values(stated_filters(constraints, types), engine.catalog)
    relaxed = [name for name, value in filters.items() if value == []]  # none of them in this catalog
    excluded = exclusions(constraints, engine.catalog, exclude)
    first = [name for name in RELAX_ORDER if name not in keep_last and name != "gender"]
    order = first + [name for name in RELAX_ORDER if name in keep_last] + ["gender"]
    query = text or " ".join(types) or "fashion"
    while True:
        over_budget = bool({"price_max", "cheaper_than"} & set(relaxed))  # then the cheapest of the closest
        result = engine.search(query, image, engine_filters(filters, relaxed), k * 5 if over_budget else k,
                               exclude=excluded, preference=preference)  # fmt: skip
        hits = result.hits[: result.strict] if result.strict else result.hits
        remaining = [name for name in order if name in filters and name not in relaxed]
        if hits or not remaining:
            if over_budget:  # the items missing fewest of the dropped constraints, the cheapest of them first
                hits = sorted(hits, key=lambda hit: (_misses(hit.item, filters, relaxed), _price_or_last(hit.item)))[:k]
            return Grounded(hits, relaxed)
        relaxed.append(remaining[0])


def _price_or_last(item: Item) -> float:
    """The item's price, for sorting cheapest first; an item without a price sorts last."""
    return item.price if item.price is not None else float("inf")


def _misses(item: Item, filters: dict[str, Any], relaxed: list[str]) -> int:
    """How many of the ``relaxed`` filters ``item`` does not meet."""
    bounds = {"price_max": lambda p, b: p <= b, "cheaper_than": lambda p, b: p <= b, "price_min": lambda p, b: p >= b}
    missed = 0
    for name in relaxed:
        value = filters.get(name)
        if name in bounds:
            missed += item.price is None or not bounds[name](item.price, value)
        elif isinstance(value, list) and value:
            missed += getattr(item, name, None) not in value
    return missed


def _any_of(words: list[str], others: str, shown: int = 3) -> str:
    """"a or b", "a, b or c", "a, b, c or 2 other kinds": every value, or how many more there are."""
    more = len(words) - shown
    named = words[:shown] + ([f"{more} {others.removesuffix('s') if more == 1 else others}"] if more > 0 else [])
    return " or ".join(named) if len(named) < 3 else ", ".join(named[:-1]) + " or " + named[-1]


def describe_stated(constraints: dict[str, Any], types: list[str], currency: str) -> list[str]:
    """The constraints applied, in words: ["shirts", "navy blue", "for men", "under $80.00", "no leather"]."""
    parts = [_any_of([plural(singular(t)) for t in types], "other kinds")] if types else []
    if constraints.get("shade"):
        parts.append(constraints["shade"])
    elif constraints.get("colour"):
        parts.append(_any_of([c.lower() for c in constraints["colour"]], "other colours"))
    parts += [_any_of([wear(u) for u in constraints["usage"]], "others")] if constraints.get("usage") else []
    seasons = [season.lower() for season in constraints.get("season", [])]
    parts += [f"for {_any_of(seasons, 'others')}"] if seasons else []
    gender = [g.lower() for g in constraints.get("gender", []) if g != "Unisex"]
    unisex = ["unisex"] if constraints.get("gender") == ["Unisex"] else []
    parts += [f"for {_any_of(gender, 'others')}"] if gender else unisex
    if constraints.get("price_max") is not None:
        parts.append(f"under {money(constraints['price_max'], currency)}")
    if constraints.get("price_min") is not None:
        parts.append(f"over {money(constraints['price_min'], currency)}")
    if constraints.get("cheaper_than") is not None:
        parts.append(f"cheaper than the {money(constraints['cheaper_than'], currency)} shown")
    parts += [f"no {m} in the product name" for m in constraints.get("avoid_materials", [])]
    parts += [f"not {c.lower()}" for c in constraints.get("avoid_colours", [])]
    parts += [f"no {t.lower()}" for t in constraints.get("avoid_types", [])]
    parts += [f"no “{w}” in the name" for w in constraints.get("avoid_words", [])]
    return parts


def check(item: Item, constraints: dict[str, Any], types: list[str], currency: str) -> tuple[list[str], list[str]]:
    """(what the item meets, what it does not), in words, for each stated constraint."""
    met, unmet = [], []

    def judge(ok: bool, yes: str, no: str) -> None:
        (met if ok else unmet).append(yes if ok else no)

    if types:
        judge(item.article_type in types, singular(item.article_type), f"different type ({singular(item.article_type)})")
    if constraints.get("colour"):
        wanted = constraints.get("shade") or item.colour.lower()
        judge(item.colour in constraints["colour"], wanted, f"different colour ({item.colour.lower() or 'unknown'})")
    if constraints.get("usage"):
        judge(item.usage in constraints["usage"], wear(item.usage), wear(item.usage) if item.usage else "unknown use")
    if constraints.get("season"):
        judge(item.season in constraints["season"], f"for {item.season.lower()}", f"a {item.season.lower()} item" if item.season else "no season listed")
    if constraints.get("gender"):
        asked = next((g for g in constraints["gender"] if g != "Unisex"), "")
        who = "unisex" if item.gender == "Unisex" else f"for {item.gender.lower() or 'anyone'}"
        fits = f"for {asked.lower()} (unisex)" if item.gender == "Unisex" and asked else who  # what was asked, met
        judge(item.gender in constraints["gender"], fits, who)
    price = f" ({money(item.price, currency)})" if item.price is not None else " (no price listed)"
    for name, ok in (("price_max", lambda p, b: p <= b), ("cheaper_than", lambda p, b: p < b), ("price_min", lambda p, b: p >= b)):
        bound = constraints.get(name)
        if bound is not None:
            meets = item.price is not None and ok(item.price, bound)
            word = {"price_max": "within budget", "cheaper_than": "cheaper than shown", "price_min": "over your minimum"}[name]
            judge(meets, f"{word}{price}", f"not {word}{price}")
            price = "" if item.price is not None else price  # a price is said once
    return met, unmet


def wear(usage: str) -> str:
    """"Formal" -> "formal wear", "Sports" -> "sportswear"."""
    return "sportswear" if usage == "Sports" else f"{usage.lower()} wear"


def caption(item: Item, constraints: dict[str, Any], types: list[str], outfit: list[OutfitPiece], currency: str,
            replace: str = "", understood: bool = True) -> str:  # fmt: skip
    """Why this item is shown, computed from its own attributes against the request (and the outfit); a match is
    claimed only when the request was ``understood`` (it named a kind of item and every word of it was read)."""
    met, unmet = check(item, constraints, types, currency)
    parts = []
    if unmet:
        kind = singular(item.article_type)
        said = [_with_article(m) if m == kind else m for m in met]  # "it is a pair of heels", "it is a shirt"
        parts.append("Closest in stock: " + ", ".join(unmet) + (f"; it is {', '.join(said)}" if met else ""))
    elif met and understood:
        parts.append("Matches what you asked: " + ", ".join(met))
    elif met:  # what the item is, and what it meets beyond its own type and colour
        said = {singular(item.article_type), item.colour.lower()}
        parts.append(", ".join([noun_phrase(item), *(m for m in met if m not in said)]))
    if replace:
        parts.append(f"another option instead of {replace}")
    outfit_colours = [piece.colour for piece in outfit if piece.colour]
    if item.colour and outfit_colours:
        parts.append(colour_reason(item.colour, outfit_colours))
    usages = {piece.usage for piece in outfit if piece.usage}
    if item.usage and item.usage in usages:
        parts.append(f"{item.usage.lower()} like your outfit")
    if not parts:
        parts.append(f"closest catalog item to your words: {noun_phrase(item)}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def worn_by(catalog: Catalog, article_type: str) -> str:
    """The gender nearly all of this type's items are for, children's sizes counted with adults' (a dress: Women),
    else ""."""
    adult = {"Girls": "Women", "Boys": "Men"}
    genders = Counter(adult.get(item.gender, item.gender)
                      for item, keep in zip(catalog.items, catalog.mask({"article_type": [article_type]})) if keep)
    gender, count = genders.most_common(1)[0] if genders else ("", 0)
    return gender if gender in ("Men", "Women") and count >= 0.9 * sum(genders.values()) else ""
