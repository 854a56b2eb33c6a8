"""Orchestration overhead per chat turn (everything except model compute) on a 10k-item catalog.

Model compute = the encoder's forward passes (query text, photos) and the stylist backend's generation; both
are timed by wrapping them, and subtracted from each turn's wall time. Prints one JSON object (last line).

    python bench/stylist_overhead.py --items 10000 --turns 60 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fashionm3.assistant import recommend  # noqa: E402
from fashionm3.catalog.demo import demo_catalog  # noqa: E402
from fashionm3.catalog.schema import Catalog  # noqa: E402
from fashionm3.retrieval.encoders import OfflineEncoder  # noqa: E402
from fashionm3.retrieval.engine import SearchEngine  # noqa: E402
from fashionm3.service import FashionM3  # noqa: E402
from fashionm3.config import Settings  # noqa: E402

MESSAGES = ["what shoes go with my navy shirt and grey jeans?", "darker", "cheaper", "show me another option",
            "a black handbag for a woman under 90", "more formal"]  # fmt: skip


class TimedEncoder:
    """The offline encoder, with the time spent in its forward passes added up."""

    def __init__(self, encoder: OfflineEncoder):
        self.inner, self.seconds = encoder, 0.0

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.inner, name)

    def encode_text(self, texts):  # noqa: ANN001, ANN201
        return self._timed(self.inner.encode_text, texts)

    def encode_images(self, images):  # noqa: ANN001, ANN201
        return self._timed(self.inner.encode_images, images)

    def _timed(self, function, batch):  # noqa: ANN001, ANN202
        began = time.perf_counter()
        try:
            return function(batch)
        finally:
            self.seconds += time.perf_counter() - began


def scaled_catalog(base: Catalog, size: int) -> Catalog:
    """``size`` items: copies of the demo products with new ids (their pictures are reused, so encoding is cached)."""
    items = [dataclasses.replace(base.items[n % len(base)], id=str(1_000_000 + n)) for n in range(size)]
    return Catalog(items, f"demo x{size // len(base)}", base.source, base.image_root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fm3-overhead-") as folder:  # removed afterwards, also on errors
        result = measure(Path(folder), args.items, args.turns)
    print(json.dumps(result) if args.json else result)


def measure(data_dir: Path, items: int, turns: int) -> dict[str, object]:
    """Orchestration overhead per turn over ``turns`` chat turns on a catalog of ``items`` items in ``data_dir``."""
    settings = Settings.from_env({"FASHIONM3_BACKEND": "offline", "FASHIONM3_DATA_DIR": str(data_dir)})
    service = FashionM3.start(settings)
    catalog = scaled_catalog(demo_catalog(data_dir), items)
    encoder = TimedEncoder(service.engine.encoder)  # type: ignore[arg-type]
    engine = SearchEngine.build(catalog, encoder, data_dir / "embeddings")  # type: ignore[arg-type]
    service = dataclasses.replace(service, catalog=catalog, engine=engine)
    recommend(service, MESSAGES[0], user_id="warm-up")
    overheads, walls = [], []
    session = ""
    for turn in range(turns):
        encoder.seconds = 0.0
        began = time.perf_counter()
        answer = recommend(service, MESSAGES[turn % len(MESSAGES)], user_id="bench", session_id=session)
        wall = time.perf_counter() - began
        session = answer.session_id if turn % len(MESSAGES) else ""
        walls.append(wall)
        overheads.append(wall - encoder.seconds)  # the offline stylist has no model compute of its own
    result: dict[str, object] = {
        "items": len(catalog),
        "turns": turns,
        "overhead_p50_ms": round(1000 * float(np.percentile(overheads, 50)), 2),
        "overhead_p95_ms": round(1000 * float(np.percentile(overheads, 95)), 2),
        "turn_p50_ms": round(1000 * float(np.percentile(walls, 50)), 2),
    }
    service.store.engine.dispose()
    return result


if __name__ == "__main__":
    main()
