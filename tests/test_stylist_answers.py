"""The stylist's answers meet what was asked or say plainly that they don't: Chat examples, conversation rules,
refinements, honest captions, grammar and currency (offline backend, demo catalog)."""

from __future__ import annotations

import pytest

from fashionm3.assistant import recommend
from fashionm3.catalog.schema import Item
from fashionm3.config import Settings
from fashionm3.stylist.grounding import caption, money, noun_phrase
from fashionm3.stylist.knowledge import slot_of
from fashionm3.stylist.understanding import plural
from fashionm3.ui.chat import CHAT_EXAMPLES

# What each Chat example asks, as item attributes (every shown item must have them).
EXAMPLE_NEEDS = {
    "a navy shirt for a man": {"article_type": {"Shirts"}, "colour": {"Navy Blue"}, "gender": {"Men", "Unisex"}},
    "something red for a party": {"colour": {"Red"}, "usage": {"Party"}},
    "black sneakers under 80": {"article_type": {"Casual Shoes", "Sports Shoes"}, "colour": {"Black"}, "price_max": 80},
    "a summer dress": {"article_type": {"Dresses"}, "season": {"Summer"}},
}


def applied(answer) -> str:
    return next((line for line in answer.text.split("\n\n") if line.startswith("Applied:")), "")


def test_every_chat_example_answer_meets_the_example(service):
    assert set(EXAMPLE_NEEDS) == set(CHAT_EXAMPLES)
    for example, needs in EXAMPLE_NEEDS.items():
        answer = recommend(service, example, user_id="u-examples")
        assert answer.hits and not answer.text.startswith("**Nothing in stock"), example
        for hit in answer.hits:
            item = hit.item
            assert all(getattr(item, name) in values for name, values in needs.items() if name != "price_max"), (example, item)
            assert "price_max" not in needs or item.price <= needs["price_max"]
            caption = answer.explanations[item.id]
            if example == "something red for a party":  # no kind named: the kind is our pick, never claimed as asked
                assert caption.startswith("A red ") and "party wear" in caption and "You named no kind" in answer.text
            else:
                assert caption.startswith("Matches what you asked"), caption


def test_noun_phrases_are_singular_with_an_article_and_prices_carry_the_currency():
    def item(kind: str, colour: str, price: float | None = None) -> Item:
        return Item("1", "x", gender="Men", article_type=kind, colour=colour, price=price)

    assert noun_phrase(item("Casual Shoes", "White")) == "a pair of white casual shoes"
    assert noun_phrase(item("Heels", "Brown")) == "a pair of brown heels"
    assert noun_phrase(item("Flip Flops", "Black")) == "a pair of black flip flops"
    assert noun_phrase(item("Tshirts", "Black")) == "a black t-shirt"
    assert noun_phrase(item("Dresses", "Orange")) == "an orange dress"
    assert noun_phrase(item("Watches", "Silver")) == "a silver watch"
    assert noun_phrase(item("Jeans", "Blue")) == "a pair of blue jeans"
    assert noun_phrase(item("Ties", "Brown")) == "a brown tie" and noun_phrase(item("Scarves", "Red")) == "a red scarf"
    assert noun_phrase(item("Sweatshirts", "Grey")) == "a grey sweatshirt"
    assert [plural(w) for w in ("kurta", "dress", "scarf", "jeans", "watch")] == ["kurtas", "dresses", "scarves", "jeans", "watches"]
    unclaimed = caption(item("Casual Shoes", "Teal"), {"gender": ["Men"]}, ["Casual Shoes"], [], "$", understood=False)
    assert unclaimed == "A pair of teal casual shoes, for men."  # what it is, once; no claim of a match
    assert money(80.99, "$") == "$80.99" and money(5, "EUR") == "5.00 EUR"
    assert Settings.from_env({"FASHIONM3_CURRENCY": "€"}).currency == "€"
    assert "(€95.00)" in caption(item("Belts", "Black", 95.0), {"price_max": 80.0}, [], [], "€")


def test_chat_answers_use_the_currency_setting(service):
    answer = recommend(service, "black sneakers under 80", user_id="u-currency")
    assert f"under {money(80, service.settings.currency)}" in applied(answer)
    assert all(money(hit.item.price, service.settings.currency) in answer.explanations[hit.item.id] for hit in answer.hits)


def test_a_new_request_resets_colour_but_keeps_the_budget_and_also_keeps_more(service):
    first = recommend(service, "black sneakers under 80", user_id="u-state")
    dress = recommend(service, "a summer dress", user_id="u-state", session_id=first.session_id)
    assert "black" not in applied(dress) and "under $80.00" in applied(dress)
    assert all(hit.item.price <= 80 for hit in dress.hits)
    shirt = recommend(service, "a red shirt for a man", user_id="u-also")
    jacket = recommend(service, "also a jacket", user_id="u-also", session_id=shirt.session_id)
    assert "red" in applied(jacket) and "for men" in applied(jacket)
    assert jacket.hits and all(hit.item.article_type == "Jackets" for hit in jacket.hits)


def test_formality_and_activity_refinements_switch_type_within_the_slot(service):
    shoes = recommend(service, "casual shoes for a man", user_id="u-formal")
    formal = recommend(service, "more formal", user_id="u-formal", session_id=shoes.session_id)
    assert formal.hits and all(h.item.article_type == "Formal Shoes" and h.item.usage == "Formal" for h in formal.hits)
    gym = recommend(service, "for the gym", user_id="u-formal", session_id=shoes.session_id)
    assert gym.hits and all(h.item.sub_category == "Shoes" and h.item.usage == "Sports" for h in gym.hits)
    assert all(h.item.gender in ("Men", "Unisex") for h in [*formal.hits, *gym.hits])


def test_colour_and_material_refinements_keep_the_rest(service):
    first = recommend(service, "a shirt for a man", user_id="u-colour")
    navy = recommend(service, "in navy", user_id="u-colour", session_id=first.session_id)
    assert navy.hits and all(h.item.colour == "Navy Blue" and h.item.article_type == "Shirts" for h in navy.hits)
    belt = recommend(service, "a brown belt for a man", user_id="u-leather")
    plain = recommend(service, "without leather", user_id="u-leather", session_id=belt.session_id)
    assert "no leather" in applied(plain) and "brown" in applied(plain)
    assert plain.hits and all(h.item.article_type == "Belts" and "leather" not in h.item.name.lower() for h in plain.hits)


def test_cheaper_means_cheaper_than_what_was_shown(service):
    first = recommend(service, "a handbag for a woman", user_id="u-cheaper")
    cheaper = recommend(service, "cheaper", user_id="u-cheaper", session_id=first.session_id)
    top = first.hits[0].item.price
    assert f"cheaper than the {money(top, '$')} shown" in applied(cheaper) and "budget of" not in cheaper.text
    assert cheaper.hits and all(h.item.price < top and h.item.article_type == "Handbags" for h in cheaper.hits)


def test_when_nothing_matches_the_first_line_says_so_and_captions_say_how_items_differ(service):
    answer = recommend(service, "a pink formal shoe for a man", user_id="u-none")  # formal shoes: black, brown, maroon
    assert answer.text.startswith("**Nothing in stock matches everything you asked for.**")
    assert answer.hits and all(answer.explanations[h.item.id].startswith("Closest in stock: different colour") for h in answer.hits)
    assert "pink" not in applied(answer) and "formal shoes" in applied(answer)  # the colour ignored is not "applied"
    assert "Not applied (no item in stock meets everything): pink" in answer.text


def test_greetings_and_thanks_get_a_reply_not_a_search(service):
    hello = recommend(service, "hi!", user_id="u-talk")
    assert hello.text.startswith("Hello! Tell me what you are looking for") and not hello.hits
    bag = recommend(service, "a red handbag", user_id="u-talk", session_id=hello.session_id)
    thanks = recommend(service, "thx", user_id="u-talk", session_id=bag.session_id)
    assert thanks.text.startswith("You are welcome.") and not thanks.hits
    assert not recommend(service, "?", user_id="u-talk").hits and "Hello" not in recommend(service, "??", user_id="u").text
    cheaper = recommend(service, "cheaper", user_id="u-talk", session_id=thanks.session_id)  # the answer is still there
    assert cheaper.hits and all(h.item.price < bag.hits[0].item.price for h in cheaper.hits)
    guy = recommend(service, "im a guy btw", user_id="u-talk", session_id=recommend(
        service, "what should I wear to a job interview", user_id="u-talk").session_id)
    assert "I could not tell" not in guy.text and "for men" in applied(guy)


def test_alternative_and_picture_hand_off_claim_only_what_is_true(service):
    lone = recommend(service, "show me an alternative", user_id="u-alone")
    assert "nothing to find an alternative to" in lone.text and "your" not in lone.text.split("\n\n")[0]
    first = recommend(service, "a navy shirt for a man", user_id="u-picture")
    picture = recommend(service, "show me what it looks like", user_id="u-picture", session_id=first.session_id)
    assert [h.item.id for h in picture.hits] == [first.hits[0].item.id]
    assert "generated from its description" in picture.explanations[first.hits[0].item.id]


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("slot", "something for my feet", "footwear"),
        ("slot", "a layer for cold evenings", "outerwear"),
        ("slot", "accessories for a wedding", "accessory"),
        ("usage", "a job interview", "Formal"),
        ("usage", "my morning run", "Sports"),
        ("usage", "a festival", "Party"),
        ("season", "cold evenings", "Winter"),
        ("season", "a week at the beach", "Summer"),
    ],
)
def test_the_reader_maps_loose_words_through_the_text_model(service, kind, text, expected):
    assert getattr(service.categories, kind)(text) == expected


def test_the_reader_finds_types_and_no_occasion_in_type_names(service):
    assert service.categories.article_types("a warm knit") == ["Sweaters"]
    answer = recommend(service, "formal shoes for my morning run, for a man", user_id="u-run")
    assert answer.text.startswith("**Nothing in stock matches everything you asked for.** Shown instead: the closest "
                                  "items, ignoring the occasion")  # sportswear was read (no formal shoe is), not formal
    assert "formal wear" not in applied(answer) and "sportswear" not in applied(answer)  # the ignored one not "applied"
    assert answer.hits and all(answer.explanations[h.item.id].startswith("Closest in stock: formal wear") for h in answer.hits)


def test_a_match_is_claimed_only_when_every_word_was_read(service):
    read = recommend(service, "black sneakers under 80", user_id="u-claim")
    assert all(read.explanations[h.item.id].startswith("Matches what you asked") for h in read.hits)
    vague = recommend(service, "shoes I can wear on rocky mountain trails", user_id="u-claim")  # "rocky": not a frock
    assert vague.hits and not any(vague.explanations[h.item.id].startswith("Matches") for h in vague.hits)
    assert all(h.item.article_type != "Dresses" for h in vague.hits)


def test_kinds_picked_to_complete_an_outfit_are_not_claimed_as_asked(service):
    picked = recommend(service, "I'm wearing a navy shirt, what goes with it?", user_id="u-outfit-claim")
    assert picked.hits and not any(picked.explanations[h.item.id].startswith("Matches") for h in picked.hits)
    named = recommend(service, "I'm wearing a navy shirt, which trousers go with it?", user_id="u-outfit-claim")
    assert {h.item.article_type for h in named.hits} == {"Trousers"}
    assert all(named.explanations[h.item.id].startswith("Matches what you asked: trouser") for h in named.hits)


def test_the_outfits_wearer_is_searched_for_but_never_claimed(service):
    answer = recommend(service, "which jeans go with my heels?", user_id="u-wearer")
    assert answer.hits and all(h.item.article_type == "Jeans" and h.item.gender in ("Women", "Unisex") for h in answer.hits)
    assert not any("for women" in answer.explanations[h.item.id] for h in answer.hits)  # not asked: not claimed


def test_a_garment_the_catalog_lacks_is_said_first_and_the_closest_of_its_slot_shown(service):
    assert "Kurtas" not in service.catalog.values("article_type")
    answer = recommend(service, "Black kurta for men", user_id="u-absent")
    assert answer.text.startswith("**Nothing in stock matches: this catalog has no kurtas.**")
    assert answer.hits and all(h.item.sub_category == "Topwear" and h.item.gender in ("Men", "Unisex") for h in answer.hits)
    assert not any(answer.explanations[h.item.id].startswith("Matches") for h in answer.hits)


def test_looking_for_an_item_for_someone_is_the_request_not_the_outfit(service):
    for text in ("Looking for a casual shirt for my boyfriend", "For my boyfriend: a navy shirt"):
        answer = recommend(service, text, user_id="u-looking")
        assert "I see:" not in answer.text, text
        assert answer.hits and all(h.item.article_type == "Shirts" and h.item.gender in ("Men", "Unisex") for h in answer.hits)
    worn = recommend(service, "This is the shirt I'm wearing to my interview. What trousers should I wear with it?", user_id="u-w")
    assert "I see: shirts" in worn.text and {h.item.article_type for h in worn.hits} == {"Trousers"}


def test_after_an_answer_a_message_naming_no_kind_refines_it(service):
    first = recommend(service, "a navy shirt for a man", user_id="u-follow")
    later = recommend(service, "hmm, anything that isn't navy? it's for the office", user_id="u-follow", session_id=first.session_id)
    assert later.hits and all(h.item.article_type == "Shirts" and h.item.colour != "Navy Blue" for h in later.hits)
    assert all(h.item.usage == "Formal" and h.item.gender in ("Men", "Unisex") for h in later.hits)
    fresh = recommend(service, "start over: something red for a party", user_id="u-follow", session_id=first.session_id)
    assert fresh.hits and all(h.item.colour == "Red" for h in fresh.hits) and "shirts" not in applied(fresh)


def test_negations_rule_out_types_colour_lists_and_the_colour_shown(service):
    hate = recommend(service, "I hate yellow and orange, show me some tops", user_id="u-neg")
    assert hate.hits and all(h.item.article_type == "Tops" and h.item.colour not in ("Yellow", "Orange") for h in hate.hits)
    assert "not yellow · not orange" in applied(hate)
    party = recommend(service, "something for a party for a woman, but not a dress", user_id="u-neg")
    assert party.hits and all(h.item.article_type != "Dresses" and h.item.usage == "Party" for h in party.hits)
    black = recommend(service, "a black jacket for men", user_id="u-neg")
    other = recommend(service, "not black", user_id="u-neg", session_id=black.session_id)
    assert other.hits and all(h.item.article_type == "Jackets" and h.item.colour != "Black" for h in other.hits)
    assert "black ·" not in applied(other) and not other.text.startswith("**Nothing")


def test_over_budget_the_cheapest_closest_items_come_first(service):
    answer = recommend(service, "a jacket for under 15 dollars", user_id="u-budget")
    prices = [h.item.price for h in answer.hits]
    cheapest = min(i.price for i in service.catalog.items if i.article_type == "Jackets")
    assert answer.text.startswith("**Nothing in stock matches everything") and prices == sorted(prices)
    assert prices[0] == cheapest


def test_more_formal_keeps_a_type_that_is_formal_too(service):
    watch = recommend(service, "a men's watch", user_id="u-watch")
    formal = recommend(service, "more formal", user_id="u-watch", session_id=watch.session_id)
    assert formal.hits and all(h.item.article_type == "Watches" and h.item.usage == "Formal" for h in formal.hits)
    assert "party" not in applied(formal)


def test_product_cards_show_prices_with_the_currency(service):
    from fashionm3.ui.cards import item_caption, product_cards_html

    answer = recommend(service, "black sneakers under 80", user_id="u-cards")
    item = answer.hits[0].item
    assert f"· €{item.price:.2f}" in product_cards_html(answer.hits, answer.explanations, "€")
    assert item_caption(item, "$").endswith(f"· ${item.price:.2f}")


def test_around_a_price_and_dark_in_a_new_request(service):
    from fashionm3.retrieval.prices import parse_budget

    assert parse_budget("a handbag for around fifty") == {"price_min": 40.0, "price_max": 60.0}
    assert parse_budget("a jacket for a trip in about 2 weeks") == {}
    dark = recommend(service, "jeans for my husband, dark please", user_id="u-dark")
    assert dark.hits and all(h.item.colour in ("Black", "Navy Blue", "Charcoal", "Maroon", "Brown") for h in dark.hits)
    pounds = recommend(service, "shoes under £40", user_id="u-pounds")
    assert "I read your budget in £ as the same amount in $" in pounds.text


def test_an_alternative_says_when_only_items_shown_already_meet_everything(service):
    first = recommend(service, "brown sneakers for summer", user_id="u-seen")
    assert first.hits and not first.text.startswith("**Nothing")
    again = recommend(service, "show me another one instead", user_id="u-seen", session_id=first.session_id)
    assert again.text.startswith("**Nothing new in stock matches everything you asked for: the items that do were shown already.**")
    assert not {h.item.id for h in again.hits} & {h.item.id for h in first.hits}


def test_a_refinement_that_changes_the_kind_says_so(service):
    first = recommend(service, "a burgandy sweater for my wife", user_id="u-switch")
    assert {h.item.article_type for h in first.hits} == {"Sweaters"}
    formal = recommend(service, "more formal", user_id="u-switch", session_id=first.session_id)
    kinds = {h.item.article_type for h in formal.hits}
    assert "Sweaters" not in kinds and f"No sweaters here fit that, so I moved to {kinds.pop().lower()}" in formal.text


def test_over_budget_the_items_missing_least_come_first_and_shorthand_is_read(service):
    answer = recommend(service, "blak jeans for a mn, max 45", user_id="u-least")
    assert "for men" in applied(answer) and "black" not in applied(answer)
    assert "Not applied (no item in stock meets everything): black · under $45.00." in answer.text  # read, unmet
    assert answer.hits[0].item.colour == "Black" and answer.hits[0].item.article_type == "Jeans"  # only over budget


def test_an_unknown_kind_is_said_even_when_constraints_were_dropped(service):
    answer = recommend(service, "a gold sequin kimono under $10", user_id="u-gown")
    first, second = answer.text.split("\n\n")[:2]
    assert first.startswith("**Nothing in stock matches everything") and second.startswith("**I could not tell which kind")
    assert "(I do not know “sequin”, “kimono”)" in second  # the words not understood are named
    gown = recommend(service, "a gold ballgown", user_id="u-gown2")  # written together: a gown, so a dress
    assert {hit.item.article_type for hit in gown.hits} == {"Dresses"} and "Matches" not in str(gown.explanations)
    assert "**This catalog does not say which items are ballgowns**, so these are the closest dresses" in gown.text


def test_a_kind_stocked_only_for_others_is_said_first_and_never_claimed(service):
    assert not service.catalog.mask({"article_type": ["Formal Shoes"], "gender": ["Women", "Unisex"]}).any()
    answer = recommend(service, "women's formal shoes", user_id="u-for-her")
    assert answer.text.startswith("**Nothing in stock matches: this catalog has no formal shoes for women.**")
    assert answer.hits and all(h.item.gender in ("Women", "Unisex") for h in answer.hits)
    assert all(slot_of(h.item.article_type, h.item.sub_category) == "footwear" for h in answer.hits)
    assert not any(text.startswith("Matches") for text in answer.explanations.values())


def test_another_piece_to_go_with_it_keeps_who_and_the_occasion_but_not_the_colour(service):
    shirt = recommend(service, "a white shirt for a man, for work", user_id="u-outfit")
    assert {h.item.gender for h in shirt.hits} <= {"Men", "Unisex"} and "formal wear" in applied(shirt)
    trousers = recommend(service, "ok and now trousers to go with it", user_id="u-outfit", session_id=shirt.session_id)
    assert trousers.hits and {h.item.gender for h in trousers.hits} <= {"Men", "Unisex"}
    assert "formal wear" in applied(trousers) and "white" not in applied(trousers)
    fresh = recommend(service, "trousers for the gym", user_id="u-outfit", session_id=trousers.session_id)
    assert "for men" in applied(fresh) and "formal wear" not in applied(fresh)  # a request of its own: same person
    sister = recommend(service, "a dress for my sister", user_id="u-outfit", session_id=fresh.session_id)
    assert "for men" not in applied(sister)  # another person named: who it is for starts again


def test_a_short_message_naming_another_kind_keeps_who_and_the_occasion(service):
    shirt = recommend(service, "a formal shirt for a man", user_id="u-kind")
    belt = recommend(service, "now a belt", user_id="u-kind", session_id=shirt.session_id)
    assert belt.hits and all(h.item.article_type == "Belts" and h.item.usage == "Formal" for h in belt.hits)
    assert {h.item.gender for h in belt.hits} <= {"Men", "Unisex"} and "formal wear · for men" in applied(belt)
    dress = recommend(service, "a dress", user_id="u-kind", session_id=belt.session_id)  # none for men: not carried
    assert dress.hits and "for men" not in applied(dress) and not dress.text.startswith("**Nothing in stock")
    shoes = recommend(service, "black formal shoes for men", user_id="u-kind-2")
    watch = recommend(service, "what about a watch", user_id="u-kind-2", session_id=shoes.session_id)
    assert "formal wear" in applied(watch)  # "formal shoes" says the occasion of the outfit


def test_children_asked_for_where_the_catalog_has_none_is_said_first_and_never_claimed(service):
    assert not {"Boys", "Girls"} & set(service.catalog.values("gender"))
    for text in ("t-shirts for boys", "casual sneakers for my son, he's 7"):
        answer = recommend(service, text, user_id="u-kids")
        assert answer.text.startswith("**Nothing in stock matches: this catalog has no children's wear.**"), text
        assert answer.hits and not any(e.startswith("Matches") for e in answer.explanations.values())
        more = recommend(service, "shorts as well", user_id="u-kids", session_id=answer.session_id)
        assert more.text.startswith("**Nothing in stock matches: this catalog has no children's wear.**")
        assert more.hits and not any(e.startswith("Matches") for e in more.explanations.values())
    grown = recommend(service, "a shirt for my son, he's 23", user_id="u-kids")
    assert not grown.text.startswith("**Nothing in stock") and "for men" in applied(grown)


def test_an_accessory_refined_keeps_its_kind_or_says_that_none_fits(service):
    watch = recommend(service, "men's watch", user_id="u-acc")
    sporty = recommend(service, "a sporty one", user_id="u-acc", session_id=watch.session_id)
    assert sporty.hits and all(h.item.article_type == "Watches" for h in sporty.hits)  # none is sportswear here
    assert sporty.text.startswith("**Nothing in stock matches everything you asked for.**")
    glasses = recommend(service, "sunglasses", user_id="u-acc-2")
    gym = recommend(service, "for the gym", user_id="u-acc-2", session_id=glasses.session_id)
    assert gym.text.startswith("**Nothing in stock matches: this catalog has no sports sunglasses.**")
    assert gym.hits and all(h.item.usage == "Sports" and h.item.article_type != "Sunglasses" for h in gym.hits)
    assert not any(e.startswith("Matches") for e in gym.explanations.values())


def test_sizes_and_unisex_are_said(service):
    sized = recommend(service, "a t-shirt for a man, size XL", user_id="u-size")
    assert "This catalog does not list sizes, so I could not check “size XL”." in sized.text
    assert sized.hits and not any(e.startswith("Matches") for e in sized.explanations.values())  # size unchecked
    unisex = recommend(service, "unisex sunglasses", user_id="u-size")
    assert "unisex" in applied(unisex) and {h.item.gender for h in unisex.hits} == {"Unisex"}


def test_a_garment_of_ones_own_the_catalog_lacks_is_the_outfit_not_the_request(service):
    answer = recommend(service, "a warm thing to throw over my kurti, something maroon", user_id="u-kurti")
    assert "no kurtis" not in answer.text and answer.hits
    assert all(slot_of(h.item.article_type, h.item.sub_category) == "outerwear" for h in answer.hits)
    asked = recommend(service, "I want a kurti", user_id="u-kurti2")
    assert asked.text.startswith("**Nothing in stock matches: this catalog has no kurtis.**")


def test_a_night_shift_is_no_night_out(service):
    answer = recommend(service, "night shifts in a canteen, comfy shoes to stand in all night", user_id="u-shift")
    assert "party wear" not in applied(answer) and all(h.item.usage != "Party" for h in answer.hits)


def test_a_refinement_with_nothing_to_refine_says_so_first(service):
    answer = recommend(service, "cheaper", user_id="u-orphan")
    assert answer.text.startswith("**There is no earlier answer to change yet**")
    typed = recommend(service, "black jeans for men, not too pricey", user_id="u-orphan2")  # a request of its own
    assert not typed.text.startswith("**There is no earlier answer")


def test_darker_than_a_colour_is_its_own_darker_shade_when_one_is_in_stock(service):
    from fashionm3.stylist.knowledge import one_hue

    assert one_hue("Red", "Maroon") and one_hue("Blue", "Navy Blue") and not one_hue("Red", "Pink")
    assert not one_hue("Red", "Brown") and not one_hue("Blue", "Black")
    jeans = recommend(service, "blue jeans for a man", user_id="u-shade")
    darker = recommend(service, "darker", user_id="u-shade", session_id=jeans.session_id)
    assert darker.hits and {h.item.colour for h in darker.hits} == {"Navy Blue"}  # not black: a darker blue
    assert all(text.startswith("Matches") for text in darker.explanations.values())


def test_something_to_go_with_it_completes_an_outfit_of_the_piece_shown(service):
    shirt = recommend(service, "a navy shirt for a man", user_id="u-pair")
    pair = recommend(service, "something to go with it", user_id="u-pair", session_id=shirt.session_id)
    slots = {slot_of(h.item.article_type, h.item.sub_category) for h in pair.hits}
    assert pair.hits and "top" not in slots and "I see: navy blue shirts." in pair.text
    shoes = recommend(service, "shoes for my husband", user_id="u-cheap")
    cheaper = recommend(service, "cheaper", user_id="u-cheap", session_id=shoes.session_id)
    assert "cheaper than the" in applied(cheaper)
    bag = recommend(service, "and a bag also", user_id="u-cheap", session_id=cheaper.session_id)
    assert bag.hits and "cheaper than" not in applied(bag) and "for men" in applied(bag)  # a shoe's price is no bag's


def test_a_follow_up_with_words_not_understood_says_so(service):
    first = recommend(service, "do you have a diving wetsuit?", user_id="u-snorkel")
    then = recommend(service, "a snorkel mask then", user_id="u-snorkel", session_id=first.session_id)
    assert "**I could not tell which kind of item you want** (I do not know “snorkel”, “mask”)" in then.text

