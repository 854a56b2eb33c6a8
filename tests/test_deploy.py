"""Deployment: the memory plan of the defaults, ZeroGPU refusals answered offline, background indexing with partial
search, the portable prebuilt index, and ``FASHIONM3_CATALOG=auto``."""

from __future__ import annotations

import csv
import dataclasses
import json
import threading
import time

import numpy as np
import pytest
from PIL import Image
from spaces.zero.gradio import error as zerogpu_error

from fashionm3.assistant import recommend
from fashionm3.catalog.loaders import load_catalog
from fashionm3.cli import main
from fashionm3.config import Settings
from fashionm3.deploy.plan import SLICE_BYTES, plan_json
from fashionm3.deploy.quota import QUEUE_MESSAGE, QUOTA_MESSAGE, GPUUnavailable, gpu_failure
from fashionm3.retrieval.ann import IndexOptions
from fashionm3.retrieval.background import build_in_background
from fashionm3.retrieval.encoders import OfflineEncoder
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.service import FashionM3

QUOTA = ("ZeroGPU quota exceeded", "You have exceeded your free ZeroGPU quota (60s requested vs. 12s left). Try again in 5:00:00.")


def test_default_full_mode_plan_fits_the_default_zerogpu_slice_with_room(capsys, monkeypatch):
    monkeypatch.setenv("FASHIONM3_BACKEND", "full")
    assert main(["plan", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["total_bytes"] <= 30e9 and plan["fits_default_slice"]
    assert all(entry["parameters"] > 0 and entry["bytes"] > 0 and entry["source"] for entry in plan["models"])
    flux = [entry for entry in plan["models"] if entry["model"].startswith("black-forest-labs/FLUX.1-schnell/")]
    assert {entry["model"].rsplit("/", 1)[1]: entry["dtype"] for entry in flux} == {
        "transformer": "nf4", "text_encoder_2": "nf4", "text_encoder": "bf16", "vae": "bf16"}  # fmt: skip
    assert any(entry["model"] == "h94/IP-Adapter/models/image_encoder" for entry in plan["models"])  # ViT-H, not bigG
    before = plan_json(Settings(backend="full", image_4bit="", ip_adapter="h94/IP-Adapter:sdxl_models:ip-adapter_sdxl.bin"))
    assert before["total_bytes"] > SLICE_BYTES and not before["fits_default_slice"]  # the old bf16 defaults did not fit


def test_only_zerogpu_refusals_become_gpu_unavailable():
    assert gpu_failure(RuntimeError("CUDA error")) is None
    quota, queue = gpu_failure(zerogpu_error(*QUOTA)), gpu_failure(zerogpu_error("ZeroGPU queue timeout", "No GPU"))
    assert str(quota) == QUOTA_MESSAGE and "12s left" in quota.detail and str(queue) == QUEUE_MESSAGE


def _refuse(*_args, **_kwargs):
    raise zerogpu_error(*QUOTA)  # what spaces' scheduler raises before the GPU function runs


def test_stylist_quota_error_is_explained_and_answered_by_the_offline_rules(service, tiny_vlm, monkeypatch):
    from fashionm3.stylist import vlm

    monkeypatch.setattr(vlm, "gpu_generate", _refuse)
    answer = recommend(dataclasses.replace(service, stylist=tiny_vlm), "what shoes go with my navy shirt?", [], "u-quota", "", "basic")
    assert any(QUOTA_MESSAGE in note and "offline fashion rules" in note for note in answer.notes)
    assert answer.hits and QUOTA_MESSAGE in answer.text


def test_generation_quota_error_draws_the_offline_sketch_and_says_why(service, tiny_flux, monkeypatch):
    from fashionm3.generation import diffusion

    monkeypatch.setattr(diffusion, "gpu_render", _refuse)
    picture = dataclasses.replace(service, generator=tiny_flux).visualize("a green striped shirt", seed=11)
    assert picture.images[0].size == (512, 512) and QUOTA_MESSAGE in picture.backend and "sketches" in picture.backend


def test_try_on_quota_error_serves_the_labelled_preview(service, tiny_tryon, monkeypatch):
    from test_tryon import findable_region, noise

    from fashionm3.tryon import diffusion
    from fashionm3.tryon.preview import CutoutPreview

    monkeypatch.setattr(diffusion, "gpu_inpaint", _refuse)
    person = noise(300, 200, seed=3)
    region = findable_region(tiny_tryon, person)
    garment = Image.new("RGB", (80, 80), (20, 20, 200))
    worn = dataclasses.replace(service, tryon=tiny_tryon).virtual_try_on(_png(person), garment_image=_png(garment), garment_type=region)
    expected = CutoutPreview().try_on(person, garment, region)
    assert np.array_equal(np.asarray(worn), np.asarray(expected))


def _png(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class GatedEncoder(OfflineEncoder):
    """The offline encoder, held before its second text batch until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.calls = threading.Event(), 0

    def encode_text(self, texts):
        self.calls += 1
        if self.calls == 2:
            assert self.gate.wait(60)
        return super().encode_text(texts)


def _wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_background_index_searches_what_is_covered_then_finishes_and_saves(catalog, tmp_path):
    encoder = GatedEncoder()
    engine, thread = build_in_background(catalog, encoder, tmp_path / "cache", tmp_path / "index", IndexOptions(), chunk=64)
    _wait(lambda: engine.indexing.covered == 64)
    assert engine.coverage() == f"indexing {100 * 64 // len(catalog)}%: search covers 64 of {len(catalog)} items"
    hits = engine.search("shirt", k=10).hits
    assert hits and all(catalog.position(hit.item.id) < 64 for hit in hits)
    encoder.gate.set()
    thread.join(120)
    assert engine.indexing.finished and engine.covered is None and engine.coverage() == ""
    full = SearchEngine.build(catalog, OfflineEncoder(), tmp_path / "cache")
    ids = [hit.item.id for hit in engine.search("red dress for a party", k=10).hits]
    assert ids == [hit.item.id for hit in full.search("red dress for a party", k=10).hits]
    reloaded = SearchEngine.load(tmp_path / "index", catalog, encoder)
    assert [hit.item.id for hit in reloaded.search("red dress for a party", k=10).hits] == ids


@pytest.fixture(scope="module")
def small_public_catalog(shared_catalog, tmp_path_factory):
    """The first 300 rows of the public catalog in a folder of its own (images linked, not copied)."""
    folder = tmp_path_factory.mktemp("public-300")
    with (shared_catalog / "styles.csv").open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))[:301]
    with (folder / "styles.csv").open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(rows)
    (folder / "images").symlink_to(shared_catalog / "images")
    return folder / "styles.csv"


def test_prebuilt_index_from_the_index_command_loads_without_encoding(small_public_catalog, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FASHIONM3_DATA_DIR", str(tmp_path / "builder"))
    assert main(["index", "--catalog", str(small_public_catalog), "--out", str(tmp_path / "prebuilt")]) == 0
    capsys.readouterr()
    prebuilt = str(tmp_path / "prebuilt")
    settings = Settings(backend="offline", catalog=str(small_public_catalog), data_dir=tmp_path / "space", index_source=prebuilt)
    service = FashionM3.start(settings)
    assert not (tmp_path / "space" / "embeddings").exists() and service.engine.indexing is None and not service.notice()
    built = SearchEngine.build(service.catalog, OfflineEncoder(), tmp_path / "builder" / "embeddings")
    query = "black casual shoes for men"
    assert [h.item.id for h in service.engine.search(query).hits] == [h.item.id for h in built.search(query).hits]

    other = dataclasses.replace(settings, data_dir=tmp_path / "other", catalog_limit=200)
    mismatched = FashionM3.start(other)
    assert "cannot serve this catalog" in mismatched.notice() and len(mismatched.engine.catalog) == 200
    assert mismatched.engine.search(query).hits


def test_auto_catalog_is_the_demo_without_the_hub_and_says_so(service):
    settings = Settings(backend="offline", catalog="auto", data_dir=service.settings.data_dir)  # the demo drawn once
    assert load_catalog(settings, hub_reachable=False).name == load_catalog(dataclasses.replace(settings, catalog="demo"), False).name
    assert load_catalog(settings, hub_reachable=True).source == load_catalog(settings, hub_reachable=False).source  # Hub fails
    with pytest.raises(Exception, match="Could not load the Hub dataset"):
        load_catalog(dataclasses.replace(settings, catalog="hf:"), hub_reachable=True)
    assert "drawn demo catalog" in FashionM3.start(settings).notice()
