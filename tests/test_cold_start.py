"""`python app.py` on a fresh data directory answers HTTP 200 within 60 s (contract C2)."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from cold_start import measure_cold_start  # noqa: E402

LIMIT_SECONDS = 60


def test_app_py_serves_offline_within_a_minute(tmp_path):
    result = measure_cold_start(tmp_path / "data", limit=LIMIT_SECONDS)
    assert result["status"] == 200, f"no HTTP 200 after {result['seconds']} s; log:\n{result['log'][-3000:]}"
    assert "serving the offline backends" in result["log"]
    assert "Drawing the demo catalog" in result["log"]  # it really was a cold start
