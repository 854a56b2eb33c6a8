"""Image descriptors computed from pixels alone (no weights): named colours, silhouette and texture.

- colour: the product's pixels (background removed) softly assigned to named colours in CIE Lab, plus a coarse
  Lab histogram, so "same colour" neighbours share the same colour names;
- shape: the foreground silhouette, cropped to its bounding box and padded square, at 16x16;
- texture: a histogram of gradient orientations (HOG-like) on a 4x4 grid over the greyscale product;
- layout: the greyscale picture at 16x16, mean-centred (product photos are shot in canonical poses).
Each block is L2-normalised and weighted (weights chosen on the public catalog, ``bench/retrieval_quality.py``),
then the whole vector is normalised for cosine search.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from fashionm3.catalog.draw import COLOURS

WORK_SIZE = 64
SILHOUETTE = 16
HOG_CELLS, HOG_BINS = 4, 8
THUMBNAIL = 16
BLOCK_WEIGHTS = {"names": 0.5, "lab": 0.5, "shape": 0.5, "hog": 1.0, "layout": 0.5}


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """Convert ``(..., 3)`` sRGB values in 0-255 to CIE Lab (D65)."""
    c = rgb.astype(np.float32) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    matrix = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]], np.float32)
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883], np.float32)
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


COLOUR_NAMES = tuple(COLOURS)
_PROTOTYPES = srgb_to_lab(np.array([COLOURS[name] for name in COLOUR_NAMES], np.float32))


def foreground_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels that differ from the background colour (estimated from the image border)."""
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).astype(np.float32)
    background = np.median(border, axis=0)
    distance = np.linalg.norm(rgb.astype(np.float32) - background, axis=-1)
    mask = distance > 28
    if mask.mean() < 0.02:  # nothing stands out: use the whole picture
        mask[:] = True
    return mask


def colour_names(lab_pixels: np.ndarray, sharpness: float = 12.0) -> np.ndarray:
    """Soft share of each named colour among the given Lab pixels."""
    distances = np.linalg.norm(lab_pixels[:, None, :] - _PROTOTYPES[None, :, :], axis=-1)
    weights = np.exp(-((distances - distances.min(axis=1, keepdims=True)) / sharpness) ** 2)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights.mean(axis=0)


def _lab_histogram(lab_pixels: np.ndarray) -> np.ndarray:
    edges = (np.linspace(0, 100, 5)[1:-1], np.linspace(-60, 60, 5)[1:-1], np.linspace(-60, 60, 5)[1:-1])
    bins = [np.digitize(lab_pixels[:, axis], edges[axis]) for axis in range(3)]
    flat = bins[0] * 16 + bins[1] * 4 + bins[2]
    return np.bincount(flat, minlength=64).astype(np.float32)


def _silhouette(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(mask)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    crop = mask[top:bottom, left:right]
    side = max(crop.shape)
    square = np.zeros((side, side), bool)
    offset_y, offset_x = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[offset_y : offset_y + crop.shape[0], offset_x : offset_x + crop.shape[1]] = crop
    small = Image.fromarray(square.astype(np.uint8) * 255).resize((SILHOUETTE, SILHOUETTE), Image.Resampling.BOX)
    return np.asarray(small, np.float32).ravel() / 255.0


def _hog(grey: np.ndarray) -> np.ndarray:
    gy, gx = np.gradient(grey)
    magnitude = np.hypot(gx, gy)
    orientation = (np.arctan2(gy, gx) % np.pi) / np.pi * HOG_BINS
    bins = np.minimum(orientation.astype(int), HOG_BINS - 1)
    cell = grey.shape[0] // HOG_CELLS
    features = np.zeros((HOG_CELLS, HOG_CELLS, HOG_BINS), np.float32)
    for row in range(HOG_CELLS):
        for col in range(HOG_CELLS):
            window = (slice(row * cell, (row + 1) * cell), slice(col * cell, (col + 1) * cell))
            features[row, col] = np.bincount(bins[window].ravel(), magnitude[window].ravel(), HOG_BINS)
    return features.ravel()


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def pixel_features(image: Image.Image) -> np.ndarray:
    """The descriptor of one product picture (float32, unit norm)."""
    rgb = np.asarray(image.convert("RGB").resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR))
    mask = foreground_mask(rgb)
    lab = srgb_to_lab(rgb[mask])
    grey_image = image.convert("L")
    grey = np.asarray(grey_image.resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR), np.float32)
    layout = np.asarray(grey_image.resize((THUMBNAIL, THUMBNAIL), Image.Resampling.BILINEAR), np.float32).ravel()
    blocks = {
        "names": colour_names(lab),
        "lab": np.sqrt(_lab_histogram(lab)),
        "shape": _silhouette(mask),
        "hog": np.sqrt(_hog(grey)),
        "layout": layout - layout.mean(),
    }
    vector = np.concatenate([BLOCK_WEIGHTS[name] * _unit(block) for name, block in blocks.items()])
    return _unit(vector).astype(np.float32)


def dominant_colour(image: Image.Image) -> str:
    """The named colour covering most of the product (used to describe uploaded photos)."""
    rgb = np.asarray(image.convert("RGB").resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR))
    return COLOUR_NAMES[int(np.argmax(colour_names(srgb_to_lab(rgb[foreground_mask(rgb)]))))]


BLOCK_SIZES = {
    "names": len(COLOUR_NAMES), "lab": 64, "shape": SILHOUETTE * SILHOUETTE,
    "hog": HOG_CELLS * HOG_CELLS * HOG_BINS, "layout": THUMBNAIL * THUMBNAIL,
}  # fmt: skip
FEATURE_DIM = sum(BLOCK_SIZES.values())
COLOUR_BLOCKS = ("names", "lab")
SHAPE_BLOCKS = ("shape", "hog", "layout")


def block_mask(names: tuple[str, ...]) -> np.ndarray:
    """1 on the dimensions of the named blocks, 0 elsewhere: ``query * mask`` scores just those blocks."""
    mask, start = np.zeros(FEATURE_DIM, np.float32), 0
    for name, size in BLOCK_SIZES.items():
        if name in names:
            mask[start : start + size] = 1.0
        start += size
    return mask
