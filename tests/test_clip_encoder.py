"""The open_clip encoder's real code path on a tiny randomly initialised CLIP (no weights downloaded)."""

import numpy as np
import pytest

from fashionm3.config import Settings
from fashionm3.errors import Unavailable
from fashionm3.retrieval.clip import OpenClipEncoder
from fashionm3.retrieval.encoders import create_encoder
from fashionm3.retrieval.engine import SearchEngine


@pytest.fixture(scope="module")
def encoder(tiny_clip_name):
    return OpenClipEncoder(tiny_clip_name, device="cpu")


def test_vectors_are_normalised_and_cross_modal(encoder, catalog):
    from PIL import Image

    texts = encoder.encode_text(["a red dress", "black sneakers", "a red dress"])
    images = encoder.encode_images([Image.open(item.image_path) for item in catalog.items[:3]])
    assert texts.shape == (3, 32) and images.shape == (3, 32)
    assert texts.dtype == np.float32 and np.allclose(np.linalg.norm(images, axis=1), 1, atol=1e-5)
    assert np.allclose(texts[0], texts[2], atol=1e-6)
    assert encoder.cross_modal and encoder.name.startswith("openclip-fm3-tiny-clip")


def test_search_engine_fuses_text_and_image_spaces(encoder, catalog, tmp_path):
    from fashionm3.catalog.schema import Catalog

    small = Catalog(catalog.items[:40], "small", "test", catalog.image_root)
    engine = SearchEngine.build(small, encoder, tmp_path)
    hits = engine.search("a striped shirt", image=None, k=5).hits
    assert len(hits) == 5 and all(small.get(hit.item.id) for hit in hits)
    from PIL import Image

    photo = Image.open(small.items[7].image_path)
    assert engine.image_index.score(encoder.encode_images([photo])[0], np.array([7]))[0] > 0.999
    assert len(engine.search("in red", image=photo, k=3).hits) == 3


def test_full_mode_picks_the_configured_model(tiny_clip_name):
    settings = Settings(encoder_model=tiny_clip_name, device="cpu")
    assert isinstance(create_encoder("full", settings), OpenClipEncoder)
    assert create_encoder("offline", settings).name == "offline-minilm-pixels-v3"


def test_hub_model_offline_is_a_clear_error():
    with pytest.raises(Unavailable, match="marqo-fashionSigLIP"):
        OpenClipEncoder("fashionsiglip", device="cpu")
