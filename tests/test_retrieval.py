import numpy as np
import pytest
from PIL import Image

from fashionm3.errors import InvalidInput
from fashionm3.retrieval.encoders import OfflineEncoder
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.retrieval.index import ExactIndex
from fashionm3.retrieval.query import parse_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("navy shirt for a man", {"gender": ["Men", "Unisex"], "article_type": ["Shirts"], "colour": ["Navy Blue"]}),
        ("something red for a party", {"colour": ["Red"], "usage": ["Party"]}),
        ("black tee under $30", {"article_type": ["Tshirts"], "colour": ["Black"], "price_max": 30.0}),
        ("grey trousers for the office", {"article_type": ["Trousers"], "colour": ["Grey"], "usage": ["Formal"]}),
        ("a purse for my wife", {"gender": ["Women", "Unisex"], "article_type": ["Handbags"]}),
        ("summer dress", {"article_type": ["Dresses"], "season": ["Summer"]}),
    ],
)
def test_query_understanding(catalog, text, expected):
    assert parse_query(text, catalog).filters == expected


def test_t_shirt_is_not_also_a_shirt(catalog):
    assert parse_query("a white t-shirt", catalog).filters["article_type"] == ["Tshirts"]


def test_filters_only_use_values_the_catalog_has(catalog):
    assert "colour" not in parse_query("a mauve top", catalog).filters  # the demo catalog has no Mauve


def test_exact_index_matches_brute_force_with_a_mask():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index, query = ExactIndex(vectors), vectors[3]
    mask = np.arange(500) % 2 == 1
    rows, scores = index.search(query, 10, mask)
    expected = [r for r in np.argsort(-(vectors @ query)) if mask[r]][:10]
    assert rows.tolist() == expected
    assert np.allclose(scores, vectors[expected] @ query)
    assert index.search(query, 5, np.zeros(500, bool))[0].size == 0


def test_text_search_respects_understood_filters(service):
    result = service.search_catalog("black sneakers", k=5)
    assert result.hits[0].item.article_type == "Casual Shoes" and result.hits[0].item.colour == "Black"
    assert all(hit.item.article_type == "Casual Shoes" for hit in result.hits)


def test_strict_matches_come_first_then_relaxed_ones_fill_the_list(service):
    result = service.search_catalog("white jeans for a woman", k=8)
    strict = [h for h in result.hits if (h.item.colour, h.item.article_type) == ("White", "Jeans") and h.item.gender in ("Women", "Unisex")]
    assert strict and result.hits[: len(strict)] == strict
    assert len(result.hits) == 8 and result.relaxed


def test_explicit_filters_are_never_relaxed(service):
    result = service.search_catalog("party", filters={"colour": "Teal", "article_type": "Dresses"}, k=10)
    assert result.hits and all((h.item.colour, h.item.article_type) == ("Teal", "Dresses") for h in result.hits)


def test_image_search_finds_the_same_product_first(service, catalog):
    for item in catalog.items[::45]:
        hits = service.search_catalog(image=item.image_path, k=3).hits
        assert hits[0].score > 0.999  # the same picture (some demo items share one)
        assert item.id in [hit.item.id for hit in hits if hit.score > 0.999]


def test_image_and_text_together(service, catalog):
    sweater = next(i for i in catalog.items if i.article_type == "Sweaters" and i.colour == "Blue")
    hits = service.search_catalog("in red", image=sweater.image_path, k=5).hits
    assert all(hit.item.colour == "Red" for hit in hits)


def test_bad_queries(service):
    with pytest.raises(InvalidInput, match="Please type"):
        service.search_catalog("   ")
    with pytest.raises(InvalidInput, match="k must be"):
        service.search_catalog("shirt", k=0)
    with pytest.raises(InvalidInput, match="JSON object"):
        service.search_catalog("shirt", filters="{not json")


class CountingEncoder(OfflineEncoder):
    """The real offline encoder, counting what it is asked to encode."""

    def __init__(self):
        super().__init__()
        self.texts = self.images = 0

    def encode_text(self, texts):
        self.texts += len(texts)
        return super().encode_text(texts)

    def encode_images(self, images):
        self.images += len(images)
        return super().encode_images(images)


def test_index_is_reused_from_disk(catalog, tmp_path):
    encoder = CountingEncoder()
    first = SearchEngine.open_or_build(catalog, encoder, tmp_path)
    assert (encoder.texts, encoder.images) == (len(catalog), len(catalog))
    second = SearchEngine.open_or_build(catalog, encoder, tmp_path)
    assert (encoder.texts, encoder.images) == (len(catalog), len(catalog))  # nothing encoded again
    assert np.array_equal(np.asarray(first.text_index.vectors), np.asarray(second.text_index.vectors))


def test_reindexing_a_changed_catalog_only_encodes_what_changed(catalog, tmp_path):
    import dataclasses

    from fashionm3.catalog.schema import Catalog

    SearchEngine.build(catalog, OfflineEncoder(), tmp_path)
    changed_items = [dataclasses.replace(catalog.items[0], name="Zebra Print Marathon Tee"), *catalog.items[1:]]
    encoder = CountingEncoder()
    engine = SearchEngine.build(Catalog(changed_items, "changed", "test"), encoder, tmp_path)
    assert (encoder.texts, encoder.images) == (1, 0)
    assert engine.search("zebra print marathon tee", k=1).hits[0].item.name == "Zebra Print Marathon Tee"


def test_an_index_built_with_another_encoder_is_refused(catalog, tmp_path):
    SearchEngine.build(catalog, OfflineEncoder(), tmp_path / "cache").save(tmp_path / "index")
    other = CountingEncoder()
    other.name = "another-encoder"
    with pytest.raises(InvalidInput, match="built with the encoder 'offline-minilm-pixels-v3'"):
        SearchEngine.load(tmp_path / "index", catalog, other)
    with pytest.raises(InvalidInput, match="not a FashionM3 index"):
        SearchEngine.load(tmp_path, catalog, OfflineEncoder())


def test_pixel_features_tell_colours_and_shapes_apart():
    from fashionm3.catalog.draw import draw_item
    from fashionm3.retrieval.pixels import pixel_features

    red_shirt, red_shirt_2 = pixel_features(draw_item("Shirts", "Red")), pixel_features(draw_item("Shirts", "Red", "Striped"))
    blue_shirt, red_bag = pixel_features(draw_item("Shirts", "Blue")), pixel_features(draw_item("Handbags", "Red"))
    assert red_shirt @ red_shirt_2 > red_shirt @ blue_shirt
    assert red_shirt @ red_shirt_2 > red_shirt @ red_bag
    assert pixel_features(Image.new("RGB", (50, 50), "white")).shape == red_shirt.shape
