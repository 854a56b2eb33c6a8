"""The stylist on the offline backend: knowledge, routing, JSON parsing, collage, and multi-round behaviour."""

from __future__ import annotations

import pytest
from PIL import Image

from fashionm3.assistant import recommend
from fashionm3.stylist.collage import make_collage
from fashionm3.stylist.description import ItemDescription, parse_description
from fashionm3.stylist.knowledge import harmonious_colours, missing_slot, shift_colours, slot_of, translate
from fashionm3.stylist.router import route

FALLBACK = ItemDescription(category="Jeans", colour="Blue", reason="rules", source="rules")


@pytest.mark.parametrize(
    ("text", "category", "source"),
    [
        ('{"category": "Sneakers", "colour": "White", "reason": "clean"}', "Sneakers", "model"),
        ('```json\n{"category": "Heels", "color": "Black"}\n```', "Heels", "model"),
        ('Sure! {"category": "Belts", "colour": "Brown", "reason": "ties the look', "Belts", "model"),  # truncated
        ("I think a nice pair of jeans would work.", "Jeans", "fallback"),
        ('{"colour": "Red"}', "Jeans", "fallback"),  # no category: unusable
        ("ns\x00\x07)\\@{[", "Jeans", "fallback"),
        ("", "Jeans", "fallback"),
    ],
)
def test_parse_description_repairs_or_falls_back(text, category, source):
    parsed = parse_description(text, FALLBACK)
    assert parsed.category == category and parsed.source == source


def test_parse_description_fills_missing_fields_from_the_fallback():
    parsed = parse_description('{"category": "Sneakers"}', FALLBACK)
    assert parsed.colour == "Blue" and parsed.reason == "rules"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("what shoes go with this?", "basic"),
        ("pick something for me based on my style", "personalized"),
        ("show me an alternative to the jeans", "alternative"),
        ("show me what it looks like", "generate"),
        ("can I try it on?", "try_on"),
        ("black sneakers under 80", "search"),
    ],
)
def test_route(message, expected):
    assert route(message) == expected


def test_route_explicit_task_and_refinement():
    assert route("black sneakers", "alternative") == "alternative"
    assert route("darker", previous="personalized", refining=True) == "personalized"
    assert route("anything", has_outfit=True) == "basic"
    with pytest.raises(ValueError):
        route("x", "dance")


def test_outfit_knowledge():
    assert missing_slot({"top"}) == "bottom"
    assert missing_slot({"top", "bottom"}) == "footwear"
    assert missing_slot({"one-piece"}) == "footwear"
    assert [slot_of(*pair) for pair in (("Suspenders", "Topwear"), ("Jackets", "Topwear"), ("Shirts", "Topwear"),
                                        ("Swimwear", "Bottomwear"), ("Jeans", "Bottomwear"))] == [
        "accessory", "outerwear", "top", "one-piece", "bottom",
    ]  # fmt: skip
    assert "White" in harmonious_colours(["Navy Blue"], ["White", "Red", "Navy Blue"])
    assert shift_colours(["White"], "darker", ["Black", "Yellow", "White"])[0] == "Black"
    assert translate("una camisa roja para hombre") == ("una shirt red for men", True)
    assert translate("zapatillas para correr, 60 dolares max") == ("sneakers for running, 60 dollars max", True)
    assert translate("a red shirt for me")[1] is False


def test_collage_is_a_white_2x2_grid():
    photos = [Image.new("RGB", (100, 200), colour) for colour in ("red", "green", "blue")]
    collage = make_collage(photos)
    assert collage.size == (512, 512)
    assert collage.getpixel((128, 128))[:3] == (255, 0, 0) and collage.getpixel((384, 128))[1] > 100
    assert collage.getpixel((128, 384))[2] > 200 and collage.getpixel((384, 384)) == (255, 255, 255)
    assert collage.getpixel((5, 128)) == (255, 255, 255)  # the narrow photo is centred on white


def _first(catalog, article_type, **fields):
    return next(i for i in catalog.items if i.article_type == article_type and all(getattr(i, k) == v for k, v in fields.items()))


def test_basic_completes_an_outfit_described_in_words(service):
    answer = recommend(service, "what shoes go with my navy shirt and grey jeans?", user_id="u-basic")
    assert answer.task == "basic"
    assert "I see: navy blue shirts, grey jeans." in answer.text
    assert answer.hits and all(hit.item.sub_category == "Shoes" for hit in answer.hits)
    assert all(answer.explanations[hit.item.id] for hit in answer.hits)


def test_multi_round_refinements(service):
    from fashionm3.stylist.knowledge import COLOUR_LIGHTNESS

    first = recommend(service, "a white handbag to go with my black top", user_id="u-rounds")
    assert first.hits and all(hit.item.article_type == "Handbags" for hit in first.hits)
    session = first.session_id
    alternative = recommend(service, "show me another option", user_id="u-rounds", session_id=session)
    assert alternative.task == "alternative" and alternative.session_id == session
    assert alternative.hits and not {h.item.id for h in first.hits} & {h.item.id for h in alternative.hits}
    assert all(hit.item.article_type == "Handbags" for hit in alternative.hits)
    darker = recommend(service, "something darker", user_id="u-rounds", session_id=session)
    assert darker.hits
    top = alternative.hits[0].item.colour
    assert all(COLOUR_LIGHTNESS[hit.item.colour] < COLOUR_LIGHTNESS[top] for hit in darker.hits)
    cheaper = recommend(service, "cheaper", user_id="u-rounds", session_id=session)
    assert cheaper.hits and all(hit.item.article_type == "Handbags" for hit in cheaper.hits)
    assert all(hit.item.price < darker.hits[0].item.price for hit in cheaper.hits)


def test_constraints_are_kept_no_leather_and_budget(service):
    answer = recommend(service, "a belt for my blue jeans, under 20, no leather", user_id="u-cons")
    assert answer.hits
    assert all(hit.item.article_type == "Belts" and hit.item.price <= 20 for hit in answer.hits)
    assert all("leather" not in hit.item.name.lower() for hit in answer.hits)


def test_sessions_do_not_leak_between_users(service):
    first = recommend(service, "a red dress", user_id="u-a")
    other = recommend(service, "cheaper", user_id="u-b", session_id=first.session_id)
    assert other.session_id != first.session_id


def test_personalized_uses_liked_items(service, catalog):
    liked = [i for i in catalog.items if i.article_type == "Casual Shoes" and i.colour in ("Black", "Grey")][:3]
    for item in liked:
        service.record_feedback("u-taste", item.id, True)
    shirt = _first(catalog, "Shirts")
    answer = recommend(service, "shoes for me", [shirt.image_path], user_id="u-taste")
    assert answer.task == "personalized"
    assert answer.preference.startswith("I prefer") and "Using your preference" in answer.text
    assert answer.hits and answer.hits[0].item.colour in ("Black", "Grey")


def test_personalized_without_history_says_so(service):
    answer = recommend(service, "pick shoes for me", user_id="u-new")
    assert "You have not liked any items yet" in answer.text
    assert answer.hits


def test_not_clothing_photo_is_left_out(service):
    blank = Image.new("RGB", (400, 300), (250, 250, 250))  # on the drawn demo catalog only what is clearly no garment
    answer = recommend(service, "what goes with this?", [blank], user_id="u-land")
    assert "Photo 1 does not look like a clothing item" in answer.text


def test_a_real_photo_against_the_drawn_demo_catalog_is_read_for_its_colour(service):
    shirt = Image.new("RGB", (300, 400), (255, 255, 255))
    shirt.paste((30, 40, 90), (60, 60, 240, 340))  # a navy block on white, no drawing of the catalog
    answer = recommend(service, "what goes with this?", [shirt], user_id="u-real")
    assert "I only read its main colour (navy blue)" in answer.text and answer.hits


def test_photo_of_nothing_without_words_is_a_clear_error(service):
    from fashionm3.errors import InvalidInput

    with pytest.raises(InvalidInput, match="None of the photos looks like clothing"):
        recommend(service, "", [Image.new("RGB", (200, 200), "white")], user_id="u-blank")


def test_contradictory_constraints_are_explained(service):
    answer = recommend(service, "formal gym shoes over 100 under 20", user_id="u-contra")
    assert "contradict each other" in answer.text and "pull in different directions" in answer.text


def test_another_language_gets_an_answer(service):
    answer = recommend(service, "una camisa roja para hombre", user_id="u-es")
    assert "I work best in English" in answer.text
    assert answer.hits and all(hit.item.article_type == "Shirts" for hit in answer.hits)


def test_hand_offs(service):
    first = recommend(service, "a navy shirt for a man", user_id="u-hand")
    picture = recommend(service, "show me what it looks like", user_id="u-hand", session_id=first.session_id)
    assert picture.task == "generate" and len(picture.images) == 1
    tryon = recommend(service, "try it on", user_id="u-hand", session_id=first.session_id)
    assert tryon.task == "try_on" and tryon.handoff_item == first.hits[0].item.id


def test_eval_stylist_cli_prints_scores(settings, service, capsys, monkeypatch, tmp_path):
    import json

    from fashionm3.cli import main
    from fashionm3.evaluation.request_eval import load_requests

    monkeypatch.setenv("FASHIONM3_BACKEND", "offline")
    monkeypatch.setenv("FASHIONM3_DATA_DIR", str(settings.data_dir))
    few = tmp_path / "requests.jsonl"  # two requests of each family keep the test short
    rows = load_requests()
    few.write_text("".join(json.dumps(r) + "\n" for f in {r["family"] for r in rows} for r in [x for x in rows if x["family"] == f][:2]))
    assert main(["eval", "stylist", "-n", "12", "--requests", str(few)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    scores, families = report["scenarios"], report["requests"]["families"]
    assert scores["scenarios"] == 12 and scores["grounding_rate"] == 1.0
    assert scores["requested_category_accuracy"] >= 0.9 and 0 <= scores["refinement_success"] <= 1
    assert len(families) == 76 and all(row["requests"] == 2 for row in families.values())
    held_out = report["requests"]["held_out"]
    assert sorted(held_out) == sorted(f for f in families if f.startswith(("fresh_", "sealed_", "final_", "unseen_")))
    assert len(held_out) == 20
    assert report["requests"]["held_out_mean"]["items"] == sum(families[f]["items"] for f in held_out)
