"""The stylist's grounding on the hand-built catalog: stated constraints become filters, are dropped one at a time
(and said so) only when nothing in stock meets them all, and every caption is computed from the item itself
(fast: a few dozen items)."""

from __future__ import annotations

import pytest
from mutation_catalog import encoder
from PIL import Image

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.preference import build_preference
from fashionm3.stylist.grounding import (
    CategoryMatcher, Grounded, caption, check, describe_stated, exclusions, ground, money, noun_phrase, stated_filters,
)  # fmt: skip
from fashionm3.stylist.state import OutfitPiece


def found(grounded: Grounded) -> list[str]:
    return sorted(hit.item.id for hit in grounded.hits)


def test_items_meeting_every_constraint_are_all_that_is_shown(mini_engine):
    grounded = ground(mini_engine, "a shirt", {"colour": ["Navy Blue"], "gender": ["Men", "Unisex"]}, ["Shirts"],
                      set(), 5)  # fmt: skip
    assert found(grounded) == ["m01"] and grounded.relaxed == []
    cheap = ground(mini_engine, "", {"price_max": 30.0}, ["Shirts"], set(), 10)
    assert found(cheap) == ["m03", "m05", "m19"] and cheap.relaxed == []


def test_constraints_are_dropped_in_order_and_said_so_only_when_nothing_meets_them(mini_engine):
    pink_formal = {"colour": ["Pink"], "usage": ["Formal"]}
    assert ground(mini_engine, "", pink_formal, ["Shirts"], set(), 5).relaxed == ["usage"]
    assert found(ground(mini_engine, "", pink_formal, ["Shirts"], set(), 5)) == ["w07"]
    kept = ground(mini_engine, "", pink_formal, ["Shirts"], set(), 5, keep_last=("usage",))
    assert kept.relaxed == ["colour"] and found(kept) == ["m01", "m02", "w06"]  # the refined occasion holds longest
    pink_for_men = {"colour": ["Pink"], "gender": ["Men"]}
    men_pink = ground(mini_engine, "", pink_for_men, ["Dresses"], set(), 5, keep_last=("colour",))
    assert men_pink.relaxed == ["colour", "gender"]  # a refined constraint still goes before the gender
    party_jeans = ground(mini_engine, "", {"usage": ["Party"]}, ["Jeans"], set(), 5, keep_last=("usage",))
    assert party_jeans.relaxed == ["usage"] and found(party_jeans) == ["m09", "m10", "w10", "w11"]
    women = ground(mini_engine, "formal shoes", {"gender": ["Women"], "usage": ["Formal"]}, ["Formal Shoes"], set(), 5)
    assert women.relaxed == ["usage", "gender"] and found(women) == ["m17", "m18"]  # gender last, the type never


def test_values_the_catalog_never_has_are_dropped_at_once(mini_engine):
    grounded = ground(mini_engine, "", {"usage": ["Beach", "Formal"], "season": ["Monsoon"]}, ["Dresses"], set(), 5)
    assert grounded.relaxed == ["season"] and found(grounded) == ["w04"]


def test_cheaper_than_shown_is_a_strict_bound_under_any_budget(mini_engine):
    cheaper = ground(mini_engine, "", {"cheaper_than": 45.0}, ["Shirts"], set(), 10)
    assert found(cheaper) == ["m02", "m03", "m05", "m19", "w06", "w07"]  # not the 45.00 navy shirt
    both = ground(mini_engine, "", {"cheaper_than": 45.0, "price_max": 30.0}, ["Shirts"], set(), 10)
    assert found(both) == ["m03", "m05", "m19"]
    looser = ground(mini_engine, "", {"cheaper_than": 29.0, "price_max": 45.0}, ["Shirts"], set(), 10)
    assert found(looser) == ["m05", "m19"]
    none = ground(mini_engine, "", {"cheaper_than": 10.0, "price_max": 60.0}, ["Shirts"], set(), 10)
    assert none.relaxed == ["cheaper_than"] and len(none.hits) == 8  # all 8 shirts are under 60
    empty = {"cheaper_than": 45.0, "colour": [], "usage": None, "season": ""}
    assert stated_filters(empty, []) == {"cheaper_than": 44.99}
    assert stated_filters({"price_min": 20.0, "price_max": 50.0}, ["Shirts"]) == {
        "article_type": ["Shirts"], "price_max": 50.0, "price_min": 20.0}  # fmt: skip


def test_shown_rejected_avoided_materials_and_colours_never_come_back(mini_engine):
    shirts = {item.id for item in mini_engine.catalog.items if item.article_type == "Shirts"}
    grounded = ground(mini_engine, "", {"avoid_colours": ["red", "Pink"]}, ["Shirts"], {"m01", "m02"}, 10)
    assert set(found(grounded)) == shirts - {"m01", "m02", "m05", "m19", "w07"}
    gone = ground(mini_engine, "", {"colour": ["Blue"]}, ["Heels"], {"w12", "w13"}, 5)
    assert gone.hits == [] and gone.relaxed == ["colour"]  # nothing left to drop
    belts = Catalog([Item("1", "Marlow Men Leather Belt"), Item("2", "Marlow Men Leatherette Belt"),
                     Item("3", "Marlow Men LEATHER strap"), Item("4", "Marlow Men Canvas Belt", colour="Brown")],
                    "belts", "tests")  # fmt: skip
    assert exclusions({"avoid_materials": ["leather"]}, belts, {"9"}) == {"1", "3", "9"}
    assert exclusions({"avoid_colours": ["BROWN"]}, belts, set()) == {"4"} and exclusions({}, belts, set()) == set()


def test_only_the_items_meeting_the_words_too_are_shown_when_some_do(mini_engine):
    assert found(ground(mini_engine, "a red shirt", {}, ["Shirts"], set(), 5)) == ["m05", "m19"]
    striped = ground(mini_engine, "striped heels", {}, ["Heels"], set(), 5)  # no striped heels: the closest heels
    assert found(striped) == ["w12", "w13"] and striped.relaxed == []


def test_a_photo_and_a_preference_reach_the_search(mini_photo_engine, mini_pictured):
    photo = Image.open(mini_pictured.get("m05").image_path)
    assert found(ground(mini_photo_engine, "", {}, ["Shirts"], set(), 2, image=photo)) == ["m05", "m19"]
    disliked = build_preference(mini_pictured, encoder(), {"m05": False}, with_images=False)
    shown = found(ground(mini_photo_engine, "red shirt", {}, ["Shirts"], set(), 8, preference=disliked))
    assert shown and "m05" not in shown and "m19" not in shown


def test_the_search_words_fall_back_to_the_types_then_to_fashion(mini_engine):
    assert [hit.item.colour for hit in ground(mini_engine, "red", {}, [], set(), 3).hits] == ["Red"] * 3
    assert found(ground(mini_engine, "", {}, ["Heels"], set(), 5)) == ["w12", "w13"]
    assert len(ground(mini_engine, "", {}, [], set(), 3).hits) == 3


def test_the_constraints_read_back_in_words():
    constraints = {"colour": ["Navy Blue", "Blue", "Grey", "Black"], "usage": ["Formal", "Party", "Casual"],
                   "season": ["Winter", "Fall"], "gender": ["Unisex", "Men"], "price_max": 80.0, "price_min": 20.5,
                   "cheaper_than": 99.0, "avoid_materials": ["leather"], "avoid_colours": ["Red"]}  # fmt: skip
    assert describe_stated(constraints, ["Shirts", "Tshirts", "Jeans", "Heels"], "$") == [
        "shirts, t-shirts, jeans or 1 other kind", "navy blue, blue, grey or 1 other colour",
        "formal wear, party wear or casual wear", "for winter or fall", "for men",
        "under $80.00", "over $20.50", "cheaper than the $99.00 shown", "no leather in the product name", "not red",
    ]  # fmt: skip
    shade = {"colour": ["Blue"], "shade": "dark blue", "gender": ["Unisex"]}
    assert describe_stated(shade, [], "EUR") == ["dark blue", "unisex"]  # unisex only: said
    assert describe_stated({}, [], "$") == []
    assert describe_stated({"gender": ["Men", "Women", "Unisex"]}, ["Tshirts"] * 5, "$") == [
        "t-shirts, t-shirts, t-shirts or 2 other kinds", "for men or women"]
    assert money(80.99, "$") == "$80.99" and money(5, "EUR") == "5.00 EUR" and money(1.5, "") == "1.50"
    assert money(5, "kr") == "5.00 kr"


def test_each_constraint_is_judged_on_the_item_itself():
    shirt = Item("1", "Corso Men Blue Shirt", "Men", article_type="Shirts", colour="Blue", season="Summer",
                 usage="Casual", price=30.0)  # fmt: skip
    everything = {"colour": ["Blue"], "usage": ["Casual"], "season": ["Summer"], "gender": ["Men"], "price_max": 30.0,
                  "cheaper_than": 31.0, "price_min": 30.0}  # fmt: skip
    assert check(shirt, everything, ["Shirts"], "$") == (
        ["shirt", "blue", "casual wear", "for summer", "for men", "within budget ($30.00)", "cheaper than shown",
         "over your minimum"], [],  # the price said once
    )  # fmt: skip
    nothing = {"colour": ["Red"], "shade": "wine red", "usage": ["Formal"], "season": ["Winter"], "gender": ["Women"],
               "price_max": 29.99, "cheaper_than": 30.0, "price_min": 30.01}  # fmt: skip
    assert check(shirt, nothing, ["Jeans"], "$") == (
        [], ["different type (shirt)", "different colour (blue)", "casual wear", "a summer item", "for men",
             "not within budget ($30.00)", "not cheaper than shown", "not over your minimum"],
    )  # fmt: skip
    bare = Item("2", "Mystery", gender="Unisex")
    assert check(bare, {"colour": ["Red"], "usage": ["Formal"], "season": ["Winter"], "gender": ["Men"],
                        "price_max": 10.0}, [], "$") == (
        [], ["different colour (unknown)", "unknown use", "no season listed", "unisex",
             "not within budget (no price listed)"],
    )  # fmt: skip
    assert check(shirt, {"colour": ["Blue"], "shade": "sky blue"}, [], "$") == (["sky blue"], [])
    assert check(bare, {"gender": ["Unisex"]}, [], "$") == (["unisex"], []) and check(shirt, {}, [], "$") == ([], [])
    assert check(Item("3", "Mystery"), {"gender": ["Men"]}, [], "$") == ([], ["for anyone"])


def test_a_caption_says_what_matches_what_does_not_and_how_it_goes_with_the_outfit():
    shirt = Item("1", "Corso Men Blue Shirt", "Men", article_type="Shirts", colour="Blue", usage="Casual", price=30.0)
    outfit = [OutfitPiece("Jeans", "White", usage="Casual"), OutfitPiece("Belts", "")]
    assert caption(shirt, {"colour": ["Blue"]}, ["Shirts"], outfit, "$") == (
        "Matches what you asked: shirt, blue; blue is a classic pairing with white; casual like your outfit."
    )
    assert caption(shirt, {"colour": ["Red"]}, ["Shirts"], [], "$", replace="the red shirt") == (
        "Closest in stock: different colour (blue); it is a shirt; another option instead of the red shirt."
    )
    assert caption(shirt, {"colour": ["Red"]}, [], [], "$") == "Closest in stock: different colour (blue)."
    several = {"colour": ["Red"], "usage": ["Formal"], "gender": ["Men"], "price_max": 40.0}
    assert caption(shirt, several, ["Jeans"], [], "$") == (
        "Closest in stock: different type (shirt), different colour (blue), casual wear; it is for men, "
        "within budget ($30.00)."
    )
    assert caption(shirt, {"gender": ["Men"], "price_max": 40.0}, [], [], "$", understood=False) == (
        "A blue shirt, for men, within budget ($30.00)."
    )
    assert caption(shirt, {"colour": ["Blue"]}, [], [], "$", understood=False) == "A blue shirt."  # said once
    assert caption(shirt, {}, [], [OutfitPiece("Jeans", "", usage="Formal")], "$") == (
        "Closest catalog item to your words: a blue shirt."
    )


@pytest.mark.parametrize(
    ("item", "article", "phrase"),
    [
        (Item("1", "x", article_type="Jeans", colour="Black"), True, "a pair of black jeans"),
        (Item("2", "x", article_type="Casual Shoes", colour="Orange"), True, "a pair of orange casual shoes"),
        (Item("3", "x", article_type="Dresses"), True, "a dress"),
        (Item("4", "x", colour="Red"), True, "a red item"),
        (Item("5", "x", article_type="Shirts", colour="Blue"), False, "blue shirt"),
        (Item("6", "x"), True, "an item"),
    ],
)
def test_an_item_is_named_from_its_own_attributes(item, article, phrase):
    assert noun_phrase(item, article) == phrase


def test_a_category_a_model_wrote_is_checked_against_the_catalog(mini_catalog):
    matcher = CategoryMatcher(mini_catalog, encoder())
    assert matcher.match("  ") == [] and matcher.match("sneakers") == ["Casual Shoes", "Sports Shoes"]
    assert matcher.match("stilettos") == ["Heels"] and matcher.match("a frock") == ["Dresses"]
    assert matcher.match("pumps for the evening") == ["Heels"]


def test_a_unisex_item_meets_the_gender_asked_and_says_it_is_unisex():
    cap = Item("2", "Marlow Unisex Grey Cap", "Unisex", article_type="Caps", colour="Grey")
    assert check(cap, {"gender": ["Women", "Unisex"]}, ["Caps"], "$") == (["cap", "for women (unisex)"], [])
    assert check(cap, {"gender": ["Men"]}, ["Caps"], "$") == (["cap"], ["unisex"])  # unisex not allowed: said plainly
