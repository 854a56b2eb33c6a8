"""The one item schema every catalog source becomes, and the in-memory catalog with metadata filters."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from fashionm3.errors import InvalidInput, NotFound

# Filterable fields: the filter name users and the API see -> the Item attribute.
FILTER_FIELDS = {
    "gender": "gender",
    "master_category": "master_category",
    "sub_category": "sub_category",
    "article_type": "article_type",
    "colour": "colour",
    "season": "season",
    "usage": "usage",
}
FILTER_ALIASES = {
    "category": "article_type",
    "articleType": "article_type",
    "subCategory": "sub_category",
    "masterCategory": "master_category",
    "color": "colour",
    "baseColour": "colour",
}


@dataclasses.dataclass(frozen=True)
class Item:
    """A real catalog product."""

    id: str
    name: str
    gender: str = ""
    master_category: str = ""
    sub_category: str = ""
    article_type: str = ""
    colour: str = ""
    season: str = ""
    usage: str = ""
    year: int | None = None
    price: float | None = None
    image_path: str | None = None

    def description(self) -> str:
        """A short text used for text embeddings and for explanations."""
        parts = [self.name]
        extra = [self.colour, self.article_type, self.usage, self.season, self.gender]
        parts.append(" ".join(word for word in extra if word and word.lower() not in self.name.lower()))
        return ". ".join(part for part in parts if part).strip()

    def to_public(self) -> dict[str, object]:
        """The fields shown to API callers."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.article_type,
            "sub_category": self.sub_category,
            "master_category": self.master_category,
            "colour": self.colour,
            "gender": self.gender,
            "season": self.season,
            "usage": self.usage,
            "price": self.price,
        }


ITEM_FIELDS = tuple(field.name for field in dataclasses.fields(Item))  # every field holds a plain value
Filters = Mapping[str, "str | Sequence[str] | float | None"]


class Catalog:
    """An ordered, immutable list of items with id lookup and vectorised metadata filtering."""

    def __init__(self, items: Iterable[Item], name: str, source: str, image_root: Path | None = None):
        self.items: list[Item] = list(items)
        self.name = name
        self.source = source
        self.image_root = image_root
        self._position = {item.id: position for position, item in enumerate(self.items)}
        if len(self._position) != len(self.items):
            raise ValueError(f"catalog {name!r} has duplicate item ids")
        self._columns = {
            field: np.array([getattr(item, field).lower() for item in self.items], dtype=object)
            for field in FILTER_FIELDS.values()
        }
        self._distinct: dict[str, tuple[str, ...]] = {}  # values() per field, counted on first use
        self._prices = np.array([np.nan if item.price is None else item.price for item in self.items], dtype=float)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item_id: object) -> bool:
        return str(item_id) in self._position

    @functools.cached_property
    def fingerprint(self) -> str:
        """A short hash of the content (metadata, and image files' sizes and times); it names saved indexes.

        Computed once: a catalog's items do not change after loading.
        """
        digest, fields, encode = hashlib.sha1(), ITEM_FIELDS, json.JSONEncoder(sort_keys=True).encode
        for item in self.items:  # the bytes of json.dumps(dataclasses.asdict(item), sort_keys=True), built faster
            digest.update(encode({name: getattr(item, name) for name in fields}).encode())
            if item.image_path:
                stat = os.stat(item.image_path)
                digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:16]

    @functools.cached_property
    def sub_category_of(self) -> dict[str, str]:
        """Article type -> its sub-category (the first seen)."""
        mapping: dict[str, str] = {}
        for item in self.items:
            mapping.setdefault(item.article_type, item.sub_category)
        return mapping

    def get(self, item_id: str) -> Item:
        """The item with this id; raises :class:`NotFound` otherwise."""
        position = self._position.get(str(item_id))
        if position is None:
            raise NotFound(f"No catalog item has id {item_id!r}.")
        return self.items[position]

    def position(self, item_id: str) -> int:
        """The row of this item in the catalog (and in its index)."""
        self.get(item_id)
        return self._position[str(item_id)]

    def values(self, field: str) -> list[str]:
        """Distinct values of a filterable field, as spelled in the catalog, sorted by frequency."""
        attribute = FILTER_FIELDS[canonical_filter_name(field)]
        if attribute not in self._distinct:  # counted once per field: items do not change after loading
            counts: dict[str, int] = {}
            for item in self.items:
                value = getattr(item, attribute)
                if value:
                    counts[value] = counts.get(value, 0) + 1
            self._distinct[attribute] = tuple(sorted(counts, key=lambda value: (-counts[value], value)))
        return list(self._distinct[attribute])

    def mask(self, filters: Filters | None) -> np.ndarray:
        """Boolean mask of the items matching every filter (values within a filter are OR-ed).

        Filter names are those of :data:`FILTER_FIELDS` (or an alias) plus ``price_min`` / ``price_max``.
        Unknown names or values raise :class:`InvalidInput` listing what is accepted.
        """
        mask = np.ones(len(self.items), dtype=bool)
        for raw_name, raw_value in (filters or {}).items():
            if raw_value in (None, "", [], ()):
                continue
            if raw_name in ("price_min", "price_max"):
                mask &= self._price_mask(raw_name, raw_value)
                continue
            name = canonical_filter_name(raw_name)
            wanted = [raw_value] if isinstance(raw_value, str) else list(raw_value)  # type: ignore[arg-type]
            column = self._columns[FILTER_FIELDS[name]]
            known = {value.lower() for value in self.values(name)}
            unknown = [value for value in wanted if str(value).lower() not in known]
            if unknown:
                choices = ", ".join(self.values(name)[:30])
                raise InvalidInput(f"Unknown {name} {unknown[0]!r}. Choose from: {choices}.")
            mask &= np.isin(column, [str(value).lower() for value in wanted])
        return mask

    def _price_mask(self, name: str, value: object) -> np.ndarray:
        try:
            bound = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise InvalidInput(f"{name} must be a number, not {value!r}.") from error
        with np.errstate(invalid="ignore"):
            return self._prices >= bound if name == "price_min" else self._prices <= bound


def canonical_filter_name(name: str) -> str:
    """Map aliases (``category``, ``color``, C5 column names) to the canonical filter name."""
    name = FILTER_ALIASES.get(name, name)
    if name not in FILTER_FIELDS:
        accepted = ", ".join([*FILTER_FIELDS, "price_min", "price_max"])
        raise InvalidInput(f"Unknown filter {name!r}. Accepted filters: {accepted}.")
    return name
