import io

import numpy as np
import pytest
from PIL import Image

from fashionm3.catalog.demo import TAXONOMY, demo_rows
from fashionm3.catalog.draw import ARTICLE_TYPES, draw_item
from fashionm3.catalog.loaders import C5_COLUMNS, load_records, load_styles_csv
from fashionm3.errors import CatalogError, InvalidInput, NotFound
from fashionm3.retrieval.pixels import dominant_colour


def write_csv(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_public_catalog_loads_in_the_c5_format(shared_catalog):
    catalog, report = load_styles_csv(shared_catalog / "styles.csv")
    assert len(catalog) > 40_000
    assert report.skipped == []
    with_images = [item for item in catalog.items if item.image_path]
    assert len(with_images) == len(list((shared_catalog / "images").glob("*.jpg")))
    item = catalog.get(with_images[0].id)
    assert item.name and item.article_type and item.colour
    assert "Tshirts" in catalog.values("article_type")[:3]


def test_broken_rows_are_reported_with_line_numbers_and_the_rest_is_kept(tmp_path):
    csv_path = write_csv(
        tmp_path / "styles.csv",
        [
            ",".join(C5_COLUMNS),
            "1,Men,Apparel,Topwear,Shirts,Blue,Summer,2012,Casual,Blue Shirt",
            "2,Men,Apparel",  # too few fields
            ",Men,Apparel,Topwear,Shirts,Blue,Summer,2012,Casual,No Id",
            "3,Women,Apparel,Topwear,Tops,Red,Summer,NA,Casual,Red Top, with a comma",
            "1,Men,Apparel,Topwear,Shirts,Blue,Summer,2012,Casual,Duplicate",
        ],
    )
    catalog, report = load_styles_csv(csv_path)
    assert [item.id for item in catalog.items] == ["1", "3"]
    assert catalog.get("3").name == "Red Top, with a comma"
    assert catalog.get("3").year is None
    assert [line for line, _ in report.skipped] == [3, 4, 6]
    assert "lines 3, 4, 6" in report.summary()


def test_missing_columns_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(CatalogError, match="productDisplayName"):
        load_styles_csv(write_csv(tmp_path / "bad.csv", ["id,gender", "1,Men"]))
    with pytest.raises(CatalogError, match="No catalog file"):
        load_styles_csv(tmp_path / "absent.csv")


def test_demo_catalog_covers_every_category_with_drawn_images(catalog):
    assert catalog.source == "demo"
    assert len(catalog) >= 300
    assert set(catalog.values("article_type")) == set(TAXONOMY)
    assert set(catalog.values("master_category")) == {"Apparel", "Footwear", "Accessories"}
    assert len(catalog.values("colour")) >= 15
    assert all(item.image_path and item.price for item in catalog.items)
    assert Image.open(catalog.items[0].image_path).size == (256, 256)


def test_demo_catalog_is_deterministic():
    assert demo_rows() == demo_rows()


@pytest.mark.parametrize("article_type", ARTICLE_TYPES)
def test_every_silhouette_draws_a_product_in_the_requested_colour(article_type):
    colour = "Navy Blue" if article_type != "Watches" else "Red"
    picture = draw_item(article_type, colour, "Solid", size=128)
    pixels = np.asarray(picture)
    assert (pixels.min(axis=-1) < 200).mean() > 0.05  # something is drawn on the white background
    assert dominant_colour(picture) in (colour, "Black") if article_type == "Sunglasses" else dominant_colour(picture) == colour


def test_filters_and_lookup(catalog):
    mask = catalog.mask({"gender": "Women", "category": ["Dresses", "Skirts"], "price_max": 60})
    chosen = [item for item, keep in zip(catalog.items, mask) if keep]
    assert chosen and all(i.gender == "Women" and i.article_type in ("Dresses", "Skirts") and i.price <= 60 for i in chosen)
    with pytest.raises(InvalidInput, match="Unknown colour 'Mauve'"):
        catalog.mask({"colour": "Mauve"})
    with pytest.raises(InvalidInput, match="Unknown filter 'size'"):
        catalog.mask({"size": "M"})
    with pytest.raises(InvalidInput, match="must be a number"):
        catalog.mask({"price_max": "cheap"})
    with pytest.raises(NotFound):
        catalog.get("no-such-id")


def test_hub_dataset_records_become_the_same_items(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), "green").save(buffer, format="PNG")
    records = [
        {"id": 7, "gender": "Women", "masterCategory": "Apparel", "subCategory": "Dress", "articleType": "Dresses",
         "baseColour": "Green", "season": "Summer", "year": 2018.0, "usage": "Casual",
         "productDisplayName": "Green Dress", "image": {"bytes": buffer.getvalue(), "path": None}},
        {"id": 8, "productDisplayName": None, "image": None},
    ]  # fmt: skip
    catalog = load_records(records, name="hf-test", source="hf:test", image_dir=tmp_path / "images")
    assert len(catalog) == 1
    item = catalog.get("7")
    assert (item.article_type, item.colour, item.year) == ("Dresses", "Green", 2018)
    assert Image.open(item.image_path).getpixel((5, 5))[1] > 100
