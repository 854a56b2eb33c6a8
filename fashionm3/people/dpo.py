"""Preference pairs for DPO fine-tuning, in the (prompt, chosen, rejected) format TRL's ``DPOTrainer`` reads.

A pair comes from one recommendation a user saw: the prompt is the request as the stylist got it, ``chosen`` an
item from that answer the user liked and ``rejected`` one they disliked, each written as the stylist's JSON item
description (so the pairs train the model on its own output format).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from fashionm3.backends import UserStore
from fashionm3.catalog.schema import Catalog, Item
from fashionm3.stylist.description import ItemDescription

EVENTS_PER_USER = 10_000


def preference_pairs(store: UserStore, catalog: Catalog) -> Iterator[dict[str, str]]:
    """Every (prompt, chosen, rejected) pair in the store, without repeats."""
    seen: set[tuple[str, str, str]] = set()
    for user_id in store.users():
        feedback = store.feedback(user_id)
        for event in store.history(user_id, limit=EVENTS_PER_USER, kinds=["recommend"]):
            shown = [item_id for item_id in event.get("items", []) if item_id in catalog and item_id in feedback]
            prompt = _prompt(event)
            for chosen in (i for i in shown if feedback[i]):
                for rejected in (i for i in shown if not feedback[i]):
                    pair = (prompt, _answer(catalog.get(chosen)), _answer(catalog.get(rejected)))
                    if pair not in seen:
                        seen.add(pair)
                        yield {"prompt": pair[0], "chosen": pair[1], "rejected": pair[2]}


def export_preferences(store: UserStore, catalog: Catalog, out: Path) -> int:
    """Write the pairs as JSON lines to ``out``; returns how many."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as file:
        for pair in preference_pairs(store, catalog):
            file.write(json.dumps(pair, ensure_ascii=False) + "\n")
            count += 1
    return count


def _prompt(event: dict) -> str:
    task = event.get("task", "basic")
    return f"Task: {task}. User: {event.get('message', '')}\nAnswer with one JSON item description."


def _answer(item: Item) -> str:
    description = ItemDescription(category=item.article_type, colour=item.colour, style=item.usage, details=item.name,
                                  reason=f"a {item.colour.lower()} {item.article_type.lower()} from the catalog")  # fmt: skip
    return json.dumps(description.to_json(), ensure_ascii=False)
