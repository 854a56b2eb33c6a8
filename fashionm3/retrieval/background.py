"""Index a catalog while the app already serves: search covers the items encoded so far and says how many.

Under ZeroGPU there is no GPU at startup, and encoding a 44,000-item catalog takes minutes even on one, so the app
never waits for it: a daemon thread encodes the catalog in chunks (each encoder call is a short GPU batch), the
engine searches the rows filled so far exactly, and once every row is in, the configured index (exact, ANN or
Milvus) replaces the partial one and is saved for the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path

import numpy as np

from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.ann import IndexOptions
from fashionm3.retrieval.cache import EmbeddingCache
from fashionm3.retrieval.encoders import Encoder
from fashionm3.retrieval.engine import CatalogVectors, SearchEngine
from fashionm3.retrieval.status import IndexingStatus

log = logging.getLogger(__name__)

CHUNK = 1_000  # items per step: search grows by this many at a time
FIRST_CHUNK = 200  # the first step is smaller, so search covers some items soon after the text model loads
NICENESS = 10  # the indexing thread's CPU priority below the serving threads
BATCH = 256  # texts or images per encoder call: under ZeroGPU each call costs ~5 s of quota plus its work
HOLD_LIMIT = 60.0  # seconds a held build waits to be released before it begins anyway


def build_in_background(
    catalog: Catalog, encoder: Encoder, cache_dir: Path, folder: Path, options: IndexOptions, chunk: int = CHUNK,
    hold: bool = False,
) -> tuple[SearchEngine, threading.Thread]:
    """An engine that answers at once over the rows indexed so far, and the thread filling the rest (then saving
    the finished index to ``folder``). With ``hold`` the thread waits for ``engine.indexing.release()`` (at most
    :data:`HOLD_LIMIT` seconds), so loading the text model and encoding do not compete with the server's start."""
    vectors = CatalogVectors.allocate(catalog, encoder)
    covered = np.zeros(len(catalog), bool)
    engine = vectors.engine(options, covered)
    engine.indexing = IndexingStatus(total=len(catalog))
    if not hold:
        engine.indexing.release()
    thread = threading.Thread(
        target=_fill, args=(engine, vectors, EmbeddingCache(cache_dir, encoder.cache_name), folder, options, chunk),
        name="fashionm3-indexing", daemon=True,
    )  # fmt: skip
    thread.start()
    return engine, thread


def _fill(engine: SearchEngine, vectors: CatalogVectors, cache: EmbeddingCache, folder: Path, options: IndexOptions, chunk: int) -> None:
    status, covered = engine.indexing, engine.covered
    assert status is not None and covered is not None
    status.released.wait(HOLD_LIMIT)
    try:
        # The text model and the first (small) chunk at normal priority: a visitor's search waits for the model, and
        # on a busy machine a niced thread would leave search empty for minutes. Then nice: page requests go first.
        getattr(vectors.encoder, "load", lambda: None)()
        starts = [0, *range(min(chunk, FIRST_CHUNK), status.total, chunk)]
        for start, stop in zip(starts, [*starts[1:], status.total]):
            if status.stopped:
                return
            rows = range(start, stop)
            vectors.encode(rows, cache, batch_size=BATCH)
            covered[rows.start : rows.stop] = True
            status.covered = rows.stop
            log.info("Indexing: %s", engine.coverage() or "done")
            if start == 0:
                with contextlib.suppress(OSError, AttributeError):  # Linux nices threads one by one
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
        final = vectors.engine(options)
        engine.text_index, engine.image_index, engine.covered = final.text_index, final.image_index, None
        engine.type_model = final.type_model
        engine.save(folder)
        status.finished = True
        log.info("Index of %d items built in the background and saved in %s", status.total, folder)
    except Exception as error:  # noqa: BLE001 (the app keeps serving what is indexed and says why it stopped)
        status.error = str(error)[:200] or type(error).__name__
        log.exception("Background indexing stopped")
    finally:
        status.ended.set()
