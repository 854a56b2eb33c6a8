"""``python -m fashionm3 eval stylist``: scenarios built from a catalog, scored for any stylist backend.

Each scenario hides one real product (the target) and gives the stylist a partial outfit of the same gender and,
where possible, occasion: one or two products of other slots, as photos (half the scenarios) or in words. The
request names the target's category and states constraints (gender always; colour, occasion and a budget some of
the time). The answer is scored on: requested-category accuracy, constraint satisfaction, grounding (every item
exists in the catalog), refinement success over a second round ("darker", "cheaper" or "more formal"), and the
FashionM3 S-BERT score (all-MiniLM-L6-v2 cosine x100 between the stylist's item description and the target's name).
"""

from __future__ import annotations

import dataclasses
import random
import statistics
from typing import Any

import numpy as np

from fashionm3.assistant import recommend
from fashionm3.catalog.schema import Item
from fashionm3.service import FashionM3
from fashionm3.stylist.knowledge import COLOUR_LIGHTNESS, FORMALITY, slot_of

TARGET_SLOTS = ("top", "bottom", "footwear", "bag")
GENDER_WORDS = {"Men": "for a man", "Women": "for a woman"}


@dataclasses.dataclass
class Scenario:
    """One evaluation case: the outfit given, the request, its constraints, the hidden target and a refinement."""

    target: Item
    outfit: list[Item]
    as_photos: bool
    message: str
    constraints: dict[str, Any]
    refinement: str


def build_scenarios(catalog_items: list[Item], count: int, seed: int = 0) -> list[Scenario]:
    """``count`` scenarios from products with photos, genders Men/Women and a known outfit slot."""
    rng = random.Random(seed)
    usable = [i for i in catalog_items if i.image_path and i.gender in GENDER_WORDS and slot_of(i.article_type, i.sub_category) in (*TARGET_SLOTS, "one-piece")]
    by_slot: dict[tuple[str, str], list[Item]] = {}
    for item in usable:
        by_slot.setdefault((item.gender, slot_of(item.article_type, item.sub_category)), []).append(item)
    targets = [i for i in usable if slot_of(i.article_type, i.sub_category) in TARGET_SLOTS]
    has_prices = any(i.price is not None for i in usable)
    scenarios = []
    while len(scenarios) < count and targets:
        target = rng.choice(targets)
        slots = [s for s in TARGET_SLOTS if s != slot_of(target.article_type, target.sub_category) and by_slot.get((target.gender, s))]
        if not slots:
            continue
        outfit = []
        for slot in rng.sample(slots, min(len(slots), rng.choice((1, 2)))):
            pool = by_slot[(target.gender, slot)]
            same_usage = [i for i in pool if i.usage == target.usage]
            outfit.append(rng.choice(same_usage or pool))
        constraints: dict[str, Any] = {"gender": target.gender}
        words = [f"a {target.article_type.lower()}"]
        if rng.random() < 0.5 and target.colour in COLOUR_LIGHTNESS:
            constraints["colour"] = target.colour
            words = [f"a {target.colour.lower()} {target.article_type.lower()}"]
        if rng.random() < 0.3 and target.usage in ("Casual", "Formal", "Sports", "Party"):
            constraints["usage"] = target.usage
            words.append(f"for {target.usage.lower() if target.usage != 'Sports' else 'sports'}")
        if has_prices and target.price is not None and rng.random() < 0.4:
            constraints["price_max"] = float(np.ceil(target.price * 1.2))
            words.append(f"under {constraints['price_max']:g}")
        as_photos = rng.random() < 0.5
        context = "this" if as_photos else "my " + " and ".join(f"{i.colour.lower()} {i.article_type.lower()}" for i in outfit)
        message = f"{' '.join(words)} {GENDER_WORDS[target.gender]} to go with {context}"
        refinements = ["darker", "more formal"] + (["cheaper"] if has_prices else [])
        scenarios.append(Scenario(target, outfit, as_photos, message, constraints, rng.choice(refinements)))
    return scenarios


def satisfies(item: Item, constraints: dict[str, Any]) -> bool:
    """Whether a recommended item meets every stated constraint."""
    checks = [item.gender in (constraints["gender"], "Unisex")]
    if "colour" in constraints:
        checks.append(item.colour == constraints["colour"])
    if "usage" in constraints:
        checks.append(item.usage == constraints["usage"])
    if "price_max" in constraints:
        checks.append(item.price is not None and item.price <= constraints["price_max"])
    return all(checks)


def refined(first: list[Item], second: list[Item], refinement: str) -> bool:
    """Whether the second round moved the way the user asked, compared with the first answer's top item."""
    if not second or not first:
        return False
    top = first[0]
    if refinement == "darker":
        return all(COLOUR_LIGHTNESS.get(i.colour, 100) < COLOUR_LIGHTNESS.get(top.colour, 0) for i in second)
    if refinement == "cheaper":
        return all(i.price is not None and top.price is not None and i.price < top.price for i in second)
    return statistics.mean(FORMALITY.get(i.usage, 1) for i in second) > FORMALITY.get(top.usage, 1)


def evaluate_stylist(service: FashionM3, count: int = 200, seed: int = 0) -> dict[str, Any]:
    """Run the scenarios through :func:`recommend` (the chat's own function) and average the scores."""
    from fashionm3.retrieval.encoders import OfflineEncoder

    sbert = OfflineEncoder()
    rows = []
    for number, scenario in enumerate(build_scenarios(service.catalog.items, count, seed)):
        user = f"eval-{seed}-{number}"
        photos = [i.image_path for i in scenario.outfit] if scenario.as_photos else []
        first = recommend(service, scenario.message, photos, user)
        items = [hit.item for hit in first.hits]
        second = recommend(service, scenario.refinement, [], user, first.session_id)
        description = first.description.sentence() if first.description else ""
        vectors = sbert.encode_text([description, scenario.target.name])
        rows.append({
            "category": np.mean([i.article_type == scenario.target.article_type for i in items]) if items else 0.0,
            "constraints": np.mean([satisfies(i, scenario.constraints) for i in items]) if items else 0.0,
            "grounding": np.mean([i.id in service.catalog for i in items]) if items else 0.0,
            "answered": float(bool(items)),
            "refinement": float(refined(items, [h.item for h in second.hits], scenario.refinement)),
            "sbert": 100 * float(vectors[0] @ vectors[1]),
        })  # fmt: skip
    means = {name: round(float(np.mean([row[name] for row in rows])), 3) for name in rows[0]} if rows else {}
    return {
        "backend": service.stylist.label,
        "catalog": f"{service.catalog.name} ({len(service.catalog)} items)",
        "scenarios": len(rows),
        "seed": seed,
        "requested_category_accuracy": means.get("category"),
        "constraint_satisfaction": means.get("constraints"),
        "grounding_rate": means.get("grounding"),
        "answered_rate": means.get("answered"),
        "refinement_success": means.get("refinement"),
        "sbert_score": means.get("sbert"),
    }
