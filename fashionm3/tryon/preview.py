"""Offline try-on *preview*: the garment cut out of its product photo and laid over the person photo, labelled as such.

No model runs, nothing is generated: it shows position and scale only, and says so on the image. The garment hangs
where its type is worn (tops from the shoulders, bottoms from the waist, dresses from the shoulders to the knees)
on an estimate of the body (:mod:`fashionm3.tryon.body`), and never covers the face.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from fashionm3.tryon.body import KNEES, SHOULDERS, WAIST, Body, estimate_body, foreground

WHITE_BELOW = 238  # product photos have (near-)white backgrounds: pixels brighter than this in every channel go
LABEL = "PREVIEW - garment laid over the photo, not AI try-on"
LABEL_LINES = ([LABEL], ["PREVIEW - not AI try-on"], ["PREVIEW", "not AI try-on"])  # the first that fits is used
MIN_FONT = 12
WIDTH_FACTOR = {"upper": 1.0, "outerwear": 1.1, "lower": 1.05, "dress": 1.0}  # garment width / body width there


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where the garment goes. ``x``/``y`` (its centre, as fractions of the photo's width and height) and ``scale``
    (its width as a fraction of the photo's) fix it; left ``None`` they come from the garment type and the body.
    ``dx``/``dy`` (fractions of the photo) and ``size`` (a factor) then nudge it, e.g. from the Try-on sliders."""

    x: float | None = None
    y: float | None = None
    scale: float | None = None
    dx: float = 0.0
    dy: float = 0.0
    size: float = 1.0


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


def garment_box(body: Body, region: str, piece: tuple[int, int], silhouette: np.ndarray | None = None) -> tuple[float, float, float]:
    """Centre x, centre y and width in pixels of a garment of this region (and cut-out size) worn by ``body``."""
    aspect = piece[1] / max(1, piece[0])
    start = WAIST if region == "lower" else SHOULDERS
    width = WIDTH_FACTOR[region] * body.width_at(start + 0.05, silhouette)
    if region == "dress":  # shoulders to knees
        width = min(1.6 * width, (KNEES - SHOULDERS) * body.person.height / aspect)
    elif region == "lower":  # never past the feet
        width = min(width, (1.0 - WAIST) * body.person.height / aspect)
    centre_x = (body.person.left + body.person.right) / 2
    return centre_x, body.line(start) + width * aspect / 2, width


class CutoutPreview:
    """The offline try-on backend: a labelled overlay at the photo's own size."""

    label = "offline: labelled cut-out preview (no try-on model)"

    def try_on(self, person: Image.Image, garment: Image.Image, garment_type: str, placement: Placement | None = None) -> Image.Image:
        placement = placement or Placement()
        result = person.convert("RGBA")
        piece = cut_out(garment)
        body = estimate_body(result)
        auto_x, auto_y, auto_width = garment_box(body, garment_type, piece.size, foreground(result))
        width = result.width * placement.scale if placement.scale is not None else auto_width
        width = max(1, round(min(max(width * placement.size, 0.05 * result.width), 2.0 * result.width)))
        height = max(1, round(piece.height * width / piece.width))
        centre_x = (result.width * placement.x if placement.x is not None else auto_x) + placement.dx * result.width
        centre_y = (result.height * placement.y if placement.y is not None else auto_y) + placement.dy * result.height
        layer = Image.new("RGBA", result.size, (0, 0, 0, 0))
        layer.paste(piece.resize((width, height), Image.Resampling.LANCZOS), (round(centre_x - width / 2), round(centre_y - height / 2)))
        alpha = np.array(layer.getchannel("A"))
        face = body.face
        alpha[max(0, face.top) : face.bottom, max(0, face.left) : face.right] = 0  # the face stays visible
        layer.putalpha(Image.fromarray(alpha))
        return _labelled(Image.alpha_composite(result, layer).convert("RGB"))


def label_layout(width: int, height: int) -> tuple[list[str], int]:
    """The label's lines and font size for a photo of this size: the longest wording that fits at a readable size."""
    target, available = max(MIN_FONT, min(40, height // 30)), width - 16
    for lines in LABEL_LINES:
        size = target
        while size > 8 and max(ImageFont.load_default(size).getlength(line) for line in lines) > available:
            size -= 1
        if size >= MIN_FONT:
            break
    return lines, size


def _labelled(image: Image.Image) -> Image.Image:
    """A dark band along the bottom with the label (:func:`label_layout`)."""
    lines, size = label_layout(image.width, image.height)
    font = ImageFont.load_default(size)
    step = round(size * 1.25)
    band = step * len(lines) + size // 2
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, image.height - band, image.width, image.height], fill=(30, 30, 30))
    for n, line in enumerate(lines):
        draw.text((8, image.height - band + size // 4 + n * step), line, fill=(255, 255, 255), font=font)
    return image
