"""Strict, typed checks for values that arrive from outside (UI events, API and MCP calls).

Each returns the clean value or raises :class:`~fashionm3.errors.InvalidInput` with a message the caller can act
on; none passes a loose value through (``"false"`` is not a like, ``"abc"`` is not a count).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping

from fashionm3.errors import InvalidInput

MAX_SESSION_ID_CHARS = 64
MAX_FILTER_VALUES = 20
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def clean_text(value: object, name: str, max_chars: int, allow_empty: bool = True) -> str:
    """A string of at most ``max_chars`` characters that encodes as UTF-8 (no lone surrogates), stripped."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.")
    if len(value) > max_chars:
        raise InvalidInput(f"{name} has {len(value):,} characters; at most {max_chars:,} are accepted.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInput(f"{name} contains characters that are not valid text.") from error
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character.")
    value = unicodedata.normalize("NFKC", value).strip()  # full-width "ｒｅｄ" is "red"
    if not value and not allow_empty:
        raise InvalidInput(f"{name} must not be empty.")
    return value


def as_bool(value: object, name: str) -> bool:
    """``True``/``False`` (or the words true/false, 1/0, yes/no); anything else is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
        return value.strip().lower() in _TRUE
    raise InvalidInput(f"{name} must be true or false.")


def as_int(value: object, name: str, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high`` (a numeric string or an integral float is accepted)."""
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,12}\s*", value):
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}.")
    return value


def as_number(value: object, name: str, low: float, high: float) -> float:
    """A finite number between ``low`` and ``high``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{name} must be a number.")
    try:
        number = float(value)
    except ValueError as error:
        raise InvalidInput(f"{name} must be a number.") from error
    if not math.isfinite(number) or not low <= number <= high:
        raise InvalidInput(f"{name} must be a number from {low:g} to {high:g}.")
    return number


def session_id(value: object) -> str:
    """An empty string (a new conversation) or a session id of the shape this server issues."""
    text = clean_text(value, "session_id", 10 * MAX_SESSION_ID_CHARS)
    if text and not _SESSION_ID.match(text):
        raise InvalidInput("session_id must be the value a previous answer returned (letters, digits, - and _).")
    return text


def filters(filters: "Mapping[str, object] | str | None") -> dict[str, object]:
    """Accept filters as a mapping or a JSON object string (as MCP clients send them), with typed values:
    text (or a short list of texts) for the categorical filters, numbers for ``price_min`` / ``price_max``."""
    example = 'filters must be a JSON object such as {"gender": "Women", "colour": "Red"}.'
    if filters in (None, ""):
        return {}
    if isinstance(filters, str):
        try:
            filters = json.loads(clean_text(filters, "filters", 4000))
        except json.JSONDecodeError as error:
            raise InvalidInput(example) from error
    if not isinstance(filters, Mapping) or len(filters) > 12:
        raise InvalidInput(example)
    clean: dict[str, object] = {}
    for name, value in filters.items():
        name = clean_text(name, "A filter name", 40)
        if value in (None, "", []):
            continue
        if name in ("price_min", "price_max"):
            clean[name] = as_number(value, name, 0, 1e9)
        elif isinstance(value, str):
            clean[name] = clean_text(value, f"The {name} filter", 100)
        elif isinstance(value, list) and 0 < len(value) <= MAX_FILTER_VALUES and all(isinstance(v, str) for v in value):
            clean[name] = [clean_text(v, f"The {name} filter", 100) for v in value]
        else:
            raise InvalidInput(f"The {name} filter must be text (or a list of up to {MAX_FILTER_VALUES} texts), e.g. \"Red\".")
    return clean
