"""Which catalog article types a turn recommends from: the ones named, the piece being replaced, a slot named
loosely, the previous target when refining, or the slot that completes the outfit."""

from __future__ import annotations

import dataclasses
from collections import Counter

from fashionm3.catalog.schema import Catalog
from fashionm3.stylist.context import TurnReading
from fashionm3.stylist.grounding import known_values
from fashionm3.stylist.knowledge import SLOT_TYPES, missing_slot, slot_article_types, slot_of
from fashionm3.stylist.state import Conversation, OutfitPiece
from fashionm3.stylist.understanding import plural, singular


def target_types(
    catalog: Catalog, conversation: Conversation, task: str, reading: TurnReading, replace: OutfitPiece | None
) -> list[str]:
    """The catalog article types to recommend from: named by the user, the piece being replaced, a loosely named
    slot, the previous target when refining (another type of the same slot when the occasion changed), or the
    slot that completes the outfit."""
    if reading.types:
        return _stocked_for(catalog, conversation, reading.types)
    dressed_for = {"more formal", "more casual", "occasion"} & set(reading.refinements)  # the kind may change
    if replace is not None and replace.article_type and not (dressed_for and reading.follow_up):
        return [replace.article_type]
    if reading.slot:  # one kind when the slot is only the occasion's usual one: a dress for her party
        return slot_types(catalog, conversation, reading.slot)[: 1 if reading.guessed else 2]
    if reading.follow_up and conversation.target_types:
        usages = known_values({"usage": conversation.constraints.get("usage", [])}, catalog)["usage"]
        if dressed_for and usages:
            sub, types = catalog.sub_category_of, conversation.target_types
            slot = slot_of(types[0], sub.get(types[0], ""))
            stocked = catalog.mask({"article_type": types, "usage": usages}).any()
            fitting = SLOT_TYPES.get(slot, {}).get(usages[0], ())
            same = slot == "accessory" and (stocked or reading.same_kind)  # a formal watch; "a sporty one": a watch
            if same or (stocked and set(types) & set(fitting)):
                return [t for t in types if t in fitting] or types
            if fitting or not stocked:  # the slot's type for it (casual shoes -> sports shoes)
                return slot_types(catalog, conversation, slot) or types
        return conversation.target_types
    if conversation.outfit and task in ("basic", "personalized"):
        sub = catalog.sub_category_of
        slot = missing_slot(
            {slot_of(piece.article_type, sub.get(piece.article_type, "")) for piece in conversation.outfit}
        )
        return slot_types(catalog, conversation, slot) if slot else []
    return []


def turn_targets(catalog: Catalog, conversation: Conversation, task: str, reading: TurnReading,
                 replace: OutfitPiece | None, notes: list[str]) -> tuple[list[str], TurnReading]:
    """The article types to show, and the reading updated when none of the kind named is stocked for the person
    asked for (heels for "women's formal shoes": said first, never claimed)."""
    target = target_types(catalog, conversation, task, reading, replace)
    switched = switch_note(conversation, reading, target)  # "more formal" on sunglasses: watches, not claimed
    notes += switched
    previous = conversation.target_types
    if switched and singular(previous[0]).split()[-1] != singular(target[0]).split()[-1]:  # another garment:
        conversation.claimable = False  # a watch for "more formal" sunglasses, never claimed (formal shoes for
        reading = dataclasses.replace(reading, claimable=False)  # casual ones are the same garment, as asked)
        usages = known_values({"usage": conversation.constraints.get("usage", [])}, catalog)["usage"]
        if usages and not catalog.mask({"article_type": previous, "usage": usages}).any():  # none is: said first
            slot = slot_of(target[0], catalog.sub_category_of.get(target[0], ""))
            reading = dataclasses.replace(reading, slot=slot, absent=f"{usages[0].lower()} {singular(previous[0])}")
    if reading.types and target and not set(reading.types) & set(target):
        conversation.claimable = False
        who = [g.lower() for g in conversation.constraints.get("gender", []) if g != "Unisex"][:1]
        slot = slot_of(target[0], catalog.sub_category_of.get(target[0], ""))
        reading = dataclasses.replace(reading, claimable=False, absent=singular(reading.types[0]), slot=slot,
                                      absent_for=who[0] if who else "")
    return target, reading


def _stocked_for(catalog: Catalog, conversation: Conversation, types: list[str]) -> list[str]:
    """The kinds named, or when they are shoes the catalog has for others only ("women's formal shoes" where only
    men's are), the footwear it has for the person asked for (shoes are cut for one; a men's sweater still fits)."""
    known = catalog.values("gender")
    genders = [g for g in conversation.constraints.get("gender", []) if g in known and g in ("Men", "Women")]
    slots = {slot_of(t, catalog.sub_category_of.get(t, "")) for t in types}
    if not genders or slots != {"footwear"}:
        return types
    if catalog.mask({"article_type": types, "gender": [*genders, *({"Unisex"} & set(known))]}).any():
        return types
    return slot_types(catalog, conversation, "footwear") or types


def switch_note(conversation: Conversation, reading: TurnReading, types: list[str]) -> list[str]:
    """Says so when a refinement moved to another kind of item of the slot ("more formal": sweaters -> jackets)."""
    previous = conversation.target_types
    if not (reading.follow_up and previous and types) or set(previous) & set(types):
        return []
    said = [" or ".join(plural(singular(t)) for t in kinds[:2]) for kinds in (previous, types)]
    return [f"No {said[0]} here fit that, so I moved to {said[1]}, which do."]


def slot_types(catalog: Catalog, conversation: Conversation, slot: str) -> list[str]:
    """Up to two article types of ``slot`` with items for the wanted gender, budget and occasion, the best first."""
    constraints = conversation.constraints
    genders = constraints.get("gender") or [p.gender for p in conversation.outfit if p.gender][:1]
    if genders and "Unisex" in catalog.values("gender"):
        genders = [*genders, "Unisex"]
    usages = constraints.get("usage") or [p.usage for p in conversation.outfit if p.usage][:1]
    usages = [usage for usage in usages if usage in catalog.values("usage")]  # an occasion the catalog lacks
    avoided = set(constraints.get("avoid_types", []))  # "something blue, not the shirt"
    budget = {name: constraints[name] for name in ("price_max", "price_min") if name in constraints}
    in_slot: Counter[str] = Counter()
    passes = ({"gender": genders, "usage": usages, **budget}, {"gender": genders, **budget},
              {"gender": genders, "usage": usages}, {"gender": genders})  # fmt: skip
    for wanted in passes:  # none within the budget, or for the occasion: kinds that have some, else any
        mask = catalog.mask({name: values for name, values in wanted.items() if values})
        in_slot = in_slot or Counter(
            item.article_type
            for item, keep in zip(catalog.items, mask)
            if keep and item.article_type not in avoided and slot_of(item.article_type, item.sub_category) == slot
        )
    if not in_slot and slot == "one-piece":
        return slot_types(catalog, conversation, "top")  # no dresses or sets for him: a top
    occasion = usages[0] if usages else (constraints.get("season") or [""])[0]  # flip flops for the summer
    fitting = [t for t in SLOT_TYPES.get(slot, {}).get(occasion, ()) if t in in_slot] if occasion else []
    if fitting:  # the occasion's own kinds (kurtas for eid), not whatever else is tagged with it
        return fitting[:2]
    preferred = slot_article_types(slot, occasion, set(in_slot))
    return list(dict.fromkeys([*preferred, *(t for t, _ in in_slot.most_common())]))[:2]
