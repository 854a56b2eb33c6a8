"""Hybrid catalog search: text and/or image queries, filters from the text and from the caller, real items only."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from PIL import Image

from fashionm3.catalog.schema import Catalog, Item, canonical_filter_name
from fashionm3.errors import InvalidInput
from fashionm3.retrieval.encoders import Encoder
from fashionm3.retrieval.index import ExactIndex, VectorIndex
from fashionm3.retrieval.query import RELAX_ORDER, ParsedQuery, parse_query

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
CANDIDATES = 200
MAX_K = 100
BATCH = 64


@dataclasses.dataclass(frozen=True)
class Hit:
    """One search result: a real catalog item and its similarity score."""

    item: Item
    score: float


@dataclasses.dataclass
class SearchResult:
    """Ranked hits plus what the engine understood and relaxed (shown to the user)."""

    hits: list[Hit]
    parsed: ParsedQuery
    relaxed: list[str] = dataclasses.field(default_factory=list)


class SearchEngine:
    """A catalog with a text index and an image index built by one encoder."""

    def __init__(self, catalog: Catalog, encoder: Encoder, text_index: VectorIndex, image_index: VectorIndex | None):
        self.catalog = catalog
        self.encoder = encoder
        self.text_index = text_index
        self.image_index = image_index

    @classmethod
    def build(cls, catalog: Catalog, encoder: Encoder, cache_dir: Path | None = None, progress: Progress | None = None) -> "SearchEngine":
        """Encode the catalog (or reuse an index saved in ``cache_dir`` for the same catalog and encoder)."""
        folder = cache_dir / f"{encoder.name}-{catalog_fingerprint(catalog)}" if cache_dir else None
        if folder is not None and (folder / "meta.json").exists():
            log.info("Reusing the index in %s", folder)
            text_index = ExactIndex.load(folder / "text")
            image_index = ExactIndex.load(folder / "image") if (folder / "image").exists() else None
            return cls(catalog, encoder, text_index, image_index)
        total = len(catalog) * 2
        texts = [item.description() for item in catalog.items]
        text_vectors = []
        for start in range(0, len(texts), BATCH):
            text_vectors.append(encoder.encode_text(texts[start : start + BATCH]))
            if progress:
                progress(start + len(text_vectors[-1]), total)
        text_index = ExactIndex(np.concatenate(text_vectors) if text_vectors else np.zeros((0, encoder.text_dim)))
        image_index = cls._encode_images(catalog, encoder, progress, total)
        if folder is not None:
            text_index.save(folder / "text")
            if image_index is not None:
                image_index.save(folder / "image")
            meta = {"encoder": encoder.name, "items": len(catalog), "catalog": catalog.source}
            (folder / "meta.json").write_text(json.dumps(meta))
        return cls(catalog, encoder, text_index, image_index)

    @staticmethod
    def _encode_images(catalog: Catalog, encoder: Encoder, progress: Progress | None, total: int) -> ExactIndex | None:
        if not any(item.image_path for item in catalog.items):
            return None
        vectors = np.zeros((len(catalog), encoder.image_dim), np.float32)
        for start in range(0, len(catalog), BATCH):
            rows = [r for r in range(start, min(start + BATCH, len(catalog))) if catalog.items[r].image_path]
            images = [Image.open(catalog.items[r].image_path).convert("RGB") for r in rows]  # type: ignore[arg-type]
            if rows:
                vectors[rows] = encoder.encode_images(images)
            if progress:
                progress(len(catalog) + min(start + BATCH, len(catalog)), total)
        return ExactIndex(vectors)

    def search(
        self,
        text: str = "",
        image: Image.Image | None = None,
        filters: Mapping[str, object] | None = None,
        k: int = 10,
    ) -> SearchResult:
        """Rank catalog items for a text and/or image query.

        Items matching every filter come first; when they are fewer than ``k``, the list is filled with items
        matching fewer of the filters found in the text (season, usage, colour, ... are dropped in that order).
        Filters passed explicitly are always kept.
        """
        text = (text or "").strip()
        if not text and image is None:
            raise InvalidInput("Type what you are looking for or add a photo.")
        if not 1 <= k <= MAX_K:
            raise InvalidInput(f"k must be between 1 and {MAX_K}.")
        explicit = {canonical_filter_name(n) if n not in ("price_min", "price_max") else n: v for n, v in (filters or {}).items() if v not in (None, "", [])}
        base_mask = self.catalog.mask(explicit)
        parsed = parse_query(text, self.catalog) if text else ParsedQuery(text="")
        implied = {name: value for name, value in parsed.filters.items() if name not in explicit}
        hits: list[Hit] = []
        relaxed: list[str] = []
        seen: set[str] = set()
        for tier_filters, dropped in _relaxation_tiers(implied):
            mask = base_mask & self.catalog.mask(tier_filters)
            new_hits = [hit for hit in self._rank(text, image, mask, k) if hit.item.id not in seen]
            if new_hits and dropped:
                relaxed = dropped
            hits += new_hits[: k - len(hits)]
            seen.update(hit.item.id for hit in new_hits)
            if len(hits) >= k:
                break
        parsed.filters = {**implied, **explicit}
        return SearchResult(hits=hits, parsed=parsed, relaxed=relaxed)

    def _rank(self, text: str, image: Image.Image | None, mask: np.ndarray, k: int) -> list[Hit]:
        queries: list[tuple[VectorIndex, np.ndarray]] = []
        if text:
            text_vector = self.encoder.encode_text([text])[0]
            queries.append((self.text_index, text_vector))
            if self.encoder.cross_modal and self.image_index is not None:
                queries.append((self.image_index, text_vector))
        if image is not None:
            if self.image_index is None:
                raise InvalidInput("This catalog has no product images, so it cannot be searched by photo.")
            image_vector = self.encoder.encode_images([image])[0]
            queries.append((self.image_index, image_vector))
            if self.encoder.cross_modal:
                queries.append((self.text_index, image_vector))
        candidates = np.unique(np.concatenate([index.search(q, max(k, CANDIDATES), mask)[0] for index, q in queries]))
        if candidates.size == 0:
            return []
        fused = np.mean([index.score(q, candidates) for index, q in queries], axis=0)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(self.catalog.items[int(candidates[i])], float(fused[i])) for i in order]


def _relaxation_tiers(implied: dict) -> list[tuple[dict, list[str]]]:
    """The implied filters, then the same with one more of them dropped each time (see ``RELAX_ORDER``)."""
    tiers, active, dropped = [(dict(implied), [])], dict(implied), []
    for name in RELAX_ORDER:
        if name in active:
            del active[name]
            dropped = [*dropped, name]
            tiers.append((dict(active), dropped))
    return tiers


def catalog_fingerprint(catalog: Catalog) -> str:
    """A short hash of the catalog's content (metadata and image files' sizes and times)."""
    digest = hashlib.sha1()
    for item in catalog.items:
        digest.update(json.dumps(dataclasses.asdict(item), sort_keys=True).encode())
        if item.image_path:
            stat = Path(item.image_path).stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
