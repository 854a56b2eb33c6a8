"""Type-first ranking of photo-query candidates by kNN label transfer (the catalog's own labels vote).

1. type: the :data:`TYPE_VOTERS` candidates nearest by shape vote for the photo's article type, each vote weighted
   by ``exp((similarity - best) / TYPE_SHARPNESS)`` so a near-duplicate picture outweighs looser look-alikes;
2. colour: the :data:`COLOUR_VOTERS` candidates nearest by colour (of any type) vote for its colour;
3. each candidate scores ``TYPE_WEIGHT x its type's share + COLOUR_WEIGHT x its colour's share +
   SIMILARITY_WEIGHT x similarity`` (the similarity carries pattern and texture); the photo's own product stays first.
Settings chosen on the dev split of the public catalog (``bench/retrieval_quality.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fashionm3.catalog.schema import Item

TYPE_VOTERS, TYPE_SHARPNESS = 9, 0.02
COLOUR_VOTERS = 15
TYPE_WEIGHT, COLOUR_WEIGHT, SIMILARITY_WEIGHT = 1.25, 1.0, 0.5
DUPLICATE_SIMILARITY = 0.995  # at or above: the photo is this product's own picture


def vote(labels: Sequence[str], weights: Sequence[float] | None = None) -> dict[str, float]:
    """Each label's share of the (weighted) votes."""
    weights = [1.0] * len(labels) if weights is None else weights
    total = float(sum(weights)) or 1.0
    shares: dict[str, float] = {}
    for label, weight in zip(labels, weights):
        shares[label] = shares.get(label, 0.0) + float(weight) / total
    return shares


def type_vote(types: Sequence[str], shape: np.ndarray) -> dict[str, float]:
    """Article-type shares among the :data:`TYPE_VOTERS` nearest by ``shape`` (cosine), weighted by closeness."""
    nearest = np.argsort(-shape, kind="stable")[:TYPE_VOTERS]
    weights = np.exp((shape[nearest] - shape[nearest[0]]) / TYPE_SHARPNESS)
    return vote([types[i] for i in nearest], weights.tolist())


def photo_scores(items: Sequence[Item], similarity: np.ndarray, shape: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Scores of the candidate ``items`` for a photo query, from their whole-picture, shape and colour similarities."""
    types = type_vote([item.article_type for item in items], shape)
    colours = vote([items[i].colour for i in np.argsort(-colour, kind="stable")[:COLOUR_VOTERS]])
    type_share = np.array([types.get(item.article_type, 0.0) for item in items])
    colour_share = np.array([colours.get(item.colour, 0.0) for item in items])
    same_picture = 10.0 * (similarity >= DUPLICATE_SIMILARITY)
    return TYPE_WEIGHT * type_share + COLOUR_WEIGHT * colour_share + SIMILARITY_WEIGHT * similarity + same_picture
