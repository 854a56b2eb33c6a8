"""Load: concurrent users on the running app while a slow image URL holds a request open.

Starts the offline app in this process on a fresh data directory, then runs ``--users`` simulated API users for
``--seconds``; each repeats: search, a two-round recommendation with their own key, a like, their profile, with a
think time between actions. Meanwhile one caller keeps asking for a search by the URL of a local server that
trickles one byte every 3 s, so one such call is always in flight (the fetch guard cuts each at its 10 s deadline).
The guard refuses loopback addresses, so this harness, and only it, lets the slow server's address through.

    python bench/load.py --users 20 --seconds 180 --json

The last line is one JSON object: requests, errors and latency percentiles per action (``search_p95_ms`` is the
figure the security issue bounds at 1 s), and how many slow-URL calls were made.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import ipaddress
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

QUERIES = ["a navy shirt for a man", "red dress", "black sneakers", "something warm for winter", "a summer top",
           "white jeans", "a handbag for work", "sports shoes for running"]  # fmt: skip


class Trickle(http.server.BaseHTTPRequestHandler):
    """Answers with an image header, then one byte every 3 seconds."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"\x89")
                self.wfile.flush()
                time.sleep(3)
        except OSError:
            pass

    def log_message(self, *_: object) -> None:
        pass


def call(http: httpx.Client, api: str, *data: object) -> object:
    """One API call (``/gradio_api/call/<api>``); raises on an error event."""
    started = http.post(f"/gradio_api/call/{api}", json={"data": list(data)})
    started.raise_for_status()
    stream = http.get(f"/gradio_api/call/{api}/{started.json()['event_id']}").text
    event = [line for line in stream.splitlines() if line.startswith("event:")][-1]
    if event.strip() != "event: complete":
        raise RuntimeError(stream[-300:])
    return json.loads([line for line in stream.splitlines() if line.startswith("data:")][-1][5:])[0]


def user(url: str, stop: float, think_s: float, seed: int, timings: dict, errors: dict) -> None:
    """One simulated user's loop."""
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=60) as http:
        key = json.loads(call(http, "create_profile"))["api_key"]
        while time.monotonic() < stop:
            query = rng.choice(QUERIES)
            steps = [("search", lambda: call(http, "search_catalog", query, "", "", 6, key))]
            steps.append(("recommend_two_rounds", lambda: call(http, "recommend_outfit", query, "", key, "", "auto")))
            for name, step in steps + [("feedback", None), ("profile", lambda: call(http, "get_user_profile", key))]:
                began = time.perf_counter()
                try:
                    if name == "feedback":
                        items = json.loads(call(http, "search_catalog", query, "", "", 3, ""))
                        call(http, "record_feedback", key, items[0]["id"], rng.random() < 0.5, "")
                    elif name == "recommend_two_rounds":
                        first = json.loads(step())
                        call(http, "recommend_outfit", "cheaper", "", key, first["session_id"], "auto")
                    else:
                        step()
                    timings.setdefault(name, []).append(1000 * (time.perf_counter() - began))
                except Exception as error:  # noqa: BLE001 (counted and reported)
                    errors[name] = errors.get(name, 0) + 1
                    errors.setdefault("examples", []).append(str(error)[:200])
                time.sleep(think_s * rng.uniform(0.5, 1.5))


def slow_caller(url: str, slow_url: str, stop: float, counter: list[int]) -> None:
    """Keeps one search by a trickling image URL in flight."""
    with httpx.Client(base_url=url, timeout=60) as http:
        while time.monotonic() < stop:
            try:
                call(http, "search_catalog", "", slow_url, "", 3, "")
            except Exception:  # noqa: BLE001 (the guard is expected to refuse it at its deadline)
                counter[0] += 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a user waits between actions")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import fashionm3.images
    from fashionm3.config import Settings
    from fashionm3.security.fetch import fetch_image_bytes, public_only
    from fashionm3.service import FashionM3
    from fashionm3.ui.app import build_demo, launch_options

    trickle = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=trickle.serve_forever, daemon=True).start()
    loopback = ipaddress.ip_address("127.0.0.1")
    policy = lambda address: address == loopback or public_only(address)  # noqa: E731 (the harness's exception)
    fashionm3.images.fetch_image_bytes = functools.partial(fetch_image_bytes, policy=policy)

    with tempfile.TemporaryDirectory(prefix="fashionm3-load-") as data_dir:
        service = FashionM3.start(Settings.from_env({"FASHIONM3_BACKEND": "offline", "FASHIONM3_DATA_DIR": data_dir}))
        demo = build_demo(service)
        demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True, **launch_options(service))
        url = demo.local_url.rstrip("/")
        stop = time.monotonic() + args.seconds
        timings: dict[str, list[float]] = {}
        errors: dict = {}
        slow = [0]
        threads = [threading.Thread(target=slow_caller, args=(url, f"http://127.0.0.1:{trickle.server_port}/slow.png", stop, slow))]
        threads += [threading.Thread(target=user, args=(url, stop, args.think, n, timings, errors)) for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        demo.close()
    trickle.shutdown()
    report = {"users": args.users, "seconds": args.seconds, "think_s": args.think, "slow_url_calls": slow[0],
              "errors": sum(v for k, v in errors.items() if k != "examples"), "error_examples": errors.get("examples", [])[:3]}  # fmt: skip
    for name, values in timings.items():
        report[f"{name}_requests"] = len(values)
        report[f"{name}_p50_ms"] = round(float(np.percentile(values, 50)), 1)
        report[f"{name}_p95_ms"] = round(float(np.percentile(values, 95)), 1)
    print(json.dumps(report) if args.json else json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
