"""Product photos from a diffusers text-to-image pipeline, loaded at startup and run under ``@spaces.GPU``.

Default ``black-forest-labs/FLUX.1-schnell`` (Apache-2.0, 4 steps) with its transformer and T5 encoder in 4-bit NF4
(bitsandbytes through diffusers' pipeline quantisation config), which keeps it near 10 GB. Any checkpoint that
``AutoPipelineForText2Image`` loads works through ``FASHIONM3_IMAGE_MODEL``; the presets below give the known
ones their step counts and guidance (e.g. ``stabilityai/sdxl-turbo``, ``stabilityai/stable-diffusion-3.5-medium``).
"""

from __future__ import annotations

import collections
import dataclasses
import inspect
import threading
from collections.abc import Sequence
from typing import Any

import spaces
from PIL import Image

from fashionm3.deploy.quota import gpu_errors
from fashionm3.errors import Unavailable
from fashionm3.generation.request import ProductPrompt

DEFAULT_IMAGE_MODEL = "black-forest-labs/FLUX.1-schnell"
CACHE_SIZE = 64
_LOADED: dict[str, "DiffusersGenerator"] = {}  # model id -> generator, so GPU workers find the pipeline loaded at startup


@dataclasses.dataclass(frozen=True)
class Preset:
    """How a model family is sampled; ``seconds_per_step`` (one 1024² image on a recent GPU) sizes ZeroGPU calls."""

    steps: int
    guidance: float
    size: int
    seconds_per_step: float
    negative: bool = False  # real classifier-free guidance, so a negative prompt has an effect
    max_sequence_length: int | None = None  # FLUX and SD3 take a T5 prompt length


MODEL_PRESETS = {
    "black-forest-labs/FLUX.1-schnell": Preset(4, 0.0, 1024, 0.45, max_sequence_length=256),
    "stabilityai/sdxl-turbo": Preset(4, 0.0, 512, 0.12),
    "stabilityai/stable-diffusion-3.5-large-turbo": Preset(4, 0.0, 1024, 0.6, max_sequence_length=256),
    "stabilityai/stable-diffusion-3.5-medium": Preset(28, 4.5, 1024, 0.25, True, 256),
}
UNKNOWN_PRESET = Preset(30, 5.0, 1024, 0.5)
FAMILY_PRESETS = {  # by pipeline class, for checkpoints not listed above (FLUX's guidance is distilled, not CFG)
    "FluxPipeline": Preset(28, 3.5, 1024, 0.45, max_sequence_length=256),
    "StableDiffusion3Pipeline": Preset(28, 4.5, 1024, 0.25, True, 256),
    "StableDiffusionXLPipeline": Preset(30, 6.0, 1024, 0.12, True),
    "StableDiffusionPipeline": Preset(25, 7.5, 512, 0.06, True),
}


def four_bit_components(model_id: str, wanted: Sequence[str], device: str) -> list[str]:
    """The ``wanted`` pipeline components that exist in ``model_id`` and can load in 4-bit on ``device``.

    bitsandbytes quantises transformers models (the T5 encoder) on any device, but diffusers' bitsandbytes backend
    refuses to run without a GPU, so on CPU the diffusers components (the transformer, a UNet) stay unquantised.
    """
    from diffusers import DiffusionPipeline

    components = DiffusionPipeline.load_config(model_id)
    return [
        name for name in wanted
        if isinstance(components.get(name), list) and (device != "cpu" or components[name][0] == "transformers")
    ]  # fmt: skip


def four_bit_config(components: Sequence[str]) -> Any:
    """NF4 with bf16 compute for the named pipeline components (None when there are none)."""
    import torch
    from diffusers.quantizers import PipelineQuantizationConfig

    if not components:
        return None
    options = {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16}
    return PipelineQuantizationConfig(quant_backend="bitsandbytes_4bit", quant_kwargs=options, components_to_quantize=list(components))


class DiffusersGenerator:
    """Text-to-image with diffusers: bf16 on GPU (``four_bit`` components in NF4), seeded per image, identical
    requests served from a cache."""

    def __init__(
        self, model_id: str = DEFAULT_IMAGE_MODEL, device: str = "auto", steps: int = 0, size: int = 0, four_bit: Sequence[str] = ()
    ):  # fmt: skip
        import torch
        from diffusers import AutoPipelineForText2Image

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self.four_bit = four_bit_components(model_id, four_bit, device) if four_bit else []
            pipeline = AutoPipelineForText2Image.from_pretrained(
                model_id, dtype=torch.bfloat16 if device == "cuda" else torch.float32, quantization_config=four_bit_config(self.four_bit)
            )
        except (OSError, ValueError, ImportError, RuntimeError) as error:
            raise Unavailable(f"Could not load the image model {model_id!r} ({str(error)[:300]}).") from error
        pipeline.set_progress_bar_config(disable=True)
        self.pipeline = pipeline.to(device)
        family = type(pipeline).__name__
        preset = MODEL_PRESETS.get(model_id) or FAMILY_PRESETS.get(family) or UNKNOWN_PRESET
        self.preset = dataclasses.replace(preset, steps=steps or preset.steps, size=size or preset.size)
        self.model_id, self.device, self.family = model_id, device, family
        self.uses_negative = self.preset.negative and "negative_prompt" in _call_parameters(pipeline)
        quantised = f", NF4: {', '.join(self.four_bit)}" if self.four_bit else ""
        self.label = f"{model_id} (diffusers {family}, {self.preset.steps} steps{quantised}) on {device}"
        self._cache: collections.OrderedDict[tuple, list[Image.Image]] = collections.OrderedDict()
        self._lock = threading.Lock()
        _LOADED[model_id] = self

    def render(self, prompt: ProductPrompt, seed: int = 0, count: int = 1) -> list[Image.Image]:
        """``count`` images; image ``n`` uses seed ``seed + n``, so a result can be reproduced one image at a time."""
        negative = prompt.negative if self.uses_negative else None
        key = (prompt.text, negative, seed, count, self.preset)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return [image.copy() for image in self._cache[key]]
        with gpu_errors():
            images = gpu_render(self.model_id, prompt.text, negative, [seed + n for n in range(count)])
        with self._lock:
            self._cache[key] = [image.copy() for image in images]
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return images

    def render_now(self, text: str, negative: str | None, seeds: list[int]) -> list[Image.Image]:
        """Run the pipeline on the current device; GPU out-of-memory and pipeline failures become clear errors."""
        import torch

        preset = self.preset
        options: dict[str, object] = {"num_inference_steps": preset.steps, "guidance_scale": preset.guidance, "height": preset.size, "width": preset.size}
        if negative:
            options["negative_prompt"] = [negative] * len(seeds)
        if preset.max_sequence_length and "max_sequence_length" in _call_parameters(self.pipeline):
            options["max_sequence_length"] = preset.max_sequence_length
        generators = [torch.Generator(device=self.device).manual_seed(seed) for seed in seeds]
        try:
            with torch.inference_mode():
                return list(self.pipeline([text] * len(seeds), generator=generators, **options).images)
        except torch.OutOfMemoryError as error:
            torch.cuda.empty_cache()
            raise Unavailable(
                f"The GPU ran out of memory drawing {len(seeds)} image(s) at {preset.size} px. Ask for fewer images, "
                "or try again in a moment."
            ) from error
        except (RuntimeError, ValueError) as error:
            raise Unavailable(f"Image generation failed ({str(error)[:200]}). Nothing was drawn; please try again.") from error


def _call_parameters(pipeline: object) -> set[str]:
    return set(inspect.signature(type(pipeline).__call__).parameters)


def render_duration(model_id: str, text: str, negative: str | None, seeds: list[int]) -> int:
    """ZeroGPU seconds: steps x images x the family's per-step cost at this size, plus a base (CFG doubles it)."""
    preset = _LOADED[model_id].preset if model_id in _LOADED else MODEL_PRESETS.get(model_id, UNKNOWN_PRESET)
    per_image = preset.steps * preset.seconds_per_step * (preset.size / 1024) ** 2 * (2 if negative else 1)
    return int(min(10 + len(seeds) * per_image * 1.5, 180))


@spaces.GPU(duration=render_duration)
def gpu_render(model_id: str, text: str, negative: str | None, seeds: list[int]) -> list[Image.Image]:
    """Draw one image per seed with a pipeline loaded at startup (picklable arguments: id, text, ints)."""
    if model_id not in _LOADED:
        raise Unavailable(f"The image model {model_id!r} is not loaded in this process.")
    return _LOADED[model_id].render_now(text, negative, seeds)
