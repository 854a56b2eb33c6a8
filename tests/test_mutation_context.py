"""A turn's context on the hand-built catalog: outfit photos recognised by their nearest products, the outfit named
in words split from the request, and the session's constraints updated by new requests, follow-ups, refinements,
avoided colours and materials and contradictions (fast: a few dozen items)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mutation_catalog import catalog as hand_built
from mutation_catalog import encoder
from PIL import Image

from fashionm3.catalog.draw import draw_item
from fashionm3.catalog.schema import Catalog, Item
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.stylist.context import identify_pieces, update_constraints
from fashionm3.stylist.outfit_words import split_outfit
from fashionm3.stylist.state import Conversation, OutfitPiece
from fashionm3.stylist.targets import target_types
from fashionm3.stylist.understanding import RequestReader, pronoun_gender

WOMEN = ["Women", "Unisex"]


@pytest.fixture(scope="module")
def reader() -> RequestReader:
    """One reader for the module: it encodes its description banks once."""
    return RequestReader(hand_built(), encoder())


@pytest.fixture
def chat() -> Conversation:
    return Conversation("s", "u")


def test_a_product_picture_is_recognised_as_that_product(mini_photo_engine, mini_pictured):
    pieces, kept, notes = identify_pieces(mini_photo_engine, [Image.open(mini_pictured.get("w02").image_path)])
    assert pieces == [OutfitPiece("Dresses", "Black", "Women", "Party", "photo", "w02")] and len(kept) == 1
    assert notes == []


def test_a_photo_like_no_product_is_left_out_and_said_so(mini_photo_engine):
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (128, 128, 3), dtype=np.uint8))
    jeans = draw_item("Jeans", "Red", size=128)
    pieces, kept, notes = identify_pieces(mini_photo_engine, [jeans, noise])
    assert notes == ["Photo 2 does not look like a clothing item or accessory I know, so I left it out."]
    assert kept == [jeans] and len(pieces) == 1
    pieces, kept, notes = identify_pieces(mini_photo_engine, [noise, jeans])  # the photos after it still count
    assert len(pieces) == 1 and kept == [jeans] and notes[0].startswith("Photo 1 does not look like")


def test_another_picture_takes_the_type_colour_and_usage_most_neighbours_share(mini_photo_engine):
    (jeans,), _, notes = identify_pieces(mini_photo_engine, [draw_item("Jeans", "Red", size=128)])
    assert (jeans.article_type, jeans.colour, jeans.usage, jeans.source) == ("Jeans", "Red", "Casual", "photo")
    assert jeans.gender == "Women" and jeans.item_id == "w01" and notes == []  # w01: the nearest picture


def test_on_the_drawn_demo_catalog_a_photo_gives_only_its_colour(mini_photo_engine, mini_pictured):
    demo = SearchEngine(Catalog(mini_pictured.items, "demo", "demo"), encoder(), mini_photo_engine.text_index,
                        mini_photo_engine.image_index)  # fmt: skip
    own, drawn = Image.open(mini_pictured.get("m05").image_path), draw_item("Jeans", "Red", size=128)
    pieces, kept, notes = identify_pieces(demo, [own, drawn])
    unique = identify_pieces(demo, [Image.open(mini_pictured.get("w02").image_path)])[0]
    assert unique == [OutfitPiece("Dresses", "Black", "Women", "Party", "photo", "w02")]  # no other picture like it
    assert pieces[0].item_id in ("m05", "m19") and pieces[0].article_type == "Shirts"
    assert pieces[1] == OutfitPiece("", "Red", source="photo") and kept == [own, drawn]
    assert notes == ["Photo 2: matching photos against this catalog's drawings is rough, so I only read its main "
                     "colour (red), not what garment it is. Say what it is for a better match."]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "request_part", "outfit"),
    [
        ("black shoes to go with my navy shirt and grey jeans", "black shoes",
         [("Shirts", "Navy Blue"), ("Jeans", "Grey")]),
        ("heels for my outfit: a red dress, plus a black handbag", "heels",
         [("Dresses", "Red"), ("Handbags", "Black")]),
        ("a belt that goes with my jeans", "a belt", [("Jeans", "")]),
        ("a dress for the party", "a dress for the party", []),
        ("a red dress", "a red dress", []),
    ],
)  # fmt: skip
def test_the_outfit_described_in_words_is_split_from_the_request(mini_catalog, text, request_part, outfit):
    found, pieces, _ = split_outfit(text, mini_catalog)
    assert found == request_part
    assert [(piece.article_type, piece.colour) for piece in pieces] == outfit
    assert all(piece.source == "text" for piece in pieces)


def test_a_new_request_states_its_type_colour_occasion_gender_and_budget(chat, reader):
    reading = update_constraints(chat, "a red dress for a party for my wife under $80", reader)
    assert reading.types == ["Dresses"] and not reading.follow_up and reading.notes == [] and reading.fully_read
    assert chat.constraints == {"colour": ["Red"], "gender": WOMEN, "usage": ["Party"], "price_max": 80.0}


def test_a_short_follow_up_changes_only_what_it_names(chat, reader):
    update_constraints(chat, "a red dress for a party for my wife under $80", reader)
    chat.last_items = ["w01"]
    reading = update_constraints(chat, "in black", reader)
    assert reading.follow_up and reading.types == [] and reading.refinements == ["colour"]
    assert chat.constraints == {"colour": ["Black"], "gender": WOMEN, "usage": ["Party"], "price_max": 80.0}
    occasion = update_constraints(chat, "what about for the office?", reader)
    assert occasion.follow_up and occasion.refinements == ["occasion"] and chat.constraints["usage"] == ["Formal"]


def test_a_new_request_forgets_the_last_ones_colour_and_occasion_but_keeps_the_budget(chat, reader):
    update_constraints(chat, "a red dress for a party under $80", reader)
    chat.last_items = ["w01"]
    reading = update_constraints(chat, "show me some jeans", reader)
    assert reading.types == ["Jeans"] and not reading.follow_up and chat.constraints == {"price_max": 80.0}
    update_constraints(chat, "a red dress for a party", reader)
    update_constraints(chat, "also some heels", reader)  # "also" keeps them
    assert chat.constraints == {"colour": ["Red"], "usage": ["Party"], "price_max": 80.0}


def test_darker_lighter_cheaper_and_pricier_refine_the_item_shown(chat, reader):
    chat.last_items = ["w01"]  # a red party dress at 79.00
    assert update_constraints(chat, "darker", reader).refinements == ["darker"]
    assert chat.constraints["colour"][0] == "Black" and chat.constraints["shade"] == "darker than red"
    update_constraints(chat, "lighter please", reader)
    assert "Black" not in chat.constraints["colour"] and chat.constraints["shade"] == "lighter than red"
    update_constraints(chat, "cheaper", reader)
    assert chat.constraints["cheaper_than"] == 79.0
    update_constraints(chat, "pricier", reader)
    assert chat.constraints["price_min"] == 79.01
    update_constraints(chat, "in dark white", reader)  # a colour said wins over the shade refinement
    assert chat.constraints["colour"] == ["White"] and "shade" not in chat.constraints


def test_more_formal_or_casual_moves_the_occasion_from_what_was_shown(chat, reader):
    chat.last_items = ["w03"]  # a casual dress
    assert update_constraints(chat, "more formal", reader).refinements == ["more formal"]
    assert chat.constraints["usage"] == ["Formal"]  # formal (or smart casual), not party
    chat.last_items = ["m01"]  # a formal shirt
    update_constraints(chat, "more casual", reader)
    assert chat.constraints["usage"] == ["Party", "Casual"]
    chat.last_items = ["m17"]
    assert update_constraints(chat, "more formal", reader).notes == [
        "What I showed is already the most formal kind this catalog has."
    ]


def test_a_refinement_without_an_earlier_answer_is_a_new_request_and_said_so(chat, reader):
    reading = update_constraints(chat, "cheaper", reader)
    assert not reading.follow_up and reading.refinements == []
    assert reading.orphans == ["cheaper"] and reading.notes == []
    assert update_constraints(chat, "darker and cheaper", reader).orphans == ["darker", "cheaper"]
    chat.last_items = ["m01"]
    assert update_constraints(chat, "cheaper", reader).orphans == []


def test_darker_starts_from_the_colour_asked_and_another_hue_is_said_and_not_claimed(chat, reader):
    update_constraints(chat, "a pink shirt for a woman", reader)
    chat.last_items = ["w06"]  # white was shown (say the pink one was sold)
    reading = update_constraints(chat, "something darker", reader)  # red: only men's shirts; so black or navy
    assert chat.constraints["shade"] == "darker than pink" and "Pink" not in chat.constraints["colour"]
    assert reading.notes == ["No darker shade of pink here, so I show other darker colours."] and not reading.claimable


def test_someone_given_a_present_or_wanting_a_piece_owns_none(mini_catalog, reader):
    for text in ("gf bday coming, want 2 gift her a nice handbag, pink", "My wife want top for office, white"):
        assert split_outfit(text, mini_catalog, reader)[1] == []
    owned = split_outfit("heels to go with her red dress", mini_catalog, reader)[1]
    assert [piece.article_type for piece in owned] == ["Dresses"]


def test_when_something_happens_names_no_trip(reader):
    assert reader.usage("a picnic this weekend, sunny, what should I throw on") != "Travel"
    assert reader.usage("a weekend away in the mountains") == "Travel"
    assert reader.usage("holi next week, something white") == "Ethnic"
    assert reader.slot("a picnic, sunny and warm, what should I throw on?", described=True) != "outerwear"
    assert reader.slot("I own nothing warm, where do I start?", described=True) == "outerwear"  # warm clothes


def test_a_refinement_past_what_the_catalog_has_is_said(chat, reader):
    chat.last_items = ["w02"]  # black: nothing darker
    assert update_constraints(chat, "darker", reader).notes == [
        "Nothing in the catalog is darker than the black I showed."
    ]
    chat.last_items = ["m03"]  # casual: sportswear is no answer to "more casual"
    assert update_constraints(chat, "more casual", reader).notes == [
        "What I showed is already the most casual kind this catalog has."
    ]
    assert chat.constraints["usage"] == ["Casual"]  # not Sports


def test_avoided_colours_and_materials_carry_over(chat, reader):
    update_constraints(chat, "a red shirt, not red", reader)
    assert chat.constraints == {"avoid_colours": ["Red"]}
    update_constraints(chat, "a belt, no leather, and I hate black", reader)
    assert chat.constraints == {"avoid_colours": ["Red", "Black"], "avoid_materials": ["leather"]}
    chat.last_items = ["m01"]
    reading = update_constraints(chat, "vegan please", reader)
    assert reading.follow_up and "material" in reading.refinements
    assert chat.constraints["avoid_materials"] == ["leather", "suede", "wool", "silk", "fur"]


def test_contradictions_keep_one_side_and_say_so(chat, reader):
    reading = update_constraints(chat, "a shirt over $60 under $40", reader)
    assert reading.notes == ["“Over 60” and “under 40” contradict each other; I kept the budget of 40."]
    assert chat.constraints == {"price_max": 40.0}
    clash = update_constraints(chat, "formal and sporty shoes", reader)
    assert clash.notes == ["Formal and Sports pull in different directions; I went with formal."]
    assert chat.constraints["usage"] == ["Formal"]


def test_a_catalog_without_prices_says_the_budget_cannot_apply(chat, mini_catalog):
    items = [dataclasses.replace(item, price=None) for item in mini_catalog.items]
    unpriced = RequestReader(Catalog(items, "unpriced", "tests"), encoder())
    reading = update_constraints(chat, "a shirt under $40", unpriced)
    assert reading.notes == ["This catalog lists no prices, so I could not apply the budget."]
    assert "price_max" not in chat.constraints
    chat.last_items = ["w01"]
    cheaper = update_constraints(chat, "cheaper", unpriced)
    assert cheaper.notes == ["This catalog has no prices, so I cannot compare them."]


def test_a_request_naming_nothing_known_is_not_fully_read(chat, reader):
    assert not update_constraints(chat, "something zorbly", reader).fully_read
    assert update_constraints(chat, "something red", reader).fully_read


@pytest.mark.parametrize(
    ("text", "types", "constraints"),
    [
        ("black formal shoes", ["Formal Shoes"], {"colour": ["Black"]}),  # "formal shoes" names no occasion
        ("a dress for a job interview", ["Dresses"], {"usage": ["Formal"]}),
        ("a dress for a gala dinner", ["Dresses"], {"usage": ["Formal"]}),  # the occasion read by the text model
        ("shoes for hiking", ["Sports Shoes"], {"usage": ["Sports"]}),  # the kind of shoe hiking calls for
        ("a dress for cold evenings", ["Dresses"], {"season": ["Winter"]}),
        ("a red dress for summer", ["Dresses"], {"colour": ["Red"], "season": ["Summer"]}),
        ("a shirt for him", ["Shirts"], {"gender": ["Men", "Unisex"]}),
        ("some sneakers", ["Casual Shoes", "Sports Shoes"], {}),
        ("a shirt over $20", ["Shirts"], {"price_min": 20.0}),
    ],
)
def test_a_request_is_read_for_its_types_occasion_season_and_gender(chat, reader, text, types, constraints):
    assert update_constraints(chat, text, reader).types == types
    assert chat.constraints == constraints


def test_a_described_need_names_an_outfit_slot_when_no_type_is_named(chat, reader):
    reading = update_constraints(chat, "something to put over when it is cold", reader)
    assert reading.types == [] and reading.slot == "outerwear"


def test_plain_words_and_colours_refine_a_follow_up(chat, reader):
    chat.last_items = ["w01"]
    assert update_constraints(chat, "something dark please", reader).refinements == ["darker"]
    assert update_constraints(chat, "lighter, in white", reader).refinements == ["colour"]  # the colour said wins
    assert chat.constraints == {"colour": ["White"]}
    assert update_constraints(chat, "cheaper, in black", reader).refinements == ["cheaper", "colour"]
    assert update_constraints(chat, "one with long sleeves", reader).follow_up  # a few words, no new request


def test_an_unpriced_catalog_drops_a_minimum_price_too(chat, mini_catalog):
    items = [dataclasses.replace(item, price=None) for item in mini_catalog.items]
    unpriced = RequestReader(Catalog(items, "unpriced", "tests"), encoder())
    reading = update_constraints(chat, "a shirt over $40", unpriced)
    assert reading.notes == ["This catalog lists no prices, so I could not apply the budget."]
    assert chat.constraints == {}


def test_a_colour_both_asked_for_and_ruled_out_is_left_out_and_said_so(chat, reader):
    update_constraints(chat, "a red or black shirt", reader)
    reading = update_constraints(chat, "also, I hate red", reader)
    assert reading.notes == ["You both asked for and ruled out red; I left red out."]
    assert chat.constraints == {"colour": ["Black"], "avoid_colours": ["Red"]}
    party = update_constraints(chat, "sporty shoes for a party", reader)
    assert party.notes == ["Party and Sports pull in different directions; I went with party."]
    assert chat.constraints["usage"] == ["Party"]


@pytest.mark.parametrize(
    ("text", "request_part", "outfit", "slot"),
    [
        ("This is the shirt I'm wearing. What jeans go well?", "What jeans go well?", [("Shirts", "")], ""),
        ("He wears this navy shirt daily. Find him trousers.", "Find him trousers.", [("Shirts", "Navy Blue")], ""),
        ("Wearing this red dress tonight! Which heels?", "Which heels?", [("Dresses", "Red")], ""),
        ("What is a shirt? Which jeans?", "What is a shirt? Which jeans?", [], ""),  # a question is no outfit
        ("something to wear over my black dress", "something to wear", [("Dresses", "Black")], "outerwear"),
        ("a layer on top of this white shirt", "a layer", [("Shirts", "White")], "outerwear"),
        ("shoes for my jeans", "shoes", [("Jeans", "")], ""),
        ("a shirt for my boyfriend", "a shirt for my boyfriend", [], ""),
        ("heels with her red dress", "heels", [("Dresses", "Red")], ""),
        ("shoes to go with my dress. Also a bag", "shoes Also a bag", [("Dresses", "")], ""),  # the rest stays
        ("my jeans keep slipping down, need help", "keep slipping down, need help", [("Jeans", "")], ""),
        ("my jeans please", "my jeans please", [], ""),  # too little left to be a request
        ("my red shirt and his jeans are old, what now", "and are old, what now", [("Shirts", "Red"), ("Jeans", "")], ""),
    ],
)  # fmt: skip
def test_worn_sentences_cues_and_owned_garments_are_the_outfit(mini_catalog, text, request_part, outfit, slot):
    found, pieces, wanted_slot = split_outfit(text, mini_catalog)
    assert (found, [(p.article_type, p.colour) for p in pieces], wanted_slot) == (request_part, outfit, slot)


def test_a_slot_hint_names_the_slot_only_when_no_type_is_named(chat, reader):
    reading = update_constraints(chat, "something warm", reader, "something warm over my dress", "outerwear")
    assert (reading.types, reading.slot) == ([], "outerwear")
    named = update_constraints(chat, "jeans", reader, "jeans over my dress", "outerwear")
    assert (named.types, named.slot) == (["Jeans"], "")


def test_an_occasion_picks_the_kind_of_a_generic_item_for_the_gender(chat, reader):
    assert update_constraints(chat, "shoes for the gym", reader).types == ["Sports Shoes"]
    assert update_constraints(chat, "shoes for the office for a man", reader).types == ["Formal Shoes"]
    assert update_constraints(chat, "shoes for a party for a woman", reader).types == ["Heels"]
    assert update_constraints(chat, "shoes for a party for a man", reader).types == ["Casual Shoes"]
    assert update_constraints(chat, "sneakers for the gym", reader).types == ["Sports Shoes"]
    assert update_constraints(chat, "shirts for the gym", reader).types == ["Shirts"]  # one type: kept


def test_a_garment_the_catalog_lacks_names_its_slot(chat, reader):
    reading = update_constraints(chat, "a black kurta for men", reader)
    assert (reading.types, reading.slot, reading.absent, reading.fully_read) == ([], "top", "kurta", True)
    assert chat.constraints == {"colour": ["Black"], "gender": ["Men", "Unisex"]}
    assert update_constraints(chat, "a black shirt", reader).absent == ""
    assert update_constraints(chat, "not a kurta", reader).absent == ""  # ruled out, not asked for


def test_a_match_is_claimable_only_when_every_word_was_read(chat, reader):
    assert update_constraints(chat, "a black shirt for men under 50", reader).claimable is True
    chat.last_items = ["m04"]
    assert update_constraints(chat, "darker", reader).claimable is True  # a follow-up of a claimable request
    assert update_constraints(chat, "a shirt for the zorblax gala", reader).claimable is False
    chat.last_items = ["m04"]
    assert update_constraints(chat, "in black", reader).claimable is False  # follows an unclaimable one
    chat.last_items = []
    assert update_constraints(chat, "something red", reader).claimable is True  # no kind named, all words read
    assert update_constraints(chat, "a kurta", reader).claimable is False  # a kind the catalog lacks
    assert update_constraints(chat, "start over: a red shirt", reader).claimable is True


def test_after_an_answer_a_message_naming_no_kind_refines_it_unless_it_starts_over(chat, reader):
    update_constraints(chat, "a red dress", reader)
    chat.last_items, chat.target_types = ["w01"], ["Dresses"]
    assert update_constraints(chat, "something for the office please", reader).follow_up is True
    assert chat.constraints == {"colour": ["Red"], "usage": ["Formal"]}
    assert update_constraints(chat, "start over, something for the office", reader).follow_up is False
    assert chat.constraints == {"usage": ["Formal"]}
    assert update_constraints(chat, "forget it, jeans", reader).follow_up is False


def test_negations_rule_out_types_words_and_the_colour_shown(chat, reader):
    update_constraints(chat, "a black jacket", reader)
    chat.last_items, chat.target_types = ["m04"], ["Shirts", "Dresses"]
    reading = update_constraints(chat, "not black and not a dress", reader)
    assert reading.follow_up and chat.target_types == ["Shirts"]
    assert chat.constraints == {"avoid_colours": ["Black"], "avoid_types": ["Dresses"]}
    update_constraints(chat, "a shirt, no stripes", reader)
    assert chat.constraints["avoid_words"] == ["strip"] and chat.constraints["avoid_types"] == ["Dresses"]
    kept = update_constraints(chat, "a red or black shirt", reader)
    assert kept.notes == ["You both asked for and ruled out black; I left black out."]
    assert chat.constraints["colour"] == ["Red"]


def test_dark_in_a_new_request_means_the_catalogs_dark_colours(chat, reader):
    update_constraints(chat, "dark jeans", reader)
    assert sorted(chat.constraints["colour"]) == ["Black", "Brown", "Navy Blue"] and chat.constraints["shade"] == "dark"
    update_constraints(chat, "dark blue jeans", reader)
    assert chat.constraints == {"colour": ["Blue"]}
    chat.last_items = ["m09"]
    update_constraints(chat, "dark please", reader)
    assert chat.constraints.get("shade") != "dark"  # a follow-up: darker than what was shown


@pytest.mark.parametrize(
    "text, request_part, outfit, slot",
    [
        ("I've got these brown formal shoes. Which shirt?", "I've got these . Which shirt?", [("Formal Shoes", "Brown")], "top"),
        ("just bought these red heels, what dress goes", "just bought these , what dress goes", [("Heels", "Red")], "one-piece"),
        ("do you have this dress in red", "do you have this dress in red", [], ""),  # the rest names no other kind
        ("Trousers are sorted, what else for the office", "are sorted, what else for the office", [("Trousers", "")], ""),
        ("all I have is jeans, what on my legs", "not jeans, what", [], "bottom"),
        ("need to sort out the rest below the belt", "need to sort out the rest", [], "bottom"),
        ("what to wear up top", "what to wear", [], "top"),
        ("something comfy from the ankles down", "something comfy", [], "footwear"),
        ("a handbag big enough for shoes and a towel", "a handbag", [], "bag"),
        ("something to carry my laptop in, black", "something , black", [], "bag"),
        ("a handbag to hold my phone, cards and keys", "a handbag", [], "bag"),  # the list is the contents
        ("black jeans, what goes on top?", "what goes ?", [("Jeans", "Black")], "top"),  # another slot: the outfit
        ("blue jeans, a shirt on top", "a shirt", [("Jeans", "Blue")], "top"),
        ("my heels, which handbag?", "which handbag?", [("Heels", "")], "bag"),
        ("heels for a party, which handbag?", "party, which handbag?", [("Heels", "")], "bag"),
        ("something to wear under my jacket", "something to wear under", [], ""),  # no jackets here: none asked for
        ("a top to wear under my dress", "a top to wear", [("Dresses", "")], "bottom"),
        ("my old sports shoes are falling apart", "my old sports shoes are falling apart", [], ""),  # to replace
        ("none of my shirts fit any more", "none of my shirts fit any more", [], ""),
        ("want one outfit for a party, easy", "want for a party, easy", [], "one-piece"),
        ("he currently owns only t-shirts", "not t-shirts", [], ""),
        ("the office dress code is smart", "the office is smart", [], ""),  # no dress asked for
    ],
)  # fmt: skip
def test_garments_held_shown_or_carried_are_not_the_request(mini_catalog, reader, text, request_part, outfit, slot):
    found, pieces, wanted_slot = split_outfit(text, mini_catalog, reader)
    assert (found, [(p.article_type, p.colour) for p in pieces], wanted_slot) == (request_part, outfit, slot)


def test_a_garment_one_gender_wears_tells_the_outfits_gender(mini_catalog):
    _, pieces, _ = split_outfit("a bag to go with my heels and my jeans", mini_catalog)
    assert [(p.article_type, p.gender) for p in pieces] == [("Heels", "Women"), ("Jeans", "")]  # jeans: both


def test_only_having_a_garment_rules_it_out_and_a_body_region_names_the_slot(chat, reader, mini_catalog):
    request, pieces, slot = split_outfit("all I have is jeans, what do I wear on my legs", mini_catalog, reader)
    reading = update_constraints(chat, request, reader, "all I have is jeans, what do I wear on my legs", slot)
    assert (reading.types, reading.slot, chat.constraints["avoid_types"]) == ([], "bottom", ["Jeans"])
    assert update_constraints(chat, "what footwear goes with a saree", reader).types == []  # a slot named: no guess


def test_an_occasion_alone_picks_its_usual_piece_when_the_catalog_stocks_it(chat, reader, mini_catalog):
    gym = update_constraints(chat, "what should I wear to the gym, I'm a man", reader)
    assert (gym.slot, gym.guessed) == ("top", True)  # sportswear before sports shoes
    assert target_types(mini_catalog, chat, "basic", gym, None) == ["Tshirts"]  # one kind: the occasion's own
    assert "You named no kind of item, so I started with tops" in gym.notes[0]
    assert update_constraints(chat, "going hiking in the hills next month", reader).slot == "footwear"  # its piece
    assert update_constraints(chat, "what should I wear to the office", reader).slot == "top"
    party = update_constraints(chat, "a party on friday and I'm a woman", reader)
    assert party.slot == "one-piece" and target_types(mini_catalog, chat, "basic", party, None) == ["Dresses"]
    assert update_constraints(chat, "something red", reader).slot == ""  # a colour alone: any kind of it
    assert update_constraints(chat, "something red for a party, I'm a woman", reader).slot == "one-piece"
    named = update_constraints(chat, "black jeans", reader)
    assert (named.types, named.slot, named.guessed, named.notes) == (["Jeans"], "", False, [])


@pytest.mark.parametrize(
    "text, follow_up",
    [
        ("ok and my sister's wedding is next month, what do I wear", False),  # a sentence naming an event: new
        ("so what should I wear to the office party on friday", False),
        ("actually I want something I can run in", True),  # points back at the answer
        ("is there one that isn't leather? he doesn't wear animal products", True),
        ("something sportier, he's always at the gym", True),
        ("for the gym?", True),  # short: refines the answer
    ],
)  # fmt: skip
def test_after_an_answer_a_sentence_naming_an_occasion_is_a_new_request(chat, reader, text, follow_up):
    update_constraints(chat, "black jeans for men", reader)
    chat.last_items = ["m10"]
    reading = update_constraints(chat, text, reader)
    assert reading.follow_up is follow_up and bool(reading.slot) is not follow_up
    assert ("colour" in chat.constraints) is follow_up  # a new request forgets the black


def test_the_person_one_dresses_for_or_goes_out_with_gives_no_gender():
    genders = ["Men", "Women", "Unisex"]
    assert pronoun_gender("taking her to a fancy restaurant, I want to look sharp", genders) == []
    assert pronoun_gender("karva chauth this year, want to look special for him", genders) == []
    assert pronoun_gender("a watch for him", genders) == ["Men", "Unisex"]
    assert pronoun_gender("her birthday is next week", genders) == ["Women", "Unisex"]


def test_an_occasion_beats_the_everyday_and_a_festival_beats_a_party(reader):
    assert reader.usage("college freshers party next week") == "Party"
    assert reader.usage("Diwali party at my in-laws") == "Ethnic"
    assert reader.usage("brunch with friends on sunday") == "Casual"
    assert reader.usage("a dinner date at a fancy restaurant") == "Party"


def test_a_present_or_the_summer_with_no_kind_named_picks_an_accessory_or_sandals(chat):
    extra = [Item(id="x1", name="Tempo Men Steel Watch", gender="Men", master_category="Accessories",
                  sub_category="Watches", article_type="Watches", colour="Silver", usage="Casual"),
             Item(id="x2", name="Tide Men Blue Flip Flops", gender="Men", master_category="Footwear",
                  sub_category="Flip Flops", article_type="Flip Flops", colour="Blue", usage="Casual",
                  season="Summer")]  # fmt: skip
    wider = Catalog([*hand_built().items, *extra], "wider", "test")
    wider_reader = RequestReader(wider, encoder())
    gift = update_constraints(chat, "my dad retires next month, what should I get him", wider_reader)
    assert gift.slot == "accessory" and target_types(wider, chat, "basic", gift, None) == ["Watches"]
    beach = update_constraints(chat, "beach holiday in goa, what goes on my feet", wider_reader)
    assert beach.slot == "footwear" and target_types(wider, chat, "basic", beach, None)[0] == "Flip Flops"
    flight = update_constraints(chat, "a 14 hour flight and I want to be comfy the whole way", wider_reader)
    assert flight.slot == "bottom"
    cap = Item(id="x3", name="Tide Men Blue Cap", gender="Men", master_category="Accessories", sub_category="Headwear",
               article_type="Caps", colour="Blue", usage="Casual", price=15.0)
    priced = Catalog([*wider.items, dataclasses.replace(extra[0], id="x4", price=120.0), cap], "priced", "test")
    santa_chat = Conversation("s2", "u")
    santa = update_constraints(santa_chat, "secret santa gift under 20", RequestReader(priced, encoder()))
    assert target_types(priced, santa_chat, "basic", santa, None) == ["Caps"]  # within the budget, not a watch
    kid = update_constraints(chat, "a present for my 10 year old nephew", wider_reader)
    assert kid.no_children and not kid.claimable  # said first by the answer, never claimed
    son = update_constraints(Conversation("s3", "u"), "a shirt for my son", wider_reader)  # a son may be grown up
    assert not son.no_children and "This catalog has no children's wear, so these are adults' items." in son.notes
    wrist = update_constraints(chat, "something for my wrist that isn't a watch", wider_reader)
    assert (wrist.types, wrist.slot) == ([], "accessory")  # another accessory, not a watch


@pytest.mark.parametrize(
    "shown, text, colours, shade",
    [
        ("m10", "black washes me out, can you go lighter?", None, "lighter than black"),  # a complaint, not a wish
        ("m03", "a lighter blue maybe", ["Blue"], None),  # the colour a shade of which is asked for
        ("m10", "hmm blue instead of black?", ["Blue"], None),
        ("m10", "in black please", ["Black"], None),  # nothing else named: the colour stays
    ],
)  # fmt: skip
def test_a_follow_up_moves_away_from_the_colour_just_shown(chat, reader, shown, text, colours, shade):
    update_constraints(chat, "jeans for men", reader)
    chat.last_items = [shown]
    update_constraints(chat, text, reader)
    assert (chat.constraints.get("colour") == colours or colours is None) and chat.constraints.get("shade") == shade
    if colours is None:
        assert "Black" not in chat.constraints["colour"]


def test_bad_weather_alone_asks_for_a_layer_the_catalog_has(chat, reader):
    jacket = Item(id="j1", name="Northline Men Black Jacket", gender="Men", master_category="Apparel",
                  sub_category="Topwear", article_type="Jackets", colour="Black", usage="Casual")
    with_layers = RequestReader(Catalog([*hand_built().items, jacket], "layers", "test"), encoder())
    assert update_constraints(chat, "it pours every morning on my walk, what do I put on", with_layers).slot == "outerwear"
    assert update_constraints(chat, "it pours every morning on my walk, what do I put on", reader).slot == ""  # none
    assert update_constraints(chat, "rainy day, a red shirt", with_layers).slot == ""  # a kind named


def test_a_narrower_word_read_as_a_broader_type_is_never_claimed(chat, reader):
    assert update_constraints(chat, "black sports shoes", reader).claimable is True
    boots = update_constraints(chat, "black boots", reader)
    assert boots.types == ["Casual Shoes"] and boots.claimable is False  # a casual shoe is not a boot


def test_a_wedding_is_dressed_up_for_and_a_son_is_a_man_when_the_catalog_has_no_boys(chat, reader):
    assert update_constraints(chat, "shoes for a wedding, for my son", reader).types == ["Formal Shoes"]
    assert chat.constraints["gender"] == ["Men", "Unisex"] and chat.constraints["usage"] == ["Formal", "Party", "Ethnic"]


def test_a_garment_said_before_a_question_or_completing_the_look_is_the_outfit(mini_catalog):
    for text in ("I'm wearing a navy shirt, what goes with it?", "navy shirt, complete the look"):
        request, pieces, _ = split_outfit(text, mini_catalog)
        assert [(p.article_type, p.colour) for p in pieces] == [("Shirts", "Navy Blue")], text
        assert "shirt" not in request, text
    request, pieces, _ = split_outfit("what jacket goes with these jeans, under 80", mini_catalog)
    assert [p.article_type for p in pieces] == ["Jeans"] and "under 80" in request  # the budget is still asked
    request, pieces, _ = split_outfit("heels to wear with jeans, black", mini_catalog)
    assert [p.article_type for p in pieces] == ["Jeans"] and "black" in request and "jeans" not in request
    request, pieces, _ = split_outfit("something for my waist to go with my jeans", mini_catalog)
    assert "waist" in request and [p.article_type for p in pieces] == ["Jeans"]  # a body part is no outfit
    _, pieces, _ = split_outfit("Can you complete this look? It's my favourite pair of jeans", mini_catalog)
    assert [p.article_type for p in pieces] == ["Jeans"]


def test_an_occasion_picks_a_fitting_kind_among_the_kinds_named_first(chat, reader):
    assert update_constraints(chat, "shoes for a wedding, for a man", reader).types == ["Formal Shoes"]
    assert update_constraints(chat, "heels or sneakers for a wedding", reader).types == ["Heels"]  # not formal shoes


def test_going_lower_and_a_typo_of_cheaper_are_cheaper():
    from fashionm3.stylist.refinements import find_refinements

    assert find_refinements("hmm can we go lower, like 30") == ["cheaper"]
    assert find_refinements("cheapr") == ["cheaper"] and find_refinements("lower half") == []


def test_childrens_wear_is_shown_only_when_a_child_is_named():
    from fashionm3.stylist.grounding import exclusions

    boys = Item("k", "Corso Boys Black Tshirt", "Boys", "Apparel", "Topwear", "Tshirts", "Black", usage="Casual")
    kids = Catalog([*hand_built().items, boys], "kids", "test")
    assert exclusions({}, kids, set()) == {"k"} and exclusions({"gender": ["Boys"]}, kids, set()) == set()
    reader = RequestReader(kids, encoder())
    update_constraints(chat := Conversation("s", "u"), "a tshirt for my 6 year old", reader)
    assert chat.constraints["gender"] == ["Boys"]


def test_a_wedding_guest_dresses_as_for_a_party_and_an_office_party_is_a_party(chat, reader, mini_catalog):
    wedding = update_constraints(chat, "what do I wear to a wedding, I'm a woman", reader)
    assert wedding.slot == "one-piece" and target_types(mini_catalog, chat, "basic", wedding, None) == ["Dresses"]
    assert update_constraints(chat, "what do I wear to the office, I'm a woman", reader).slot == "top"
    update_constraints(chat, "the office xmas party, I'm a woman", reader)
    assert chat.constraints["usage"] == ["Party"]


def test_the_speaker_wears_what_is_for_them_whoever_else_is_named():
    from fashionm3.stylist.understanding import speaker_gender

    genders = ["Men", "Women", "Unisex"]
    assert speaker_gender("Trousers for my son's graduation. I'm his mum, they're for me.", genders)[0] == "Women"
    assert speaker_gender("I'm a guy and it's for me", genders) == ["Men", "Unisex"]
    assert speaker_gender("a dress for my mum", genders) == [] and speaker_gender("I'm his dad", genders) == []
