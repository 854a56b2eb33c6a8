"""Model-backed try-on from stock components: a SegFormer clothes parser (transformers) finds the garment region,
a diffusers inpainting pipeline conditioned on the garment image (IP-Adapter) repaints it, and the result is
composited so every pixel outside the dilated mask is the original photo's, at the photo's own size.

Defaults: ``mattmdjaga/segformer_b2_clothes`` (MIT), ``diffusers/stable-diffusion-xl-1.0-inpainting-0.1``
(CreativeML Open RAIL++-M) and ``h94/IP-Adapter``'s SDXL ViT-H weights (Apache-2.0), whose OpenCLIP ViT-H image encoder
(632 M parameters) replaces the ViT-bigG one (1.84 B) of ``ip-adapter_sdxl.bin``. Dedicated try-on models (IDM-VTON,
CatVTON, OOTDiffusion: CC BY-NC-SA 4.0, non-commercial) can sit behind the same ``try_on`` interface.
"""

from __future__ import annotations

import numpy as np
import spaces
from PIL import Image

from fashionm3.deploy.quota import gpu_errors
from fashionm3.errors import Unavailable
from fashionm3.tryon.garments import check_person_photo, garment_mask
from fashionm3.tryon.preview import Placement

MODEL_SIDE = 1024  # longest side the models see; the result is scaled back to the photo's size
STEPS = 30
_LOADED: dict[str, "DiffusionTryOn"] = {}


class DiffusionTryOn:
    """Parse -> mask -> inpaint (garment-conditioned) -> composite."""

    def __init__(self, parsing_model: str, inpaint_model: str, ip_adapter: str = "", device: str = "auto", side: int = MODEL_SIDE, steps: int = STEPS):
        import torch
        from diffusers import AutoPipelineForInpainting
        from transformers import AutoImageProcessor, AutoModelForSemanticSegmentation

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        try:
            self.processor = AutoImageProcessor.from_pretrained(parsing_model)
            self.segmenter = AutoModelForSemanticSegmentation.from_pretrained(parsing_model).to(device).eval()
            self.pipeline = AutoPipelineForInpainting.from_pretrained(inpaint_model, dtype=dtype).to(device)
            if ip_adapter:  # "repo:subfolder:weight file[:image encoder folder]"
                repo, subfolder, weights, encoder = parse_ip_adapter(ip_adapter)
                self.pipeline.load_ip_adapter(repo, subfolder=subfolder, weight_name=weights, image_encoder_folder=encoder)
                self.pipeline.set_ip_adapter_scale(0.8)
        except (OSError, ValueError, ImportError, RuntimeError) as error:
            raise Unavailable(f"Could not load the try-on models ({str(error)[:300]}).") from error
        self.pipeline.set_progress_bar_config(disable=True)
        self.device, self.side, self.steps, self.uses_ip_adapter = device, side, steps, bool(ip_adapter)
        self.key = f"{parsing_model}|{inpaint_model}|{ip_adapter}"
        self.label = f"{inpaint_model} inpainting{' + IP-Adapter' if ip_adapter else ''}, {parsing_model} parsing, on {device}"
        _LOADED[self.key] = self

    def parse(self, image: Image.Image) -> np.ndarray:
        """Clothes-parsing label per pixel, at the image's size."""
        import torch

        inputs = self.processor(images=image, return_tensors="pt").to(self.device)
        with torch.inference_mode():
            logits = self.segmenter(**inputs).logits
            logits = torch.nn.functional.interpolate(logits.float(), size=(image.height, image.width), mode="bilinear")
        return logits.argmax(dim=1)[0].cpu().numpy()

    def try_on(self, person: Image.Image, garment: Image.Image, garment_type: str, placement: Placement | None = None) -> Image.Image:
        """The person wearing the garment; pixels outside the dilated garment region are the original ones."""
        original = check_person_photo(person.convert("RGB"))
        work = _fit(original, self.side)
        mask = garment_mask(self.parse(work), garment_type, dilation=max(2, work.width // 64))
        with gpu_errors():
            painted = gpu_inpaint(self.key, work, Image.fromarray(mask.astype(np.uint8) * 255), garment.convert("RGB"), garment_type)
        full_mask = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(original.size, Image.Resampling.NEAREST)) > 0
        upscaled = np.asarray(painted.resize(original.size, Image.Resampling.LANCZOS))
        return Image.fromarray(np.where(full_mask[..., None], upscaled, np.asarray(original)))

    def inpaint_now(self, image: Image.Image, mask: Image.Image, garment: Image.Image, region: str) -> Image.Image:
        import torch

        options = {"ip_adapter_image": garment} if self.uses_ip_adapter else {}
        try:
            with torch.inference_mode():
                return self.pipeline(
                    prompt=f"a photo of a person wearing this {region} garment, natural light, realistic",
                    negative_prompt="deformed, extra limbs, blurry, text", image=image, mask_image=mask,
                    height=image.height, width=image.width, num_inference_steps=self.steps,
                    generator=torch.Generator(device=self.device).manual_seed(0), **options,
                ).images[0]  # fmt: skip
        except torch.OutOfMemoryError as error:
            torch.cuda.empty_cache()
            raise Unavailable("The GPU ran out of memory during try-on; try a smaller photo or again in a moment.") from error


def parse_ip_adapter(spec: str) -> tuple[str, str, str, str]:
    """``repo:subfolder:weights[:image encoder folder]`` -> its four parts (encoder default ``image_encoder``,
    which diffusers looks up inside ``subfolder``; a folder with a ``/`` is taken from the repository root)."""
    parts = spec.split(":")
    if len(parts) not in (3, 4) or not all(parts):
        raise ValueError(f"FASHIONM3_IP_ADAPTER must be repo:subfolder:weights[:image encoder folder], not {spec!r}")
    return parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else "image_encoder"


def _fit(image: Image.Image, side: int) -> Image.Image:
    """Scale so the longest side is at most ``side``, both sides multiples of 8 (what the VAE needs)."""
    scale = min(1.0, side / max(image.size))
    width, height = max(8, int(image.width * scale) // 8 * 8), max(8, int(image.height * scale) // 8 * 8)
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _inpaint_duration(key: str, image: Image.Image, mask: Image.Image, garment: Image.Image, region: str) -> int:
    steps = _LOADED[key].steps if key in _LOADED else STEPS
    return int(min(15 + steps * 0.25 * (image.width * image.height) / 1024**2, 120))


@spaces.GPU(duration=_inpaint_duration)
def gpu_inpaint(key: str, image: Image.Image, mask: Image.Image, garment: Image.Image, region: str) -> Image.Image:
    """Inpaint on the GPU with the pipeline loaded at startup (picklable arguments: a key and PIL images)."""
    if key not in _LOADED:
        raise Unavailable("The try-on models are not loaded in this process.")
    return _LOADED[key].inpaint_now(image, mask, garment, region)
