"""Free shopper phrasing: other languages, misspellings, brands, patterns and negations, and what search does with them."""

import pytest

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.lexicon import Speller, normalise
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.knowledge import COLOUR_LIGHTNESS, shift_colours


@pytest.fixture(scope="module")
def small_catalog():
    rows = [
        ("Puma", "Men", "Tshirts", "Black", "Solid"), ("Puma", "Men", "Tshirts", "White", "Striped"),
        ("Nike", "Women", "Sports Shoes", "White", "Running"), ("Nike", "Men", "Casual Shoes", "Black", "Classic"),
        ("Arrow", "Men", "Shirts", "White", "Checked"), ("Arrow", "Men", "Shirts", "Blue", "Striped"),
        ("Fabindia", "Women", "Kurtas", "Red", "Printed"), ("Fabindia", "Women", "Kurtas", "Green", "Solid"),
    ]  # fmt: skip
    items = [
        Item(id=str(n), name=f"{brand} {gender} {pattern} {colour} {kind}", gender=gender, article_type=kind,
             colour=colour, usage="Casual")
        for n, (brand, gender, kind, colour, pattern) in enumerate(rows * 3)
    ]  # fmt: skip
    return Catalog(items, "small", "test")


@pytest.mark.parametrize(
    ("text", "positive", "negated"),
    [
        ("camiseta negra para hombre", "tshirt black para men", []),
        ("Gürtel braun", "belt brown", []),
        ("lunettes de soleil", "sunglasses", []),
        ("black shirt but not formal", "black shirt", ["formal"]),
        ("no black, casual tshirt", "casual tshirt", ["black"]),
        ("shoes, not sports shoes", "shoes,", ["sports shoes"]),
    ],
)
def test_normalise_translates_and_cuts_out_negations(text, positive, negated):
    result = normalise(text, phrases={"sports shoes"})
    assert result.positive.replace(",", "").split() == positive.replace(",", "").split()
    assert result.negated == negated


def test_speller_fixes_only_unknown_words():
    speller = Speller(targets=["black", "tshirt", "men", "sweater", "watch"], known=["wash"])
    assert [speller.correct(word) for word in ["blak", "tshrt", "mne", "sweter", "wach", "wash", "zebra"]] == [
        "black", "tshirt", "men", "sweater", "watch", "wash", "zebra",
    ]  # fmt: skip


def test_an_english_word_is_never_turned_into_a_catalog_word_except_its_other_number():
    speller = Speller(targets=["bra", "skin", "pants", "sandal", "man", "basics", "sweater"], known=[])
    words = ["bar", "skiing", "parents", "sand", "sweat", "mans", "basic", "pnats"]
    assert [speller.correct(word) for word in words] == [
        "bar", "skiing", "parents", "sand", "sweat", "man", "basics", "pants",
    ]  # fmt: skip


def test_brands_patterns_and_misspellings_are_understood(small_catalog):
    parsed = parse_query("pumma tshirt for men", small_catalog)
    assert parsed.names == {"brand": ["puma"]} and parsed.filters["article_type"] == ["Tshirts"]
    assert parse_query("striped shirt", small_catalog).names == {"pattern": ["strip"]}
    assert parse_query("kurta rojo", small_catalog).filters == {"article_type": ["Kurtas"], "colour": ["Red"]}


def test_negations_become_exclusions(small_catalog):
    parsed = parse_query("shirt without stripes, not blue", small_catalog)
    assert parsed.filters == {"article_type": ["Shirts"]}
    assert parsed.excluded == {"colour": ["Blue"]} and parsed.excluded_words == ["strip"]
    assert "not colour: Blue" in parsed.describe()
    assert parse_query("shoes but not puma", small_catalog).excluded_words == ["puma"]


def test_search_keeps_negated_items_out(service):
    hits = service.search_catalog("a dress that is not red", k=10).hits
    assert hits and all(hit.item.colour != "Red" for hit in hits)
    assert all(hit.item.article_type == "Dresses" for hit in hits)


def test_find_similar_on_a_dress_returns_dresses_first(service, catalog):
    dresses = [item for item in catalog.items if item.article_type == "Dresses"][:5]
    for dress in dresses:
        hits = service.engine.search(image=_open(dress.image_path), k=5, exclude=[dress.id]).hits
        assert sum(hit.item.article_type == "Dresses" for hit in hits) >= 4, [h.item.article_type for h in hits]


def _open(path):
    from PIL import Image

    return Image.open(path).convert("RGB")


def test_signed_gender_shorthand_and_dress_codes(small_catalog):
    assert parse_query("white sneakers for me (F)", small_catalog).filters["gender"][0] == "Women"
    assert parse_query("a jacket, M 40", small_catalog).filters["gender"][0] == "Men"
    assert parse_query("what to wear on top, 26f", small_catalog).filters["gender"][0] == "Women"
    assert "gender" not in parse_query("a shirt for the office", small_catalog).filters
    assert "article_type" not in parse_query("clueless about office dress codes", small_catalog).filters


def test_lighter_and_darker_keep_to_shades_of_the_same_hue_when_asked():
    colours = list(COLOUR_LIGHTNESS)
    lighter = shift_colours(["Grey"], "lighter", colours)
    assert "White" in lighter and "Pink" not in lighter and "Yellow" not in lighter
    assert "Pink" in shift_colours(["Grey"], "lighter", colours, same_hue=False)
    assert shift_colours(["Red"], "darker", colours)[:1] != [] and "Maroon" in shift_colours(["Red"], "darker", colours)


def test_a_girl_is_a_woman_unless_she_is_a_child(small_catalog):
    girls = Item(id="g1", name="Puma Girls Pink Tshirt", gender="Girls", article_type="Tshirts", colour="Pink", usage="Casual")
    with_girls = Catalog([*small_catalog.items, girls], "girls", "test")
    assert parse_query("a kurta for a girl going out tonight", with_girls).filters["gender"] == ["Women"]
    assert parse_query("shirt for my 6 year old girl", with_girls).filters["gender"] == ["Girls"]
    assert parse_query("tshirt for a little girl", with_girls).filters["gender"] == ["Girls"]
    assert parse_query("a little black dress for a woman", with_girls).filters["gender"] == ["Women"]  # no child
    assert parse_query("a handbag for my niece's 20th", with_girls).filters["gender"] == ["Women"]
    assert parse_query("a handbag for my 8 year old niece", with_girls).filters["gender"] == ["Girls"]
    assert parse_query("a girls night out top", with_girls).filters["gender"] == ["Women"]


def test_a_black_tie_dress_code_names_no_tie_and_no_colour(small_catalog):
    parsed = parse_query("a black tie dinner on saturday, I'm a guy", small_catalog)
    dinner = parsed.filters
    assert "formal" in parsed.semantic  # read as the dress code it is
    assert "colour" not in dinner and "article_type" not in dinner
    assert parse_query("a black tie for my suit", small_catalog).filters["colour"] == ["Black"]  # a tie, in black


@pytest.fixture(scope="module")
def shoe_catalog(small_catalog):
    rows = [("Flats", "Women", "Casual"), ("Heels", "Women", "Formal"), ("Formal Shoes", "Men", "Formal"),
            ("Track Pants", "Men", "Sports"), ("Tops", "Women", "Casual"), ("Tshirts", "Boys", "Casual"),
            ("Sweaters", "Women", "Casual")]  # fmt: skip
    extra = [Item(id=f"x{n}", name=f"Corso {gender} Black {kind}", gender=gender, article_type=kind, colour="Black",
                  usage=usage) for n, (kind, gender, usage) in enumerate(rows)]  # fmt: skip
    return Catalog([*small_catalog.items, *extra], "shoes", "test")


def test_a_budget_said_after_the_amount_or_as_going_lower_is_read_as_one(shoe_catalog):
    trainers = parse_query("After some casual trainers, I'm a bloke, about £50 tops", shoe_catalog).filters
    assert trainers["price_max"] == 50 and "price_min" not in trainers and "Tops" not in trainers["article_type"]
    assert parse_query("£30 tops for a party", shoe_catalog).filters["article_type"] == ["Tops"]  # tops that cost £30
    lower = parse_query("hmm can we go lower, like 30", shoe_catalog).filters
    assert lower == {"price_max": 30.0}  # no "lowers" (track pants) either
    assert parse_query("lowers for the gym", shoe_catalog).filters["article_type"] == ["Track Pants"]


def test_a_narrower_kind_said_after_a_broad_one_is_the_request(shoe_catalog):
    assert parse_query("shoes for the office, women's, flat ones please", shoe_catalog).filters["article_type"] == ["Flats"]
    assert parse_query("flat shoes for work", shoe_catalog).filters["article_type"] == ["Flats"]
    assert "Heels" in parse_query("shoes for the office, women's", shoe_catalog).filters["article_type"]
    assert set(parse_query("tops and tshirts", shoe_catalog).filters["article_type"]) == {"Tops", "Tshirts"}  # a list


def test_baby_blue_is_a_colour_and_no_child():
    from fashionm3.retrieval.query import CHILD

    assert not CHILD.search("lighter, like baby blue") and not CHILD.search("a baby shower on sunday")
    assert CHILD.search("a onesie for a baby") and CHILD.search("for my 6 year old")


def test_lower_is_a_comparative_only_where_it_compares(shoe_catalog):
    assert "article_type" not in parse_query("a lower price please", shoe_catalog).filters
    assert parse_query("need lower for running", shoe_catalog).filters["article_type"] == ["Track Pants"]


def test_going_out_with_the_boys_is_a_man_and_a_warm_top_a_sweater(shoe_catalog):
    assert parse_query("goa trip with the boys next week", shoe_catalog).filters["gender"][0] == "Men"
    assert parse_query("a tshirt for the boys", shoe_catalog).filters["gender"][0] == "Boys"  # for them: boys
    assert parse_query("warm top for my grandma", shoe_catalog).filters["article_type"] == ["Sweaters"]


def test_words_written_together_are_split_and_a_narrower_kind_ruled_out_keeps_the_kind(mini_catalog):
    from fashionm3.retrieval.query import narrower_kinds

    assert parse_query("a ballgown in sequins", mini_catalog).filters["article_type"] == ["Dresses"]
    assert parse_query("a black tshirt", mini_catalog).filters["article_type"] == ["Tshirts"]  # a known word stays
    heels = parse_query("party heels for a woman, no stilettos", mini_catalog)
    assert heels.filters["article_type"] == ["Heels"] and heels.excluded_words == ["stiletto"] and not heels.excluded
    assert parse_query("no heels", mini_catalog).excluded["article_type"] == ["Heels"]  # the kind itself ruled out
    assert narrower_kinds("a black ballgown", mini_catalog) == ["ballgown"]
    assert narrower_kinds("ankle boots", mini_catalog) == ["boots"] and narrower_kinds("a raincoat", mini_catalog)
    assert narrower_kinds("a black dress", mini_catalog) == []


def test_neither_nor_and_hates_rule_out_and_a_budget_in_tops_names_no_tops(mini_catalog):
    from fashionm3.stylist.knowledge import garment_word

    either = parse_query("dresses that are neither black nor red", mini_catalog)
    assert {"Black", "Red"} <= set(either.excluded["colour"]) and "colour" not in either.filters
    assert set(parse_query("a shirt, not blue", mini_catalog).excluded["colour"]) == {"Blue", "Navy Blue"}  # its shades
    assert parse_query("navy blue, not blue", mini_catalog).excluded["colour"] == ["Blue"]  # unless asked
    assert garment_word("he hates anything flashy") == ("", "") and garment_word("two hats")[0] == "hat"
    cheaper = parse_query("can it be cheaper? 15 tops", mini_catalog)
    assert cheaper.filters == {"price_max": 15.0} and "tops" not in cheaper.semantic


def test_a_grown_up_son_or_daughter_wears_adults_clothes(shoe_catalog):
    assert parse_query("a tshirt for my son", shoe_catalog).filters["gender"][0] == "Boys"
    assert parse_query("a tshirt for my son, he is 20", shoe_catalog).filters["gender"][0] == "Men"
    assert parse_query("my son graduates next month", shoe_catalog).filters["gender"][0] == "Men"
    assert parse_query("for my 6 year old son", shoe_catalog).filters["gender"][0] == "Boys"


def test_spanish_sport_and_partner_words_and_jhumkas_are_translated():
    from fashionm3.retrieval.lexicon import translate

    assert translate("quiero un reloj deportivo for my novio") == "quiero un watch sporty for my boyfriend"
    assert translate("gold jhumka") == "gold earrings"
