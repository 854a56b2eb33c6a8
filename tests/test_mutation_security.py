"""What callers rely on from the identity tokens, API keys and input checks (fast: no app, no network).

Each test states a promise made to a user or an API caller; bench/mutation.sh checks that these tests notice
when the code stops keeping it.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from fashionm3.errors import InvalidInput
from fashionm3.security import identity, inputs
from fashionm3.security.identity import Identities, derive_key, key_digest, looks_like_api_key, new_api_key

SECRET = "s" * 16


# --- identity -------------------------------------------------------------------------------------------------


def test_a_secret_of_16_characters_is_enough_and_15_is_refused():
    Identities("x" * 16)
    with pytest.raises(ValueError, match=r"^The identity secret must have at least 16 characters\.$"):
        Identities("x" * 15)


def test_an_issued_token_verifies_to_its_anonymous_id_and_every_token_is_new():
    ids = Identities(SECRET)
    token = ids.issue()
    user_id = ids.verify(token)
    assert re.fullmatch(r"anon-[A-Za-z0-9_-]{22}", user_id)
    assert token.startswith(f"{user_id}.")
    assert ids.verify(ids.issue()) != user_id


def test_a_token_is_the_id_and_an_unpadded_hmac_sha256_of_it():
    import base64
    import hmac

    user_id = "anon-" + "a" * 22
    key = hmac.new(SECRET.encode(), b"fashionm3/browser-identity-v1", hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(hmac.new(key, user_id.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    assert Identities(SECRET).token_for(user_id) == f"{user_id}.{signature}"
    assert derive_key(SECRET, "browser-identity-v1") == key
    assert derive_key(SECRET, "a") != derive_key(SECRET, "b") != derive_key("t" * 16, "b")


@pytest.mark.parametrize("user_id", ["hf:alice", "api-1", "anon-short", "anon-" + "a" * 23, "x-anon-" + "a" * 22, ""])
def test_only_anonymous_ids_get_browser_tokens(user_id):
    with pytest.raises(ValueError, match=r"^Only anonymous ids are kept in browsers\.$"):
        Identities(SECRET).token_for(user_id)


def test_forged_altered_foreign_and_odd_tokens_give_no_identity():
    ids, other = Identities(SECRET), Identities("o" * 16)
    token = ids.issue()
    user_id, _, signature = token.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for bad in [user_id, f"{user_id}.", f"{user_id}.{flipped}", f"{user_id}.{signature}x", other.issue(),
                f"{user_id}x.{signature}", f"hf:alice.{signature}", None, 12, b"x", token + " ", "." + token]:
        assert ids.verify(bad) is None, bad
    assert Identities(SECRET).verify(token) == user_id  # the same secret on a restart still knows the browser


def test_tokens_longer_than_the_limit_are_refused_without_checking(monkeypatch):
    ids = Identities(SECRET)
    token = ids.issue()
    assert len(token) <= identity.MAX_TOKEN_CHARS
    monkeypatch.setattr(identity, "MAX_TOKEN_CHARS", len(token))
    assert ids.verify(token) is not None
    monkeypatch.setattr(identity, "MAX_TOKEN_CHARS", len(token) - 1)
    assert ids.verify(token) is None


def test_api_keys_are_random_well_formed_and_stored_as_sha256():
    key = new_api_key()
    assert re.fullmatch(r"fm3_[A-Za-z0-9_-]{43}", key) and looks_like_api_key(key)
    assert new_api_key() != key
    assert key_digest(key) == hashlib.sha256(key.encode()).hexdigest()
    for bad in [key[:-1], key + "a", "fm4_" + key[4:], " " + key, None, 5, key.encode()]:
        assert looks_like_api_key(bad) is False, bad


# --- inputs ---------------------------------------------------------------------------------------------------


def test_clean_text_strips_and_bounds_text():
    assert inputs.clean_text("  hi  ", "q", 6) == "hi"
    assert inputs.clean_text("ｒｅｄ　ｄｒｅｓｓ", "q", 20) == "red dress"  # full-width letters are letters
    assert inputs.clean_text(None, "q", 5) == ""
    assert inputs.clean_text("x" * 5, "q", 5) == "x" * 5
    with pytest.raises(InvalidInput, match=r"^q has 1,001 characters; at most 1,000 are accepted\.$"):
        inputs.clean_text("x" * 1001, "q", 1000)
    with pytest.raises(InvalidInput, match=r"^q must be text\.$"):
        inputs.clean_text(5, "q", 5)
    with pytest.raises(InvalidInput, match=r"^q contains characters that are not valid text\.$"):
        inputs.clean_text("a\ud800", "q", 5)
    with pytest.raises(InvalidInput, match=r"^q contains a NUL character\.$"):
        inputs.clean_text("a\x00", "q", 5)
    with pytest.raises(InvalidInput, match=r"^q must not be empty\.$"):
        inputs.clean_text("   ", "q", 5, allow_empty=False)
    assert inputs.clean_text("   ", "q", 5) == ""
    assert inputs.clean_text(" a ", "q", 5, allow_empty=False) == "a"


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), ("true", True), (" YES ", True), ("1", True),
    ("false", False), ("No", False), ("0", False),
])
def test_as_bool_accepts_only_clear_answers(value, expected):
    assert inputs.as_bool(value, "liked") is expected


@pytest.mark.parametrize("value", [2, -1, "maybe", "", None, 1.0, "truee", [True]])
def test_as_bool_refuses_anything_else(value):
    with pytest.raises(InvalidInput, match=r"^liked must be true or false\.$"):
        inputs.as_bool(value, "liked")


@pytest.mark.parametrize("value, expected", [(3, 3), (1, 1), (10, 10), (4.0, 4), (" +7 ", 7), ("-0", 0), ("10", 10)])
def test_as_int_accepts_whole_numbers_in_range(value, expected):
    low = 0 if expected == 0 else 1
    result = inputs.as_int(value, "k", low, 10)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", [0, 11, True, 2.5, "2.5", "abc", "1" * 13, None, "", [3]])
def test_as_int_refuses_other_values(value):
    with pytest.raises(InvalidInput, match=r"^k must be a whole number from 1 to 10\.$"):
        inputs.as_int(value, "k", 1, 10)


def test_as_int_accepts_twelve_digits():
    assert inputs.as_int("9" * 12, "k", 0, 10**13) == 10**12 - 1


@pytest.mark.parametrize("value, expected", [(0, 0.0), ("2.5", 2.5), (100, 100.0), (" 7 ", 7.0)])
def test_as_number_accepts_finite_numbers_in_range(value, expected):
    assert inputs.as_number(value, "price", 0, 100) == expected


@pytest.mark.parametrize("value, message", [
    (True, "price must be a number."), (None, "price must be a number."), ([1], "price must be a number."),
    ("cheap", "price must be a number."), ("nan", "price must be a number from 0 to 100."),
    ("inf", "price must be a number from 0 to 100."), (-0.5, "price must be a number from 0 to 100."),
    (100.5, "price must be a number from 0 to 100."),
])
def test_as_number_refuses_other_values(value, message):
    with pytest.raises(InvalidInput) as error:
        inputs.as_number(value, "price", 0, 100)
    assert str(error.value) == message


def test_session_ids_are_empty_or_of_the_issued_shape():
    assert inputs.session_id(None) == ""
    assert inputs.session_id(" s-abc_DEF-1 ") == "s-abc_DEF-1"
    assert inputs.session_id("a" * 64) == "a" * 64
    for bad in ["a" * 65, "a b", "a/b", "é"]:
        with pytest.raises(InvalidInput, match="^session_id must be the value a previous answer returned"):
            inputs.session_id(bad)
    with pytest.raises(InvalidInput, match="^session_id has 641 characters"):
        inputs.session_id("a" * 641)


def test_filters_from_json_or_mapping_are_typed():
    assert inputs.filters(None) == {} and inputs.filters("") == {}
    given = '{"gender": " Women ", "colour": ["Red", " Blue"], "price_min": "10", "price_max": 99, "usage": null}'
    assert inputs.filters(given) == {"gender": "Women", "colour": ["Red", "Blue"], "price_min": 10.0, "price_max": 99.0}
    assert inputs.filters({"season": "", "colour": [], "brand": "X"}) == {"brand": "X"}
    assert inputs.filters({"price_max": 1e9}) == {"price_max": 1e9}
    assert inputs.filters({"colour": ["c"] * inputs.MAX_FILTER_VALUES}) == {"colour": ["c"] * 20}
    assert inputs.filters({str(n): "x" for n in range(12)}) == {str(n): "x" for n in range(12)}


@pytest.mark.parametrize("bad", ["{", "[1]", '"Red"', {str(n): "x" for n in range(13)}, 5])
def test_filters_that_are_not_an_object_are_refused_with_an_example(bad):
    with pytest.raises(InvalidInput) as error:
        inputs.filters(bad)
    assert str(error.value) == 'filters must be a JSON object such as {"gender": "Women", "colour": "Red"}.'


@pytest.mark.parametrize("bad, message", [
    ({"colour": 5}, 'The colour filter must be text (or a list of up to 20 texts), e.g. "Red".'),
    ({"colour": ["c"] * 21}, 'The colour filter must be text (or a list of up to 20 texts), e.g. "Red".'),
    ({"colour": ["Red", 1]}, 'The colour filter must be text (or a list of up to 20 texts), e.g. "Red".'),
    ({"price_max": "cheap"}, "price_max must be a number."),
    ({"price_min": -1}, "price_min must be a number from 0 to 1e+09."),
    ({"price_max": 1e9 + 1}, "price_max must be a number from 0 to 1e+09."),
    ({"colour": "x" * 101}, "The colour filter has 101 characters; at most 100 are accepted."),
    ({"colour": ["x" * 101]}, "The colour filter has 101 characters; at most 100 are accepted."),
    ({"c" * 41: "x"}, "A filter name has 41 characters; at most 40 are accepted."),
])
def test_bad_filter_values_are_refused_with_what_to_send(bad, message):
    with pytest.raises(InvalidInput) as error:
        inputs.filters(bad)
    assert str(error.value) == message


def test_filters_longer_than_4000_characters_are_refused():
    text = '{"brand": "' + "x" * 3985 + '"}'
    assert len(text) == 3998
    with pytest.raises(InvalidInput, match="^The brand filter has 3,985"):
        inputs.filters(text)
    with pytest.raises(InvalidInput, match="^filters has 4,001 characters"):
        inputs.filters('{"brand": "' + "x" * 3988 + '"}')
