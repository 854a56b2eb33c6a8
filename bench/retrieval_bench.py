"""Contract C6: latency and recall of the production ANN index on synthetic embedding-shaped data.

Each vector is normalize(R @ (diag(s) @ z)) with z ~ N(0, I_D), s_i = i^-0.5 and R a random rotation: variance
spread over directions by a power law, like real embeddings. Queries are drawn the same way (not from the index).
The index is built, saved, and opened again the way the app opens it (8-bit codes memory-mapped) before it is
timed. Above ``IN_MEMORY_MAX`` items the data is generated, indexed and scored against exact search chunk by
chunk, so a 10M x 512 run needs no 20 GB array. Reports build time, peak memory and bytes per vector.
Usage: python bench/retrieval_bench.py --n 1000000 --dim 512 --queries 1000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fashionm3.retrieval.ann import IVFPQIndex, build_index, load_index  # noqa: E402

CHUNK = 100_000
IN_MEMORY_MAX = 2_000_000


def embedding_like(n: int, dim: int, rng: np.random.Generator, rotation: np.ndarray) -> np.ndarray:
    """``n`` unit vectors whose variance follows a power law over random directions."""
    scales = np.arange(1, dim + 1, dtype=np.float32) ** -0.5
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, CHUNK):
        z = rng.standard_normal((min(CHUNK, n - start), dim), dtype=np.float32)
        block = (z * scales) @ rotation.T
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def merge_top_k(best: tuple[np.ndarray, np.ndarray], block: np.ndarray, queries: np.ndarray, offset: int, k: int):
    """Exact top-k of ``queries`` over the rows seen so far plus ``block`` (whose first row is ``offset``)."""
    best_scores, best_rows = best
    scores = queries @ block.T
    rows = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, rows, 1)], axis=1)
    merged_rows = np.concatenate([best_rows, rows + offset], axis=1)
    keep = np.argsort(-merged_scores, axis=1)[:, :k]
    return np.take_along_axis(merged_scores, keep, 1), np.take_along_axis(merged_rows, keep, 1)


def empty_top_k(queries: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((queries, k), -np.inf, np.float32), np.zeros((queries, k), np.int64)


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    best = empty_top_k(len(queries), k)
    for start in range(0, len(vectors), CHUNK):
        best = merge_top_k(best, vectors[start : start + CHUNK], queries, start, k)
    return best[1]


def streamed_build(n: int, dim: int, rng: np.random.Generator, rotation: np.ndarray, queries: np.ndarray, k: int):
    """Generate, index and score exactly chunk by chunk (the training sample is the first vectors: they are iid)."""
    first = embedding_like(min(n, 4 * CHUNK), dim, rng, rotation)
    index = IVFPQIndex.trained(first, n)
    best = empty_top_k(len(queries), k)
    done = 0
    while done < n:
        block = first if done == 0 else embedding_like(min(CHUNK, n - done), dim, rng, rotation)
        index.add(block)
        best = merge_top_k(best, block, queries, done, k)
        done += len(block)
    return index, best[1]


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


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
    parser.add_argument("--tmp", help="folder for the saved index (default: the system's temporary folder)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    rotation, _ = np.linalg.qr(rng.standard_normal((args.dim, args.dim)).astype(np.float32))
    queries = embedding_like(args.queries, args.dim, np.random.default_rng(args.seed + 1), rotation)
    in_memory = args.n <= IN_MEMORY_MAX
    started = time.perf_counter()
    if in_memory:
        vectors = embedding_like(args.n, args.dim, rng, rotation)
        started = time.perf_counter()
        index = build_index(vectors)
        build_s = time.perf_counter() - started
        truth = exact_top_k(vectors, queries, args.k)
    else:
        index, truth = streamed_build(args.n, args.dim, rng, rotation, queries, args.k)
        build_s = time.perf_counter() - started  # includes generating the data and the exact search
    if not args.json:
        print(f"built {index.kind} over {args.n} x {args.dim} in {build_s:.1f} s", file=sys.stderr)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    exact_latencies = []
    for query in queries[: args.exact_queries if in_memory else 0]:
        began = time.perf_counter()
        scores = vectors @ query
        top = np.argpartition(-scores, args.k - 1)[: args.k]
        top[np.argsort(-scores[top])]
        exact_latencies.append(time.perf_counter() - began)
    if in_memory:
        del vectors

    with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
        index.save(Path(folder))
        stored = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
        del index
        before_load = rss_bytes()
        index = load_index(Path(folder))  # as the app opens it: the 8-bit codes stay memory-mapped
        kind = index.kind
        resident = rss_bytes() - before_load
        latencies, found = [], []
        for query in queries:
            began = time.perf_counter()
            rows, _ = index.search(query, args.k)
            latencies.append(time.perf_counter() - began)
            found.append(rows)
        del index
    recall = np.mean([len(set(f.tolist()) & set(t.tolist())) / args.k for f, t in zip(found, truth)])
    p50 = percentile_ms(latencies, 50)
    exact_p50 = percentile_ms(exact_latencies, 50) if exact_latencies else None
    print(json.dumps({
        "bench": "retrieval", "index": kind, "n": args.n, "dim": args.dim, "queries": args.queries,
        "p50_ms": p50, "p99_ms": percentile_ms(latencies, 99), "recall_at_10": round(float(recall), 4),
        "build_s": round(build_s, 1), "bytes_per_vector": round(stored / args.n, 1),
        "resident_bytes_per_vector_after_load": round(resident / args.n, 1),
        "peak_rss_gb": round(peak_rss / 2**30, 2), "streamed": not in_memory,
        "exact_p50_ms": exact_p50, "speedup_vs_exact": round(exact_p50 / p50, 1) if exact_p50 and p50 else None,
        "cpus": os.cpu_count(), "omp_threads": os.environ.get("OMP_NUM_THREADS", ""),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
