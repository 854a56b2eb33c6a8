"""Product images: prompts from the stylist's item description, a diffusers text-to-image backend, offline sketches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionm3.catalog.schema import Catalog
from fashionm3.config import backend_choice
from fashionm3.generation.sketch import SketchGenerator

if TYPE_CHECKING:
    from fashionm3.backends import ImageGenerator
    from fashionm3.config import Settings


def create_generator(mode: str, settings: "Settings", catalog: Catalog) -> "ImageGenerator":
    """The generator named by ``FASHIONM3_GENERATOR`` (``auto``: diffusers in full mode, else labelled sketches).

    Raises :class:`~fashionm3.errors.Unavailable` when the chosen model cannot be loaded.
    """
    choice = backend_choice(settings.generator, mode, "diffusers", "sketch")
    if choice == "diffusers":
        from fashionm3.generation.diffusion import DiffusersGenerator

        four_bit = [name.strip() for name in settings.image_4bit.split(",") if name.strip()]
        return DiffusersGenerator(
            settings.image_model, settings.device, settings.image_steps, settings.image_size, four_bit
        )
    return SketchGenerator(catalog)
