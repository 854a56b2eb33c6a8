"""A small hand-built catalog (our own products, pictures drawn by our own code) shared by the retrieval and stylist
mutation tests: few enough items that every expected ranking can be checked by hand.

The MiniLM text model loads once per process (``encoder()``); ``FASHIONM3_MUTATION_PRELOAD=1`` (set by
``bench/mutation.sh``) loads it at import, before mutmut forks one test run per mutant, so each run reuses it.
Nothing built by the code under test is cached here: the catalogs and engines are session fixtures (conftest), so
every mutant's run builds its own.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

from fashionm3.catalog.draw import draw_item
from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.encoders import OfflineEncoder

SUB_CATEGORY = {
    "Shirts": ("Apparel", "Topwear"), "Tshirts": ("Apparel", "Topwear"), "Dresses": ("Apparel", "Dress"),
    "Jeans": ("Apparel", "Bottomwear"), "Trousers": ("Apparel", "Bottomwear"), "Casual Shoes": ("Footwear", "Shoes"),
    "Sports Shoes": ("Footwear", "Shoes"), "Formal Shoes": ("Footwear", "Shoes"), "Heels": ("Footwear", "Shoes"),
    "Handbags": ("Accessories", "Bags"),
}  # fmt: skip
NOUNS = {"Tshirts": "T-shirt", "Shirts": "Shirt", "Dresses": "Dress", "Handbags": "Handbag"}
# id, brand, gender, article type, colour, usage, season, price, pattern ("" = plain)
ROWS = [
    ("m01", "Northline", "Men", "Shirts", "Navy Blue", "Formal", "Fall", 45.0, ""),
    ("m02", "Northline", "Men", "Shirts", "White", "Formal", "Spring", 39.0, "Striped"),
    ("m03", "Corso", "Men", "Shirts", "Blue", "Casual", "Summer", 29.0, "Checked"),
    ("m04", "Marlow", "Men", "Shirts", "Black", "Party", "Fall", 55.0, ""),
    ("m05", "Corso", "Men", "Shirts", "Red", "Casual", "Summer", 25.0, "Checked"),
    ("m06", "Northline", "Men", "Tshirts", "Black", "Sports", "Summer", 19.0, ""),
    ("m07", "Corso", "Men", "Tshirts", "White", "Casual", "Summer", 15.0, "Printed"),
    ("m08", "Marlow", "Unisex", "Tshirts", "Grey", "Casual", "Spring", 22.0, "Striped"),
    ("m09", "Northline", "Men", "Jeans", "Blue", "Casual", "Fall", 49.0, ""),
    ("m10", "Corso", "Men", "Jeans", "Black", "Casual", "Winter", 59.0, ""),
    ("m11", "Marlow", "Men", "Trousers", "Grey", "Formal", "Winter", 65.0, ""),
    ("m12", "Northline", "Men", "Trousers", "Navy Blue", "Formal", "Fall", 70.0, "Checked"),
    ("m13", "Northline", "Men", "Sports Shoes", "White", "Sports", "Summer", 75.0, ""),
    ("m14", "Corso", "Men", "Sports Shoes", "Black", "Sports", "Fall", 85.0, ""),
    ("m15", "Corso", "Men", "Casual Shoes", "White", "Casual", "Summer", 60.0, ""),
    ("m16", "Marlow", "Men", "Casual Shoes", "Brown", "Casual", "Fall", 68.0, ""),
    ("m17", "Marlow", "Men", "Formal Shoes", "Black", "Formal", "Winter", 95.0, ""),
    ("m18", "Northline", "Men", "Formal Shoes", "Brown", "Formal", "Fall", 89.0, ""),
    ("w01", "Marlow", "Women", "Dresses", "Red", "Party", "Summer", 79.0, ""),
    ("w02", "Marlow", "Women", "Dresses", "Black", "Party", "Winter", 99.0, ""),
    ("w03", "Corso", "Women", "Dresses", "Pink", "Casual", "Summer", 45.0, "Printed"),
    ("w04", "Northline", "Women", "Dresses", "Blue", "Formal", "Spring", 69.0, ""),
    ("w05", "Corso", "Women", "Dresses", "White", "Casual", "Summer", 39.0, "Striped"),
    ("w06", "Marlow", "Women", "Shirts", "White", "Formal", "Spring", 42.0, ""),
    ("w07", "Corso", "Women", "Shirts", "Pink", "Casual", "Summer", 32.0, "Checked"),
    ("w08", "Northline", "Women", "Tshirts", "Red", "Sports", "Summer", 21.0, ""),
    ("w09", "Marlow", "Women", "Tshirts", "White", "Casual", "Spring", 18.0, "Printed"),
    ("w10", "Corso", "Women", "Jeans", "Blue", "Casual", "Fall", 55.0, ""),
    ("w11", "Northline", "Women", "Jeans", "White", "Casual", "Summer", 52.0, ""),
    ("w12", "Marlow", "Women", "Heels", "Red", "Party", "Summer", 79.0, ""),
    ("w13", "Marlow", "Women", "Heels", "Black", "Party", "Winter", 89.0, ""),
    ("w14", "Northline", "Women", "Sports Shoes", "Pink", "Sports", "Summer", 72.0, ""),
    ("w15", "Corso", "Women", "Casual Shoes", "White", "Casual", "Summer", 58.0, ""),
    ("w16", "Marlow", "Women", "Handbags", "Black", "Formal", "Fall", 120.0, ""),
    ("w17", "Corso", "Women", "Handbags", "Brown", "Casual", "Fall", 85.0, ""),
    ("w18", "Northline", "Women", "Handbags", "Red", "Party", "Summer", 95.0, ""),
    ("m19", "Corso", "Men", "Shirts", "Red", "Casual", "Summer", 27.0, "Checked"),  # m05 listed again
]  # fmt: skip


def item(row: tuple) -> Item:
    """One catalog item from a row of ``ROWS``; the name reads like a shop's: brand, gender, pattern, colour, noun."""
    item_id, brand, gender, article_type, colour, usage, season, price, pattern = row
    noun = NOUNS.get(article_type, article_type)
    name = " ".join(word for word in (brand, gender, pattern, colour, noun) if word)
    master, sub = SUB_CATEGORY[article_type]
    return Item(item_id, name, gender, master, sub, article_type, colour, season, usage, 2026, price)


def catalog() -> Catalog:
    """The catalog without pictures (text search and query parsing)."""
    return Catalog([item(row) for row in ROWS], "mutation", "tests")


def pictured_catalog(folder: Path) -> Catalog:
    """The same items, each with a drawn picture (pattern included) written under ``folder``."""
    items = []
    for row in ROWS:
        path = folder / f"{row[0]}.png"
        if not path.exists():
            draw_item(row[3], row[4], row[8] or "Solid", size=128).save(path)
        items.append(dataclasses.replace(item(row), image_path=str(path)))
    return Catalog(items, "mutation", "tests", image_root=folder)


@functools.cache
def encoder() -> OfflineEncoder:
    """The offline encoder with its MiniLM text model loaded (once per process)."""
    loaded = OfflineEncoder()
    loaded.load()
    return loaded


if os.environ.get("FASHIONM3_MUTATION_PRELOAD") == "1":
    encoder()
