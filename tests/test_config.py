import time

import pytest

from fashionm3.config import Environment, Settings, probe_environment, resolve_mode


def test_defaults_and_env_overrides(tmp_path):
    settings = Settings.from_env({"FASHIONM3_BACKEND": "OFFLINE", "FASHIONM3_DATA_DIR": str(tmp_path), "FASHIONM3_STUDY": "1"})
    assert settings.backend == "offline"
    assert settings.data_dir == tmp_path
    assert settings.study is True
    assert Settings.from_env({}).backend == "auto"
    assert Settings.from_env({}).catalog == "auto"


def test_invalid_backend_is_rejected():
    with pytest.raises(ValueError, match="auto, full or offline"):
        Settings.from_env({"FASHIONM3_BACKEND": "turbo"})


@pytest.mark.parametrize(
    ("hub", "gpu", "expected"),
    [(True, "cuda", "full"), (True, "zerogpu", "full"), (False, "cuda", "offline"), (True, None, "offline")],
)
def test_auto_resolves_from_probes(hub, gpu, expected):
    environment = Environment(hub_reachable=hub, gpu=gpu, notice="")
    assert resolve_mode(Settings(backend="auto"), environment) == expected
    assert resolve_mode(Settings(backend="offline"), environment) == "offline"


def test_offline_hub_is_detected_at_once():
    probe_environment.cache_clear()
    started = time.perf_counter()
    environment = probe_environment(3.0)
    assert time.perf_counter() - started < 2.0
    assert environment.hub_reachable is False
    assert "offline backends" in environment.notice


def test_unreachable_hub_is_detected_quickly(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # loopback, nothing listens there
    probe_environment.cache_clear()
    started = time.perf_counter()
    environment = probe_environment(1.0)
    probe_environment.cache_clear()
    assert environment.hub_reachable is False
    assert time.perf_counter() - started < 3.0
