"""``python -m fashionm3 eval generation``: draw catalog products from their names and score the images.

For ``n`` products with photos, the prompt is the product's own description (colour, type, name). Each generated
image is scored with the configured encoder, as FashionM3 and the generation literature do:
- ``clip_t``: text-image cosine x100 between the description and the image (CLIPScore-style; only for cross-modal
  encoders, i.e. the open_clip models: the offline encoder's text and image spaces differ, so it is ``null`` there);
- ``clip_i``: image-image cosine x100 between the generated image and the real product photo;
- ``category_at_k``: share of images whose image->product search returns the requested article type in the top k.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

import numpy as np
from PIL import Image

from fashionm3.catalog.schema import Item
from fashionm3.errors import FashionM3Error, Unavailable
from fashionm3.retrieval.encoders import Encoder
from fashionm3.service import FashionM3
from fashionm3.stylist.description import ItemDescription


def text_image_scores(encoder: Encoder, texts: Sequence[str], images: Sequence[Image.Image]) -> np.ndarray:
    """Cosine x100 of each text with its image (row-wise); needs a cross-modal encoder."""
    if not encoder.cross_modal:
        raise Unavailable(f"{encoder.label} does not put text and images in one space; text-image scores need a CLIP-family encoder.")
    return 100 * np.sum(encoder.encode_text(list(texts)) * encoder.encode_images(list(images)), axis=1)


def image_image_scores(encoder: Encoder, images: Sequence[Image.Image], references: Sequence[Image.Image]) -> np.ndarray:
    """Cosine x100 of each image with its reference image (row-wise)."""
    return 100 * np.sum(encoder.encode_images(list(images)) * encoder.encode_images(list(references)), axis=1)


def evaluate_generation(service: FashionM3, count: int = 50, seed: int = 0, k: int = 5) -> dict[str, object]:
    """Generate one image per sampled product and report the mean scores (plus refusals and timing-free counts)."""
    rng = random.Random(seed)
    products = [item for item in service.catalog.items if item.image_path]
    sample = rng.sample(products, min(count, len(products)))
    texts, images, photos, types, refused = [], [], [], [], 0
    for item in sample:
        try:
            image = service.generate_product_image(_description(item), seed=seed)[0]
        except FashionM3Error:
            refused += 1
            continue
        texts.append(f"a photo of {item.name}")
        images.append(image.convert("RGB"))
        photos.append(Image.open(item.image_path).convert("RGB"))
        types.append(item.article_type)
    encoder = service.engine.encoder
    clip_t = text_image_scores(encoder, texts, images) if encoder.cross_modal and images else None
    clip_i = image_image_scores(encoder, images, photos) if images else np.zeros(0)
    found = [any(hit.item.article_type == wanted for hit in service.search_catalog("", image, None, k).hits) for image, wanted in zip(images, types)]
    return {
        "generator": service.generator.label,
        "encoder": encoder.label,
        "images": len(images),
        "refused": refused,
        "clip_t": round(float(np.mean(clip_t)), 2) if clip_t is not None else None,
        "clip_i": round(float(np.mean(clip_i)), 2) if len(clip_i) else None,
        f"category_at_{k}": round(statistics.fmean(found), 3) if found else None,
    }


def _description(item: Item) -> ItemDescription:
    return ItemDescription(category=item.article_type, colour=item.colour, style=item.usage, details=item.name, source="catalog")
