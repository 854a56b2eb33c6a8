"""Which task a chat message is routed to: the user's pick, hand-offs, alternatives, personalised picks, refinements
of the last recommendation, outfit completion and plain search (fast: no models)."""

from __future__ import annotations

import pytest

from fashionm3.stylist.router import RECOMMEND_TASKS, TASKS, route


@pytest.mark.parametrize(
    ("message", "task"),
    [
        ("what shoes go with my outfit?", "basic"),
        ("COMPLETE   this look", "basic"),
        ("something to wear with these jeans", "basic"),
        ("pick something for me", "personalized"),
        ("what suits me, based on my history?", "personalized"),
        ("show me an alternative to the jeans", "alternative"),
        ("something else instead of that one, matching my outfit", "alternative"),
        ("an alternative for me", "alternative"),  # alternatives come before personalised picks
        ("can I TRY it on?", "try_on"),
        ("try this on, then show an alternative", "try_on"),
        ("show me what it looks like", "generate"),
        ("visualise an alternative", "generate"),
        ("black sneakers under 80", "search"),
        ("", "search"),
    ],
)
def test_a_message_is_routed_to_the_task_it_asks_for(message, task):
    assert route(message) == task


@pytest.mark.parametrize(
    "requested", ["basic", " Personalized ", "ALTERNATIVE", "search", "generate", "try-on", "try_on"]
)
def test_the_task_the_user_picked_wins_over_the_message(requested):
    expected = requested.strip().lower().replace("-", "_")
    assert route("can I try it on? show me an alternative", requested) == expected


@pytest.mark.parametrize("requested", ["auto", "", None, " AUTO "])
def test_auto_or_no_pick_routes_by_the_message(requested):
    assert route("an alternative please", requested) == "alternative"
    assert route("red dress", requested) == "search"


@pytest.mark.parametrize("requested", ["dance", "auto_", "try on", "basics"])
def test_an_unknown_task_is_refused_with_the_list_of_tasks(requested):
    listed = "auto, basic, personalized, alternative, search, generate, try_on"
    with pytest.raises(ValueError, match=f"^task must be one of {listed}$"):
        route("anything", requested)


@pytest.mark.parametrize("previous", RECOMMEND_TASKS)
def test_a_refinement_repeats_the_previous_recommendation_task(previous):
    assert route("darker", previous=previous, refining=True) == previous
    assert route("darker", previous=previous, refining=False, has_outfit=False) == "search"
    assert route("darker", previous=previous) == "search"  # a previous task alone is no refinement
    assert route("cheaper please, like an alternative", previous=previous, refining=True) == "alternative"


@pytest.mark.parametrize("previous", ["generate", "try_on", "", "auto"])
def test_a_refinement_after_a_hand_off_is_routed_by_the_message(previous):
    assert route("darker", previous=previous, refining=True) == "search"
    assert route("darker", previous=previous, refining=True, has_outfit=True) == "basic"


def test_once_an_outfit_is_known_any_plain_message_completes_it():
    assert route("anything nice", has_outfit=True) == "basic"
    assert route("anything nice", has_outfit=False) == "search"
    assert route("for me please", has_outfit=True) == "personalized"


def test_every_task_name_is_accepted():
    assert [route("x", task) for task in TASKS[1:]] == list(TASKS[1:])
