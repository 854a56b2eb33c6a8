"""The ANN index (faiss IVF-PQ fast-scan + 8-bit re-ranking) against exact search, with filters and persistence."""

import numpy as np
import pytest

from fashionm3.retrieval import ann
from fashionm3.retrieval.ann import IndexOptions, IVFPQIndex, build_index, load_index
from fashionm3.retrieval.index import ExactIndex


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.standard_normal((64, 64)))
    raw = (rng.standard_normal((20_000, 64)) * np.arange(1, 65) ** -0.5) @ rotation.T
    vectors = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).astype(np.float32)
    return vectors[:19_900], vectors[19_900:]


@pytest.fixture(scope="module")
def index(data):
    return IVFPQIndex.build(data[0])


def recall(index, exact, queries, mask=None):
    hits = [len(set(index.search(q, 10, mask)[0]) & set(exact.search(q, 10, mask)[0])) / 10 for q in queries]
    return float(np.mean(hits))


def test_recall_against_exact_search(index, data):
    vectors, queries = data
    assert recall(index, ExactIndex(vectors), queries) >= 0.95


def test_filtered_search_only_returns_allowed_rows(index, data, monkeypatch):
    vectors, queries = data
    mask = np.zeros(len(vectors), bool)
    mask[::3] = True
    monkeypatch.setattr(ann, "FILTERED_EXACT_BELOW", 10)  # force the ANN path for this filter
    rows, scores = index.search(queries[0], 10, mask)
    assert len(rows) == 10 and mask[rows].all()
    assert np.all(np.diff(scores) <= 1e-6)
    assert recall(index, ExactIndex(vectors), queries[:30], mask) >= 0.9


def test_selective_filters_are_searched_exactly(index, data):
    vectors, queries = data
    mask = np.zeros(len(vectors), bool)
    mask[[5, 17, 99]] = True
    rows, _ = index.search(queries[0], 10, mask)
    assert sorted(rows.tolist()) == [5, 17, 99]


def test_saved_index_answers_the_same(index, data, tmp_path):
    index.save(tmp_path)
    loaded = load_index(tmp_path)
    assert isinstance(loaded, IVFPQIndex)
    assert np.array_equal(loaded.search(data[1][0], 10)[0], index.search(data[1][0], 10)[0])


def test_small_catalogs_use_exact_search(data):
    assert isinstance(build_index(data[0][:1000]), ExactIndex)
    assert isinstance(build_index(data[0][:1000], IndexOptions(kind="exact")), ExactIndex)
    assert isinstance(build_index(data[0][:1000], IndexOptions(kind="ann")), IVFPQIndex)


def test_saved_index_keeps_8_bit_codes_and_scores_close_to_exact(index, data, tmp_path):
    vectors, queries = data
    index.save(tmp_path)
    per_vector = sum(f.stat().st_size for f in tmp_path.iterdir()) / len(vectors)
    assert per_vector < vectors.shape[1] * 2  # one byte per dimension (+ PQ codes and ids), not four
    loaded = load_index(tmp_path)
    rows = np.arange(50)
    assert np.allclose(loaded.score(queries[0], rows), vectors[rows] @ queries[0], atol=0.01)


def test_streamed_build_matches_a_one_shot_build(data):
    vectors, queries = data
    streamed = IVFPQIndex.trained(vectors[:5000], len(vectors))
    for start in range(0, len(vectors), 4000):
        streamed.add(vectors[start : start + 4000])
    assert len(streamed) == len(vectors)
    assert recall(streamed, ExactIndex(vectors), queries) >= 0.95
