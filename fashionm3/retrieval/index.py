"""Vector indexes behind one small interface: top-k inner-product search restricted to a row mask."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class VectorIndex(Protocol):
    """Inner-product search over unit vectors, one row per catalog item."""

    kind: str
    dim: int

    def __len__(self) -> int: ...

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows (allowed by ``mask``) and their scores, best first."""
        ...

    def score(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact scores of the query against the given rows."""
        ...

    def save(self, folder: Path) -> None: ...


def top_k(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best ``rows`` by ``scores``, best first."""
    k = min(k, scores.size)
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    top = np.argpartition(-scores, k - 1)[:k]
    order = top[np.argsort(-scores[top], kind="stable")]
    return rows[order].astype(np.int64), scores[order].astype(np.float32)


def exact_subset_search(vectors: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k among the rows allowed by ``mask`` (touches only those rows)."""
    allowed = np.flatnonzero(mask)
    return top_k(allowed, vectors[allowed] @ np.asarray(query, np.float32).ravel(), k)


class ExactIndex:
    """Brute-force search with numpy: exact, and fastest for catalogs up to about a hundred thousand items."""

    kind = "exact"

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dim = self.vectors.shape[1]

    def __len__(self) -> int:
        return self.vectors.shape[0]

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if mask is not None:
            return exact_subset_search(self.vectors, query, k, mask)
        return top_k(np.arange(len(self)), self.vectors @ np.asarray(query, np.float32).ravel(), k)

    def score(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.vectors[rows] @ np.asarray(query, np.float32).ravel()

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors)

    @classmethod
    def load(cls, folder: Path) -> "ExactIndex":
        """Open a saved index memory-mapped (no copy into RAM until pages are touched)."""
        return cls(np.load(folder / "vectors.npy", mmap_mode="r"))
