"""How a refinement of the last answer changes the conversation's constraints ("darker", "cheaper", "more formal"),
and how contradictory constraints are settled."""

from __future__ import annotations

import statistics

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.stylist.grounding import engine_filters, known_values, stated_filters
from fashionm3.stylist.knowledge import COLOUR_LIGHTNESS, FORMALITY, NEUTRALS, one_hue, shift_colours
from fashionm3.stylist.state import Conversation

CONFLICTING_USAGES = ({"Formal", "Sports"}, {"Party", "Sports"})


def _shift_shade(conversation: Conversation, direction: str, shown: Item, catalog: Catalog) -> list[str]:
    """Ask for colours darker (lighter) than both the colour asked for and the one shown, never one ruled out;
    shades of its own hue when the catalog has this kind in one, else any such colour, said and not claimed ("a
    darker red" answered with brown is no match)."""
    constraints = conversation.constraints
    asked = constraints.get("colour") or []
    beyond = min if direction == "darker" else max  # past both the colour asked and the one shown
    base = shown.colour if not asked or shown.colour in asked else beyond(
        [asked[0], shown.colour], key=lambda colour: COLOUR_LIGHTNESS.get(colour, 50.0))
    palette = [c for c in catalog.values("colour") if c not in constraints.get("avoid_colours", [])]  # "not blue"
    held = stated_filters({**constraints, "colour": []}, [shown.article_type])  # the rest of the request holds

    def stocked(colours: list[str]) -> bool:  # a usage this catalog lacks ("Ethnic") rules nothing out
        return bool(colours) and bool(catalog.mask(known_values(engine_filters({**held, "colour": colours}, []),
                                                                catalog)).any())

    shifted = shift_colours([base], direction, palette)  # its own shades (and neutrals) if any
    hued = [] if base in NEUTRALS else [colour for colour in shifted if one_hue(colour, base)]  # navy for blue
    if stocked(hued):  # "a darker red" in stock: only those, no neutrals
        shifted = hued
    elif not stocked(shifted):
        shifted = shift_colours([base], direction, palette, same_hue=False)
    if not shifted:
        said = "I showed" if base == shown.colour else "you asked for"
        return [f"Nothing in the catalog is {direction} than the {base.lower()} {said}."]
    constraints["colour"], constraints["shade"] = shifted, f"{direction} than {base.lower()}"
    if base in NEUTRALS or shifted == hued:
        return []
    conversation.claimable = False  # another hue: not what "a darker red" asks for
    return [f"No {direction} shade of {base.lower()} here, so I show other {direction} colours."]


def apply_refinements(conversation: Conversation, refinements: list[str], catalog: Catalog) -> list[str]:
    constraints, notes = conversation.constraints, []
    last = [catalog.get(item_id) for item_id in conversation.last_items if item_id in catalog]
    for refinement in refinements:
        if refinement in ("darker", "lighter"):
            notes += _shift_shade(conversation, refinement, last[0], catalog)
        elif refinement in ("cheaper", "pricier"):
            price = last[0].price  # compared with the top item of the last answer
            if price is None:
                notes.append("This catalog has no prices, so I cannot compare them.")
            elif refinement == "cheaper":
                constraints["cheaper_than"] = price
            else:
                constraints["price_min"] = round(price + 0.01, 2)
        elif refinement in ("more formal", "more casual"):
            usages = [item.usage for item in last if item.usage in FORMALITY] or ["Casual"]
            level = statistics.mean(FORMALITY[u] for u in usages)
            known = set(catalog.values("usage"))
            if refinement == "more formal":
                options = [u for u, f in FORMALITY.items() if f > level and u in known]
            else:
                options = [u for u, f in FORMALITY.items() if f < level and u in known and u != "Sports"]
            if not options:
                notes.append(f"What I showed is already the {'most formal' if refinement == 'more formal' else 'most casual'} kind this catalog has.")
            else:
                ranked = sorted(options, key=lambda u: -FORMALITY[u] if refinement == "more formal" else abs(FORMALITY[u] - level))
                dressy = [u for u in ranked if u in ("Formal", "Smart Casual")]  # not "party" for an office watch
                constraints["usage"] = (dressy or ranked)[:2] if refinement == "more formal" else ranked[:2]
    return notes


def resolve_conflicts(constraints: dict) -> list[str]:
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
