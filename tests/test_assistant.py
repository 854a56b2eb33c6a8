
import pytest

from fashionm3.assistant import recommend as chat_turn
from fashionm3.errors import InvalidInput, NotFound


def test_chat_returns_real_items_and_records_history(service, catalog):
    reply = chat_turn(service, "a navy shirt for a man", user_id="u-chat", session_id="s1")
    assert reply.hits and all(catalog.get(hit.item.id) for hit in reply.hits)
    assert "Applied: shirts · navy blue · for men." in reply.text
    assert all(hit.item.colour == "Navy Blue" and hit.item.gender in ("Men", "Unisex") for hit in reply.hits)
    assert "offline" in reply.backend
    event = service.user_profile("u-chat")["history"][0]
    assert event["kind"] == "recommend" and event["items"] == [hit.item.id for hit in reply.hits]


def test_photo_only_message_completes_the_outfit(service, catalog):
    item = next(i for i in catalog.items if i.article_type == "Shirts" and i.colour == "Navy Blue" and "Navy Blue Shirt" in i.name)
    reply = chat_turn(service, "", [item.image_path])  # one of the drawings: recognised as that product
    assert reply.task == "basic" and "I see: navy blue shirts." in reply.text
    assert reply.hits and all(hit.item.sub_category != item.sub_category for hit in reply.hits)


def test_a_real_photo_on_the_drawn_catalog_is_read_by_colour_only(service):
    from PIL import Image, ImageDraw

    photo = Image.new("RGB", (300, 400), (235, 232, 225))  # a navy garment on a light wall, not a drawing
    ImageDraw.Draw(photo).rectangle((60, 60, 240, 360), fill=(30, 45, 90))
    reply = chat_turn(service, "what goes with this?", [photo])
    notes = " ".join(reply.notes)
    assert "drawings is rough" in notes and "main colour (navy blue)" in notes
    assert "I see: a navy blue piece." in reply.text


def test_five_photos_use_the_first_four(service, catalog):
    photos = [catalog.items[i].image_path for i in range(5)]
    reply = chat_turn(service, "", photos)
    assert any("used the first 4" in note for note in reply.notes)


@pytest.mark.parametrize(
    ("message", "photos", "error"),
    [
        ("", [], "Please type what you are looking for"),
        ("x" * 20_000, [], "20,000 characters"),
        ("like this", [b"%PDF-1.4 not a picture"], "Photo 1: upload is not an image"),
    ],
)
def test_bad_messages(service, message, photos, error):
    with pytest.raises(InvalidInput, match=error):
        chat_turn(service, message, photos)


def test_feedback_and_profile(service, catalog):
    item_id = catalog.items[5].id
    assert service.record_feedback("u-fb", item_id, True)["ok"] is True
    service.record_feedback("u-fb", catalog.items[6].id, False)
    profile = service.user_profile("u-fb")
    assert profile["liked"] == [item_id] and profile["disliked"] == [catalog.items[6].id]
    assert service.user_profile("u-other")["liked"] == []
    with pytest.raises(NotFound):
        service.record_feedback("u-fb", "no-such-item", True)
    with pytest.raises(InvalidInput, match="user_id"):
        service.user_profile("")


def test_status_names_a_backend_for_every_capability(service):
    backends = service.backends()
    assert set(backends) >= {"retrieval", "stylist", "image generation", "try-on", "user store"}
    assert "all-MiniLM-L6-v2" in backends["retrieval"]
    assert "labelled cut-out preview" in backends["try-on"]
