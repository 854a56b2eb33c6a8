"""Hybrid catalog search: text and/or image queries, filters from the text and from the caller, real items only."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import numpy as np
from PIL import Image

from fashionm3.catalog.schema import Catalog, Item, canonical_filter_name
from fashionm3.errors import InvalidInput
from fashionm3.retrieval.encoders import Encoder
from fashionm3.retrieval.ann import IndexOptions, build_index, load_index
from fashionm3.retrieval.cache import EmbeddingCache, content_key
from fashionm3.retrieval.index import VectorIndex
from fashionm3.retrieval.preference import Preference
from fashionm3.retrieval.query import NAME_FILTERS, RELAX_ORDER, ParsedQuery, parse_query, vocabulary

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, stage)
CANDIDATES = 400
VOTERS = 10
TYPE_VOTERS = 1  # photo queries: pictures nearest by silhouette and texture that vote for the article type
COLOUR_VOTERS = 7  # nearest pictures by colour (among the predicted type) that vote for the colour
TYPE_WEIGHT, COLOUR_WEIGHT, SIMILARITY_WEIGHT = 2.0, 1.0, 0.5
DUPLICATE_SIMILARITY = 0.995
MAX_K = 100


@dataclasses.dataclass(frozen=True)
class Hit:
    """One search result: a real catalog item and its relevance score (higher is better)."""

    item: Item
    score: float


@dataclasses.dataclass
class SearchResult:
    """Ranked hits plus what the engine understood and relaxed (shown to the user)."""

    hits: list[Hit]
    parsed: ParsedQuery
    relaxed: list[str] = dataclasses.field(default_factory=list)
    strict: int = 0  # how many of the hits (the first ones) match every filter


class SearchEngine:
    """A catalog with a text index and an image index built by one encoder."""

    def __init__(self, catalog: Catalog, encoder: Encoder, text_index: VectorIndex, image_index: VectorIndex | None):
        self.catalog = catalog
        self.encoder = encoder
        self.text_index = text_index
        self.image_index = image_index
        self.has_image = np.array([bool(item.image_path) for item in catalog.items], dtype=bool)

    @classmethod
    def open_or_build(
        cls,
        catalog: Catalog,
        encoder: Encoder,
        data_dir: Path,
        progress: Progress | None = None,
        options: IndexOptions = IndexOptions(),
    ) -> "SearchEngine":
        """The app's index: reuse ``data_dir/indexes/<encoder>-<kind>-<catalog fingerprint>`` or build and save it."""
        folder = data_dir / "indexes" / f"{encoder.name}-{options.kind}-{catalog.fingerprint}"
        if (folder / "meta.json").exists():
            log.info("Reusing the index in %s", folder)
            return cls.load(folder, catalog, encoder, options)
        engine = cls.build(catalog, encoder, data_dir / "embeddings", progress, options)
        engine.save(folder)
        return engine

    @classmethod
    def build(
        cls,
        catalog: Catalog,
        encoder: Encoder,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
        options: IndexOptions = IndexOptions(),
    ) -> "SearchEngine":
        """Encode the catalog's texts and images (reusing vectors cached in ``cache_dir``) and index them."""
        collection = re.sub(r"\W", "_", f"fm3_{encoder.name}_{catalog.fingerprint}")
        cache = EmbeddingCache(cache_dir, encoder.name)
        texts = [item.description() for item in catalog.items]
        text_vectors, computed = cache.encode(
            [content_key(text) for text in texts],
            lambda rows: encoder.encode_text([texts[r] for r in rows]),
            encoder.text_dim,
            progress=_stage(progress, "text"),
        )
        with_images = [row for row, item in enumerate(catalog.items) if item.image_path]
        image_index = None
        if with_images:
            paths = [catalog.items[row].image_path for row in with_images]
            image_vectors = np.zeros((len(catalog), encoder.image_dim), np.float32)
            image_vectors[with_images], computed_images = cache.encode(
                [content_key(Path(path).read_bytes()) for path in paths],  # type: ignore[arg-type]
                lambda rows: encoder.encode_images([Image.open(paths[r]).convert("RGB") for r in rows]),  # type: ignore[arg-type]
                encoder.image_dim,
                progress=_stage(progress, "images"),
            )
            computed += computed_images
            image_index = build_index(image_vectors, options, f"{collection}_image")
        log.info("Encoded %d new texts/images (%d reused from the cache)", computed, len(texts) + len(with_images) - computed)
        return cls(catalog, encoder, build_index(text_vectors, options, f"{collection}_text"), image_index)

    def save(self, folder: Path) -> None:
        """Write the indexes and a ``meta.json`` naming the encoder and the catalog."""
        folder.mkdir(parents=True, exist_ok=True)
        self.text_index.save(folder / "text")
        if self.image_index is not None:
            self.image_index.save(folder / "image")
        meta = {
            "encoder": self.encoder.name,
            "encoder_spec": self.encoder.spec,
            "catalog": self.catalog.source,
            "images": str(self.catalog.image_root or ""),
            "items": len(self.catalog),
            "fingerprint": self.catalog.fingerprint,
        }
        (folder / "meta.json").write_text(json.dumps(meta, indent=1))

    @classmethod
    def load(cls, folder: Path, catalog: Catalog, encoder: Encoder, options: IndexOptions = IndexOptions()) -> "SearchEngine":
        """Open a saved index; refuses one built by another encoder or for another catalog."""
        meta = read_index_meta(folder)
        if meta["encoder"] != encoder.name:
            raise InvalidInput(
                f"The index in {folder} was built with the encoder {meta['encoder']!r}, not {encoder.name!r}: "
                "rebuild it with this encoder or search it with that one."
            )
        if meta["items"] != len(catalog):
            raise InvalidInput(f"The index in {folder} holds {meta['items']} items but the catalog has {len(catalog)}.")
        image_index = load_index(folder / "image", options) if (folder / "image").exists() else None
        return cls(catalog, encoder, load_index(folder / "text", options), image_index)

    def search(
        self,
        text: str = "",
        image: Image.Image | None = None,
        filters: Mapping[str, object] | None = None,
        k: int = 10,
        exclude: Collection[str] = (),
        preference: Preference | None = None,
    ) -> SearchResult:
        """Rank catalog items for a text and/or image query.

        Items matching every filter come first; when they are fewer than ``k``, the list is filled with items
        matching fewer of the filters found in the text (season, usage, colour, ... are dropped in that order).
        Filters passed explicitly are always kept; items whose ids are in ``exclude`` never appear. A user's
        ``preference`` re-ranks the candidates and drops disliked items and their near-duplicates.
        """
        text = (text or "").strip()
        if not text and image is None:
            raise InvalidInput("Type what you are looking for or add a photo.")
        if not 1 <= k <= MAX_K:
            raise InvalidInput(f"k must be between 1 and {MAX_K}.")
        explicit = {
            name if name in ("price_min", "price_max") else canonical_filter_name(name): value
            for name, value in (filters or {}).items()
            if value not in (None, "", [])
        }
        base_mask = self.catalog.mask(explicit)
        if image is not None:
            base_mask &= self.has_image
        for item_id in [*exclude, *(preference.disliked_ids if preference else ())]:
            base_mask[self.catalog.position(item_id)] = False
        if preference and preference.avoided_colours:
            base_mask &= ~self.catalog.mask({"colour": sorted(preference.avoided_colours)})
        parsed = parse_query(text, self.catalog) if text else ParsedQuery(text="")
        implied = {name: value for name, value in {**parsed.filters, **parsed.names}.items() if name not in explicit}
        base_mask &= ~self._excluded_mask(parsed)
        queries, photo = self._query_vectors(parsed.semantic or text, image)
        hits: list[Hit] = []
        relaxed: list[str] = []
        seen: set[str] = set()
        strict = 0
        for tier_filters, dropped in _relaxation_tiers(implied):
            mask = base_mask & self._filter_mask(tier_filters)
            new_hits = [hit for hit in self._rank(queries, photo, mask, k, preference) if hit.item.id not in seen]
            if new_hits and dropped:
                relaxed = dropped
            hits += new_hits[: k - len(hits)]
            if not dropped:
                strict = len(hits)
            seen.update(hit.item.id for hit in new_hits)
            if len(hits) >= k:
                break
        parsed.filters = {**{name: value for name, value in implied.items() if name not in NAME_FILTERS}, **explicit}
        return SearchResult(hits=hits, parsed=parsed, relaxed=relaxed, strict=strict)

    def _filter_mask(self, filters: Mapping[str, object]) -> np.ndarray:
        """Items matching catalog-column filters and the brand / pattern words their names must hold."""
        mask = self.catalog.mask({name: value for name, value in filters.items() if name not in NAME_FILTERS})
        for name in NAME_FILTERS:
            if filters.get(name):
                mask &= vocabulary(self.catalog).name_mask(filters[name])  # type: ignore[arg-type]
        return mask

    def _excluded_mask(self, parsed: ParsedQuery) -> np.ndarray:
        """Items a negation in the query rules out ("not black", "without stripes")."""
        excluded = np.zeros(len(self.catalog), bool)
        for name, values in parsed.excluded.items():
            excluded |= self.catalog.mask({name: values})
        if parsed.excluded_words:
            excluded |= vocabulary(self.catalog).name_mask(parsed.excluded_words)
        return excluded

    def photo_neighbours(self, image: Image.Image, k: int = VOTERS) -> list[Hit]:
        """The catalog products whose pictures look most like ``image``, scored by raw image similarity."""
        if self.image_index is None:
            raise InvalidInput("This catalog has no product images, so it cannot be searched by photo.")
        vector = self.encoder.encode_images([image])[0]
        rows, scores = self.image_index.search(vector, k, self.has_image)
        return [Hit(self.catalog.items[int(row)], float(score)) for row, score in zip(rows, scores)]

    def _photo_scores(self, candidates: np.ndarray, similarity: np.ndarray, photo: np.ndarray) -> np.ndarray:
        """Re-score photo-query candidates type first, then colour, then look (kNN label transfer).

        The ``TYPE_VOTERS`` pictures nearest by silhouette and texture vote for the photo's article type; among the
        candidates of the winning type, the ``COLOUR_VOTERS`` nearest by colour vote for its colour (labels are the
        catalog's own). Each candidate scores ``TYPE_WEIGHT * its type's share + COLOUR_WEIGHT * its colour's share
        + SIMILARITY_WEIGHT * similarity``; a product whose picture is the photo itself stays first. Encoders without
        ``image_views`` vote with the plain similarity. Measured by ``bench/retrieval_quality.py``.
        """
        views = getattr(self.encoder, "image_views", {})
        index = self.image_index
        assert index is not None  # photo queries are refused earlier on catalogs without pictures
        shape = index.score(photo * views["shape"], candidates) if "shape" in views else similarity
        colour = index.score(photo * views["colour"], candidates) if "colour" in views else similarity
        items = [self.catalog.items[int(row)] for row in candidates]
        types = _share([items[i].article_type for i in np.argsort(-shape)[:TYPE_VOTERS]])
        likely_type = max(types, key=types.get)
        same_type = np.array([item.article_type == likely_type for item in items])
        by_colour = np.argsort(-np.where(same_type, colour, colour - 10.0))[:COLOUR_VOTERS]
        colours = _share([items[i].colour for i in by_colour])
        type_share = np.array([types.get(item.article_type, 0.0) for item in items])
        colour_share = np.array([colours.get(item.colour, 0.0) for item in items])
        same_picture = 10.0 * (similarity >= DUPLICATE_SIMILARITY)  # the photo is this very product: keep it first
        return TYPE_WEIGHT * type_share + COLOUR_WEIGHT * colour_share + SIMILARITY_WEIGHT * similarity + same_picture

    def _query_vectors(
        self, text: str, image: Image.Image | None
    ) -> tuple[list[tuple[VectorIndex, np.ndarray]], np.ndarray | None]:
        """Encode the query once: (index, vector) pairs to search, across modalities when the encoder allows, and
        the photo's image vector (None without a photo)."""
        queries: list[tuple[VectorIndex, np.ndarray]] = []
        image_vector = None
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
        return queries, image_vector

    def _rank(
        self,
        queries: list[tuple[VectorIndex, np.ndarray]],
        photo: np.ndarray | None,
        mask: np.ndarray,
        k: int,
        preference: Preference | None = None,
    ) -> list[Hit]:
        searches = list(queries)
        if photo is not None:  # also gather the photo's nearest pictures by each view (shape, colour)
            views = getattr(self.encoder, "image_views", {}).values()
            searches += [(self.image_index, photo * view) for view in views]  # type: ignore[misc]
        candidates = np.unique(np.concatenate([index.search(q, max(k, CANDIDATES), mask)[0] for index, q in searches]))
        if candidates.size == 0:
            return []
        fused = np.mean([index.score(q, candidates) for index, q in queries], axis=0)
        if photo is not None:
            fused = self._photo_scores(candidates, fused, photo)
        if preference is not None:
            fused, keep = preference.personalise({"text": self.text_index, "image": self.image_index}, candidates, fused)
            candidates, fused = candidates[keep], fused[keep]
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(self.catalog.items[int(candidates[i])], float(fused[i])) for i in order]


def read_index_meta(folder: Path) -> dict:
    """The ``meta.json`` of a saved index (clear error when the folder is not an index)."""
    try:
        return json.loads((Path(folder) / "meta.json").read_text())
    except (OSError, ValueError) as error:
        raise InvalidInput(f"{folder} is not a FashionM3 index (no readable meta.json).") from error


def _stage(progress: Progress | None, name: str) -> Progress | None:
    if progress is None:
        return None
    return lambda done, total: progress(done, total, name)  # type: ignore[call-arg]


def _relaxation_tiers(implied: dict) -> list[tuple[dict, list[str]]]:
    """The implied filters, then the same with one more of them dropped each time (see ``RELAX_ORDER``)."""
    tiers, active, dropped = [(dict(implied), [])], dict(implied), []
    for name in RELAX_ORDER:
        if name in active:
            del active[name]
            dropped = [*dropped, name]
            tiers.append((dict(active), dropped))
    return tiers


def _share(values: list[str]) -> dict[str, float]:
    shares: dict[str, float] = {}
    for value in values:
        shares[value] = shares.get(value, 0.0) + 1 / len(values)
    return shares
