"""User paths the other tests never walked: try-on with a model backend, several images as a JSON list, and the
Profile handlers (save, delete with confirmation, wardrobe upload) called the way the browser calls them."""

from __future__ import annotations

import dataclasses
import json

import httpx
import numpy as np
import pytest
from PIL import Image

from fashionm3.errors import InvalidInput
from fashionm3.tryon.preview import CutoutPreview
from fashionm3.ui.tools import MAX_IMAGE_REFERENCES, parse_image_list
from test_security import queue_call
from test_tryon import findable_region, noise

# --- try-on -----------------------------------------------------------------------------------------------------


def test_a_model_backed_service_runs_the_model_not_the_preview(service, catalog, tiny_tryon, tmp_path, monkeypatch):
    person = noise(300, 200)
    region = findable_region(tiny_tryon, person)
    garment_type = {"upper": "Shirts", "lower": "Jeans", "dress": "Dresses", "outerwear": "Jackets"}[region]
    item = next(item for item in catalog.items if item.article_type == garment_type and item.image_path)
    painted: list[tuple[int, int]] = []
    real = tiny_tryon.inpaint_now

    def counted(image, mask, garment, region):
        painted.append(image.size)
        return real(image, mask, garment, region)

    monkeypatch.setattr(tiny_tryon, "inpaint_now", counted)
    photo = tmp_path / "person.png"
    person.save(photo)
    with_model = dataclasses.replace(service, tryon=tiny_tryon)
    out = with_model.virtual_try_on(photo.read_bytes(), item.id)
    assert len(painted) == 1 and out.size == (300, 200)  # the inpainting model ran once, at its working size
    garment = Image.open(item.image_path).convert("RGB")
    preview = CutoutPreview().try_on(person, garment, region)
    assert not np.array_equal(np.asarray(out), np.asarray(preview))
    changed = np.any(np.asarray(out) != np.asarray(person), axis=-1)
    assert 0 < changed.mean() < 1  # the garment region was repainted, the rest is the original photo
    assert isinstance(service.tryon, CutoutPreview)  # the offline service itself still serves the preview


# --- several images as a JSON list (MCP) --------------------------------------------------------------------------


def test_images_as_a_json_list_or_one_per_line():
    uri = "data:image/png;base64,iVBORw0KGgo=,x"  # data URIs hold commas: they never split a reference
    assert parse_image_list(json.dumps([uri, "https://a.test/1.png"])) == [uri, "https://a.test/1.png"]
    assert parse_image_list(f"  {uri}\n\n https://a.test/1.png \n") == [uri, "https://a.test/1.png"]
    assert parse_image_list("") == [] and parse_image_list(None) == [] and parse_image_list("[]") == []
    many = [f"https://a.test/{n}.png" for n in range(MAX_IMAGE_REFERENCES)]
    assert parse_image_list(json.dumps(many)) == many and MAX_IMAGE_REFERENCES == 8


@pytest.mark.parametrize("bad", ["[1, 2]", '["a", null]', "[not json", '[{"url": "a"}]'])
def test_a_list_that_is_not_strings_is_refused(bad):
    wrong = r"^images must be a JSON list of strings, or one image reference per line\.$"
    with pytest.raises(InvalidInput, match=wrong):
        parse_image_list(bad)


def test_more_than_eight_images_are_refused_as_list_or_lines():
    nine = [f"https://a.test/{n}.png" for n in range(9)]
    for sent in (json.dumps(nine), "\n".join(nine)):
        with pytest.raises(InvalidInput, match=r"^Send at most 8 images \(an outfit collage uses 4\)\.$"):
            parse_image_list(sent)


# --- Profile handlers through the queue ---------------------------------------------------------------------------


def event(demo, name: str) -> int:
    return next(index for index, block_fn in demo.fns.items() if block_fn.name == name)


def output(message: dict) -> list:
    assert message["success"], message
    return message["output"]["data"]


@pytest.fixture
def visitor(service):
    token = service.identities.issue()
    return token, service.identities.verify(token)


def test_saving_preferences_from_the_profile_tab_stores_them(demo, app_url, service, catalog, visitor):
    token, user = visitor
    colours, usages = catalog.values("colour"), catalog.values("usage")
    sent = [token, [usages[0]], [colours[0]], [colours[1]], 45, "M, EU 42"]
    assert output(queue_call(app_url, event(demo, "on_save"), sent)) == [
        "✅ Saved. Your next searches and recommendations use these preferences."]
    stated = service.export_user_data(user)["preferences"]
    assert stated["styles"] == [usages[0]] and stated["favour_colours"] == [colours[0]]
    assert stated["avoid_colours"] == [colours[1]] and stated["budget_max"] == 45 and stated["sizes"] == "M, EU 42"
    shown = output(queue_call(app_url, event(demo, "on_show"), [token]))
    assert shown[1:6] == [[usages[0]], [colours[0]], [colours[1]], 45, "M, EU 42"]


def test_delete_needs_the_confirmation_box_then_erases_everything(demo, app_url, service, catalog, visitor):
    token, user = visitor
    service.record_feedback(user, catalog.items[0].id, True)
    service.save_preferences(user, sizes="S")
    delete = event(demo, "on_delete")
    assert output(queue_call(app_url, delete, [token, False]))[0] == "Tick the box to confirm first."
    assert service.export_user_data(user)["liked"] == [catalog.items[0].id]  # nothing went
    message, fresh = output(queue_call(app_url, delete, [token, True]))
    assert message == "🗑️ Deleted 2 records. Nothing about you is stored any more."
    assert service.identities.verify(fresh) not in (None, user)
    data = service.export_user_data(user)
    assert data["liked"] == [] and data["history"] == [] and data["preferences"].get("sizes", "") == ""


def test_a_wardrobe_upload_is_recognised_kept_and_removed_with_the_data(demo, app_url, service, catalog, visitor):
    token, user = visitor
    item = next(item for item in catalog.items if item.article_type == "Tshirts" and item.image_path)
    with httpx.Client(base_url=app_url, timeout=60) as http, open(item.image_path, "rb") as photo:
        uploaded = http.post("/gradio_api/upload", files={"files": ("shirt.jpg", photo, "image/jpeg")}).json()[0]
    add = event(demo, "on_add")
    assert output(queue_call(app_url, add, [token, None]))[0] == "Choose a photo first."
    photo = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}
    message, closet = output(queue_call(app_url, add, [token, photo]))
    pieces = service.wardrobe(user)
    assert len(pieces) == 1 and message == f"Added: {pieces[0].label()}." and len(closet) == 1
    assert closet[0]["caption"] == pieces[0].label()
    service.delete_user_data(user)
    assert service.wardrobe(user) == []
