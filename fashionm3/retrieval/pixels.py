"""Image descriptors computed from pixels alone (no weights): named colours of the garment, then shape and texture.

- colour: the garment's pixels (the plain background and skin removed) softly assigned to named colours in CIE
  Lab, in 4 horizontal bands of the garment's bounding box (a white shirt over blue jeans is not a blue shirt),
  plus the same shares and a coarse Lab histogram over the whole garment;
- shape: HOG of the whole picture (pose, framing) and of the picture cropped to the garment's bounding box
  (silhouette at one scale), plus an LBP texture histogram, folded into :data:`SHAPE_DIM` dimensions
  (``retrieval/shape.py``).
Each block is L2-normalised and weighted (weights chosen on the dev split of the public catalog,
``bench/retrieval_quality.py``), then the whole vector is normalised for cosine search.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from fashionm3.catalog.draw import COLOURS
from fashionm3.retrieval.shape import LBP_BINS, fold, hashing_projection, hog, lbp_histogram

WORK_SIZE = 64
BANDS = 4
SHAPE_DIM = 640
SHAPE_PARTS = {"whole": 1.0, "crop": 1.0, "texture": 0.5}  # weights of the shape block's parts before folding
BLOCK_WEIGHTS = {"names": 0.5, "tones": 0.5, "lab": 0.5, "shape": 1.0}
BACKGROUND_DISTANCE = 28.0  # RGB distance from the border colour above which a pixel is foreground
SKIN_SHARE = 0.5  # skin-toned pixels are dropped only when they are less than this share of the foreground


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
    mask = np.linalg.norm(rgb.astype(np.float32) - background, axis=-1) > BACKGROUND_DISTANCE
    if mask.mean() < 0.02:  # nothing stands out: use the whole picture
        mask[:] = True
    return mask


def skin_mask(rgb: np.ndarray) -> np.ndarray:
    """Skin-toned pixels (the classic YCbCr box: 77 <= Cb <= 127, 133 <= Cr <= 173, not too dark)."""
    r, g, b = (rgb[..., channel].astype(np.float32) for channel in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb, cr = 128 + 0.564 * (b - y), 128 + 0.713 * (r - y)
    return (y > 60) & (cb >= 77) & (cb <= 127) & (cr >= 133) & (cr <= 173)


def garment_mask(rgb: np.ndarray) -> np.ndarray:
    """The product's pixels: the foreground without the model's skin (kept when the product itself is skin-toned)."""
    foreground = foreground_mask(rgb)
    garment = foreground & ~skin_mask(rgb)
    return garment if garment.sum() >= (1 - SKIN_SHARE) * foreground.sum() and garment.any() else foreground


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` of the True pixels (bottom and right exclusive)."""
    rows, cols = np.nonzero(mask)
    return int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1


def colour_names(lab_pixels: np.ndarray, sharpness: float = 12.0) -> np.ndarray:
    """Soft share of each named colour among the given Lab pixels (zeros when there are none)."""
    if not len(lab_pixels):
        return np.zeros(len(COLOUR_NAMES), np.float32)
    distances = np.linalg.norm(lab_pixels[:, None, :] - _PROTOTYPES[None, :, :], axis=-1)
    weights = np.exp(-((distances - distances.min(axis=1, keepdims=True)) / sharpness) ** 2)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights.mean(axis=0)


def _lab_histogram(lab_pixels: np.ndarray) -> np.ndarray:
    edges = (np.linspace(0, 100, 5)[1:-1], np.linspace(-60, 60, 5)[1:-1], np.linspace(-60, 60, 5)[1:-1])
    bins = [np.digitize(lab_pixels[:, axis], edges[axis]) for axis in range(3)]
    flat = bins[0] * 16 + bins[1] * 4 + bins[2]
    return np.bincount(flat, minlength=64).astype(np.float32)


def _banded_names(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    top, bottom, _, _ = bounding_box(mask)
    edges = np.linspace(top, bottom, BANDS + 1).round().astype(int)
    return np.concatenate([colour_names(lab[start:stop][mask[start:stop]]) for start, stop in zip(edges, edges[1:])])


def _cropped_grey(image: Image.Image, mask: np.ndarray) -> np.ndarray:
    """The greyscale picture cropped to the mask's bounding box, centred on a white square, at ``WORK_SIZE``."""
    top, bottom, left, right = bounding_box(mask)
    scale_x, scale_y = image.width / mask.shape[1], image.height / mask.shape[0]
    box = (int(left * scale_x), int(top * scale_y), int(right * scale_x), int(bottom * scale_y))
    crop = image.convert("L").crop(box)
    side = max(crop.size)
    square = Image.new("L", (side, side), 255)
    square.paste(crop, ((side - crop.width) // 2, (side - crop.height) // 2))
    return np.asarray(square.resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR), np.float32)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


_HOG_LENGTH = len(hog(np.zeros((WORK_SIZE, WORK_SIZE), np.float32)))
_PROJECTION = hashing_projection(2 * _HOG_LENGTH + LBP_BINS, SHAPE_DIM, seed=3)


def pixel_features(image: Image.Image) -> np.ndarray:
    """The descriptor of one product picture (float32, unit norm)."""
    rgb_image = image.convert("RGB")
    rgb = np.asarray(rgb_image.resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR))
    mask = garment_mask(rgb)
    lab = srgb_to_lab(rgb)
    grey = np.asarray(rgb_image.convert("L").resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR), np.float32)
    parts = {"whole": hog(grey), "crop": hog(_cropped_grey(rgb_image, mask)), "texture": lbp_histogram(grey, mask)}
    shape = np.concatenate([SHAPE_PARTS[name] * _unit(part) for name, part in parts.items()])
    blocks = {
        "names": _banded_names(lab, mask),
        "tones": colour_names(lab[mask]),
        "lab": np.sqrt(_lab_histogram(lab[mask])),
        "shape": fold(shape, _PROJECTION, SHAPE_DIM),
    }
    vector = np.concatenate([BLOCK_WEIGHTS[name] * _unit(block) for name, block in blocks.items()])
    return _unit(vector).astype(np.float32)


def dominant_colour(image: Image.Image) -> str:
    """The named colour covering most of the product (used to describe uploaded photos)."""
    rgb = np.asarray(image.convert("RGB").resize((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR))
    return COLOUR_NAMES[int(np.argmax(colour_names(srgb_to_lab(rgb[garment_mask(rgb)]))))]


BLOCK_SIZES = {"names": BANDS * len(COLOUR_NAMES), "tones": len(COLOUR_NAMES), "lab": 64, "shape": SHAPE_DIM}
FEATURE_DIM = sum(BLOCK_SIZES.values())
COLOUR_BLOCKS = ("names", "tones", "lab")
SHAPE_BLOCKS = ("shape",)


def block_mask(names: tuple[str, ...]) -> np.ndarray:
    """1 on the dimensions of the named blocks, 0 elsewhere: ``query * mask`` scores just those blocks."""
    mask, start = np.zeros(FEATURE_DIM, np.float32), 0
    for name, size in BLOCK_SIZES.items():
        if name in names:
            mask[start : start + size] = 1.0
        start += size
    return mask
