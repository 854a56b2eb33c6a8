"""The Milvus-backed index, run for real on Milvus Lite (the Milvus engine embedded in the process)."""

import numpy as np
import pytest

from fashionm3.retrieval import milvus
from fashionm3.retrieval.ann import IndexOptions, load_index
from fashionm3.retrieval.encoders import OfflineEncoder
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.retrieval.index import ExactIndex

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((3000, 32)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def index(vectors, tmp_path_factory):
    return milvus.MilvusIndex.build(vectors, str(tmp_path_factory.mktemp("milvus") / "lite.db"), "unit_vectors")


def test_search_matches_exact(index, vectors):
    exact = ExactIndex(vectors)
    for query in vectors[:20]:
        assert index.search(query, 10)[0].tolist() == exact.search(query, 10)[0].tolist()


def test_filters_by_id_list_and_by_over_fetching(index, vectors, monkeypatch):
    exact, query = ExactIndex(vectors), vectors[7]
    selective = np.zeros(len(vectors), bool)
    selective[::9] = True
    assert index.search(query, 5, selective)[0].tolist() == exact.search(query, 5, selective)[0].tolist()
    broad = np.ones(len(vectors), bool)
    broad[::2] = False
    monkeypatch.setattr(milvus, "FILTER_BY_IDS_BELOW", 10)
    assert index.search(query, 5, broad)[0].tolist() == exact.search(query, 5, broad)[0].tolist()
    assert index.search(query, 5, np.zeros(len(vectors), bool))[0].size == 0


def test_scores_and_reconnecting_from_the_saved_folder(index, vectors, tmp_path):
    rows = np.array([3, 40, 900])
    assert np.allclose(index.score(vectors[3], rows), vectors[rows] @ vectors[3], atol=1e-5)
    index.save(tmp_path)
    reopened = load_index(tmp_path)
    assert reopened.kind == "milvus" and len(reopened) == len(vectors)
    assert reopened.search(vectors[0], 3)[0][0] == 0


def test_the_search_engine_runs_on_milvus(catalog, tmp_path):
    options = IndexOptions(kind="milvus", milvus_uri=str(tmp_path / "engine.db"))
    engine = SearchEngine.open_or_build(catalog, OfflineEncoder(), tmp_path, options=options)
    assert engine.text_index.kind == "milvus" and engine.image_index.kind == "milvus"
    hits = engine.search("black sneakers", k=5).hits
    assert hits[0].item.article_type == "Casual Shoes" and hits[0].item.colour == "Black"
    reopened = SearchEngine.open_or_build(catalog, engine.encoder, tmp_path, options=options)
    assert [h.item.id for h in reopened.search("black sneakers", k=5).hits] == [h.item.id for h in hits]
