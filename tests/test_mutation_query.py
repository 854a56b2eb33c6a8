"""What a free-text query is understood to ask for, on the hand-built catalog: filters, brand and pattern words,
exclusions from negations, budgets and the one-line description shown to the shopper (fast: no index)."""

from __future__ import annotations

import pytest

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.query import ParsedQuery, parse_query, vocabulary

MEN, WOMEN = ["Men", "Unisex"], ["Women", "Unisex"]
SHOES = ["Casual Shoes", "Formal Shoes", "Sports Shoes", "Heels"]


def shop(*kinds: tuple[str, str, str]) -> Catalog:
    """A catalog with one item per (article type, colour, gender)."""
    items = [Item(str(n), f"{colour} {kind}", gender, article_type=kind, colour=colour)
             for n, (kind, colour, gender) in enumerate(kinds)]  # fmt: skip
    return Catalog(items, "shop", "tests")


@pytest.mark.parametrize(
    ("text", "filters", "names"),
    [
        ("navy shirt for a man under $50", {"gender": MEN, "article_type": ["Shirts"], "colour": ["Navy Blue"],
                                            "price_max": 50.0}, {}),
        ("navy blue shirt", {"article_type": ["Shirts"], "colour": ["Navy Blue"]}, {}),  # not Blue as well
        ("a white t-shirt", {"article_type": ["Tshirts"], "colour": ["White"]}, {}),  # not Shirts as well
        ("women's heels", {"gender": WOMEN, "article_type": ["Heels"]}, {}),
        ("charcoal trousers", {"article_type": ["Trousers"], "colour": ["Grey"]}, {}),
        ("a burgundy dress", {"article_type": ["Dresses"]}, {}),  # the catalog has no Maroon
        ("a dress for my son", {"article_type": ["Dresses"], "gender": ["Men", "Unisex"]}, {}),  # no Boys: men
        ("sneakers for a party in winter", {"article_type": ["Casual Shoes", "Sports Shoes"], "usage": ["Party"],
                                            "season": ["Winter"]}, {}),
        ("shoes between $40 and $60", {"article_type": SHOES, "price_min": 40.0, "price_max": 60.0}, {}),
        ("running shoes for the gym", {"article_type": ["Sports Shoes"], "usage": ["Sports"]}, {}),
        ("a formal dress for an interview", {"article_type": ["Dresses"], "usage": ["Formal"]}, {}),
        ("dresses", {"article_type": ["Dresses"]}, {}),
        ("a dress", {"article_type": ["Dresses"]}, {}),
        ("checked shirt by corso or marlow", {"article_type": ["Shirts"]}, {"pattern": ["check"],
                                                                            "brand": ["corso", "marlow"]}),
        ("striped printed tee", {"article_type": ["Tshirts"]}, {"pattern": ["print", "strip"]}),
        ("sports shoes and a tee", {"article_type": ["Sports Shoes", "Tshirts"], "usage": ["Sports"]}, {}),
        ("marlow's heels", {"article_type": ["Heels"]}, {"brand": ["marlow"]}),
        ("Northlin jeans for women", {"gender": WOMEN, "article_type": ["Jeans"]}, {"brand": ["northline"]}),
        ("blak shirt for a man", {"gender": MEN, "article_type": ["Shirts"], "colour": ["Black"]}, {}),
        ("something nice", {}, {}),
    ],
)  # fmt: skip
def test_free_text_becomes_the_catalog_filters_it_names(mini_catalog, text, filters, names):
    parsed = parse_query(text, mini_catalog)
    assert (parsed.filters, parsed.names) == (filters, names)
    assert (parsed.excluded, parsed.excluded_words) == ({}, [])


def test_the_text_left_for_semantic_matching_is_the_corrected_query_without_its_negations(mini_catalog):
    parsed = parse_query("  Blak shirt for a man, not striped  ", mini_catalog)
    assert parsed.text == "Blak shirt for a man, not striped" and parsed.semantic == "black shirt for a man"
    assert parse_query("Jeans", mini_catalog).semantic == "jeans"


@pytest.mark.parametrize(
    ("text", "excluded", "excluded_words"),
    [
        ("shoes but not sports shoes", {"article_type": ["Sports Shoes"]}, []),  # the type, not the Sports usage
        ("shoes under 60 not casual shoes", {"article_type": ["Casual Shoes"]}, []),
        ("a dress, not running shoes", {"article_type": ["Sports Shoes"]}, []),
        ("shoes, not sporty", {"usage": ["Sports"]}, []),
        ("a shirt, no sports wear", {"usage": ["Sports"]}, []),
        ("summer dress not for winter", {"season": ["Winter"]}, []),
        ("shirt without stripes, not navy blue", {"colour": ["Navy Blue"]}, ["strip"]),
        ("heels except marlow", {}, ["marlow"]),
        ("a red dress, not red shoes", {}, []),  # a colour asked for is never also ruled out
        ("jeans, not denim", {"article_type": ["Jeans"]}, []),
        ("shoes, not shirts or jeans", {"article_type": ["Shirts", "Jeans"]}, []),  # a list: both
        ("a dress, not a cheap one", {}, []),  # nothing the catalog names
        ("a dress, not for him", {}, []),
    ],
)  # fmt: skip
def test_negated_words_become_exclusions(mini_catalog, text, excluded, excluded_words):
    parsed = parse_query(text, mini_catalog)
    assert (parsed.excluded, parsed.excluded_words) == (excluded, excluded_words)


def test_a_negated_article_type_is_kept_out_while_the_positive_words_stay_filters(mini_catalog):
    parsed = parse_query("shoes but not sports shoes", mini_catalog)
    assert parsed.filters == {"article_type": SHOES} and parsed.semantic == "shoes"
    assert "usage" not in parsed.excluded


def test_patterns_the_catalog_names_never_use_are_not_filters():
    catalog = Catalog([Item(str(n), f"Corso Men Blue Shirt {n}", "Men", article_type="Shirts", colour="Blue")
                       for n in range(3)], "plain", "tests")  # fmt: skip
    assert parse_query("striped shirt", catalog).names == {}
    assert parse_query("striped corso shirt", catalog).names == {"brand": ["corso"]}


def test_the_longest_name_wins_over_a_name_it_contains():
    catalog = shop(("Rain Jackets", "Off White", "Men"), ("Kids Rain Jackets", "White", "Men"),
                   ("Tops", "Blue", "Men"))
    assert parse_query("kids rain jackets", catalog).filters["article_type"] == ["Kids Rain Jackets"]
    assert parse_query("a kids rain jacket", catalog).filters["article_type"] == ["Kids Rain Jackets"]
    assert parse_query("a rain jacket", catalog).filters["article_type"] == ["Rain Jackets"]
    assert parse_query("off white top", catalog).filters == {"article_type": ["Tops"], "colour": ["Off White"]}


def test_gender_words_add_unisex_only_where_the_catalog_has_it():
    catalog = shop(("Shirts", "Blue", "Men"), ("Shirts", "Red", "Women"))
    assert parse_query("shirt for a man", catalog).filters == {"gender": ["Men"], "article_type": ["Shirts"]}


def test_two_letter_stems_are_never_article_types():
    catalog = shop(("Ties", "Blue", "Men"), ("Tops", "Red", "Women"))
    assert parse_query("ti", catalog).filters == {}
    assert parse_query("a top", catalog).filters == {"article_type": ["Tops"]}


def test_the_description_reads_back_every_part_of_the_understanding(mini_catalog):
    parsed = parse_query("striped corso shirt for a man under $49.5, not navy blue, not printed", mini_catalog)
    assert parsed.describe() == (
        "gender: Men or Unisex · article type: Shirts · price max: 49.5 · pattern: striped · brand: corso"
        " · not colour: Navy Blue · not: printed"
    )
    negated = parse_query("shoes but not sports shoes", mini_catalog).describe()
    assert negated.endswith("not article type: Sports Shoes")
    assert ParsedQuery(text="").describe() == ""
    both = parse_query("shirt by corso or marlow, not black, not navy blue", mini_catalog).describe()
    assert both == "article type: Shirts · brand: corso or marlow · not colour: Black or Navy Blue"
    unknown = ParsedQuery(text="", names={"pattern": ["dots"]}, excluded_words=["dots", "check"])
    assert unknown.describe() == "pattern: dots · not: dots or checked"


def test_brands_are_the_name_words_before_the_gender_that_recur_and_are_not_attribute_words():
    names = (
        ["Kora Men Shirt"] * 3 + ["Lune Men Shirt"] * 2  # Kora recurs 3 times, Lune only twice
        + ["Oxo Men Shirt", "Oxo Women Shirt", "Oxo Unisex Shirt"] + ["Ox Men Shirt"] * 3  # Ox is too short
        + ["Mira Men Shirt"] * 4 + ["Kora Men Mira Shirt"] * 2  # Mira: 4 times a brand, twice a product word
        + ["Vex Men Shirt"] * 3 + ["Kora Men Vex Shirt"] * 2  # Vex: 3 and 2, mostly a product word
        + ["Casual Men Shirt", "Blue Men Shirt", "With Men Shirt"] * 3  # attribute and function words
        + ["Plain Men Shirt", "Navy Men Shirt", "Tee Men Shirt"] * 3  # a pattern, a colour, a garment word
        + ["Pumba Shirt"] * 3 + ["Men Zola Shirt"] * 3  # no gender word after the would-be brand
        + ["Kora Shirt"] * 6 + ["Kora Unisex Shirt"] * 3  # names without a gender word count for nothing
        + ["O'Neill Men Shirt"] * 3  # an apostrophe inside a word is dropped
    )  # fmt: skip
    items = [Item(str(n), name, "Men", article_type="Shirts", colour="Blue") for n, name in enumerate(names)]
    catalog = Catalog(items, "brands", "tests")
    brands = vocabulary(catalog).brands
    assert brands == {"kora", "oxo", "mira", "oneill"}
    assert parse_query("o'neill shirt", catalog).names == {"brand": ["oneill"]}


def test_the_speller_knows_the_catalog_brands_and_words(mini_catalog):
    assert parse_query("marlw heels", mini_catalog).names == {"brand": ["marlow"]}
    assert parse_query("sneekers", mini_catalog).filters == {"article_type": ["Casual Shoes", "Sports Shoes"]}


def test_name_words_match_items_whose_name_has_a_word_starting_with_them(mini_catalog):
    words = vocabulary(mini_catalog)
    rows = words.name_mask(["strip", "marl"]).nonzero()[0]
    named = {mini_catalog.items[row].id for row in rows}
    striped = {item.id for item in mini_catalog.items if "Striped" in item.name}
    marlow = {item.id for item in mini_catalog.items if item.name.startswith("Marlow")}
    assert named == striped | marlow and striped and marlow
    assert not words.name_mask(["tripe"]).any() and not words.name_mask([]).any()
    with pytest.raises(ValueError):
        words._prefix_mask("strip")[0] = True  # the cached mask is shared: nobody may change it


def test_the_vocabulary_of_a_catalog_is_built_once(mini_catalog):
    assert vocabulary(mini_catalog) is vocabulary(mini_catalog)
    assert vocabulary(mini_catalog).catalog is mini_catalog
