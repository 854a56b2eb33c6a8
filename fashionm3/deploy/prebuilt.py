"""Index once, serve many: open the app's search engine without encoding anything when an index exists.

In order: the index this data directory saved before; a prebuilt index (``FASHIONM3_INDEX_SOURCE``: a folder written
by ``python -m fashionm3 index`` or a Hugging Face dataset repo holding one, ``hf:<repo id>``) built for the same
catalog and encoder; else a build, in the background for large catalogs and under ZeroGPU, so the page answers at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fashionm3.catalog.schema import Catalog
from fashionm3.config import Settings
from fashionm3.errors import InvalidInput
from fashionm3.retrieval.ann import IndexOptions
from fashionm3.retrieval.background import build_in_background
from fashionm3.retrieval.encoders import Encoder
from fashionm3.retrieval.engine import Progress, SearchEngine, index_folder

log = logging.getLogger(__name__)

BACKGROUND_FROM = 2_000  # catalogs this large are indexed in the background (the 360-item demo is built at once)


def fetch_prebuilt(source: str, data_dir: Path, hub_reachable: bool) -> Path:
    """The local folder of a prebuilt index: ``source`` itself, or a download of the dataset repo ``hf:<id>``."""
    if not source.startswith("hf:"):
        return Path(source).expanduser()
    if not hub_reachable:
        raise InvalidInput(f"the Hub is unreachable, so the prebuilt index {source} cannot be downloaded")
    from huggingface_hub import snapshot_download

    repo_id = source.removeprefix("hf:")
    target = data_dir / "prebuilt" / repo_id.replace("/", "--")
    return Path(snapshot_download(repo_id, repo_type="dataset", local_dir=target))


def open_engine(
    catalog: Catalog, encoder: Encoder, settings: Settings, options: IndexOptions, progress: Progress,
    hub_reachable: bool, zerogpu: bool, notices: list[str], hold: bool = False,
) -> SearchEngine:  # fmt: skip
    """The search engine for the app (see the module docstring); a prebuilt index that does not fit adds a notice.
    ``hold``: a background build waits for ``engine.indexing.release()`` before it encodes."""
    folder = index_folder(settings.data_dir, catalog, encoder, options)
    saved = (folder / "meta.json").exists()
    if settings.index_source and not saved:
        try:
            prebuilt = fetch_prebuilt(settings.index_source, settings.data_dir, hub_reachable)
            engine = SearchEngine.load(prebuilt, catalog, encoder, options)
            log.info("Loaded the prebuilt index %s (%d items, nothing encoded)", settings.index_source, len(catalog))
            return engine
        except Exception as error:  # noqa: BLE001 (a download or a folder that fails in any way: index here, say why)
            notices.append(f"The prebuilt index {settings.index_source} cannot serve this catalog ({error}); "
                           "indexing here instead.")  # fmt: skip
            log.warning(notices[-1])
    if saved or (len(catalog) < BACKGROUND_FROM and not zerogpu):
        return SearchEngine.open_or_build(catalog, encoder, settings.data_dir, progress, options)
    engine, _ = build_in_background(catalog, encoder, settings.data_dir / "embeddings", folder, options, hold=hold)
    return engine
