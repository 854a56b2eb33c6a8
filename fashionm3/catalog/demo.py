"""The offline demo catalog: a few hundred products whose pictures and metadata our own code generates.

Deterministic (fixed seed), written once to a folder in C5 format (``styles.csv`` + ``images/<id>.jpg``) and
reused on later starts, so the app always has something real to show without any download.
"""

from __future__ import annotations

import csv
import logging
import random
from pathlib import Path

from fashionm3.catalog.draw import COLOURS, draw_item
from fashionm3.catalog.loaders import load_styles_csv
from fashionm3.catalog.schema import Catalog

log = logging.getLogger(__name__)

DEMO_VERSION = "2"
VARIANTS_PER_TYPE = 18
BRANDS = ("Atelier M3", "Northline", "Corso", "Lumen & Co", "Fieldhouse", "Marlow")

# article type -> (master category, sub category, singular name, genders, usages, seasons, base price, patterned)
TAXONOMY: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], float, bool]] = {
    "Tshirts": ("Apparel", "Topwear", "T-shirt", ("Men", "Women", "Unisex"), ("Casual", "Sports"), ("Summer", "Spring"), 19, True),
    "Shirts": ("Apparel", "Topwear", "Shirt", ("Men", "Women"), ("Formal", "Casual"), ("Spring", "Fall"), 39, True),
    "Sweaters": ("Apparel", "Topwear", "Sweater", ("Men", "Women"), ("Casual",), ("Winter", "Fall"), 49, True),
    "Jackets": ("Apparel", "Topwear", "Jacket", ("Men", "Women"), ("Casual", "Formal"), ("Winter", "Fall"), 89, False),
    "Tops": ("Apparel", "Topwear", "Top", ("Women",), ("Casual", "Party"), ("Summer", "Spring"), 24, True),
    "Dresses": ("Apparel", "Dress", "Dress", ("Women",), ("Party", "Casual", "Formal"), ("Summer", "Spring"), 59, True),
    "Jeans": ("Apparel", "Bottomwear", "Jeans", ("Men", "Women"), ("Casual",), ("Fall", "Winter", "Spring"), 49, False),
    "Trousers": ("Apparel", "Bottomwear", "Trousers", ("Men", "Women"), ("Formal", "Casual"), ("Fall", "Winter"), 45, True),
    "Shorts": ("Apparel", "Bottomwear", "Shorts", ("Men", "Women"), ("Casual", "Sports"), ("Summer",), 25, True),
    "Skirts": ("Apparel", "Bottomwear", "Skirt", ("Women",), ("Casual", "Party", "Formal"), ("Summer", "Spring"), 35, True),
    "Casual Shoes": ("Footwear", "Shoes", "Sneakers", ("Men", "Women", "Unisex"), ("Casual", "Sports"), ("Summer", "Fall"), 65, False),
    "Formal Shoes": ("Footwear", "Shoes", "Formal Shoes", ("Men",), ("Formal",), ("Fall", "Winter"), 79, False),
    "Heels": ("Footwear", "Shoes", "Heels", ("Women",), ("Party", "Formal"), ("Summer", "Spring"), 69, False),
    "Handbags": ("Accessories", "Bags", "Handbag", ("Women",), ("Casual", "Formal", "Party"), ("Fall", "Summer"), 79, True),
    "Backpacks": ("Accessories", "Bags", "Backpack", ("Unisex", "Men", "Women"), ("Casual", "Sports"), ("Fall", "Winter"), 45, False),
    "Caps": ("Accessories", "Headwear", "Cap", ("Unisex", "Men"), ("Casual", "Sports"), ("Summer",), 15, False),
    "Watches": ("Accessories", "Watches", "Watch", ("Men", "Women"), ("Formal", "Casual"), ("Winter", "Summer"), 129, False),
    "Belts": ("Accessories", "Belts", "Belt", ("Men", "Women"), ("Formal", "Casual"), ("Fall",), 22, False),
    "Scarves": ("Accessories", "Scarves", "Scarf", ("Women", "Unisex"), ("Casual",), ("Winter", "Fall"), 29, True),
    "Sunglasses": ("Accessories", "Eyewear", "Sunglasses", ("Unisex", "Men", "Women"), ("Casual",), ("Summer",), 39, False),
}  # fmt: skip
COLOURS_BY_TYPE = {
    "Jeans": ("Blue", "Navy Blue", "Black", "Grey", "White"),
    "Formal Shoes": ("Black", "Brown", "Maroon"),
    "Watches": ("Silver", "Gold", "Black", "Brown", "Navy Blue"),
    "Belts": ("Black", "Brown", "Beige", "Navy Blue"),
}


def demo_rows(seed: int = 3) -> list[dict[str, str]]:
    """The demo catalog's metadata rows in C5 format (plus ``price`` and ``pattern``)."""
    rng = random.Random(seed)
    rows = []
    next_id = 900001
    for article_type, (master, sub, noun, genders, usages, seasons, base_price, patterned) in TAXONOMY.items():
        palette = COLOURS_BY_TYPE.get(article_type, tuple(name for name in COLOURS if name not in ("Silver", "Gold")))
        covered = len(palette) * len(genders)  # every colour of the palette once for every gender
        for variant in range(max(VARIANTS_PER_TYPE, covered)):
            colour = palette[variant % len(palette)] if variant < covered else rng.choice(palette)
            pattern = rng.choice(("Solid", "Solid", "Striped", "Checked", "Polka Dot")) if patterned else "Solid"
            gender = genders[(variant // len(palette)) % len(genders)] if variant < covered else rng.choice(genders)
            usage = rng.choice(usages)
            brand = rng.choice(BRANDS)
            pattern_word = "" if pattern == "Solid" else f"{pattern} "
            rows.append(
                {
                    "id": str(next_id),
                    "gender": gender,
                    "masterCategory": master,
                    "subCategory": sub,
                    "articleType": article_type,
                    "baseColour": colour,
                    "season": rng.choice(seasons),
                    "year": str(rng.choice((2024, 2025, 2026))),
                    "usage": usage,
                    "productDisplayName": f"{brand} {gender} {pattern_word}{colour} {noun}",
                    "price": f"{base_price * rng.uniform(0.7, 1.6):.0f}.99",
                    "pattern": pattern,
                }
            )
            next_id += 1
    return rows


def demo_vocabulary() -> Catalog:
    """The demo catalog's metadata without pictures (what the sketch generator can draw)."""
    from fashionm3.catalog.loaders import item_from_record

    return Catalog([item_from_record(row, None) for row in demo_rows()], name="demo vocabulary", source="demo")


def write_demo_catalog(folder: Path) -> Path:
    """Write ``styles.csv`` and the drawn ``images/`` into ``folder``; returns the csv path."""
    rows = demo_rows()
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    for row in rows:
        picture = draw_item(row["articleType"], row["baseColour"], row["pattern"])
        picture.save(images / f"{row['id']}.jpg", quality=90)
    csv_path = folder / "styles.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (folder / "VERSION").write_text(DEMO_VERSION)
    return csv_path


def demo_catalog(folder: Path) -> Catalog:
    """The demo catalog, generated into ``folder`` on first use and reused afterwards."""
    folder = Path(folder)
    version_file = folder / "VERSION"
    if not version_file.exists() or version_file.read_text().strip() != DEMO_VERSION:
        log.info("Drawing the demo catalog into %s", folder)
        write_demo_catalog(folder)
    catalog, _ = load_styles_csv(folder / "styles.csv")
    catalog.name = "FashionM3 demo catalog (generated)"
    catalog.source = "demo"
    return catalog
