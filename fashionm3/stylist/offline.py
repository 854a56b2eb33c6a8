"""The offline stylist: encoded fashion knowledge (no language model) producing the same structured answer as a VLM.

It is also every model backend's fallback: when a model's answer is not usable JSON, this plan is used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from fashionm3.catalog.schema import Catalog
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.knowledge import colour_reason, harmonious_colours, mentioned_materials
from fashionm3.stylist.prompts import StylistRequest


class OfflineStylist:
    """Chooses the item with fashion rules: the missing outfit slot, colours in harmony with the outfit (or the
    user's preference), the outfit's occasion, and the user's constraints and refinements."""

    label = "offline: fashion rules + MiniLM text model (no language model)"

    def __init__(self, catalog: Catalog):
        self.colours = catalog.values("colour")

    def describe(self, request: StylistRequest, fallback: ItemDescription) -> Iterator[str | ItemDescription]:
        """Yield the rule-based description (no text is streamed: nothing is generated)."""
        yield fallback

    def summarize(self, messages: list[dict]) -> str:
        """No language model: preference sentences come from the template."""
        return ""


def plan_item(request: StylistRequest, colours: list[str], preferred_colours: list[str] = ()) -> ItemDescription:
    """The rule-based recommendation for ``request``: category, colour, material, style and a reason."""
    constraints = request.constraints
    outfit_colours = [piece.colour for piece in request.outfit if piece.colour]
    category = request.target_types[0] if request.target_types else ""
    wanted = [c for c in constraints.get("colour", []) if c not in constraints.get("avoid_colours", [])]
    avoid = set(constraints.get("avoid_colours", []))
    shifted = [r for r in request.refinements if r in ("darker", "lighter")]
    if wanted:
        colour, why_colour = wanted[0], f"{shifted[0]}, as you asked" if shifted else "the colour you asked for"
    elif preferred_colours and request.task == "personalized":
        colour, why_colour = preferred_colours[0], "a colour you liked before"
    elif request.outfit:
        options = [c for c in harmonious_colours(outfit_colours, colours) if c not in avoid] or [""]
        colour, why_colour = options[0], colour_reason(options[0], outfit_colours)
    else:
        colour, why_colour = "", ""
    usage = first_value(constraints.get("usage")) or _outfit_usage(request)
    materials = mentioned_materials(request.message)
    reasons = [why_colour] if why_colour else []
    if usage and request.outfit:
        reasons.append(f"{usage.lower()} like the rest of your outfit" if usage == _outfit_usage(request) else f"right for {usage.lower()}")
    elif usage:
        reasons.append(f"right for {usage.lower()}")
    if request.task == "alternative" and request.replace:
        reasons.insert(0, f"an alternative to your {request.replace}")
    if request.task == "personalized" and request.preference:
        reasons.append("in line with your taste")
    if not category:
        category = _words_category(request)
    return ItemDescription(
        category=category,
        colour=colour,
        material=materials[0] if materials else "",
        style=usage,
        details="",
        reason="; ".join(reasons).capitalize() + "." if reasons else "Matches your request.",
        source="rules",
    )


def _outfit_usage(request: StylistRequest) -> str:
    usages = Counter(piece.usage for piece in request.outfit if piece.usage)
    return usages.most_common(1)[0][0] if usages else ""


def _words_category(request: StylistRequest) -> str:
    """Without a known target category, the user's own words stand for it."""
    return request.message.strip()[:120]


def first_value(value: object) -> str:
    """The first element of a filter value (a list of values or a single one), as text ("" when empty)."""
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")
