"""A user's taste as vectors in the index's own spaces, used to re-rank search and stylist results.

Rocchio-style: the centroid of liked items pulls candidates up, the centroid of disliked items pushes them down,
and candidates that are near-duplicates of a disliked item (same look or same description) are dropped, so
"not this" also removes the same product under another brand name.
"""

from __future__ import annotations

import dataclasses
import numpy as np
from PIL import Image

from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.encoders import Encoder
from fashionm3.retrieval.index import VectorIndex

WEIGHT = 0.1  # score added per standard deviation of taste similarity among the candidates
# same name or same look as a disliked item: dropped (offline encoder, measured; for the v3 pixel features too: on
# the demo catalog identical drawings score 1.0 and the closest different ones 0.979)
NEAR_DUPLICATE = {"text": 0.985, "image": 0.985}
MAX_ITEMS = 50  # the most recent likes and dislikes taken into account


@dataclasses.dataclass
class TasteSpace:
    """One modality's taste: the liked and disliked centroids and the disliked items' own vectors."""

    modality: str  # "text" or "image"
    liked: np.ndarray | None
    disliked: np.ndarray | None
    disliked_items: np.ndarray  # one row per disliked item


@dataclasses.dataclass
class Preference:
    """Everything a search needs to personalise a ranking for one user."""

    disliked_ids: frozenset[str]
    spaces: list[TasteSpace]
    avoided_colours: frozenset[str] = frozenset()  # stated on the Profile tab: never shown

    def personalise(self, indexes: dict[str, VectorIndex | None], candidates: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Re-scored candidates and a keep-mask (False for near-duplicates of a disliked item)."""
        adjusted, keep = scores.astype(np.float32).copy(), np.ones(len(candidates), bool)
        spaces = [space for space in self.spaces if indexes.get(space.modality) is not None]
        for space in spaces:
            index = indexes[space.modality]
            pull = np.zeros(len(candidates), np.float32)
            if space.liked is not None:
                pull += index.score(space.liked, candidates)
            if space.disliked is not None:
                pull -= index.score(space.disliked, candidates)
            if len(candidates) > 1:  # standardised, so taste weighs the same whatever the encoder's similarity scale
                adjusted += WEIGHT * (pull - pull.mean()) / (pull.std() + 1e-6) / len(spaces)
            if len(space.disliked_items):
                nearest = np.max([index.score(vector, candidates) for vector in space.disliked_items], axis=0)
                keep &= nearest < NEAR_DUPLICATE[space.modality]
        return adjusted, keep


def build_preference(
    catalog: Catalog, encoder: Encoder, feedback: dict[str, bool], with_images: bool, stated: dict | None = None
) -> Preference:
    """Encode the user's latest liked and disliked items (unknown ids are ignored) and stated preferences."""
    stated = stated or {}
    known = [(item_id, liked) for item_id, liked in feedback.items() if item_id in catalog][-MAX_ITEMS:]
    liked = [catalog.get(item_id) for item_id, yes in known if yes]
    disliked = [catalog.get(item_id) for item_id, yes in known if not yes]
    wished = " ".join([*stated.get("favour_colours", []), *stated.get("styles", [])])
    texts = [item.description() for item in liked] + ([wished] if wished else []) + [item.description() for item in disliked]
    avoided = frozenset(stated.get("avoid_colours", [])) & set(catalog.values("colour"))  # a colour the catalog lacks filters nothing
    if not texts:
        return Preference(frozenset(), [], avoided)
    spaces = [_space("text", encoder.encode_text(texts), len(liked) + bool(wished))]
    pictured = [item for item in liked + disliked if item.image_path]
    if with_images and pictured:
        vectors = encoder.encode_images([Image.open(item.image_path).convert("RGB") for item in pictured])
        spaces.append(_space("image", vectors, sum(item in liked for item in pictured)))
    return Preference(frozenset(item.id for item in disliked), spaces, avoided)


def _space(modality: str, vectors: np.ndarray, liked_count: int) -> TasteSpace:
    liked, disliked = vectors[:liked_count], vectors[liked_count:]
    return TasteSpace(modality, _centroid(liked), _centroid(disliked), disliked)


def _centroid(vectors: np.ndarray) -> np.ndarray | None:
    if not len(vectors):
        return None
    mean = vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)
