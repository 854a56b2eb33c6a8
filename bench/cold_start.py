"""Measure how long `python app.py` takes to answer HTTP 200 on `/` (offline, fresh or warm data dir).

Usage: python bench/cold_start.py [--warm] [--catalog PATH] [--repeat N] [--search] [--json]
  -> prints one JSON object as its last line: wall seconds to HTTP 200 (median and each run), the app process's CPU
  seconds (user + system) spent by then, when the service said it was ready, and the load average around each run.
  ``--catalog`` points FASHIONM3_CATALOG at a styles.csv (e.g. ../shared/data/fashion-products/styles.csv);
  ``--search`` then also times the first search through the API while the index is still being built, and how long
  after the start a search first returns items.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = re.compile(r"FashionM3 ready in ([0-9.]+) s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process (all its threads) has used so far (Linux; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_search(url: str, started: float, query: str = "red dress", limit: float = 120.0) -> dict[str, object]:
    """``search_catalog`` through the API right after the page answers, repeated until items come back: the first
    call's seconds and items, and seconds from the app's start until a search returned items (or None)."""
    from gradio_client import Client

    client, began = Client(url, verbose=False), time.perf_counter()
    items = json.loads(client.predict(query=query, k=5, api_name="/search_catalog"))
    result: dict[str, object] = {"search_s": round(time.perf_counter() - began, 2), "search_items": len(items)}
    while not items and time.perf_counter() - began < limit:
        time.sleep(0.5)
        items = json.loads(client.predict(query=query, k=5, api_name="/search_catalog"))
    result["items_after_s"] = round(time.perf_counter() - started, 2) if items else None
    return result


@contextlib.contextmanager
def running_app(data_dir: Path, catalog: str | None = None, limit: float = 60.0) -> Iterator[dict[str, object]]:
    """``python app.py`` offline on ``data_dir``, polled until ``/`` answers or ``limit`` seconds pass; yields its
    url, HTTP status, page, seconds and CPU seconds until then and the log path; stopped on exit."""
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FASHIONM3_DATA_DIR": str(data_dir), "GRADIO_SERVER_PORT": str(port)}
    if catalog:
        env["FASHIONM3_CATALOG"] = catalog
    log_path = Path(data_dir).parent / f"app-{port}.log"
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        status, page = None, ""
        while time.perf_counter() - started < limit and process.poll() is None and status is None:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=2) as response:
                    status, page = response.status, response.read().decode(errors="replace")
            except OSError:
                time.sleep(0.1)
        seconds, cpu = time.perf_counter() - started, cpu_seconds(process.pid)
        yield {"url": url, "started": started, "status": status, "page": page, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
               "log_path": log_path, "process": process}  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure_cold_start(
    data_dir: Path, limit: float = 60.0, catalog: str | None = None, search: bool = False
) -> dict[str, object]:
    """Start ``python app.py`` offline with ``data_dir``; return seconds until HTTP 200, CPU seconds, page and log."""
    load_before = os.getloadavg()[0]
    with running_app(data_dir, catalog, limit) as app:
        result = {key: app[key] for key in ("status", "seconds", "cpu_seconds", "page")}
        if search and app["status"] == 200:
            result.update(first_search(str(app["url"]), app["started"]))  # type: ignore[arg-type]
    text = Path(app["log_path"]).read_text()  # type: ignore[arg-type]
    ready = READY.search(text)
    return {**result, "ready_s": float(ready.group(1)) if ready else None,
            "load": [round(load_before, 2), round(os.getloadavg()[0], 2)], "log": text}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", action="store_true", help="start twice on one data dir and report the second")
    parser.add_argument("--catalog", help="FASHIONM3_CATALOG for the app (default: the drawn demo catalog)")
    parser.add_argument("--repeat", type=int, default=1, help="measure this many starts (each on a fresh data dir)")
    parser.add_argument("--search", action="store_true", help="also time one search right after the first HTTP 200")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder) / "data"
            result = measure_cold_start(data_dir, catalog=args.catalog, search=args.search)
            if args.warm:
                result = measure_cold_start(data_dir, catalog=args.catalog, search=args.search)
        runs.append(result)
        if not args.json:
            print(result["log"][-2000:])
    keys = ("status", "seconds", "cpu_seconds", "ready_s", "load", "search_s", "search_items", "items_after_s")
    summary = {
        "bench": "cold_start", "warm": args.warm, "catalog": args.catalog or "demo", "cpus": os.cpu_count(),
        "status": runs[-1]["status"], "seconds": statistics.median(run["seconds"] for run in runs),  # type: ignore[misc]
        "cpu_seconds": statistics.median(run["cpu_seconds"] for run in runs),  # type: ignore[misc]
        "runs": [{key: run[key] for key in keys if key in run} for run in runs],
    }  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
