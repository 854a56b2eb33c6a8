"""One settings object, read from ``FASHIONM3_*`` environment variables.

Every backend is chosen from here. ``auto`` probes the Hugging Face Hub and the GPU once, in seconds, and
falls back to the offline backends with a visible notice instead of hanging on unreachable downloads.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import secrets
import socket
from pathlib import Path
from typing import Literal

BackendMode = Literal["auto", "full", "offline"]

DEFAULT_HF_DATASET = "ashraq/fashion-product-images-small"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Runtime configuration. Build it with :meth:`from_env`; every field maps to one env var."""

    backend: BackendMode = "auto"
    catalog: str = "demo"
    catalog_limit: int = 0  # 0 = every row
    data_dir: Path = Path(".fashionm3")
    device: str = "auto"
    study: bool = False
    study_file: str = ""  # JSON/YAML study protocol; empty = the built-in five tasks
    study_admin_token: str = ""  # unlocks the researchers' export in the UI; empty = no UI export
    study_dataset: str = ""  # private Hugging Face dataset the study export is pushed to every 10 minutes
    encoder_model: str = "hf-hub:Marqo/marqo-fashionSigLIP"
    stylist: str = "auto"  # auto (VLM when models can run), vlm, openai or offline
    vlm_model: str = "Qwen/Qwen3-VL-4B-Instruct"
    vlm_4bit: bool = True
    openai_base_url: str = ""
    openai_model: str = ""
    openai_api_key: str = ""
    generator: str = "auto"  # auto (diffusers when models can run), diffusers or sketch
    image_model: str = "black-forest-labs/FLUX.1-schnell"
    image_steps: int = 0  # 0 = the model's preset
    image_size: int = 0  # 0 = the model's preset
    tryon: str = "auto"  # auto (diffusion when models can run), diffusion or preview
    parsing_model: str = "mattmdjaga/segformer_b2_clothes"
    inpaint_model: str = "diffusers/stable-diffusion-xl-1.0-inpainting-0.1"
    ip_adapter: str = "h94/IP-Adapter:sdxl_models:ip-adapter_sdxl.bin"  # repo:subfolder:weights; empty = none
    index: str = "auto"
    milvus_uri: str = ""
    milvus_token: str = ""
    database_url: str = ""  # empty = SQLite in the data directory; e.g. postgresql+psycopg://user:pw@host/db
    secret: str = ""  # signs the per-browser user id; empty = a random one kept in the data directory
    hub_probe_timeout: float = 3.0
    max_message_chars: int = 2000
    max_image_pixels: int = 80_000_000
    allow_image_urls: bool = True  # False: images given as http(s) URLs are refused (no outbound fetches)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Read settings from ``FASHIONM3_*`` variables (unset ones keep their defaults)."""
        env = os.environ if environ is None else environ
        defaults = cls()

        def get(name: str, default: object) -> str:
            return env.get(f"FASHIONM3_{name}", str(default)).strip()

        def flag(name: str, default: str) -> bool:
            return get(name, default).lower() in ("1", "true", "yes", "on")

        backend = get("BACKEND", defaults.backend).lower()
        if backend not in ("auto", "full", "offline"):
            raise ValueError(f"FASHIONM3_BACKEND must be auto, full or offline, not {backend!r}")
        index = get("INDEX", defaults.index).lower()
        if index not in ("auto", "exact", "ann", "milvus"):
            raise ValueError(f"FASHIONM3_INDEX must be auto, exact, ann or milvus, not {index!r}")
        stylist = get("STYLIST", defaults.stylist).lower()
        if stylist not in ("auto", "vlm", "openai", "offline"):
            raise ValueError(f"FASHIONM3_STYLIST must be auto, vlm, openai or offline, not {stylist!r}")
        generator = get("GENERATOR", defaults.generator).lower()
        if generator not in ("auto", "diffusers", "sketch"):
            raise ValueError(f"FASHIONM3_GENERATOR must be auto, diffusers or sketch, not {generator!r}")
        tryon = get("TRYON", defaults.tryon).lower()
        if tryon not in ("auto", "diffusion", "preview"):
            raise ValueError(f"FASHIONM3_TRYON must be auto, diffusion or preview, not {tryon!r}")
        return cls(
            backend=backend,  # type: ignore[arg-type]
            catalog=get("CATALOG", defaults.catalog),
            catalog_limit=int(get("CATALOG_LIMIT", defaults.catalog_limit)),
            data_dir=Path(get("DATA_DIR", _default_data_dir())).expanduser(),
            device=get("DEVICE", defaults.device).lower(),
            study=flag("STUDY", "0"),
            study_file=get("STUDY_FILE", defaults.study_file),
            study_admin_token=get("STUDY_ADMIN_TOKEN", defaults.study_admin_token),
            study_dataset=get("STUDY_DATASET", defaults.study_dataset),
            encoder_model=get("ENCODER_MODEL", defaults.encoder_model),
            stylist=stylist,
            vlm_model=get("VLM_MODEL", defaults.vlm_model),
            vlm_4bit=flag("VLM_4BIT", "1"),
            openai_base_url=get("OPENAI_BASE_URL", defaults.openai_base_url),
            openai_model=get("OPENAI_MODEL", defaults.openai_model),
            openai_api_key=get("OPENAI_API_KEY", env.get("OPENAI_API_KEY", "")),
            generator=generator,
            image_model=get("IMAGE_MODEL", defaults.image_model),
            image_steps=int(get("IMAGE_STEPS", defaults.image_steps)),
            image_size=int(get("IMAGE_SIZE", defaults.image_size)),
            tryon=tryon,
            parsing_model=get("PARSING_MODEL", defaults.parsing_model),
            inpaint_model=get("INPAINT_MODEL", defaults.inpaint_model),
            ip_adapter=get("IP_ADAPTER", defaults.ip_adapter),
            index=index,
            milvus_uri=get("MILVUS_URI", defaults.milvus_uri),
            milvus_token=get("MILVUS_TOKEN", defaults.milvus_token),
            database_url=get("DATABASE_URL", defaults.database_url),
            secret=get("SECRET", defaults.secret),
            hub_probe_timeout=float(get("HUB_PROBE_TIMEOUT", defaults.hub_probe_timeout)),
            max_message_chars=int(get("MAX_MESSAGE_CHARS", defaults.max_message_chars)),
            max_image_pixels=int(get("MAX_IMAGE_PIXELS", defaults.max_image_pixels)),
            allow_image_urls=flag("ALLOW_IMAGE_URLS", "1"),
        )


def browser_secret(settings: Settings) -> str:
    """The key that encrypts the user id kept in the browser: ``FASHIONM3_SECRET``, else one stored in the data dir.

    Either way it survives restarts, so returning visitors keep their id (and their history).
    """
    if settings.secret:
        return settings.secret
    path = settings.data_dir / "browser-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _default_data_dir() -> str:
    """A Space's persistent storage (``/data``) when mounted, else ``.fashionm3`` in the working directory."""
    persistent = Path("/data")
    if persistent.is_dir() and os.access(persistent, os.W_OK):
        return str(persistent / "fashionm3")
    return ".fashionm3"


@dataclasses.dataclass(frozen=True)
class Environment:
    """What the probes found: whether model weights can be fetched and whether a GPU can run them."""

    hub_reachable: bool
    gpu: str | None  # "cuda", "zerogpu" or None
    notice: str

    @property
    def models_can_run(self) -> bool:
        return self.hub_reachable and self.gpu is not None


@functools.lru_cache(maxsize=4)
def probe_environment(timeout: float = 3.0) -> Environment:
    """Probe the Hub and the GPU once per process; never blocks for longer than ``timeout`` seconds."""
    hub = _hub_reachable(timeout)
    gpu = _gpu_kind()
    missing = [name for name, ok in (("Hugging Face Hub", hub), ("GPU", gpu is not None)) if not ok]
    notice = "" if not missing else f"No {' and no '.join(missing)} reachable: serving the offline backends."
    return Environment(hub_reachable=hub, gpu=gpu, notice=notice)


def _hub_reachable(timeout: float) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        return False
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    hostname, _, port = host.partition(":")
    try:
        with socket.create_connection((hostname, int(port or 443)), timeout=timeout):
            return True
    except OSError:
        return False


def _gpu_kind() -> str | None:
    if os.environ.get("SPACES_ZERO_GPU"):
        return "zerogpu"
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) == "":
        return None
    if not Path("/proc/driver/nvidia").exists() and not os.environ.get("NVIDIA_VISIBLE_DEVICES"):
        return None  # no driver: skip the multi-second torch import
    import torch

    return "cuda" if torch.cuda.is_available() else None


def backend_choice(choice: str, mode: str, model: str, offline: str) -> str:
    """A backend setting with ``auto`` resolved for the mode: ``model`` in full mode, else ``offline``."""
    if choice != "auto":
        return choice
    return model if mode == "full" else offline


def resolve_mode(settings: Settings, environment: Environment | None = None) -> Literal["full", "offline"]:
    """Turn ``auto`` into ``full`` or ``offline`` using the probes; ``full`` and ``offline`` are taken as given."""
    if settings.backend != "auto":
        return settings.backend
    env = environment or probe_environment(settings.hub_probe_timeout)
    return "full" if env.models_can_run else "offline"
