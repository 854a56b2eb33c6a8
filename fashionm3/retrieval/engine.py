"""Hybrid catalog search: text and/or image queries, filters from the text and from the caller, real items only."""

from __future__ import annotations

import dataclasses
import hashlib
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
from fashionm3.retrieval.index import ExactIndex, VectorIndex
from fashionm3.retrieval.photo_rank import TypeModel, photo_scores
from fashionm3.retrieval.status import IndexingStatus
from fashionm3.retrieval.preference import Preference
from fashionm3.retrieval.query import NAME_FILTERS, RELAX_ORDER, ParsedQuery, parse_query, vocabulary

CANDIDATES = 400
TYPE_MODEL = "type_model.npz"
VOTERS = 10
MAX_K = 100

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, stage)


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

    def __init__(
        self, catalog: Catalog, encoder: Encoder, text_index: VectorIndex, image_index: VectorIndex | None,
        covered: np.ndarray | None = None,
    ):  # fmt: skip
        self.catalog = catalog
        self.encoder = encoder
        self.text_index = text_index
        self.image_index = image_index
        self.has_image = np.array([bool(item.image_path) for item in catalog.items], dtype=bool)
        self.covered = covered  # rows indexed so far while a background build runs; None = every row
        self.indexing: IndexingStatus | None = None  # set while (and after) the index is built in the background
        self.type_model: TypeModel | None = None  # learnt from the catalog's pictures when the index is built

    def coverage(self) -> str:
        """How much of the catalog search covers, in words, while the index is still being built ("" when done)."""
        return self.indexing.describe() if self.indexing else ""

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
        folder = index_folder(data_dir, catalog, encoder, options)
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
        vectors = CatalogVectors.allocate(catalog, encoder)
        computed = vectors.encode(range(len(catalog)), EmbeddingCache(cache_dir, encoder.cache_name), progress)
        log.info("Encoded %d new texts/images (%d reused from the cache)", computed, vectors.encoded - computed)
        return vectors.engine(options)

    def save(self, folder: Path) -> None:
        """Write the indexes and a ``meta.json`` naming the encoder and the catalog."""
        folder.mkdir(parents=True, exist_ok=True)
        self.text_index.save(folder / "text")
        if self.image_index is not None:
            self.image_index.save(folder / "image")
        if self.type_model is not None:
            self.type_model.save(folder / TYPE_MODEL)
        meta = {
            "encoder": self.encoder.name,
            "encoder_spec": self.encoder.spec,
            "catalog": self.catalog.source,
            "images": str(self.catalog.image_root or ""),
            "items": len(self.catalog),
            "fingerprint": self.catalog.fingerprint,
            "portable_fingerprint": portable_fingerprint(self.catalog),
        }
        (folder / "meta.json").write_text(json.dumps(meta, indent=1))
        (folder / "ids.json").write_text(json.dumps([item.id for item in self.catalog.items]))

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
        if meta.get("portable_fingerprint", portable_fingerprint(catalog)) != portable_fingerprint(catalog):
            raise InvalidInput(f"The index in {folder} was built for another version of this catalog (its items differ).")
        ids = folder / "ids.json"
        if ids.exists() and json.loads(ids.read_text()) != [item.id for item in catalog.items]:
            raise InvalidInput(f"The index in {folder} lists other item ids (or another order) than this catalog.")
        image_index = load_index(folder / "image", options) if (folder / "image").exists() else None
        engine = cls(catalog, encoder, load_index(folder / "text", options), image_index)
        engine.type_model = TypeModel.load(folder / TYPE_MODEL) if (folder / TYPE_MODEL).exists() else None
        if image_index is not None and engine.type_model is None and "shape" in getattr(encoder, "image_views", {}):
            log.info("The index in %s has no type model (saved before them): photo types come from neighbours only; "
                     "delete the folder to rebuild it with one", folder)
        return engine

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
        covered = self.covered
        if covered is not None:
            base_mask &= covered
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
        mask = self.has_image if self.covered is None else self.has_image & self.covered
        rows, scores = self.image_index.search(vector, k, mask)
        return [Hit(self.catalog.items[int(row)], float(score)) for row, score in zip(rows, scores)]

    def learn_types(self, images: np.ndarray, leave_out: Collection[str] = ()) -> None:
        """Fit :attr:`type_model` on the shape view of ``images``' pictured rows, but the ids in ``leave_out``."""
        if (shape := getattr(self.encoder, "image_views", {}).get("shape")) is not None:  # none without a shape view
            left_out = set(leave_out)
            rows = [row for row in np.flatnonzero(self.has_image) if self.catalog.items[row].id not in left_out]
            self.type_model = TypeModel.fit(images[rows] * shape, [self.catalog.items[r].article_type for r in rows])

    def _photo_scores(self, candidates: np.ndarray, similarity: np.ndarray, photo: np.ndarray) -> np.ndarray:
        """Re-score photo-query candidates type first, then colour (``retrieval/photo_rank.py``). The shape and
        colour views are cosines within the encoder's ``image_views``; encoders without them use the similarity."""
        views = getattr(self.encoder, "image_views", {})
        index = self.image_index
        assert index is not None  # photo queries are refused earlier on catalogs without pictures

        def view(name: str) -> np.ndarray:
            if name not in views:
                return similarity
            return index.score(photo * views[name], candidates) / max(float(photo @ (photo * views[name])), 1e-6)

        items = [self.catalog.items[int(row)] for row in candidates]
        learned = self.type_model.shares(photo * views["shape"]) if self.type_model and "shape" in views else None
        return photo_scores(items, similarity, view("shape"), view("colour"), learned)

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


def index_folder(data_dir: Path, catalog: Catalog, encoder: Encoder, options: IndexOptions) -> Path:
    """Where the app keeps the index of this catalog, encoder and index kind."""
    return data_dir / "indexes" / f"{encoder.name}-{options.kind}-{catalog.fingerprint}"


def portable_fingerprint(catalog: Catalog) -> str:
    """A hash of the items' metadata and which items have a photo, without file paths or times, so an index built
    on one machine is recognised on another that loads the same catalog."""
    digest = hashlib.sha1()
    for item in catalog.items:
        fields = dataclasses.asdict(item) | {"image_path": bool(item.image_path)}
        digest.update(json.dumps(fields, sort_keys=True).encode())
    return digest.hexdigest()[:16]


@dataclasses.dataclass
class CatalogVectors:
    """The catalog's text and image vectors, filled row range by row range (row order = catalog order)."""

    catalog: Catalog
    encoder: Encoder
    text: np.ndarray
    images: np.ndarray | None
    encoded: int = 0  # texts and images encoded or read from the cache so far

    @classmethod
    def allocate(cls, catalog: Catalog, encoder: Encoder) -> "CatalogVectors":
        with_images = any(item.image_path for item in catalog.items)
        images = np.zeros((len(catalog), encoder.image_dim), np.float32) if with_images else None
        return cls(catalog, encoder, np.zeros((len(catalog), encoder.text_dim), np.float32), images)

    def encode(self, rows: range, cache: EmbeddingCache, progress: Progress | None = None, batch_size: int = 64) -> int:
        """Fill ``rows`` (cached vectors are read, the rest encoded ``batch_size`` at a time); returns how many were
        computed."""
        items = self.catalog.items
        texts = [items[row].description() for row in rows]
        self.text[rows.start : rows.stop], computed = cache.encode(
            [content_key(text) for text in texts],
            lambda positions: self.encoder.encode_text([texts[p] for p in positions]),
            self.encoder.text_dim,
            batch_size,
            progress=_stage(progress, "text"),
        )
        pictured = [row for row in rows if items[row].image_path]
        if pictured and self.images is not None:
            paths: list[str] = [items[row].image_path or "" for row in pictured]
            self.images[pictured], computed_images = cache.encode(
                [self.encoder.image_key_prefix + content_key(Path(path).read_bytes()) for path in paths],
                lambda positions: self.encoder.encode_images([Image.open(paths[p]).convert("RGB") for p in positions]),
                self.encoder.image_dim,
                batch_size,
                progress=_stage(progress, "images"),
            )
            computed += computed_images
        self.encoded += len(texts) + len(pictured)
        return computed

    def engine(self, options: IndexOptions, covered: np.ndarray | None = None) -> "SearchEngine":
        """A search engine over the vectors: the index ``options`` ask for, or (``covered`` given, during a
        background build) exact search over the rows filled so far."""
        collection = re.sub(r"\W", "_", f"fm3_{self.encoder.name}_{self.catalog.fingerprint}")

        def index(vectors: np.ndarray, name: str) -> VectorIndex:
            return ExactIndex(vectors) if covered is not None else build_index(vectors, options, name)

        image_index = index(self.images, f"{collection}_image") if self.images is not None else None
        engine = SearchEngine(self.catalog, self.encoder, index(self.text, f"{collection}_text"), image_index, covered)
        if covered is None and self.images is not None:  # the whole catalog: learn its types
            engine.learn_types(self.images)
        return engine


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

