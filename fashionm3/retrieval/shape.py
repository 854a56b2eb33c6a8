"""Colour-blind shape and texture descriptors of a product picture (numpy only, no weights).

- HOG (histograms of oriented gradients, Dalal & Triggs): 9 unsigned orientation bins per 8x8-pixel cell, with
  linear interpolation between bins, normalised over overlapping 2x2-cell blocks (L2-Hys);
- LBP (local binary patterns, Ojala et al.): the 58 "uniform" 8-neighbour codes plus one bin for the others,
  histogrammed over the garment's pixels (weave, knit, prints, leather grain);
- feature hashing: a fixed signed hashing trick folds the long HOG vectors into a few hundred dimensions while
  keeping inner products on average, so the catalog index stays small.
"""

from __future__ import annotations

import numpy as np

CELL, BINS = 8, 9
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))


def hog(grey: np.ndarray) -> np.ndarray:
    """HOG of a square greyscale picture whose side is a multiple of :data:`CELL` (float32, block-normalised)."""
    gy, gx = np.zeros_like(grey), np.zeros_like(grey)
    gy[1:-1], gx[:, 1:-1] = grey[2:] - grey[:-2], grey[:, 2:] - grey[:, :-2]
    magnitude = np.hypot(gx, gy)
    position = (np.arctan2(gy, gx) % np.pi) / np.pi * BINS - 0.5
    low = np.floor(position).astype(int)
    upper_share = position - low
    cells = grey.shape[0] // CELL
    rows, cols = np.indices(grey.shape) // CELL
    cell_index = (rows * cells + cols) * BINS
    size = cells * cells * BINS
    histogram = np.bincount((cell_index + low % BINS).ravel(), (magnitude * (1 - upper_share)).ravel(), size)
    histogram += np.bincount((cell_index + (low + 1) % BINS).ravel(), (magnitude * upper_share).ravel(), size)
    grid = histogram.reshape(cells, cells, BINS)
    blocks = np.concatenate([grid[:-1, :-1], grid[:-1, 1:], grid[1:, :-1], grid[1:, 1:]], axis=-1)
    blocks /= np.linalg.norm(blocks, axis=-1, keepdims=True) + 1e-6
    blocks = np.minimum(blocks, 0.2)
    blocks /= np.linalg.norm(blocks, axis=-1, keepdims=True) + 1e-6
    return blocks.ravel().astype(np.float32)


def _uniform_table() -> np.ndarray:
    """Maps the 256 8-bit LBP codes to 59 bins: one per uniform code (at most two bit changes), one for the rest."""
    table, next_bin = np.full(256, 58, np.int64), 0
    for code in range(256):
        bits = [(code >> bit) & 1 for bit in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            table[code], next_bin = next_bin, next_bin + 1
    return table


_UNIFORM = _uniform_table()
LBP_BINS = 59


def lbp_histogram(grey: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Share of each uniform LBP code among the pixels where ``mask`` is True (the picture's border excluded)."""
    centre = grey[1:-1, 1:-1]
    codes = np.zeros(centre.shape, np.int64)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        neighbour = grey[1 + dy : grey.shape[0] - 1 + dy, 1 + dx : grey.shape[1] - 1 + dx]
        codes |= (neighbour >= centre).astype(np.int64) << bit
    inside = mask[1:-1, 1:-1]
    counts = np.bincount(_UNIFORM[codes[inside]], minlength=LBP_BINS).astype(np.float32)
    return counts / max(counts.sum(), 1.0)


def hashing_projection(length: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed signed feature hashing from ``length`` to ``dim`` dimensions: (bucket, sign) per input dimension."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, dim, length), rng.choice(np.array([-1.0, 1.0], np.float32), length)


def fold(vector: np.ndarray, projection: tuple[np.ndarray, np.ndarray], dim: int) -> np.ndarray:
    """``vector`` hashed into ``dim`` dimensions by :func:`hashing_projection`'s buckets and signs."""
    buckets, signs = projection
    return np.bincount(buckets, vector * signs, dim).astype(np.float32)
