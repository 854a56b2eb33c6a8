"""Where the body is in a person photo, without a model: a person box from the difference to the background, a face
box from skin colour in the head zone (else from body proportions), and the lines garments hang from.

This is an estimate for the offline preview: it keeps the garment on the right part of the body and off the face;
the model-backed try-on uses a clothes parser instead.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image

FOREGROUND_DIFFERENCE = 40  # a pixel this far (max over channels) from the border colour belongs to the person
MIN_SHARE = 0.02  # rows/columns with less foreground than this are background
# Fractions of the person's height from the top of the head (an adult is about 8 heads tall).
CHIN, SHOULDERS, WAIST, KNEES = 0.13, 0.17, 0.47, 0.75
HEAD_ZONE = 0.22  # the face is looked for in this top share of the person box
SHOULDER_WIDTH = 0.25  # of the person's height, when the silhouette gives no better width


@dataclasses.dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclasses.dataclass(frozen=True)
class Body:
    """The estimated person and face boxes, in pixels of the photo."""

    person: Box
    face: Box

    def line(self, fraction: float) -> float:
        """The y pixel at ``fraction`` of the person's height (CHIN, SHOULDERS, WAIST, KNEES)."""
        return self.person.top + fraction * self.person.height

    def width_at(self, fraction: float, mask: np.ndarray | None = None) -> float:
        """The silhouette's width at that height, or a proportion of the person's height without a silhouette."""
        fallback = SHOULDER_WIDTH * self.person.height
        if mask is None:
            return fallback
        row = mask[min(mask.shape[0] - 1, int(self.line(fraction)))]
        columns = np.flatnonzero(row)
        return float(columns[-1] - columns[0] + 1) if columns.size > 0.05 * row.size else fallback


def foreground(image: Image.Image) -> np.ndarray:
    """Pixels that differ from the photo's border colour (the median of its outermost pixels)."""
    rgb = np.asarray(image.convert("RGB")).astype(np.int16)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    return np.abs(rgb - np.median(border, axis=0)).max(axis=-1) > FOREGROUND_DIFFERENCE


def _span(shares: np.ndarray, size: int) -> tuple[int, int]:
    kept = np.flatnonzero(shares > MIN_SHARE)
    return (int(kept[0]), int(kept[-1]) + 1) if kept.size else (0, size)


def skin(image: Image.Image) -> np.ndarray:
    """Skin-coloured pixels (the classic YCbCr rule: Cb 77-127, Cr 133-173), any skin tone."""
    ycbcr = np.asarray(image.convert("YCbCr")).astype(np.int16)
    cb, cr = ycbcr[..., 1], ycbcr[..., 2]
    return (cb >= 77) & (cb <= 127) & (cr >= 133) & (cr <= 173)


def estimate_body(image: Image.Image) -> Body:
    """Person and face boxes of a photo of one person (a plain guess from proportions when nothing stands out)."""
    mask = foreground(image)
    top, bottom = _span(mask.mean(axis=1), image.height)
    left, right = _span(mask.mean(axis=0), image.width)
    person = Box(left, top, right, bottom)
    zone_bottom = top + int(HEAD_ZONE * person.height)
    inner_left, inner_right = left + int(0.3 * person.width), right - int(0.3 * person.width)  # arms stay outside
    head = skin(image)[top:zone_bottom, inner_left:inner_right] & mask[top:zone_bottom, inner_left:inner_right]
    rows, cols = np.flatnonzero(head.mean(axis=1) > MIN_SHARE), np.flatnonzero(head.mean(axis=0) > MIN_SHARE)
    if rows.size and cols.size:
        face = Box(inner_left + int(cols[0]), top + int(rows[0]), inner_left + int(cols[-1]) + 1, top + int(rows[-1]) + 1)
    else:
        centre, width = (left + right) / 2, 0.11 * person.height
        face = Box(int(centre - width / 2), top, int(centre + width / 2), int(top + CHIN * person.height))
    return Body(person, face)
