"""The stylist on written request sets, every phrasing family scored separately:
``stylist_requests.jsonl`` (six template families made by ``bench/make_stylist_requests.py``),
``stranger_requests.jsonl`` and ``second_requests.jsonl`` (five families each, written by hand by people who never
saw the stylist's code; the second one was held out until its single run, then tuned on), all tuned on;
``third_requests.jsonl``, ``fourth_requests.jsonl``, ``blind_requests.jsonl``, ``fifth_requests.jsonl``,
``sixth_requests.jsonl``, ``seventh_requests.jsonl``, ``eighth_requests.jsonl``, ``ninth_requests.jsonl`` and
``tenth_requests.jsonl`` (five ``third_*``, five ``fourth_*``, five ``blind_*``, four each of ``fifth_*``, ``sixth_*``,
``seventh_*``, ``eighth_*`` and ``ninth_*`` and five ``tenth_*`` families by nine more such people, each run once
before tuning, then tuned on);
``fresh_requests.jsonl``, ``sealed_requests.jsonl``, ``final_requests.jsonl`` and ``unseen_requests.jsonl`` (five,
five, six and four families, ``fresh_*``, ``sealed_*``, ``final_*``, ``unseen_*``, each written by a person who saw
neither the code nor the other sets) are held out of all tuning and reported apart.

Per turn: requested category (article type, or outfit slot when the catalog has none of the acceptable types),
constraints (colour, gender, occasion, budget, avoided material; when no catalog item meets them all, an answer
whose first line says so scores 1), refinement success (moved the asked way from the previous top item and kept
the category slot and gender; when nothing in stock can move that way, an answer saying so scores 1), and false
"matches" captions (a card saying "Matches" for an item that does not
meet the request).
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fashionm3.assistant import recommend
from fashionm3.catalog.schema import Catalog, Item
from fashionm3.evaluation import REQUEST_SETS
from fashionm3.service import FashionM3
from fashionm3.stylist.knowledge import COLOUR_LIGHTNESS, FORMALITY, slot_of

HELD_OUT_PREFIXES = ("fresh_", "sealed_", "final_", "unseen_")  # written by people who saw no code and no other set
NOTHING_MATCHES = "**Nothing in stock matches"


def load_requests(paths: Path | Sequence[Path] = REQUEST_SETS, families: list[str] | None = None) -> list[dict[str, Any]]:
    """The requests of ``families`` (all when None) from one file or several."""
    files = [paths] if isinstance(paths, (str, Path)) else list(paths)
    rows = [json.loads(line) for path in files for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if families is None or row["family"] in families]


def _category_check(expect: dict[str, Any], catalog: Catalog) -> Callable[[Item], bool]:
    types = [t for t in expect.get("types", []) if t in set(catalog.values("article_type"))]
    slot = expect.get("slot")
    if types:
        return lambda item: item.article_type in types
    if slot:
        return lambda item: slot_of(item.article_type, item.sub_category) == slot
    return lambda item: True


def _constraint_check(expect: dict[str, Any], priced: bool) -> Callable[[Item], bool]:
    def meets(item: Item) -> bool:
        checks = [item.gender in (expect["gender"], "Unisex")] if "gender" in expect else []
        if "colour" in expect:
            checks.append(item.colour in expect["colour"])
        if "usage" in expect:
            checks.append(item.usage in expect["usage"])
        if "price_max" in expect and priced:
            checks.append(item.price is not None and item.price <= expect["price_max"])
        if "no_material" in expect:
            checks.append(expect["no_material"] not in item.name.lower())
        return all(checks)

    return meets


def _moved(previous: Item, items: list[Item], kind: str, expect: dict[str, Any]) -> bool:
    lightness = COLOUR_LIGHTNESS.get
    moves = {
        "darker": lambda i: lightness(i.colour, 100) < lightness(previous.colour, 0),
        "lighter": lambda i: lightness(i.colour, 0) > lightness(previous.colour, 100),
        "colour": lambda i: i.colour in expect.get("colour", []),
        "cheaper": lambda i: i.price is not None and previous.price is not None and i.price < previous.price,
        "sports": lambda i: i.usage == "Sports",
        "no_material": lambda i: "leather" not in i.name.lower(),
    }
    if kind == "more formal":
        return statistics.mean(FORMALITY.get(i.usage, 1) for i in items) > FORMALITY.get(previous.usage, 1)
    return all(moves[kind](item) for item in items)


def _photo(catalog: Catalog, spec: dict[str, str], rng: random.Random) -> str:
    pool = [i for i in catalog.items if i.image_path and i.gender == spec["gender"] and slot_of(i.article_type, i.sub_category) == spec["slot"]]
    return rng.choice(pool).image_path if pool else ""  # type: ignore[return-value]


def evaluate_requests(
    service: FashionM3, path: Path | Sequence[Path] = REQUEST_SETS, families: list[str] | None = None, seed: int = 0
) -> dict[str, Any]:
    """Run every request through :func:`recommend` and report each family separately."""
    catalog, rng = service.catalog, random.Random(seed)
    priced = any(item.price is not None for item in catalog.items)
    scores: dict[str, dict[str, Any]] = {}
    for request in load_requests(path, families):
        row = scores.setdefault(request["family"], {"requests": 0, "turns": 0, "category": [], "constraints": [],
                                                     "refinement": [], "false_matches": 0, "items": 0, "unsatisfiable": 0,
                                                     "refinement_impossible": 0})  # fmt: skip
        row["requests"] += 1
        session, previous = "", None
        for turn in request["turns"]:
            photo = _photo(catalog, turn["photo"], rng) if turn.get("photo") else ""
            answer = recommend(service, turn["text"], [photo] if photo else [], f"req-{seed}-{request['id']}", session)
            session, items, expect = answer.session_id, [hit.item for hit in answer.hits], turn["expect"]
            in_category, meets = _category_check(expect, catalog), _constraint_check(expect, priced)
            row["turns"] += 1
            row["items"] += len(items)
            row["category"].append(statistics.mean(map(in_category, items)) if items else 0.0)
            if any(in_category(i) and meets(i) for i in catalog.items):
                row["constraints"].append(statistics.mean(map(meets, items)) if items else 0.0)
            else:
                row["unsatisfiable"] += 1
                row["constraints"].append(float(answer.text.startswith(NOTHING_MATCHES)))
            claims = [i for i in items if answer.explanations[i.id].startswith("Matches")]
            row["false_matches"] += sum(not (in_category(i) and meets(i)) for i in claims)
            if "refine" in expect and previous is not None:
                kind = expect["refine"]
                possible = [i for i in catalog.items if in_category(i) and meets(i) and _moved(previous, [i], kind, expect)]
                if possible:
                    kept = all(in_category(i) and meets(i) for i in items)
                    row["refinement"].append(float(bool(items) and kept and _moved(previous, items, kind, expect)))
                else:  # nothing in stock moves that way: the answer must say so
                    row["refinement_impossible"] += 1
                    row["refinement"].append(float(answer.text.startswith(NOTHING_MATCHES) or "no prices" in answer.text
                                                   or "already the most" in answer.text or "Nothing in the catalog is" in answer.text))
            previous = items[0] if items else None
    report = {family: _summary(row) for family, row in scores.items()}
    held_out = [f for f in report if f.startswith(HELD_OUT_PREFIXES)]
    return {"catalog": f"{catalog.name} ({len(catalog)} items)", "held_out": held_out, "families": report,
            "tuned_mean": _mean([r for f, r in report.items() if f not in held_out]),
            "held_out_mean": _mean([report[f] for f in held_out])}  # fmt: skip


def _mean(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean of each score over families (those that have it), and the false "matches" added up."""
    means: dict[str, Any] = {name: round(statistics.mean(r[name] for r in rows if r[name] is not None), 3)
                             for name in ("category", "constraints", "refinement") if any(r[name] is not None for r in rows)}
    return {**means, "false_matches": sum(r["false_matches"] for r in rows), "items": sum(r["items"] for r in rows)} if rows else {}


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    def mean(values: list[float]) -> float | None:
        return round(statistics.mean(values), 3) if values else None

    return {"requests": row["requests"], "turns": row["turns"], "category": mean(row["category"]),
            "constraints": mean(row["constraints"]), "refinement": mean(row["refinement"]),
            "false_matches": row["false_matches"], "items": row["items"], "unsatisfiable_turns": row["unsatisfiable"],
            "impossible_refinements": row["refinement_impossible"]}  # fmt: skip
