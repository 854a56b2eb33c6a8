"""Type-first ranking of photo-query candidates by kNN label transfer (the catalog's own labels vote).

1. type: the :data:`TYPE_VOTERS` candidates nearest by shape vote for the photo's article type, each vote weighted
   by ``exp((similarity - best) / TYPE_SHARPNESS)`` so a near-duplicate picture outweighs looser look-alikes;
2. colour: the :data:`COLOUR_VOTERS` candidates nearest by colour (of any type) vote for its colour;
3. each candidate scores ``TYPE_WEIGHT x its type's share + COLOUR_WEIGHT x its colour's share +
   SIMILARITY_WEIGHT x similarity`` (the similarity carries pattern and texture); the photo's own product stays first.

When the index is built, a :class:`TypeModel` (a multinomial logistic regression from scikit-learn, a well-kept
implementation rather than hand-written gradient descent) is fitted on the shape view of the catalog's own labelled
pictures; its type shares are averaged with the kNN vote (``LEARNED_WEIGHT``). Settings chosen on the dev split of
the public catalog (``bench/retrieval_quality.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from fashionm3.catalog.schema import Item

TYPE_VOTERS, TYPE_SHARPNESS = 9, 0.02
COLOUR_VOTERS = 15
TYPE_WEIGHT, COLOUR_WEIGHT, SIMILARITY_WEIGHT = 1.25, 1.0, 0.5
DUPLICATE_SIMILARITY = 0.995  # at or above: the photo is this product's own picture
LEARNED_WEIGHT, LEARNED_C, FIT_LIMIT = 0.5, 100.0, 20_000  # the model's share of the type vote; its fit
MIN_PER_TYPE = 5


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


def photo_scores(items: Sequence[Item], similarity: np.ndarray, shape: np.ndarray, colour: np.ndarray,
                 learned: dict[str, float] | None = None) -> np.ndarray:
    """Scores of the candidate ``items`` for a photo query, from their whole-picture, shape and colour similarities
    (and the :class:`TypeModel`'s type shares for the photo, when there is one)."""
    types = type_vote([item.article_type for item in items], shape)
    if learned:
        types = {kind: (1 - LEARNED_WEIGHT) * types.get(kind, 0.0) + LEARNED_WEIGHT * learned.get(kind, 0.0)
                 for kind in {*types, *learned}}
    colours = vote([items[i].colour for i in np.argsort(-colour, kind="stable")[:COLOUR_VOTERS]])
    type_share = np.array([types.get(item.article_type, 0.0) for item in items])
    colour_share = np.array([colours.get(item.colour, 0.0) for item in items])
    same_picture = 10.0 * (similarity >= DUPLICATE_SIMILARITY)
    return TYPE_WEIGHT * type_share + COLOUR_WEIGHT * colour_share + SIMILARITY_WEIGHT * similarity + same_picture


class TypeModel:
    """Article-type shares of a picture from its shape view, learnt from the catalog's own labelled pictures."""

    def __init__(self, classes: Sequence[str], coef: np.ndarray, intercept: np.ndarray):
        self.classes, self.coef, self.intercept = list(classes), coef.astype(np.float32), intercept.astype(np.float32)

    @classmethod
    def fit(cls, shapes: np.ndarray, types: Sequence[str], seed: int = 0) -> "TypeModel | None":
        """Fit on at most :data:`FIT_LIMIT` pictures (a random sample); None with fewer than two types or fewer than
        :data:`MIN_PER_TYPE` pictures per type on average (too few to learn from: the neighbour vote alone)."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        labels = np.asarray(types)
        kinds = len(set(labels.tolist()))
        if kinds < 2 or len(labels) < MIN_PER_TYPE * kinds:
            return None
        rows = np.random.default_rng(seed).permutation(len(labels))[:FIT_LIMIT]
        with warnings.catch_warnings():  # 300 iterations are what the settings were measured with, converged or not
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = LogisticRegression(C=LEARNED_C, max_iter=300).fit(shapes[rows], labels[rows])
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:  # one row for two classes: the same odds as a softmax over [0, row]
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        return cls(model.classes_.tolist(), coef, intercept)

    def shares(self, shape: np.ndarray) -> dict[str, float]:
        """Each type's probability for a picture's shape view."""
        logits = self.coef @ shape + self.intercept
        odds = np.exp(logits - logits.max())
        return dict(zip(self.classes, (odds / odds.sum()).tolist()))

    def save(self, path: Path) -> None:
        np.savez(path, classes=np.array(self.classes), coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, path: Path) -> "TypeModel":
        saved = np.load(path, allow_pickle=False)
        return cls(saved["classes"].tolist(), saved["coef"], saved["intercept"])
