"""Measure how long `python app.py` takes to answer HTTP 200 on `/` (offline, fresh or warm data dir).

Usage: python bench/cold_start.py [--warm] [--json]   -> prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure_cold_start(data_dir: Path, limit: float = 60.0) -> dict[str, object]:
    """Start ``python app.py`` offline with ``data_dir``; return seconds until HTTP 200 and the log."""
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FASHIONM3_DATA_DIR": str(data_dir), "GRADIO_SERVER_PORT": str(port)}
    log_path = Path(data_dir).parent / f"app-{port}.log"
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        status = None
        try:
            while time.perf_counter() - started < limit and process.poll() is None and status is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                        status = response.status
                except OSError:
                    time.sleep(0.25)
            seconds = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"status": status, "seconds": round(seconds, 2), "log": log_path.read_text()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", action="store_true", help="start twice on one data dir and report the second")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        result = measure_cold_start(data_dir)
        if args.warm:
            result = measure_cold_start(data_dir)
    summary = {"bench": "cold_start", "warm": args.warm, "status": result["status"], "seconds": result["seconds"], "cpus": os.cpu_count()}
    if not args.json:
        print(result["log"][-2000:])
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
