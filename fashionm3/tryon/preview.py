"""Offline try-on *preview*: the garment cut out of its product photo and laid over the person photo, labelled as such.

No model runs, nothing is generated: it shows position and scale only, and says so on the image.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WHITE_BELOW = 238  # product photos have (near-)white backgrounds: pixels brighter than this in every channel go
LABEL = "PREVIEW - garment laid over the photo, not AI try-on"


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where the garment goes: centre as fractions of the photo's width and height, width as a fraction of the photo's."""

    x: float = 0.5
    y: float = 0.45
    scale: float = 0.5


def cut_out(garment: Image.Image) -> Image.Image:
    """RGBA garment with its white background made transparent (soft edge) and cropped to the garment."""
    rgb = np.asarray(garment.convert("RGB"))
    opaque = ~(rgb >= WHITE_BELOW).all(axis=-1)
    if not opaque.any():
        return garment.convert("RGBA")
    alpha = Image.fromarray(opaque.astype(np.uint8) * 255).filter(ImageFilter.GaussianBlur(1))
    cut = garment.convert("RGBA")
    cut.putalpha(alpha)
    rows, cols = np.flatnonzero(opaque.any(axis=1)), np.flatnonzero(opaque.any(axis=0))
    return cut.crop((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))


class CutoutPreview:
    """The offline try-on backend: a labelled overlay at the photo's own size."""

    label = "offline: labelled cut-out preview (no try-on model)"

    def try_on(self, person: Image.Image, garment: Image.Image, garment_type: str, placement: Placement | None = None) -> Image.Image:
        placement = placement or Placement()
        result = person.convert("RGB").copy()
        piece = cut_out(garment)
        width = max(1, round(result.width * min(max(placement.scale, 0.05), 2.0)))
        height = max(1, round(piece.height * width / piece.width))
        piece = piece.resize((width, height), Image.Resampling.LANCZOS)
        left = round(result.width * placement.x - width / 2)
        top = round(result.height * placement.y - height / 2)
        result.paste(piece, (left, top), piece)
        return _labelled(result)


def _labelled(image: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(image)
    band = max(16, image.height // 24)
    draw.rectangle([0, image.height - band, image.width, image.height], fill=(30, 30, 30))
    draw.text((8, image.height - band + (band - 10) // 2), LABEL, fill=(255, 255, 255))
    return image
