"""FashionCLIP-family encoders through open_clip (text and images in one space), GPU work under ``@spaces.GPU``.

Default ``hf-hub:Marqo/marqo-fashionSigLIP`` (Apache-2.0); ``hf-hub:Marqo/marqo-fashionCLIP`` and any open_clip
model name (with ``pretrained=``) work the same way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import numpy as np
import spaces
from PIL import Image

from fashionm3.deploy.quota import gpu_errors
from fashionm3.errors import Unavailable

ALIASES = {
    "fashionsiglip": "hf-hub:Marqo/marqo-fashionSigLIP",
    "fashionclip": "hf-hub:Marqo/marqo-fashionCLIP",
}
_LOADED: dict[str, "OpenClipEncoder"] = {}  # name -> encoder, so GPU workers find models loaded at startup


class OpenClipEncoder:
    """An open_clip model: ``cross_modal`` text and image vectors, L2-normalised float32."""

    cross_modal = True

    def __init__(self, model_name: str, pretrained: str | None = None, device: str = "auto"):
        import open_clip
        import torch

        self.spec = model_name
        self.model_name = ALIASES.get(model_name, model_name)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(self.model_name, pretrained=pretrained)
            self.tokenizer = open_clip.get_tokenizer(self.model_name)
        except (RuntimeError, OSError, ValueError) as error:
            reason = str(error).split(". Available:")[0][:300]
            raise Unavailable(f"Could not load the open_clip model {self.model_name!r} ({reason}).") from error
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        self.model = model.eval().to(device)
        self.preprocess = preprocess
        self.name = "openclip-" + re.sub(r"[^A-Za-z0-9.]+", "-", f"{self.model_name}-{pretrained or ''}").strip("-")
        self.cache_name, self.image_key_prefix = self.name, ""
        self.label = f"open_clip {self.model_name} on {device}"
        self._lock = threading.Lock()
        self.text_dim = self.image_dim = int(self._encode_text_now(["a shirt"]).shape[1])
        _LOADED[self.name] = self

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.text_dim), np.float32)
        with gpu_errors():
            return gpu_encode(self.name, "text", list(texts))

    def encode_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        if not images:
            return np.zeros((0, self.image_dim), np.float32)
        with gpu_errors():
            return gpu_encode(self.name, "image", [image.convert("RGB") for image in images])

    def _encode_text_now(self, texts: list[str]) -> np.ndarray:
        import torch

        with self._lock, torch.inference_mode():
            features = self.model.encode_text(self.tokenizer(texts).to(self.device))
            return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy()

    def _encode_images_now(self, images: list[Image.Image]) -> np.ndarray:
        import torch

        batch = torch.stack([self.preprocess(image) for image in images]).to(self.device)
        with self._lock, torch.inference_mode():
            features = self.model.encode_image(batch)
            return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy()


def _encode_duration(name: str, kind: str, payload: list) -> int:
    """ZeroGPU duration from the request: a few seconds plus ~20 ms per image."""
    return int(5 + (0.02 if kind == "image" else 0.002) * len(payload))


@spaces.GPU(duration=_encode_duration)
def gpu_encode(name: str, kind: str, payload: list) -> np.ndarray:
    """Encode texts or PIL images with a model loaded at startup (picklable arguments and result)."""
    encoder = _LOADED[name]
    return encoder._encode_text_now(payload) if kind == "text" else encoder._encode_images_now(payload)
