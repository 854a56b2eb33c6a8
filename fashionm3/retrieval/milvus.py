"""The vector index on Milvus, for catalogs that outgrow one machine.

The same :class:`~fashionm3.retrieval.index.VectorIndex` interface as the in-process indexes. ``uri`` is either
a local file (Milvus Lite: the real Milvus engine embedded in the process, used by the tests) or the address of
a Milvus server or cluster (``http://host:19530``, with ``token`` for Zilliz Cloud), where the collection is
sharded and replicated by Milvus itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

INSERT_BATCH = 2_000
MAX_LIMIT = 16_384  # Milvus' largest top-k
FILTER_BY_IDS_BELOW = 20_000  # filters allowing fewer rows than this are sent to Milvus as an id list


class MilvusIndex:
    """One Milvus collection: primary key ``row`` (the catalog position) and a float vector, inner-product metric."""

    kind = "milvus"

    def __init__(self, uri: str, collection: str, dim: int, size: int, token: str = ""):
        from pymilvus import MilvusClient

        self.uri, self.collection, self.dim, self.size, self.token = uri, collection, dim, size, token
        self.client = MilvusClient(uri, token=token)
        self.client.load_collection(collection)

    @classmethod
    def build(cls, vectors: np.ndarray, uri: str, collection: str, token: str = "") -> "MilvusIndex":
        """Create (or replace) the collection, insert every vector, build the index and load it."""
        from pymilvus import DataType, MilvusClient

        vectors = np.asarray(vectors, np.float32)
        if "://" not in uri:  # Milvus Lite: a local database file
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        client = MilvusClient(uri, token=token)
        if client.has_collection(collection):
            client.drop_collection(collection)
        schema = client.create_schema(auto_id=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=vectors.shape[1])
        index_params = client.prepare_index_params()
        index_params.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="IP")
        client.create_collection(collection, schema=schema, index_params=index_params)
        for start in range(0, len(vectors), INSERT_BATCH):
            block = vectors[start : start + INSERT_BATCH]
            client.insert(collection, [{"row": start + i, "vector": v.tolist()} for i, v in enumerate(block)])
        client.flush(collection)
        return cls(uri, collection, vectors.shape[1], len(vectors), token)

    def __len__(self) -> int:
        return self.size

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if mask is None:
            return self._search(query, k, None)
        allowed = np.flatnonzero(mask)
        if allowed.size < FILTER_BY_IDS_BELOW:
            return self._search(query, min(k, allowed.size), f"row in {allowed.tolist()}") if allowed.size else _empty()
        limit = k  # broad filters: over-fetch and keep the allowed rows
        while True:
            limit = min(MAX_LIMIT, limit * 4)
            rows, scores = self._search(query, limit, None)
            keep = mask[rows]
            if keep.sum() >= k or limit == MAX_LIMIT:
                return rows[keep][:k], scores[keep][:k]

    def score(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        found_rows, found_scores = self._search(query, len(rows), f"row in {np.asarray(rows).tolist()}")
        lookup = dict(zip(found_rows.tolist(), found_scores.tolist()))
        return np.array([lookup.get(int(row), -1.0) for row in rows], np.float32)

    def _search(self, query: np.ndarray, limit: int, expression: str | None) -> tuple[np.ndarray, np.ndarray]:
        if limit <= 0:
            return _empty()
        answer = self.client.search(
            self.collection,
            data=[np.asarray(query, np.float32).ravel().tolist()],
            limit=min(limit, MAX_LIMIT),
            filter=expression or "",
            search_params={"metric_type": "IP"},
            output_fields=["row"],  # not the vectors
        )[0]
        return np.array([hit.id for hit in answer], np.int64), np.array([hit.distance for hit in answer], np.float32)

    def save(self, folder: Path) -> None:
        """Milvus keeps the vectors; the folder only records where (the token is never written)."""
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"kind": self.kind, "uri": self.uri, "collection": self.collection, "dim": self.dim, "size": self.size}
        (folder / "milvus.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path, token: str = "") -> "MilvusIndex":
        meta = json.loads((folder / "milvus.json").read_text())
        return cls(meta["uri"], meta["collection"], meta["dim"], meta["size"], token)


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.float32)
