"""Which piece an occasion, the weather or a present calls for when no kind of item is named ("what do I wear to
the gym": sportswear; "it pours every morning": a layer; "a gift for dad": an accessory), and which of several
kinds a word names fits the occasion ("shoes for hiking": sports shoes)."""

from __future__ import annotations

import re

from fashionm3.catalog.schema import Catalog
from fashionm3.stylist.knowledge import OCCASION_SLOTS, SLOT_TYPES
from fashionm3.stylist.understanding import RequestReader

WEATHER = re.compile(
    r"\b(?:rain(?:s|y|ing)?|monsoon|pour(?:s|ing)?|soaked|drizzl\w*|chilly|freezing|cold|snow(?:y|ing)?|windy)\b"
)
WEAR_QUESTION = re.compile(  # asking what to wear, or naming an event to dress for, without naming a kind of item
    r"\b(?:wear|wearing|outfit|pack|packing|dress(?:ed)? up|turn up in|go in|put on|look (?:sharp|smart|good|nice|"
    r"elegant|the part|lovely|special)|appropriate|no idea|zero clue|help me|help a|date|dinner|lunch|brunch|party|"
    r"wedding|reception|shower|funeral|ceremony|meeting|interview|event|trip|holiday|vacation|"
    r"(?:christmas|leaving|birthday|office|work|hen|stag|big) do)\b"
)
OUTING = re.compile(r"\b(?:brunch|lunch|picnic|(?:first )?date|garden party|day out|caf[eé]|(?:high )?tea)\b")
GARMENT_SLOTS = ("top", "bottom", "one-piece", "outerwear")
CELEBRATION = re.compile(r"\b(?:wedding|reception|engagement|christening|gala|prom|ball|cocktail|banquet|soiree"
                         r"|formal dinner|black[- ]tie)s?\b")
# a whole look asked for, not "my outfit"
AN_OUTFIT = re.compile(r"\b(?:an|a whole|a full|one) (?:\w+ ){0,2}(?:outfit|look)\b")
COMFORT = re.compile(r"\b(?:comf(?:y|ier|ortable|ortably)|cosy|cozy|lounge)\b")
GIFT = re.compile(r"\b(?:gift|gifting|present)\b")
WHAT_TO_BUY = re.compile(r"\bwhat (?:should|can|do) i (?:get|buy)\b")


def not_the_tops_asked(reader: RequestReader, filters: dict) -> bool:
    """Whether "a top" means the top slot rather than the catalog's "Tops": there are none for the person asked
    for, or none for the occasion while other tops have some (no top is sportswear: a gym top is a t-shirt)."""
    fitting = {t for t in _stocked(reader.catalog, filters.get("gender"), filters.get("usage"))
               if reader.slot_of_type.get(t) == "top"}
    return "Tops" not in fitting and (bool(fitting) or "Tops" not in _stocked(reader.catalog, filters.get("gender")))


def fitting_types(types: list[str], filters: dict, reader: RequestReader) -> list[str]:
    """For a word naming several types of one slot ("shoes", "a bag"), the type the occasion calls for that the
    catalog stocks for the wanted gender (Sports Shoes for hiking, a Duffel Bag for travel); else ``types``."""
    slots = {reader.slot_of_type.get(t, "") for t in types}
    preferred = SLOT_TYPES.get(slots.pop(), {}).get(filters["usage"][0], ()) if len(slots) == 1 else ()
    preferred = [t for t in preferred if t in types]  # of the kinds named: formal neckwear is a tie, not a watch
    stocked = _stocked(reader.catalog, filters.get("gender"))
    return [next(t for t in preferred if t in stocked)] if stocked & set(preferred) else types


def occasion_slot(reader: RequestReader, filters: dict, text: str) -> str:
    """The slot bad weather ("it pours every morning") asks for, or the piece an occasion or activity is mostly
    shopped for (sportswear for the gym, shoes for hiking, a dress for her party), or a layer for winter, an
    accessory for a present and a top for summer, an event or a plain "what do I wear": the first of them with items
    for that gender, occasion, colour and budget (clothes before shoes and accessories, unless those are the piece),
    else in that colour and budget, else the usual one when the catalog has it for that gender; "" when none of these
    is said. A wedding guest dresses as for a party."""
    catalog = reader.catalog
    genders = [v for v in filters.get("gender", []) if v in catalog.values("gender")]
    season, usage = (filters.get("season") or [""])[0], (filters.get("usage") or [""])[0]  # stocked for it or not
    dressed_as = "Party" if usage == "Formal" and CELEBRATION.search(text) else usage  # a wedding guest: a dress
    if WEATHER.search(text) or (season == "Winter" and usage in ("", "Travel", "Casual")):
        slots: tuple[str, ...] = ("outerwear",)
    elif GIFT.search(text):  # a present, no kind named: an accessory (a watch) is the usual one
        slots = ("accessory", "bag")
    elif usage and (usage != "Travel" or season != "Summer"):  # a beach trip is dressed for, not packed in
        gender = (genders or [""])[0]
        slots = OCCASION_SLOTS.get((dressed_as, gender)) or OCCASION_SLOTS.get(usage, ("top",))
        slots = ("bottom", "top") if usage == "Travel" and COMFORT.search(text) else slots  # comfy on a long flight
        slots = (reader.activity_slot(text) or slots[0], *slots)  # shoes for hiking
    elif WHAT_TO_BUY.search(text):  # "what should I buy", no kind named: an accessory (a watch) is the usual one
        slots = ("accessory", "bag")
    elif season == "Summer" or WEAR_QUESTION.search(text):
        slots = ("top", "one-piece", "bottom", "footwear")
    else:
        return ""
    outing = OUTING.search(text) and usage in ("Casual", "Party")  # "weekend brunch with the girls": a dress
    if "Women" in genders and (outing or (AN_OUTFIT.search(text) and "one-piece" in slots)):  # "an outfit for me"
        slots = ("one-piece", *slots)
    hard = {"colour": [v for v in filters.get("colour", []) if v in catalog.values("colour")]}
    hard |= {name: filters[name] for name in ("price_max", "price_min") if name in filters and reader.priced}
    wanted = {"usage": [dressed_as] if dressed_as in catalog.values("usage") else [], **hard}
    matching = reader.slots({"gender": genders, **wanted}) if any(wanted.values()) else set()
    worn = [slot for slot in slots if slot == slots[0] or slot in GARMENT_SLOTS]  # a black funeral outfit: no heels
    fitting = next((slot for slot in worn if slot in matching), "")  # "something red for a party": a red dress
    if not fitting and any(hard.values()):  # nothing for the occasion in that colour: a piece in that colour
        fitting = next((slot for slot in slots if slot in reader.slots({"gender": genders, **hard})), "")
    return fitting or (slots[0] if slots[0] in reader.slots({"gender": genders}) else "")  # said to be lacking


def _stocked(catalog: Catalog, genders: list[str] | None, usages: list[str] | None = None) -> set[str]:
    """The article types the catalog has items of for ``genders`` and ``usages`` (any when None)."""
    return {item.article_type for item in catalog.items
            if (not genders or item.gender in genders) and (not usages or item.usage in usages)}
