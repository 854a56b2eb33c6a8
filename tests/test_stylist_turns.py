"""Who wears it, what the occasion calls for and what carries over between turns, read from ordinary phrasing
(offline backend, demo catalog): the speaker, an activity at work, a present, a garment worn with the one asked
for, a wedding guest, the gender a garment implies, "darker" naming the colour moved away from, a constraint
only items shown already meet."""

from __future__ import annotations

from fashionm3.assistant import recommend
from fashionm3.stylist.grounding import describe_stated, worn_by
from fashionm3.stylist.knowledge import COLOUR_LIGHTNESS, slot_of
from fashionm3.stylist.understanding import speaker_gender

GENDERS = ["Men", "Women", "Unisex"]


def slots(answer) -> set[str]:
    return {slot_of(hit.item.article_type, hit.item.sub_category) for hit in answer.hits}


def applied(answer) -> str:
    return next((line for line in answer.text.split("\n\n") if line.startswith("Applied:")), "")


def test_the_speaker_wears_it_when_nobody_else_named_would():
    said = "Parent-teacher meeting at my son's school, I'm the dad. A decent look?"
    assert speaker_gender(said, GENDERS) == ["Men", "Unisex"]
    assert speaker_gender("I'm his uncle - what should I wear up top?", GENDERS) == ["Men", "Unisex"]
    assert speaker_gender("I'm the bride's sister, need something small", GENDERS) == ["Women", "Unisex"]
    assert speaker_gender("I'm the dad, shoes for my son", GENDERS) == []  # the son wears them
    assert speaker_gender("I'm a man looking for a gift for my wife", GENDERS) == []


def test_dressing_alongside_someone_dresses_the_speaker(service):
    said = "My wife is dressing up for a gala, so I have to as well"
    assert speaker_gender(said + ". I'm a man.", GENDERS) == ["Men", "Unisex"]
    answer = recommend(service, said, user_id="u-turns-alongside")
    assert answer.hits and "for women" not in applied(answer) and "“gala”" not in answer.text
    assert "formal wear" in applied(answer)  # a gala is dressed for
    male = recommend(service, "Interview at a bank on Monday, what else do I need to look the part? Male",
                     user_id="u-turns-male")
    assert "for men" in applied(male)  # said outright, not a companion's


def test_a_sport_with_colleagues_is_sportswear_not_office_wear(service):
    said = "5-a-side football with the office team every saturday, dude here. what's good for the legs"
    answer = recommend(service, said, user_id="u-turns-sport")
    assert answer.hits and slots(answer) == {"bottom"}
    assert {hit.item.usage for hit in answer.hits} == {"Sports"}
    assert {hit.item.gender for hit in answer.hits} <= {"Men", "Unisex"}


def test_a_present_with_no_kind_named_is_an_accessory_even_for_an_occasion(service):
    answer = recommend(service, "I want to gift my husband something he can wear to the office", user_id="u-turns-gift")
    assert answer.hits and slots(answer) <= {"accessory", "bag"}
    assert "You named no kind of item" in answer.text


def test_a_garment_after_for_is_the_outfit_not_the_request(service):
    belt = recommend(service, "belt for jeans, men", user_id="u-turns-belt")
    assert {hit.item.article_type for hit in belt.hits} == {"Belts"}
    assert "I see: jeans" in belt.text and "jeans" not in applied(belt)
    jeans = recommend(service, "looking for jeans", user_id="u-turns-jeans")  # "looking for" names no outfit
    assert {hit.item.article_type for hit in jeans.hits} == {"Jeans"}


def test_the_gender_a_garment_implies_carries_to_the_next_piece(service, catalog):
    assert worn_by(catalog, "Dresses") == "Women" and worn_by(catalog, "Tshirts") == ""
    dress = recommend(service, "a summer dress", user_id="u-turns-dress")
    shoes = recommend(service, "and shoes?", user_id="u-turns-dress", session_id=dress.session_id)
    assert shoes.hits and {hit.item.gender for hit in shoes.hits} <= {"Women", "Unisex"}
    assert "for women" in applied(shoes)


def test_a_wedding_guest_dresses_for_a_party_not_for_work(service):
    answer = recommend(service, "what do i wear to a friend's wedding? i'm a girl", user_id="u-turns-wedding")
    assert answer.hits and "party wear or ethnic wear" in applied(answer)
    assert "Formal" not in {hit.item.usage for hit in answer.hits}
    groom = recommend(service, "a shirt for my brother's wedding reception, men", user_id="u-turns-groom")
    assert "formal wear, party wear or ethnic wear" in applied(groom)


def test_darker_with_a_lighter_colour_named_moves_away_from_it(service):
    first = recommend(service, "a cap for trekking", user_id="u-turns-cap")
    shown = {hit.item.colour for hit in first.hits[:1]}
    darker = recommend(service, "darker one, white will get dirty so fast", user_id="u-turns-cap",
                       session_id=first.session_id)
    assert darker.hits and "White" not in {hit.item.colour for hit in darker.hits}
    assert all(COLOUR_LIGHTNESS[hit.item.colour] < COLOUR_LIGHTNESS[c] for hit in darker.hits for c in shown)


def test_an_added_constraint_only_items_shown_meet_shows_them_again(service, catalog):
    first = recommend(service, "brown formal shoes for men", user_id="u-turns-seen")
    other = recommend(service, "another option instead?", user_id="u-turns-seen", session_id=first.session_id)
    shown = {hit.item.id for hit in [*first.hits, *other.hits]}
    meeting = {item.id for item in catalog.items if item.article_type == "Formal Shoes" and item.colour == "Brown"
               and item.gender in ("Men", "Unisex") and "leather" not in item.name.lower()}
    assert meeting and meeting <= shown  # every brown formal shoe was shown already
    leather = recommend(service, "and no leather please", user_id="u-turns-seen", session_id=other.session_id)
    assert not leather.text.startswith("**Nothing") and {hit.item.id for hit in leather.hits} <= meeting
    assert leather.hits  # a constraint added, no other item asked for: the ones shown still qualify
    again = recommend(service, "another one without leather", user_id="u-turns-seen", session_id=leather.session_id)
    assert again.text.startswith("**Nothing new in stock matches everything you asked for**: these were shown already")
    assert again.hits and {hit.item.id for hit in again.hits} <= meeting
    assert all(again.explanations[hit.item.id].startswith("A pair of brown formal shoes") for hit in again.hits)


def test_the_applied_line_names_every_kind_and_occasion_searched():
    shoes = ["Casual Shoes", "Formal Shoes", "Sports Shoes", "Heels", "Flats"]
    stated = describe_stated({"usage": ["Party", "Ethnic"]}, shoes, "$")
    assert stated == ["casual shoes, formal shoes, sports shoes or 2 other kinds", "party wear or ethnic wear"]
    assert describe_stated({}, ["Heels", "Flats"], "$") == ["heels or flats"]
