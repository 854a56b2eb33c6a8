"""The benchmark scripts run and print their contract JSON (small sizes here; full sizes in the README)."""

import json
import os
import subprocess
import sys

from conftest import ROOT


def run_bench(*args):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, *args, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_retrieval_bench_prints_the_c6_fields():
    report = run_bench("bench/retrieval_bench.py", "--n", "60000", "--dim", "32", "--queries", "50")
    assert {"p50_ms", "p99_ms", "recall_at_10", "build_s", "bytes_per_vector"} <= set(report)
    assert report["index"] == "ivf-pq-fastscan-sq8"
    assert report["recall_at_10"] >= 0.9
    assert report["bytes_per_vector"] < 32 * 4  # 8-bit codes, not float32 copies


def test_retrieval_quality_reports_both_query_sets_on_both_splits(shared_catalog):
    report = run_bench(
        "bench/retrieval_quality.py", "--catalog", str(shared_catalog),
        "--max-items", "6000", "--text-queries", "30", "--image-queries", "40",
    )  # fmt: skip
    for split in ("dev", "heldout"):
        for name in ("text_templates", "text_shopper"):
            text = report[split][name]
            assert {"bm25", "minilm", "offline", "queries", "skipped", "offline_by_kind"} <= set(text)
            assert text["queries"] > 0 and text["offline"] > max(text["bm25"], text["minilm"])
        photo = report[split]["photo"]
        assert photo["app_type"] > photo["mean_colour_type"] and photo["app_colour"] > photo["thumbnail_colour"]
        assert 0 < photo["app_type_colour_ndcg"] <= 1


def test_stylist_overhead_bench_separates_model_compute():
    report = run_bench("bench/stylist_overhead.py", "--items", "2000", "--turns", "12")
    assert report["items"] == 2000 and report["turns"] == 12
    assert 0 < report["overhead_p50_ms"] <= report["turn_p50_ms"]
