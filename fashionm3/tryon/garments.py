"""Which body regions a garment replaces, in the labels of the clothes-parsing model.

Labels are those of the ATR-style SegFormer clothes parsers (e.g. ``mattmdjaga/segformer_b2_clothes``, MIT):
0 background, 1 hat, 2 hair, 3 sunglasses, 4 upper-clothes, 5 skirt, 6 pants, 7 dress, 8 belt, 9/10 shoes,
11 face, 12/13 legs, 14/15 arms, 16 bag, 17 scarf. The mask covers the old garment and the skin a new one may
cover (arms for sleeves, legs for lengths); face and hair are never painted.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from fashionm3.errors import InvalidInput

REGIONS = ("upper", "lower", "dress", "outerwear")
REPLACED_LABELS = {
    "upper": (4, 14, 15),
    "outerwear": (4, 7, 14, 15, 17),
    "lower": (5, 6, 12, 13),
    "dress": (4, 5, 6, 7, 12, 13, 14, 15),
}
MIN_PERSON_SIDE = 128
PROTECTED_LABELS = (2, 11)  # hair and face stay exactly as they are
OUTERWEAR_TYPES = {"Jackets", "Blazers", "Sweaters", "Sweatshirts", "Coats", "Shrug", "Waistcoat", "Rain Jacket", "Nehru Jackets"}
DRESS_SUB_CATEGORIES = {"Dress", "Saree", "Apparel Set"}
DRESS_TYPES = {"Dresses", "Jumpsuit", "Rompers", "Sarees", "Kurta Sets", "Lehenga Choli", "Nightdress", "Night suits", "Baby Dolls",
               "Bath Robe", "Robe"}  # fmt: skip
LOWER_TYPES = {"Jeans", "Trousers", "Shorts", "Skirts", "Track Pants", "Leggings", "Briefs", "Boxers", "Trunk", "Lounge Pants", "Lounge Shorts"}
NOT_WORN_TYPES = {"Belts", "Suspenders", "Booties"}  # filed under clothing, but nothing try-on can lay over the body


def garment_region(article_type: str = "", sub_category: str = "") -> str:
    """The region a catalog garment replaces, from its type (or a region name given directly)."""
    if article_type in REGIONS:
        return article_type
    rules = (("outerwear", OUTERWEAR_TYPES, ()), ("dress", DRESS_TYPES, DRESS_SUB_CATEGORIES), ("lower", LOWER_TYPES, ("Bottomwear",)),
             ("upper", {"Tshirts", "Shirts", "Tops", "Lounge Tshirts"}, ("Topwear", "Innerwear")))  # fmt: skip
    for region, types, sub_categories in rules if article_type not in NOT_WORN_TYPES else ():
        if article_type in types or sub_category in sub_categories:
            return region
    raise InvalidInput(f"Try-on works for clothing (tops, bottoms, dresses, outerwear), not {article_type or sub_category or 'this item'}.",
                       title="Not a clothing item")


def is_wearable(article_type: str, sub_category: str = "") -> bool:
    """Whether try-on can dress a person in this garment (tops, bottoms, dresses, outerwear; not bags or shoes)."""
    try:
        garment_region(article_type, sub_category)
    except InvalidInput:
        return False
    return article_type not in REGIONS


def check_person_photo(person: Image.Image) -> Image.Image:
    """Try-on needs a person photo of at least :data:`MIN_PERSON_SIDE` pixels on each side."""
    if min(person.size) < MIN_PERSON_SIDE:
        raise InvalidInput(f"Your photo is {person.width}x{person.height}; use one at least {MIN_PERSON_SIDE} px on each side.",
                           title="Photo too small")
    return person


def garment_mask(labels: np.ndarray, region: str, dilation: int) -> np.ndarray:
    """Boolean mask of the pixels to repaint: the region's labels, grown by ``dilation`` pixels, minus face and hair."""
    mask = np.isin(labels, REPLACED_LABELS[region])
    if not mask.any():
        raise InvalidInput("I could not find a person wearing a garment of this kind in the photo; use a photo of one person, facing the camera, whole upper body visible.",
                           title="No person found")
    if dilation > 0:
        grown = Image.fromarray(mask.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(2 * dilation + 1))
        mask = np.asarray(grown) > 0
    return mask & ~np.isin(labels, PROTECTED_LABELS)
