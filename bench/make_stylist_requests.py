"""Write the stylist's request set (``fashionm3/evaluation/stylist_requests.jsonl``): six phrasing families of
40 requests each, with what a correct answer must meet in catalog-independent terms (acceptable article types
and outfit slot, colour, gender, occasion, budget, avoided material, and for later turns the refinement asked).

The ``non_native`` family is held out: it was written before any tuning and never run while tuning; the
evaluation reports it beside the tuned families. Run: ``python bench/make_stylist_requests.py``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "fashionm3" / "evaluation" / "stylist_requests.jsonl"
HELD_OUT = "non_native"
# word -> (acceptable article types, slot, genders it exists for)
ITEMS = {
    "shirt": (["Shirts"], "top", "MW"), "t-shirt": (["Tshirts"], "top", "MW"), "top": (["Tops", "Tshirts"], "top", "W"),
    "jeans": (["Jeans"], "bottom", "MW"), "trousers": (["Trousers"], "bottom", "MW"), "shorts": (["Shorts"], "bottom", "MW"),
    "skirt": (["Skirts"], "bottom", "W"), "dress": (["Dresses"], "one-piece", "W"),
    "sneakers": (["Casual Shoes", "Sports Shoes"], "footwear", "MW"), "heels": (["Heels"], "footwear", "W"),
    "formal shoes": (["Formal Shoes"], "footwear", "M"), "handbag": (["Handbags"], "bag", "W"),
    "backpack": (["Backpacks"], "bag", "MW"), "watch": (["Watches"], "accessory", "MW"), "belt": (["Belts"], "accessory", "MW"),
    "sunglasses": (["Sunglasses"], "accessory", "MW"), "cap": (["Caps"], "accessory", "M"),
    "jacket": (["Jackets"], "outerwear", "MW"), "sweater": (["Sweaters"], "outerwear", "MW"),
}  # fmt: skip
COLOURS = {"black": "Black", "white": "White", "navy": "Navy Blue", "blue": "Blue", "red": "Red", "grey": "Grey",
           "green": "Green", "brown": "Brown", "pink": "Pink", "beige": "Beige"}  # fmt: skip
GENDER = {"M": ("Men", ["for a man", "for men", "for my husband", "for him"]),
          "W": ("Women", ["for a woman", "for women", "for my wife", "for her"])}  # fmt: skip
OCCASIONS = {
    "Formal": ["the office", "a job interview", "a business meeting", "work", "a conference"],
    "Sports": ["the gym", "my morning run", "football practice", "a yoga class", "training"],
    "Party": ["a night out", "a birthday party", "a festival", "clubbing", "a celebration"],
}
SLOTS = {
    "footwear": ["footwear", "something for my feet", "a pair of shoes", "something to put on my feet"],
    "outerwear": ["a layer", "an outer layer", "something warm to wear over it", "outerwear"],
    "accessory": ["accessories", "an accessory", "a finishing touch"],
    "bag": ["a bag", "something to carry my things in"],
    "bottom": ["bottoms", "something for my legs"],
}
OUTFIT = ["navy shirt", "grey jeans", "white t-shirt", "black trousers", "blue jeans", "beige shorts"]
SLOT_OF_OUTFIT = {"shirt": "top", "t-shirt": "top", "jeans": "bottom", "trousers": "bottom", "shorts": "bottom"}


def pick_item(rng: random.Random, slots: tuple[str, ...] = ()) -> tuple[str, list[str], str, str]:
    word = rng.choice([w for w, (_, slot, _) in ITEMS.items() if not slots or slot in slots])
    types, slot, genders = ITEMS[word]
    return word, types, slot, rng.choice(genders)


def turn(text: str, **expect: object) -> dict:
    return {"text": text, "expect": {k: v for k, v in expect.items() if v not in (None, [], "")}}


def occasion_led(rng: random.Random) -> list[dict]:
    usage = rng.choice(list(OCCASIONS))
    word, types, slot, g = pick_item(rng, ("top", "bottom", "footwear", "bag", "accessory"))
    gender, words = GENDER[g]
    occasion = rng.choice(OCCASIONS[usage])
    template = rng.choice(["I need {item} for {occ} {who}", "what {item} should I wear to {occ}? {who}",
                           "{item} {who} for {occ}", "going to {occ} - any {item} {who}?"])  # fmt: skip
    text = template.format(item=word, occ=occasion, who=rng.choice(words))
    return [turn(text, types=types, slot=slot, gender=gender, usage=[usage])]


def slot_led(rng: random.Random) -> list[dict]:
    slot = rng.choice(list(SLOTS))
    g = rng.choice("MW")
    gender, words = GENDER[g]
    outfit = rng.choice([o for o in OUTFIT if SLOT_OF_OUTFIT[o.split()[-1]] != slot])
    template = rng.choice(["{slot} to go with my {outfit}, {who}", "what {slot} would work with my {outfit}? {who}",
                           "{who}: {slot} please", "suggest {slot} {who}"])  # fmt: skip
    return [turn(template.format(slot=rng.choice(SLOTS[slot]), outfit=outfit, who=rng.choice(words)), slot=slot, gender=gender)]


def refinement_chain(rng: random.Random) -> list[dict]:
    word, types, slot, g = pick_item(rng, ("top", "bottom", "footwear", "bag", "accessory", "outerwear"))
    gender, words = GENDER[g]
    name = rng.choice(list(COLOURS))
    first = turn(f"a {name} {word} {rng.choice(words)}", types=types, slot=slot, gender=gender, colour=[COLOURS[name]])
    kind = rng.choice(["darker", "lighter", "colour", "cheaper", "more formal", "sports", "no_material"])
    other = rng.choice([c for c in COLOURS if c != name])
    text = {"darker": rng.choice(["darker", "something darker", "a darker one please"]),
            "lighter": rng.choice(["lighter", "a lighter colour", "something brighter"]),
            "colour": rng.choice([f"in {other}", f"what about {other}?", f"do you have it in {other}?"]),
            "cheaper": rng.choice(["cheaper", "something less expensive", "too expensive, cheaper please"]),
            "more formal": rng.choice(["more formal", "something dressier", "more formal please"]),
            "sports": rng.choice(["for the gym", "something for sport", "for running"]),
            "no_material": rng.choice(["without leather", "no leather please", "not leather"])}[kind]  # fmt: skip
    keep = {"types": types} if kind in ("darker", "lighter", "colour", "cheaper", "no_material") else {}
    second = turn(text, slot=slot, gender=gender, refine=kind, **keep,
                  colour=[COLOURS[other]] if kind == "colour" else None, usage=["Sports"] if kind == "sports" else None,
                  no_material="leather" if kind == "no_material" else None)  # fmt: skip
    return [first, second]


def constraint_heavy(rng: random.Random) -> list[dict]:
    word, types, slot, g = pick_item(rng)
    gender, words = GENDER[g]
    name = rng.choice(list(COLOURS))
    budget = rng.choice([30, 40, 50, 60, 80, 100, 120])
    avoid = rng.random() < 0.4
    template = rng.choice(["{c} {item} {who} under {b}{no}", "{item} in {c}, {who}, max {b}{no}",
                           "looking for {c} {item} {who}, less than {b}{no}"])  # fmt: skip
    text = template.format(c=name, item=word, who=rng.choice(words), b=budget, no=", no leather" if avoid else "")
    return [turn(text, types=types, slot=slot, gender=gender, colour=[COLOURS[name]], price_max=budget,
                 no_material="leather" if avoid else None)]  # fmt: skip


def photo_led(rng: random.Random) -> list[dict]:
    photo_slot = rng.choice(["top", "bottom"])
    g = rng.choice("MW")
    gender = GENDER[g][0]
    word, types, slot, _ = pick_item(rng, ("footwear", "bag", "accessory", "outerwear"))
    if "M" not in ITEMS[word][2] and g == "M" or "W" not in ITEMS[word][2] and g == "W":
        word, types, slot = "sneakers", ITEMS["sneakers"][0], "footwear"
    text = rng.choice([f"what {word} go with this?", f"find {word} to wear with this", f"{word} for this outfit",
                       f"which {word} would match these?"])  # fmt: skip
    said = rng.random() < 0.5  # the photo's gender counts only when said: a drawing or a flat-lay may not show it
    text += f" {rng.choice(GENDER[g][1])}" if said else ""
    return [{"photo": {"slot": photo_slot, "gender": gender}, **turn(text, types=types, slot=slot, gender=gender if said else None)}]


def non_native(rng: random.Random) -> list[dict]:
    form = rng.choice(["occasion", "slot", "constraint", "refine"])
    word, types, slot, g = pick_item(rng, ("top", "bottom", "footwear", "bag", "accessory"))
    gender = GENDER[g][0]
    who = {"M": rng.choice(["for man", "for a men", "for mans"]), "W": rng.choice(["for woman", "for a women", "for lady"])}[g]
    if form == "occasion":
        usage = rng.choice(list(OCCASIONS))
        place = {"Formal": "go to office", "Sports": "make sport in gym", "Party": "go in party"}[usage]
        text = rng.choice([f"please i want {word} {who} for {place}", f"which {word} is good for {place} {who}?",
                           f"give me {word} {who}, is for {place}"])  # fmt: skip
        return [turn(text, types=types, slot=slot, gender=gender, usage=[usage])]
    if form == "slot":
        slot = rng.choice(["footwear", "bag", "outerwear"])
        thing = {"footwear": "something for put in my feet", "bag": "something for carry my things",
                 "outerwear": "something for put over when is cold"}[slot]  # fmt: skip
        return [turn(f"i search {thing} {who}", slot=slot, gender=gender)]
    name = rng.choice(list(COLOURS))
    if form == "constraint":
        budget = rng.choice([40, 60, 80, 100])
        text = rng.choice([f"{word} {name} {who}, price less of {budget}", f"i need one {word} colour {name} {who} not more {budget}"])
        return [turn(text, types=types, slot=slot, gender=gender, colour=[COLOURS[name]], price_max=budget)]
    first = turn(f"show me {word} {name} {who}", types=types, slot=slot, gender=gender, colour=[COLOURS[name]])
    kind = rng.choice(["cheaper", "darker", "colour"])
    other = rng.choice([c for c in COLOURS if c != name])
    text = {"cheaper": "is too much expensive, more cheap please", "darker": "more dark please", "colour": f"and in colour {other}?"}[kind]
    second = turn(text, types=types, slot=slot, gender=gender, refine=kind, colour=[COLOURS[other]] if kind == "colour" else None)
    return [first, second]


FAMILIES = {"occasion_led": occasion_led, "slot_led": slot_led, "refinement_chain": refinement_chain,
            "constraint_heavy": constraint_heavy, "photo_led": photo_led, "non_native": non_native}  # fmt: skip


def main(per_family: int = 40, seed: int = 13) -> None:
    rng = random.Random(seed)
    with OUT.open("w", encoding="utf-8") as handle:
        for family, make in FAMILIES.items():
            for number in range(per_family):
                handle.write(json.dumps({"id": f"{family}-{number:02d}", "family": family, "turns": make(rng)}) + "\n")
    print(f"wrote {OUT} ({per_family * len(FAMILIES)} requests; held out: {HELD_OUT})")


if __name__ == "__main__":
    main()
