"""On-disk embedding cache keyed by encoder id and content hash, so re-indexing only encodes what changed."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

Progress = Callable[[int, int], None]


def content_key(data: bytes | str) -> str:
    """SHA-1 of the text or the file bytes."""
    return hashlib.sha1(data.encode() if isinstance(data, str) else data).hexdigest()


class EmbeddingCache:
    """One SQLite file per encoder (the encoder id is in the file name): content hash -> float32 vector."""

    def __init__(self, folder: Path | None, encoder_name: str):
        """``folder=None`` keeps the cache in memory (nothing is written)."""
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{encoder_name}.sqlite3" if folder is not None else ":memory:"
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, blob in self._connection.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk):
                    found[key] = np.frombuffer(blob, np.float32)
        return found

    def put_many(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        with self._lock, self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO vectors(key, vector) VALUES (?, ?)",
                [(key, np.asarray(vector, np.float32).tobytes()) for key, vector in zip(keys, vectors)],
            )

    def encode(
        self,
        keys: Sequence[str],
        encode_batch: Callable[[list[int]], np.ndarray],
        dim: int,
        batch_size: int = 64,
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``keys``: cached ones are read, the others computed by ``encode_batch(positions)``.

        Returns the ``(len(keys), dim)`` matrix and how many vectors were computed.
        """
        out = np.zeros((len(keys), dim), np.float32)
        cached = self.get_many(list(dict.fromkeys(keys)))
        missing = [position for position, key in enumerate(keys) if key not in cached]
        for position, key in enumerate(keys):
            if key in cached:
                out[position] = cached[key]
        done = len(keys) - len(missing)
        if progress:
            progress(done, len(keys))
        for start in range(0, len(missing), batch_size):
            positions = missing[start : start + batch_size]
            vectors = encode_batch(positions)
            out[positions] = vectors
            self.put_many([keys[p] for p in positions], vectors)
            done += len(positions)
            if progress:
                progress(done, len(keys))
        return out, len(missing)
