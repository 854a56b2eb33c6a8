"""Full mode end to end: ``python app.py`` with FASHIONM3_BACKEND=full on tiny random models of every architecture
(Qwen3-VL stylist in 4-bit, FLUX with its T5 in NF4, SegFormer + SD inpainting try-on, an open_clip encoder),
driven through the API; and the memory plan of the same models against their weight files."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from conftest import ROOT, free_port
from test_app import chat
from test_store import _wait_for_http


@pytest.fixture(scope="module")
def full_env(tmp_path_factory, tiny_vlm_path, tiny_flux_path) -> dict[str, str]:
    from tiny_models import build_tiny_open_clip_dir, build_tiny_segformer, build_tiny_stable_diffusion

    folder = tmp_path_factory.mktemp("full-mode")
    parser, inpainter = build_tiny_segformer(folder / "parser"), build_tiny_stable_diffusion(folder / "inpaint", inpainting=True)
    return {
        **os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
        "FASHIONM3_BACKEND": "full", "FASHIONM3_CATALOG": "demo", "FASHIONM3_DATA_DIR": str(folder / "data"),
        "FASHIONM3_VLM_MODEL": str(tiny_vlm_path), "FASHIONM3_IMAGE_MODEL": str(tiny_flux_path),
        "FASHIONM3_IMAGE_STEPS": "2", "FASHIONM3_IMAGE_SIZE": "64", "FASHIONM3_PARSING_MODEL": str(parser),
        "FASHIONM3_INPAINT_MODEL": str(inpainter), "FASHIONM3_IP_ADAPTER": "",
        "FASHIONM3_ENCODER_MODEL": build_tiny_open_clip_dir(folder / "open-clip"),
    }  # fmt: skip


@pytest.fixture(scope="module")
def full_app(full_env) -> tuple[str, Path]:
    port = free_port()
    log = Path(full_env["FASHIONM3_DATA_DIR"]).parent / "app.log"
    env = {**full_env, "GRADIO_SERVER_PORT": str(port)}
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_for_http(url, process, 150)
        except AssertionError as error:
            pytest.fail(f"{error}:\n{log.read_text()[-3000:]}")
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_full_mode_serves_every_model_backend_through_the_api(full_app, full_env):
    url, log = full_app
    client = Client(url, verbose=False)
    with urllib.request.urlopen(url) as response:
        page = response.read().decode()
    assert "AI mode" in page and "Demo mode" not in page
    for label in ("4-bit NF4, transformers", "diffusers FluxPipeline, 2 steps, NF4: text_encoder_2", "inpainting",
                  "open_clip local-dir:"):  # fmt: skip
        assert label in page

    items = json.loads(client.predict(query="red shirt", k=3, api_name="/search_catalog"))
    assert len(items) == 3 and all(item["id"] for item in items)

    vlm = full_env["FASHIONM3_VLM_MODEL"]
    assert "fm3-card" in chat(client, "what goes with a navy shirt?")  # the model behind it: the API check below
    photo = next((Path(full_env["FASHIONM3_DATA_DIR"]) / "demo-catalog").rglob("*.jpg"))
    assert "fm3-card" in chat(client, "what goes with this?", [photo])
    first = json.loads(client.predict("shoes for my navy shirt", "", "", "", "basic", api_name="/recommend_outfit"))
    darker = json.loads(client.predict("darker", "", "", first["session_id"], "auto", api_name="/recommend_outfit"))
    assert vlm in first["backend"] and vlm in darker["backend"] and darker["session_id"] == first["session_id"]

    generated = Image.open(client.predict("a red striped shirt", 3, api_name="/generate_product_image"))
    assert generated.size == (64, 64)  # FLUX at FASHIONM3_IMAGE_SIZE; the offline sketch is 512 px

    person = Image.fromarray((np.random.default_rng(0).random((192, 128, 3)) * 255).astype(np.uint8))
    garment = Image.new("RGB", (64, 64), (200, 30, 30))
    region = _found_region(full_env, person)
    worn = Image.open(client.predict(_data_uri(person), "", _data_uri(garment), region, api_name="/virtual_try_on"))
    assert worn.size == (128, 192)
    assert "GPU memory plan" in log.read_text()


def _data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _found_region(env: dict[str, str], person: Image.Image) -> str:
    """The garment region the app's random tiny parser finds in the photo (the same weights, loaded here)."""
    from test_tryon import findable_region

    from fashionm3.tryon.diffusion import MODEL_SIDE, DiffusionTryOn

    parser = DiffusionTryOn(env["FASHIONM3_PARSING_MODEL"], env["FASHIONM3_INPAINT_MODEL"], "", device="cpu", side=MODEL_SIDE, steps=1)
    return findable_region(parser, person)


def test_plan_counts_the_tiny_models_weight_files(full_env):
    from safetensors import safe_open

    output = subprocess.run([sys.executable, "-m", "fashionm3", "plan", "--json"], cwd=ROOT, env=full_env, capture_output=True,
                            text=True, timeout=120, check=True).stdout  # fmt: skip
    plan = json.loads(output)
    assert {"models", "total_bytes"} <= set(plan) and plan["total_bytes"] == sum(entry["bytes"] for entry in plan["models"])
    assert {entry["role"] for entry in plan["models"]} == {"stylist", "image generation", "try-on", "retrieval"}
    for entry in plan["models"]:
        path = Path(entry["model"].removeprefix("local-dir:"))
        expected = 0
        for file in sorted(path.glob("*.safetensors")):
            with safe_open(str(file), "pt") as weights:
                expected += sum(weights.get_tensor(name).numel() for name in weights.keys())
        assert entry["parameters"] == expected > 0, entry["model"]
    flux = {entry["model"].rsplit("/", 1)[-1]: entry for entry in plan["models"] if entry["role"] == "image generation"}
    assert flux["transformer"]["dtype"] == flux["text_encoder_2"]["dtype"] == "nf4" and flux["vae"]["dtype"] == "bf16"
    assert flux["text_encoder_2"]["bytes"] < flux["text_encoder_2"]["parameters"] * 2 * 0.6  # NF4 shrinks its Linear layers
