"""FashionM3's personalisation step: the user's liked items in the target category, ranked by how well they go
with the current outfit, summarised in one "I prefer ..." sentence that is added to the request."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

import numpy as np

from fashionm3.catalog.schema import Item
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.stylist.prompts import preference_prompt

TOP_ITEMS = 5


@dataclasses.dataclass
class Preference:
    """The sentence shown to the user and sent to the stylist, and the liked items it summarises."""

    sentence: str
    items: list[Item]
    colours: list[str]  # most liked first
    by_model: bool = False


def user_preference(
    engine: SearchEngine,
    liked_ids: list[str],
    target_types: list[str],
    outfit_text: str,
    summarize: Callable[[list[dict]], str] | None = None,
) -> Preference | None:
    """Summarise the liked items of the target category (all liked items when none are of that category).

    Items are ranked by text similarity to the outfit (what goes with it), the top five are summarised by the
    model when ``summarize`` returns a sentence starting "I prefer", else by a template. ``None`` without likes.
    """
    items = [engine.catalog.get(item_id) for item_id in liked_ids if item_id in engine.catalog]
    if not items:
        return None
    in_target = [item for item in items if item.article_type in target_types]
    items = in_target or items
    if outfit_text and len(items) > 1:
        rows = np.array([engine.catalog.position(item.id) for item in items])
        scores = engine.text_index.score(engine.encoder.encode_text([outfit_text])[0], rows)
        items = [items[i] for i in np.argsort(-scores, kind="stable")]
    top = items[:TOP_ITEMS]
    colours = [colour for colour, _ in Counter(item.colour for item in top if item.colour).most_common()]
    category = " or ".join(target_types[:2]) or "fashion"
    if summarize is not None:
        sentence = " ".join(summarize(preference_prompt([item.description() for item in top], category)).split())
        if sentence.lower().startswith("i prefer") and len(sentence) < 300:
            return Preference(sentence, top, colours, by_model=True)
    return Preference(template_sentence(top, colours), top, colours)


def template_sentence(items: list[Item], colours: list[str]) -> str:
    """E.g. "I prefer navy blue and black casual shirts, like Corso Navy Shirt and Marlow Black Shirt."."""
    usages = [usage for usage, _ in Counter(item.usage for item in items if item.usage).most_common(1)]
    types = [kind for kind, _ in Counter(item.article_type for item in items).most_common(2)]
    words = " and ".join(colour.lower() for colour in colours[:2])
    phrase = " ".join(part for part in (words, usages[0].lower() if usages else "", " and ".join(types).lower()) if part)
    examples = " and ".join(item.name for item in items[:2])
    return f"I prefer {phrase}, like {examples}."
