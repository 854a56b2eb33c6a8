"""Offline product "images": a flat sketch drawn by our own code, labelled so nobody takes it for a photo."""

from __future__ import annotations

from PIL import Image, ImageDraw

from fashionm3.catalog.draw import ARTICLE_TYPES, COLOURS, PATTERNS, draw_item
from fashionm3.catalog.schema import Catalog
from fashionm3.generation.request import ProductPrompt

SKETCH_SIZE = 512
# Catalog sub-categories drawn with the closest silhouette we have.
SHAPE_FOR_SUB_CATEGORY = {
    "Topwear": "Tshirts", "Innerwear": "Tops", "Apparel Set": "Tshirts", "Bottomwear": "Trousers", "Loungewear and Nightwear": "Trousers",
    "Dress": "Dresses", "Saree": "Dresses", "Shoes": "Casual Shoes", "Sandal": "Casual Shoes", "Flip Flops": "Casual Shoes",
    "Bags": "Handbags", "Wallets": "Handbags", "Watches": "Watches", "Belts": "Belts", "Eyewear": "Sunglasses",
    "Headwear": "Caps", "Scarves": "Scarves", "Stoles": "Scarves", "Mufflers": "Scarves",
}  # fmt: skip


class SketchGenerator:
    """Offline: a flat sketch of the described item (category silhouette, colour, pattern) drawn by our own code.

    Every image carries a visible "SKETCH" label: it is not a photo and not a model's output.
    """

    label = "offline: labelled sketches drawn by our code (no diffusion model)"

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def render(self, prompt: ProductPrompt, seed: int = 0, count: int = 1) -> list[Image.Image]:
        """``count`` sketches; the seed only rotates through the colours named in the request."""
        shape = self.shape_for(prompt.description.category)
        colours = _colours(f"{prompt.description.colour} {prompt.subject}") or ["Grey"]
        pattern = next((p for p in PATTERNS if p.lower().split()[0] in prompt.subject.lower()), "Solid")
        return [_labelled(draw_item(shape, colours[(seed + n) % len(colours)], pattern, SKETCH_SIZE)) for n in range(count)]

    def shape_for(self, category: str) -> str:
        """The silhouette for a catalog article type (its own, else its sub-category's, else a T-shirt)."""
        known = {name.lower(): name for name in ARTICLE_TYPES}
        if category.lower() in known:
            return known[category.lower()]
        return SHAPE_FOR_SUB_CATEGORY.get(self.catalog.sub_category_of.get(category, ""), "Tshirts")


def _colours(text: str) -> list[str]:
    lower = text.lower()
    found = sorted((lower.find(name.lower()), name) for name in COLOURS if name.lower() in lower)
    return [name for _, name in found if not any(name != other and name.lower() in other.lower() for _, other in found)]


def _labelled(image: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 150, 28], fill=(30, 30, 30))
    draw.text((10, 8), "SKETCH - not a photo", fill=(255, 255, 255))
    return image
