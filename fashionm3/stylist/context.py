"""Gathering a turn's context: recognise the outfit in the photos, and update the session's constraints from the
message (new filters, refinements such as "darker" or "cheaper", avoided materials, contradictions)."""

from __future__ import annotations

import re
import statistics
from collections import Counter

from PIL import Image

from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.knowledge import FORMALITY, avoided_materials, find_refinements, shift_colours
from fashionm3.stylist.state import Conversation, OutfitPiece

# Below this image similarity to its nearest catalog product a photo is not treated as clothing (per encoder;
# measured in bench/stylist_eval: catalog photos >= 0.78, landscapes, faces, noise and blank images <= 0.70).
NOT_CLOTHING_BELOW = {"offline-minilm-pixels-v2": 0.74}
PERSISTENT = ("gender", "price_max", "price_min", "avoid_materials", "avoid_colours")  # kept across targets
CONFLICTING_USAGES = ({"Formal", "Sports"}, {"Party", "Sports"})
OUTFIT_CUE = re.compile(r"\b(?:(?:that |to |which |would )?(?:goes?|go|pairs?|matche?s?) (?:well )?with|wear with|for|with|complete|completes) (?:my|this|these|a|an|the)\b", re.I)
AVOID_WORDS = r"(?:no|not|without|avoid|hate|except|anything but)"


def identify_pieces(engine: SearchEngine, photos: list[Image.Image]) -> tuple[list[OutfitPiece], list[Image.Image], list[str]]:
    """Recognise each photo by its nearest catalog products (they vote for type, colour, gender and usage).

    Returns the pieces, the photos kept for the collage, and notes for photos that do not look like clothing.
    """
    pieces, kept, notes = [], [], []
    threshold = NOT_CLOTHING_BELOW.get(engine.encoder.name)
    for position, photo in enumerate(photos, start=1):
        neighbours = engine.photo_neighbours(photo)
        if not neighbours or (threshold is not None and neighbours[0].score < threshold):
            notes.append(f"Photo {position} does not look like a clothing item or accessory I know, so I left it out.")
            continue
        items = [hit.item for hit in neighbours]
        vote = {field: _majority([getattr(item, field) for item in items], 0.0) for field in ("article_type", "colour", "usage")}
        gender = _majority([item.gender for item in items])  # only when most neighbours agree
        pieces.append(OutfitPiece(vote["article_type"], vote["colour"], gender, vote["usage"], "photo", items[0].id))
        kept.append(photo)
    return pieces, kept, notes


def _majority(values: list[str], share: float = 0.5) -> str:
    """The most common value when more than ``share`` of the voters agree, else "" (unknown)."""
    value, count = Counter(values).most_common(1)[0]
    return value if count > share * len(values) else ""


def split_outfit(text: str, catalog: Catalog) -> tuple[str, list[OutfitPiece]]:
    """Split "black shoes to go with my navy shirt and grey jeans" into the request ("black shoes") and the
    outfit described in words (navy blue shirts, grey jeans)."""
    match = OUTFIT_CUE.search(text)
    if not match:
        return text, []
    pieces = []
    for part in re.split(r",|\band\b|\bplus\b", text[match.end():]):
        filters = parse_query(part, catalog).filters
        types, colours = filters.get("article_type", []), filters.get("colour", [])
        if types:
            pieces.append(OutfitPiece(types[0], colours[0] if colours else "", source="text"))  # type: ignore[index]
    return (text[: match.start()].strip(), pieces) if pieces else (text, [])


def update_constraints(conversation: Conversation, text: str, catalog: Catalog, whole: str = "") -> tuple[list[str], list[str], list[str]]:
    """Merge what ``text`` asks for into the conversation's constraints (gender, occasion, season and budget are
    read from the ``whole`` message, which may also describe the outfit).

    Returns (article types named in the text, refinements applied, notes for the user). A newly named category
    resets the per-item constraints (colour, usage, season); gender, budget and avoided materials persist.
    """
    notes: list[str] = []
    whole = whole or text
    lower = text.lower()
    filters = parse_query(text, catalog).filters
    for name, value in parse_query(whole, catalog).filters.items():
        if name not in ("article_type", "colour"):
            filters.setdefault(name, value)
    constraints = conversation.constraints
    named_types = list(filters.get("article_type", []))  # type: ignore[arg-type]
    if named_types and named_types != conversation.target_types:
        for name in [key for key in constraints if key not in PERSISTENT]:
            del constraints[name]
    avoided = [c for c in filters.get("colour", []) if re.search(rf"\b{AVOID_WORDS}\s+(?:\w+\s+)?{re.escape(c.lower())}\b", lower)]  # type: ignore[union-attr]
    wanted = [c for c in filters.get("colour", []) if c not in avoided]  # type: ignore[union-attr]
    if avoided:
        constraints["avoid_colours"] = list(dict.fromkeys([*constraints.get("avoid_colours", []), *avoided]))
    if wanted:
        constraints["colour"] = wanted
    for name in ("gender", "usage", "season", "price_max", "price_min"):
        if name in filters:
            constraints[name] = filters[name]
    materials = avoided_materials(whole)
    if materials:
        constraints["avoid_materials"] = list(dict.fromkeys([*constraints.get("avoid_materials", []), *materials]))
    refinements = find_refinements(text)
    notes += _apply_refinements(conversation, refinements, catalog)
    notes += _resolve_conflicts(constraints)
    return named_types, refinements, notes


def _apply_refinements(conversation: Conversation, refinements: list[str], catalog: Catalog) -> list[str]:
    constraints, notes = conversation.constraints, []
    last = [catalog.get(item_id) for item_id in conversation.last_items if item_id in catalog]
    if refinements and not last:
        return [f"There is no earlier recommendation to make {' and '.join(refinements)}; I treated it as a new request."]
    for refinement in refinements:
        if refinement in ("darker", "lighter"):
            shifted = shift_colours([last[0].colour], refinement, catalog.values("colour"))
            if shifted:
                constraints["colour"] = shifted[:4]
            else:
                notes.append(f"Nothing in the catalog is {refinement} than what I showed.")
        elif refinement in ("cheaper", "pricier"):
            price = last[0].price  # compared with the top item of the last answer
            if price is None:
                notes.append("This catalog has no prices, so I cannot compare them.")
            elif refinement == "cheaper":
                constraints["price_max"] = round(price - 0.01, 2)
            else:
                constraints["price_min"] = round(price + 0.01, 2)
        else:
            usages = [item.usage for item in last if item.usage in FORMALITY] or ["Casual"]
            level = statistics.mean(FORMALITY[u] for u in usages)
            known = set(catalog.values("usage"))
            if refinement == "more formal":
                options = [u for u, f in FORMALITY.items() if f > level and u in known]
            else:
                options = [u for u, f in FORMALITY.items() if f < level and u in known and u != "Sports"]
            if options:
                constraints["usage"] = sorted(options, key=lambda u: abs(FORMALITY[u] - level))[:2]
    return notes


def _resolve_conflicts(constraints: dict) -> list[str]:
    """Contradictory constraints: keep one side and say so."""
    notes = []
    low, high = constraints.get("price_min"), constraints.get("price_max")
    if low is not None and high is not None and low > high:
        notes.append(f"“Over {low:g}” and “under {high:g}” contradict each other; I kept the budget of {high:g}.")
        del constraints["price_min"]
    clash = set(constraints.get("colour", [])) & set(constraints.get("avoid_colours", []))
    if clash:
        colours = ", ".join(sorted(clash)).lower()
        notes.append(f"You both asked for and ruled out {colours}; I left {colours} out.")
        constraints["colour"] = [c for c in constraints["colour"] if c not in clash]
    usages = constraints.get("usage", [])
    for pair in CONFLICTING_USAGES:
        if pair <= set(usages):
            kept = usages[0]
            notes.append(f"{' and '.join(sorted(pair))} pull in different directions; I went with {kept.lower()}.")
            constraints["usage"] = [kept]
            break
    return notes
