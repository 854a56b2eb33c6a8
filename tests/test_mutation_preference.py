"""A shopper's likes, dislikes and stated taste re-rank search on the hand-built catalog: liked styles rise and
disliked ones sink by several ranks, disliked items and their duplicates disappear, avoided colours are never shown
(fast: the offline encoder over a few dozen items)."""

from __future__ import annotations

import numpy as np
import pytest
from mutation_catalog import encoder

from fashionm3.catalog.demo import demo_vocabulary
from fashionm3.retrieval import preference as taste
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.retrieval.index import ExactIndex
from fashionm3.retrieval.preference import Preference, TasteSpace, build_preference

QUERY = "something to wear"  # no filters: the whole catalog competes


def ranking(engine: SearchEngine, preference: Preference | None = None) -> list[str]:
    """Item ids in the order the engine ranks the whole catalog for ``QUERY``."""
    return [hit.item.id for hit in engine.search(QUERY, k=len(engine.catalog), preference=preference).hits]


@pytest.fixture(scope="module")
def plain(mini_engine: SearchEngine) -> list[str]:
    return ranking(mini_engine)


def moved(before: list[str], after: list[str], item_id: str) -> int:
    """How many ranks ``item_id`` rose (positive) or fell (negative)."""
    return before.index(item_id) - after.index(item_id)


def test_liking_a_black_party_dress_lifts_other_party_pieces_by_many_ranks(mini_engine, plain):
    after = ranking(mini_engine, build_preference(mini_engine.catalog, encoder(), {"w02": True}, with_images=False))
    assert after[0] == "w02" and moved(plain, after, "w02") >= 20
    assert moved(plain, after, "w13") >= 20 and moved(plain, after, "w01") >= 20  # black heels, red party dress
    assert moved(plain, after, "m06") <= -10  # the sports T-shirt falls
    assert sorted(after) == sorted(plain)  # a like hides nothing


def test_disliking_a_sports_tshirt_sinks_other_sports_pieces_and_hides_it(mini_engine, plain):
    preference = build_preference(mini_engine.catalog, encoder(), {"m06": False}, with_images=False)
    after = ranking(mini_engine, preference)
    assert "m06" not in after and preference.disliked_ids == {"m06"}
    assert moved(plain, after, "w08") <= -10 and moved(plain, after, "m14") <= -5  # sports T-shirt and shoes
    assert moved(plain, after, "w01") >= 20  # a party dress is as far from it as the catalog gets


def test_a_disliked_item_listed_again_under_another_id_is_hidden_too(mini_engine, plain):
    after = ranking(mini_engine, build_preference(mini_engine.catalog, encoder(), {"m05": False}, with_images=False))
    assert "m05" not in after and "m19" not in after  # the same red checked shirt twice
    assert "m03" in after and len(after) == len(plain) - 2  # another checked shirt is no duplicate


def test_a_like_and_a_dislike_weigh_against_each_other(mini_engine, plain):
    both = build_preference(mini_engine.catalog, encoder(), {"w02": True, "m06": False}, with_images=False)
    after = ranking(mini_engine, both)
    assert after.index("w13") < 3 and moved(plain, after, "w08") <= -10
    (space,) = both.spaces
    assert space.modality == "text" and len(space.disliked_items) == 1
    feedback = {"w02": True, "w12": True, "m06": False, "m14": False}
    several = build_preference(mini_engine.catalog, encoder(), feedback, False)
    (space,) = several.spaces  # centroids of two items each, scaled back to unit length
    assert np.linalg.norm(space.liked) == pytest.approx(1.0) and np.linalg.norm(space.disliked) == pytest.approx(1.0)


def test_stated_favourite_colours_and_styles_count_as_a_like(mini_engine, plain):
    def rise(stated: dict, item_id: str) -> int:
        preference = build_preference(mini_engine.catalog, encoder(), {}, with_images=False, stated=stated)
        return moved(plain, ranking(mini_engine, preference), item_id)

    red, party = {"favour_colours": ["Red"]}, {"styles": ["party"]}
    assert rise(red, "m05") >= 15 and rise(red, "w18") >= 15 and rise(red, "m04") <= 3  # red shirt and bag
    assert rise(party, "m04") >= 25 and rise(party, "w02") >= 25 and rise(party, "m05") <= 3  # black party pieces
    both = build_preference(mini_engine.catalog, encoder(), {}, False, {**red, **party})
    (space,) = both.spaces
    assert np.allclose(space.liked, encoder().encode_text(["Red party"])[0], atol=1e-5)  # one wish: "Red party"
    assert both.disliked_ids == frozenset() and space.disliked is None and len(space.disliked_items) == 0
    with_dislike = build_preference(mini_engine.catalog, encoder(), {"m06": False}, False, party)
    assert with_dislike.spaces[0].liked is not None and with_dislike.disliked_ids == {"m06"}


def test_avoided_colours_are_never_shown_and_unknown_colours_filter_nothing(mini_engine):
    stated = {"avoid_colours": ["Red", "Mauve"]}
    preference = build_preference(mini_engine.catalog, encoder(), {}, with_images=False, stated=stated)
    assert preference == Preference(frozenset(), [], frozenset({"Red"}))
    hits = mini_engine.search(QUERY, k=40, preference=preference).hits
    assert hits and all(hit.item.colour != "Red" for hit in hits)
    unknown = build_preference(mini_engine.catalog, encoder(), {}, False, {"avoid_colours": ["Mauve"]})
    assert unknown.avoided_colours == set()
    with_feedback = build_preference(mini_engine.catalog, encoder(), {"w02": True}, False, stated)
    assert with_feedback.avoided_colours == {"Red"}


def test_no_feedback_leaves_the_ranking_as_it_was(mini_engine, plain):
    for preference in (build_preference(mini_engine.catalog, encoder(), {}, False),
                       build_preference(mini_engine.catalog, encoder(), {"gone": False}, False, None)):  # fmt: skip
        assert preference == Preference(frozenset(), [], frozenset())
        assert ranking(mini_engine, preference) == plain


def test_unknown_ids_are_ignored():
    catalog = demo_vocabulary()
    known = build_preference(catalog, encoder(), {"nope": True, catalog.items[0].id: False}, with_images=False)
    assert known.disliked_ids == {catalog.items[0].id} and known.spaces[0].liked is None


def test_only_the_latest_50_likes_and_dislikes_count():
    catalog = demo_vocabulary()
    ids = [item.id for item in catalog.items[:51]]
    preference = build_preference(catalog, encoder(), {item_id: False for item_id in ids}, with_images=False)
    assert preference.disliked_ids == set(ids[1:])
    assert len(preference.spaces[0].disliked_items) == 50


def test_with_pictures_a_disliked_look_is_hidden_even_under_another_description(mini_photo_engine):
    catalog = mini_photo_engine.catalog
    by_text = build_preference(catalog, encoder(), {"m15": False}, with_images=False)
    by_look = build_preference(catalog, encoder(), {"m15": False, "w02": True, "w12": True}, with_images=True)
    assert [space.modality for space in by_look.spaces] == ["text", "image"]
    image = by_look.spaces[1]
    assert image.liked is not None and image.disliked is not None and len(image.disliked_items) == 1
    pictures = mini_photo_engine.image_index.vectors[[catalog.position("m15")]]
    assert np.allclose(image.disliked_items, pictures, atol=1e-6)  # the very vector the index holds
    text_only = [hit.item.id for hit in mini_photo_engine.search(QUERY, k=40, preference=by_text).hits]
    both = [hit.item.id for hit in mini_photo_engine.search(QUERY, k=40, preference=by_look).hits]
    assert "w15" in text_only and "w15" not in both  # the women's white casual shoes: the very same picture


def test_the_taste_adjustment_is_a_tenth_of_a_score_per_standard_deviation_shared_by_the_spaces():
    vectors = np.eye(4, dtype=np.float32)
    index = ExactIndex(vectors)
    candidates, scores = np.arange(4), np.array([0.5, 0.4, 0.3, 0.2], np.float32)
    space = TasteSpace("text", vectors[0], vectors[3], np.zeros((0, 4), np.float32))
    adjusted, keep = Preference(frozenset(), [space]).personalise({"text": index}, candidates, scores)
    pull = np.array([1.0, 0.0, 0.0, -1.0])
    expected = scores + taste.WEIGHT * (pull - pull.mean()) / pull.std()
    assert np.allclose(adjusted, expected, atol=1e-4) and keep.all()
    two = Preference(frozenset(), [space, TasteSpace("image", vectors[0], None, np.zeros((0, 4), np.float32))])
    shared, _ = two.personalise({"text": index, "image": index}, candidates, scores)
    image_pull = np.array([1.0, 0.0, 0.0, 0.0])
    image_z = (image_pull - image_pull.mean()) / image_pull.std()
    assert np.allclose(shared, scores + taste.WEIGHT * ((pull - pull.mean()) / pull.std() + image_z) / 2, atol=1e-4)
    alone, _ = two.personalise({"text": index, "image": None}, candidates, scores)  # no picture index: text only
    assert np.allclose(alone, expected, atol=1e-4)
    pair, _ = Preference(frozenset(), [space]).personalise({"text": index}, candidates[[0, 3]], scores[[0, 3]])
    assert np.allclose(pair, scores[[0, 3]] + [taste.WEIGHT, -taste.WEIGHT], atol=1e-4)
    single, _ = Preference(frozenset(), [space]).personalise({"text": index}, candidates[:1], scores[:1])
    assert np.allclose(single, scores[:1])


def test_near_duplicates_of_a_disliked_item_are_dropped_in_every_space():
    vectors = np.array([[1, 0, 0], [0.99, 0.141, 0], [0, 1, 0], [0.6, 0.8, 0]], np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index, candidates, scores = ExactIndex(vectors), np.arange(4), np.zeros(4, np.float32)
    disliked = np.stack([vectors[0], vectors[2]])
    space = TasteSpace("image", None, None, disliked)
    _, keep = Preference(frozenset(), [space]).personalise({"image": index}, candidates, scores)
    assert keep.tolist() == [False, False, False, True]  # 0.99 alike is a duplicate, 0.8 alike is not
    by_text, by_look = TasteSpace("text", None, None, vectors[:1]), TasteSpace("image", None, None, vectors[2:3])
    both = Preference(frozenset(), [by_text, by_look])
    _, keep = both.personalise({"text": index, "image": index}, candidates, scores)
    assert keep.tolist() == [False, False, False, True]  # a duplicate in either space is dropped
