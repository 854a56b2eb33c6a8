"""Virtual try-on: clothes parsing -> garment mask -> image-conditioned inpainting, composited onto the original
photo; offline, a clearly labelled cut-out preview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionm3.config import backend_choice
from fashionm3.tryon.preview import CutoutPreview

if TYPE_CHECKING:
    from fashionm3.backends import TryOn
    from fashionm3.config import Settings


def create_tryon(mode: str, settings: "Settings") -> "TryOn":
    """The try-on named by ``FASHIONM3_TRYON`` (``auto``: the diffusion pipeline in full mode, else the preview).

    Raises :class:`~fashionm3.errors.Unavailable` when a model cannot be loaded.
    """
    choice = backend_choice(settings.tryon, mode, "diffusion", "preview")
    if choice == "diffusion":
        from fashionm3.tryon.diffusion import DiffusionTryOn

        return DiffusionTryOn(settings.parsing_model, settings.inpaint_model, settings.ip_adapter, settings.device)
    return CutoutPreview()
