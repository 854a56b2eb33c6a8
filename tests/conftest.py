"""Shared, session-scoped fixtures: one offline service, one running app, the real public catalog when present."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parents[1]
SHARED_CATALOG = Path(os.environ.get("FASHIONM3_TEST_CATALOG", ROOT.parent / "shared" / "data" / "fashion-products"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fashionm3-data")


@pytest.fixture(scope="session")
def settings(data_dir: Path):
    from fashionm3.config import Settings

    return Settings.from_env({"FASHIONM3_BACKEND": "offline", "FASHIONM3_DATA_DIR": str(data_dir)})


@pytest.fixture(scope="session")
def service(settings):
    from fashionm3.service import FashionM3

    return FashionM3.start(settings)


@pytest.fixture(scope="session")
def catalog(service):
    return service.catalog


@pytest.fixture(scope="session")
def demo(service):
    """The full app (UI + API + MCP) served on a free local port; ``demo.local_url`` is its address."""
    from fashionm3.ui.app import build_demo, launch_options

    demo = build_demo(service)
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True, **launch_options(service))
    yield demo
    demo.close()


@pytest.fixture(scope="session")
def app_url(demo) -> str:
    return demo.local_url.rstrip("/")


@pytest.fixture(scope="session")
def client(app_url: str):
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def shared_catalog() -> Path:
    """The public product catalog (``../shared/data/fashion-products``); tests using it skip when it is absent."""
    if not (SHARED_CATALOG / "styles.csv").is_file():
        pytest.skip(f"public catalog not found at {SHARED_CATALOG} (set FASHIONM3_TEST_CATALOG)")
    return SHARED_CATALOG


@pytest.fixture(scope="session")
def tiny_clip_name(tmp_path_factory: pytest.TempPathFactory) -> str:
    from tiny_models import register_tiny_open_clip

    return register_tiny_open_clip(tmp_path_factory.mktemp("tiny-clip"))


@pytest.fixture(scope="session")
def tiny_vlm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import build_tiny_qwen_vl

    return build_tiny_qwen_vl(tmp_path_factory.mktemp("tiny-qwen-vl"))


@pytest.fixture(scope="session")
def tiny_vlm(tiny_vlm_path: Path):
    """The tiny Qwen3-VL loaded through the production code: 4-bit NF4 with bitsandbytes, on CPU."""
    from fashionm3.stylist.vlm import VLMStylist

    return VLMStylist(str(tiny_vlm_path), device="cpu", quantize=True)


@pytest.fixture(scope="session")
def tiny_flux_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import build_tiny_flux

    return build_tiny_flux(tmp_path_factory.mktemp("tiny-flux") / "pipeline")


@pytest.fixture(scope="session")
def tiny_sd_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import build_tiny_stable_diffusion

    return build_tiny_stable_diffusion(tmp_path_factory.mktemp("tiny-sd") / "pipeline")


@pytest.fixture(scope="session")
def tiny_flux(tiny_flux_path: Path):
    """The tiny FLUX pipeline loaded through the production generator (2 steps, 64 px, CPU)."""
    from fashionm3.generation.diffusion import DiffusersGenerator

    return DiffusersGenerator(str(tiny_flux_path), device="cpu", steps=2, size=64)


@pytest.fixture(scope="session")
def tiny_tryon(tmp_path_factory: pytest.TempPathFactory):
    """Tiny SegFormer parser + tiny SD inpainting loaded through the production try-on (128 px, 2 steps, CPU)."""
    from tiny_models import build_tiny_segformer, build_tiny_stable_diffusion

    from fashionm3.tryon.diffusion import DiffusionTryOn

    folder = tmp_path_factory.mktemp("tiny-tryon")
    parser, inpainter = build_tiny_segformer(folder / "parser"), build_tiny_stable_diffusion(folder / "inpaint", inpainting=True)
    return DiffusionTryOn(str(parser), str(inpainter), "", device="cpu", side=128, steps=2)


@pytest.fixture
def mini_catalog():
    """The hand-built catalog of ``mutation_catalog`` (no pictures), a new object for every test: each test then
    builds its own query vocabulary (cached per catalog), so mutmut links every test to the code that builds it."""
    from mutation_catalog import catalog

    return catalog()


@pytest.fixture(scope="session")
def mini_engine():
    """A text search engine over the hand-built catalog (exact index, the offline MiniLM encoder)."""
    from mutation_catalog import catalog, encoder

    from fashionm3.retrieval.engine import SearchEngine

    return SearchEngine.build(catalog(), encoder())


@pytest.fixture(scope="session")
def mini_pictured(tmp_path_factory: pytest.TempPathFactory):
    """The same hand-built catalog with a drawn picture for every item."""
    from mutation_catalog import pictured_catalog

    return pictured_catalog(tmp_path_factory.mktemp("mini-pictures"))


@pytest.fixture(scope="session")
def mini_photo_engine(mini_pictured):
    """A text + photo search engine over ``mini_pictured``."""
    from mutation_catalog import encoder

    from fashionm3.retrieval.engine import SearchEngine

    return SearchEngine.build(mini_pictured, encoder())
