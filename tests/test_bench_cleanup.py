"""Benchmarks leave nothing behind: the temporary data folder of bench/stylist_overhead.py goes when it ends."""

import json
import os
import subprocess
import sys

from conftest import ROOT


def test_stylist_overhead_bench_removes_its_temporary_folder(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TMPDIR": str(scratch)}
    result = subprocess.run([sys.executable, "bench/stylist_overhead.py", "--items", "200", "--turns", "2", "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["items"] == 200 and report["turns"] == 2
    assert sorted(path.name for path in scratch.glob("fm3-*")) == []  # (torch keeps its own compile cache there)
