"""Contract C6: latency and recall of the production ANN index on synthetic embedding-shaped data.

Each vector is normalize(R @ (diag(s) @ z)) with z ~ N(0, I_D), s_i = i^-0.5 and R a random rotation: variance
spread over directions by a power law, like real embeddings. Queries are drawn the same way (not from the index).
Usage: python bench/retrieval_bench.py --n 1000000 --dim 512 --queries 1000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fashionm3.retrieval.ann import build_index  # noqa: E402

CHUNK = 100_000


def embedding_like(n: int, dim: int, rng: np.random.Generator, rotation: np.ndarray) -> np.ndarray:
    """``n`` unit vectors whose variance follows a power law over random directions."""
    scales = np.arange(1, dim + 1, dtype=np.float32) ** -0.5
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, CHUNK):
        z = rng.standard_normal((min(CHUNK, n - start), dim), dtype=np.float32)
        block = (z * scales) @ rotation.T
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    best_scores = np.full((len(queries), k), -np.inf, np.float32)
    best_rows = np.zeros((len(queries), k), np.int64)
    for start in range(0, len(vectors), CHUNK):
        scores = queries @ vectors[start : start + CHUNK].T
        rows = np.argpartition(-scores, k - 1, axis=1)[:, :k] + start
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, rows - start, 1)], axis=1)
        merged_rows = np.concatenate([best_rows, rows], axis=1)
        keep = np.argsort(-merged_scores, axis=1)[:, :k]
        best_scores, best_rows = np.take_along_axis(merged_scores, keep, 1), np.take_along_axis(merged_rows, keep, 1)
    return best_rows


def percentile_ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(samples, q)) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exact-queries", type=int, default=30, help="single queries timed with exact numpy search")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    rotation, _ = np.linalg.qr(rng.standard_normal((args.dim, args.dim)).astype(np.float32))
    vectors = embedding_like(args.n, args.dim, rng, rotation)
    queries = embedding_like(args.queries, args.dim, rng, rotation)

    started = time.perf_counter()
    index = build_index(vectors)
    build_s = time.perf_counter() - started
    if not args.json:
        print(f"built {index.kind} over {args.n} x {args.dim} in {build_s:.1f} s", file=sys.stderr)

    latencies, found = [], []
    for query in queries:
        began = time.perf_counter()
        rows, _ = index.search(query, args.k)
        latencies.append(time.perf_counter() - began)
        found.append(rows)
    truth = exact_top_k(vectors, queries, args.k)
    recall = np.mean([len(set(f.tolist()) & set(t.tolist())) / args.k for f, t in zip(found, truth)])

    exact_latencies = []
    for query in queries[: args.exact_queries]:
        began = time.perf_counter()
        scores = vectors @ query
        top = np.argpartition(-scores, args.k - 1)[: args.k]
        top[np.argsort(-scores[top])]
        exact_latencies.append(time.perf_counter() - began)

    with tempfile.TemporaryDirectory() as folder:
        index.save(Path(folder))
        stored = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
    p50 = percentile_ms(latencies, 50)
    exact_p50 = percentile_ms(exact_latencies, 50)
    print(json.dumps({
        "bench": "retrieval", "index": index.kind, "n": args.n, "dim": args.dim, "queries": args.queries,
        "p50_ms": p50, "p99_ms": percentile_ms(latencies, 99), "recall_at_10": round(float(recall), 4),
        "build_s": round(build_s, 1), "bytes_per_vector": round(stored / args.n, 1),
        "exact_p50_ms": exact_p50, "speedup_vs_exact": round(exact_p50 / p50, 1) if p50 else None,
        "cpus": os.cpu_count(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
