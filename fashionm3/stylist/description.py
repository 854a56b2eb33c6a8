"""The stylist's structured answer (one recommended item) and its robust parsing from model text."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import json_repair

FIELDS = ("category", "colour", "material", "style", "details", "reason")
JSON_SCHEMA_HINT = (
    '{"category": "<one catalog category>", "colour": "<colour>", "material": "<material or empty>", '
    '"style": "<casual/formal/party/sports/...>", "details": "<key details>", "reason": "<one sentence: why it fits>"}'
)


@dataclasses.dataclass
class ItemDescription:
    """One recommended item as the stylist describes it; every field is plain text (possibly empty)."""

    category: str = ""
    colour: str = ""
    material: str = ""
    style: str = ""
    details: str = ""
    reason: str = ""
    source: str = "model"  # "model" when parsed from a model's JSON, "fallback" when built from the request

    def query_text(self) -> str:
        """The words sent to the catalog search: colour, material, style, details and category."""
        words: list[str] = []
        for part in (self.colour, self.material, self.style, self.details, self.category):
            for word in part.split():
                if word.lower() not in {w.lower() for w in words} or word.lower() in ("and", "or", "with"):
                    words.append(word)
        return " ".join(words)

    def sentence(self) -> str:
        """The description as a short phrase, e.g. "a navy blue cotton casual shirt"."""
        text = self.query_text()
        return f"a {text}" if text else "an item"

    def to_json(self) -> dict[str, str]:
        """The description's fields (without ``source``)."""
        return {name: getattr(self, name) for name in FIELDS}


def parse_description(text: str, fallback: ItemDescription) -> ItemDescription:
    """Read the JSON object a model wrote (fenced, truncated or sloppy JSON is repaired).

    Fields the model left empty are taken from ``fallback``; when no usable object is found at all the fallback
    itself is returned (``source == "fallback"``). Never raises.
    """
    data = _first_object(text)
    if not data:
        return dataclasses.replace(fallback, source="fallback")
    values = {name: _clean(data.get(name) or data.get(_ALIASES.get(name, ""), "")) for name in FIELDS}
    if not values["category"]:  # without a category the catalog query would be unfocused
        return dataclasses.replace(fallback, source="fallback")
    merged = {name: values[name] or getattr(fallback, name) for name in FIELDS}
    return ItemDescription(**merged, source="model")


_ALIASES = {"colour": "color", "category": "item", "details": "key_details", "reason": "explanation"}


def _first_object(text: str) -> dict[str, Any] | None:
    text = re.sub(r"```(?:json)?", " ", text or "")
    start = text.find("{")
    if start < 0:
        return None
    try:
        value = json_repair.loads(text[start:])
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None


def _clean(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value)
    return " ".join(str(value or "").split())[:200]
