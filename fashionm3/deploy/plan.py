"""The GPU memory plan (contract C7): which full-mode model sits on the GPU, how many parameters, in what precision,
and how many bytes, computed offline without loading anything.

ZeroGPU packs every tensor placed on ``cuda`` at startup and moves the pack onto the GPU for each call; a pack over
~45 GB silently switches the Space to the full card at twice the quota cost. The plan shows the pack before it exists.
Local model folders are counted from the tensors in their weight files (safetensors headers, or ``.bin`` files
memory-mapped); Hub checkpoints use :data:`PUBLISHED`, whose every number names its source.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path

from fashionm3.config import Settings, backend_choice

log = logging.getLogger(__name__)

# Bytes per parameter. NF4 stores 4 bits per weight plus one absmax per 64-weight block: an fp32 absmax without
# double quantisation (diffusers' default), an 8-bit absmax with an fp32 scale per 256 blocks with it (the VLM).
BYTES = {"fp32": 4.0, "bf16": 2.0, "nf4": 0.5 + 4 / 64, "nf4-dq": 0.5 + 1 / 64 + 4 / (64 * 256)}
SLICE_BYTES = 45_100_000_000  # the pack size above which ZeroGPU switches to the full card (spaces 0.51.3 source)


@dataclasses.dataclass(frozen=True)
class Published:
    """A Hub checkpoint's size: all parameters, those inside ``nn.Linear`` layers (what NF4 quantises), a source."""

    parameters: int
    linear: int
    source: str


_META = "counted by instantiating the published config on the meta device (accelerate.init_empty_weights)"
PUBLISHED: dict[str, Published] = {
    "black-forest-labs/FLUX.1-schnell/transformer": Published(
        11_891_178_560, 11_888_099_328,
        f"FluxTransformer2DModel (19+38 blocks, 3072 wide, no guidance embedder), {_META}",
    ),
    "black-forest-labs/FLUX.1-schnell/text_encoder_2": Published(
        4_762_310_656, 4_630_511_616,
        f"T5 v1.1 XXL encoder (24 layers, 4096 wide, 32,128 tokens), {_META}",
    ),
    "black-forest-labs/FLUX.1-schnell/text_encoder": Published(
        123_060_480, 0,
        f"CLIP ViT-L/14 text model, {_META}",
    ),
    "black-forest-labs/FLUX.1-schnell/vae": Published(
        83_819_683, 0,
        f"16-channel AutoencoderKL, {_META}",
    ),
    "diffusers/stable-diffusion-xl-1.0-inpainting-0.1/unet": Published(
        2_567_478_084, 0,
        f"SDXL UNet with 9 input channels, {_META}",
    ),
    "diffusers/stable-diffusion-xl-1.0-inpainting-0.1/text_encoder": Published(
        123_060_480, 0,
        f"CLIP ViT-L/14 text model, {_META}",
    ),
    "diffusers/stable-diffusion-xl-1.0-inpainting-0.1/text_encoder_2": Published(
        694_659_840, 0,
        f"OpenCLIP ViT-bigG/14 text model with projection, {_META}",
    ),
    "diffusers/stable-diffusion-xl-1.0-inpainting-0.1/vae": Published(
        83_653_863, 0,
        f"4-channel AutoencoderKL, {_META}",
    ),
    "h94/IP-Adapter/models/image_encoder": Published(
        632_080_000, 0,
        "IP-Adapter model card: OpenCLIP-ViT-H-14 with 632.08M parameters",
    ),
    "h94/IP-Adapter/sdxl_models/image_encoder": Published(
        1_844_900_000, 0,
        "IP-Adapter model card: OpenCLIP-ViT-bigG-14 with 1844.9M parameters",
    ),
    "h94/IP-Adapter/sdxl_models/ip-adapter_sdxl_vit-h.bin": Published(
        349_188_096, 0,
        "70 SDXL cross-attention layers x (to_k_ip + to_v_ip) + a 1024->4x2048 projection; 698 MB in fp16 on the Hub",
    ),
    "h94/IP-Adapter/sdxl_models/ip-adapter_sdxl.bin": Published(
        351_285_248, 0,
        "70 SDXL cross-attention layers x (to_k_ip + to_v_ip) + a 1280->4x2048 projection; 702 MB in fp16 on the Hub",
    ),
    "Qwen/Qwen3-VL-4B-Instruct": Published(
        4_440_000_000, 3_633_315_840,
        "Hub safetensors metadata: 4.44 B; Linear layers of the text model from its config (36 layers x "
        "(2560-wide GQA attention + 9728-wide MLP)); the vision tower and tied embeddings stay bf16",
    ),
    "mattmdjaga/segformer_b2_clothes": Published(
        27_360_466, 0,
        f"SegFormer MiT-b2 with 18 labels, {_META}",
    ),
    "hf-hub:Marqo/marqo-fashionSigLIP": Published(
        203_155_970, 0,
        "open_clip ViT-B-16-SigLIP (Marqo model card names the architecture), counted on the meta device",
    ),
    "hf-hub:Marqo/marqo-fashionCLIP": Published(
        149_620_737, 0,
        "open_clip ViT-B-16 (Marqo model card names the architecture), counted on the meta device",
    ),
}


@dataclasses.dataclass(frozen=True)
class PlannedModel:
    """One entry of the plan: what the app would put on the GPU for one role."""

    role: str  # stylist, image generation, try-on or retrieval
    model: str  # Hub id (with a component inside it) or local folder
    parameters: int
    bytes: int
    dtype: str
    source: str = ""  # where the parameter count comes from


@dataclasses.dataclass(frozen=True)
class Count:
    """Parameters in a set of weight files, and how many of them sit in 2-D ``.weight`` tensors of Linear layers."""

    parameters: int
    linear: int


def memory_plan(settings: Settings) -> list[PlannedModel]:
    """Every model full mode would place on the GPU with these settings (backends without a GPU model are absent)."""
    plan: list[PlannedModel] = []
    if backend_choice(settings.stylist, "full", "vlm", "offline") == "vlm":
        dtype = "nf4-dq" if settings.vlm_4bit else "bf16"
        plan.append(_entry("stylist", settings.vlm_model, dtype, keep=(r"visual", r"lm_head")))
    if backend_choice(settings.generator, "full", "diffusers", "sketch") == "diffusers":
        four_bit = {name.strip() for name in settings.image_4bit.split(",") if name.strip()}
        for component in _pipeline_components(settings.image_model):
            dtype = "nf4" if component in four_bit else "bf16"
            plan.append(_entry("image generation", f"{settings.image_model}/{component}", dtype))
    if backend_choice(settings.tryon, "full", "diffusion", "preview") == "diffusion":
        plan.append(_entry("try-on", settings.parsing_model, "fp32"))
        inpainting = settings.inpaint_model
        plan += [_entry("try-on", f"{inpainting}/{component}", "bf16") for component in _pipeline_components(inpainting)]
        if settings.ip_adapter:
            from fashionm3.tryon.diffusion import parse_ip_adapter

            repo, subfolder, weights, encoder = parse_ip_adapter(settings.ip_adapter)
            encoder_path = encoder if "/" in encoder else f"{subfolder}/{encoder}"
            plan.append(_entry("try-on", f"{repo}/{encoder_path}", "bf16"))
            plan.append(_entry("try-on", f"{repo}/{subfolder}/{weights}", "bf16"))
    plan.append(_entry("retrieval", settings.encoder_model, "fp32"))
    return plan


def plan_json(settings: Settings) -> dict[str, object]:
    """The plan as contract C7's JSON object: ``models`` and ``total_bytes`` (plus what the total means)."""
    plan = memory_plan(settings)
    total = sum(entry.bytes for entry in plan)
    return {
        "models": [dataclasses.asdict(entry) for entry in plan],
        "total_bytes": total,
        "fits_default_slice": total <= SLICE_BYTES,
    }


def plan_table(settings: Settings) -> str:
    """The plan as a Markdown table (the README's and the startup log's)."""
    plan = memory_plan(settings)
    rows = [f"| {e.role} | `{e.model}` | {e.parameters / 1e9:.3f} B | {e.dtype} | {e.bytes / 1e9:.2f} GB |"
            for e in plan]  # fmt: skip
    total = sum(entry.bytes for entry in plan)
    header = ["| role | model | parameters | dtype | resident |", "|---|---|---|---|---|"]
    return "\n".join([*header, *rows, f"| **total** | | | | **{total / 1e9:.2f} GB** |"])


def log_memory_plan(settings: Settings | None) -> None:
    """Log the plan of a full-mode start (``settings``; None outside full mode) and, on a real CUDA device, the bytes
    torch has allocated (ZeroGPU patches CUDA at startup, so there only the plan is logged)."""
    if settings is None:
        return
    log.info("GPU memory plan (python -m fashionm3 plan):\n%s", plan_table(settings))
    import torch

    if torch.cuda.is_available() and not os.environ.get("SPACES_ZERO_GPU"):
        allocated = torch.cuda.memory_allocated() / 1e9
        log.info("Measured on %s: %.2f GB allocated by torch", torch.cuda.get_device_name(), allocated)


def count_weights(files: list[Path], keep: tuple[str, ...] = ()) -> Count:
    """Parameters in weight files; ``linear`` counts the 2-D ``.weight`` tensors of Linear layers (not embeddings)
    outside the modules matching ``keep``, i.e. what bitsandbytes turns into 4-bit."""
    parameters = linear = 0
    for path in files:
        for name, shape in _tensor_shapes(path):
            size = math.prod(shape)
            parameters += size
            quantisable = len(shape) == 2 and name.endswith(".weight") and not re.search(r"embed|shared", name)
            if quantisable and not any(re.search(pattern, name) for pattern in keep):
                linear += size
    return Count(parameters, linear)


def weight_files(folder: Path) -> list[Path]:
    """A model folder's weight files, shards included (safetensors preferred over ``.bin`` copies of the same)."""
    return sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin")) + sorted(folder.glob("*.pth"))


def _tensor_shapes(path: Path) -> list[tuple[str, tuple[int, ...]]]:
    """Names and shapes of the tensors in one weight file, without reading the tensors' data."""
    if path.suffix == ".safetensors":
        with path.open("rb") as handle:
            header = json.loads(handle.read(int.from_bytes(handle.read(8), "little")))
        return [(name, tuple(info["shape"])) for name, info in header.items() if name != "__metadata__"]
    import torch

    return list(_flatten(torch.load(path, map_location="cpu", mmap=True, weights_only=True)))


def _flatten(state: object, prefix: str = "") -> Iterator[tuple[str, tuple[int, ...]]]:
    """(name, shape) of every tensor in a nested state dict (IP-Adapter's {"image_proj": ..., "ip_adapter": ...})."""
    if isinstance(state, dict):
        for key, value in state.items():
            yield from _flatten(value, f"{prefix}{key}.")
    elif hasattr(state, "shape"):
        yield prefix.rstrip("."), tuple(state.shape)  # type: ignore[attr-defined]


def _local(model: str) -> Path | None:
    """The local path a model setting names (``local-dir:`` prefix allowed), or None for a Hub id."""
    path = Path(model.removeprefix("local-dir:")).expanduser()
    return path if path.exists() else None


def _pipeline_components(model: str) -> list[str]:
    """The weight-bearing components of a diffusers pipeline: from its local ``model_index.json``, else the table."""
    folder = _local(model)
    if folder is not None:
        index = json.loads((folder / "model_index.json").read_text())
        return [name for name, value in index.items()
                if isinstance(value, list) and value[0] and weight_files(folder / name)]  # fmt: skip
    return [key.removeprefix(f"{model}/") for key in PUBLISHED if key.startswith(f"{model}/")] or [""]


def _entry(role: str, model: str, dtype: str, keep: tuple[str, ...] = ()) -> PlannedModel:
    """Count one model (local files or the published table) and size it in ``dtype``.

    4-bit types quantise the Linear weights only; everything else (embeddings, norms, convolutions, and modules
    matching ``keep``) stays in bf16.
    """
    path = _local(model)
    if path is not None:
        count = count_weights([path] if path.is_file() else weight_files(path), keep)
        source = "counted in the local weight files"
    elif model in PUBLISHED:
        count, source = Count(PUBLISHED[model].parameters, PUBLISHED[model].linear), PUBLISHED[model].source
    else:
        return PlannedModel(role, model, 0, 0, dtype, "unknown size: not a local folder nor in the published table")
    if dtype.startswith("nf4"):
        size = count.linear * BYTES[dtype] + (count.parameters - count.linear) * BYTES["bf16"]
    else:
        size = count.parameters * BYTES[dtype]
    return PlannedModel(role, model.rstrip("/"), count.parameters, int(size), dtype.replace("nf4-dq", "nf4"), source)
