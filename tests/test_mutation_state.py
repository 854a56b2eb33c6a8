"""What a chat session remembers and for whom: thumbnails, turns, the summary API callers see, ownership, expiry
and the bound on how many conversations are kept (fast: no models)."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from fashionm3.stylist import state
from fashionm3.stylist.state import Conversation, OutfitPiece, SessionStore


def test_a_piece_is_labelled_by_its_colour_and_type_in_lower_case():
    assert OutfitPiece("Shirts", "Navy Blue").label() == "navy blue shirts"
    assert OutfitPiece("Jeans", "").label() == "jeans"
    piece = OutfitPiece("Jeans", "Blue")
    assert (piece.gender, piece.usage, piece.source, piece.item_id) == ("", "", "photo", "")


def test_outfit_photos_are_kept_as_thumbnails_of_at_most_256_pixels_and_the_originals_untouched():
    wide, small = Image.new("RGB", (1000, 500), (9, 8, 7)), Image.new("RGB", (100, 40))
    conversation = Conversation("s", "u")
    conversation.photos = [wide, small]
    assert [photo.size for photo in conversation.photos] == [(256, 128), (100, 40)]
    assert conversation.photos[0].getpixel((3, 3)) == (9, 8, 7)
    assert wide.size == (1000, 500) and conversation.kept_photos is conversation.photos
    conversation.photos = []
    assert conversation.photos == []


def test_only_the_last_12_turns_are_kept_in_order():
    conversation = Conversation("s", "u")
    for n in range(15):
        conversation.remember("user" if n % 2 == 0 else "assistant", f"t{n}")
    assert len(conversation.turns) == state.MAX_TURNS_KEPT == 12
    assert conversation.turns[0] == ("assistant", "t3") and conversation.turns[-1] == ("user", "t14")


def test_the_summary_shows_the_outfit_target_constraints_and_counts():
    conversation = Conversation("s", "u", outfit=[OutfitPiece("Shirts", "White")], target_types=["Jeans"],
                                constraints={"colour": "Blue"}, shown=["1", "2", "3"], rejected=["2"])
    assert conversation.summary() == {
        "outfit": ["white shirts"], "target": ["Jeans"], "constraints": {"colour": "Blue"}, "shown": 3, "rejected": ["2"],
    }
    fresh = Conversation("t", "u")
    assert fresh.summary() == {"outfit": [], "target": [], "constraints": {}, "shown": 0, "rejected": []}
    assert fresh.last_task == "" and fresh.last_description is None
    assert fresh.last_items == [] and fresh.kept_photos == []


def test_a_new_session_gets_an_unguessable_id_and_is_found_again_by_its_owner():
    sessions = SessionStore()
    first = sessions.open("", "u1")
    assert re.fullmatch(r"s-[A-Za-z0-9_-]{22}", first.session_id) and first.user_id == "u1"
    assert sessions.open(first.session_id, "u1") is first
    assert sessions.open("", "u1") is not first and len(sessions) == 2
    unknown = sessions.open("s-unknown", "u1")
    assert unknown.session_id != "s-unknown" and len(sessions) == 3


def test_another_identity_presenting_a_session_id_gets_its_own_session():
    sessions = SessionStore()
    mine = sessions.open("", "u1")
    mine.remember("user", "my secret outfit")
    theirs = sessions.open(mine.session_id, "u2")
    assert theirs is not mine and theirs.turns == [] and theirs.user_id == "u2"
    assert sessions.open(mine.session_id, "u1") is mine
    assert sessions.open(mine.session_id, "") is not mine  # no identity is not the owner either


def test_the_least_recently_used_session_goes_beyond_capacity():
    sessions = SessionStore(capacity=2)
    a, b = sessions.open("", "u"), sessions.open("", "u")
    assert sessions.open(a.session_id, "u") is a  # a is now the most recent
    c = sessions.open("", "u")
    assert len(sessions) == 2
    assert sessions.open(a.session_id, "u") is a and sessions.open(c.session_id, "u") is c
    assert sessions.open(b.session_id, "u") is not b  # b was dropped


def test_the_defaults_keep_1000_sessions_for_two_hours():
    sessions = SessionStore()
    assert (sessions.capacity, sessions.ttl_s) == (1000, 7200)


def test_idle_sessions_expire_after_the_ttl_and_active_ones_stay(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(state.time, "monotonic", lambda: clock[0])
    sessions = SessionStore(ttl_s=10)
    old, kept = sessions.open("", "u"), sessions.open("", "u")
    clock[0] += 10
    assert sessions.open(kept.session_id, "u") is kept  # exactly the ttl: still there
    clock[0] += 0.5
    assert sessions.open(kept.session_id, "u") is kept
    assert len(sessions) == 1  # old was idle for 10.5 s: gone
    assert sessions.open(old.session_id, "u") is not old
    clock[0] += 10.5
    newest = sessions.open("", "u")
    assert len(sessions) == 1 and sessions.open(newest.session_id, "u") is newest


def test_expiry_stops_at_the_first_session_still_in_use(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(state.time, "monotonic", lambda: clock[0])
    sessions = SessionStore(ttl_s=10)
    first = sessions.open("", "u")
    clock[0] = 5
    second = sessions.open("", "u")
    clock[0] = 12
    sessions.open("", "u")
    assert len(sessions) == 2 and sessions.open(second.session_id, "u") is second
    assert sessions.open(first.session_id, "u") is not first


def test_forget_user_drops_only_that_users_sessions():
    sessions = SessionStore()
    mine = [sessions.open("", "u1"), sessions.open("", "u1")]
    theirs = sessions.open("", "u2")
    sessions.forget_user("u1")
    assert len(sessions) == 1 and sessions.open(theirs.session_id, "u2") is theirs
    assert all(sessions.open(conversation.session_id, "u1") is not conversation for conversation in mine)
    sessions.forget_user("nobody")
    assert len(sessions) == 3


@pytest.mark.parametrize("capacity", [1, 3])
def test_capacity_is_never_exceeded(capacity):
    sessions = SessionStore(capacity=capacity)
    for _ in range(capacity + 4):
        sessions.open("", "u")
    assert len(sessions) == capacity
