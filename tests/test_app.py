"""The running app through a real Gradio client: API endpoints, chat, bad input, tabs."""

import json
import urllib.request

import pytest
from gradio_client import handle_file
from PIL import Image


def chat(client, text, files=()):
    history = client.predict({"text": text, "files": [handle_file(str(f)) for f in files]}, [], "u-app", "auto", api_name="/chat")[0]
    content = history[-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


def test_search_catalog_endpoint_returns_items_with_working_image_urls(client, catalog):
    items = json.loads(client.predict(query="black sneakers", k=3, api_name="/search_catalog"))
    assert len(items) == 3
    assert {"id", "name", "category", "colour", "score", "image_url"} <= set(items[0])
    assert catalog.get(items[0]["id"]).article_type == "Casual Shoes"
    with urllib.request.urlopen(items[0]["image_url"]) as response:
        assert response.status == 200 and response.headers["content-type"].startswith("image/")


def test_search_catalog_endpoint_errors_are_clear(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Unknown colour 'Mauve'"):
        client.predict(query="top", filters=json.dumps({"colour": "Mauve"}), api_name="/search_catalog")


def test_chat_shows_product_cards(client):
    text = chat(client, "a summer dress")
    assert text.count('class="fm3-card"') == 6
    assert "/gradio_api/file=" in text and "Served by" not in text and " · id " not in text  # no internal chrome


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, catalog):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "notes.txt").write_text("not a picture")
    (folder / "broken.jpg").write_bytes(open(catalog.items[0].image_path, "rb").read()[:500])
    Image.new("RGB", (8000, 8000), (180, 20, 30)).save(folder / "huge.png")
    return folder


@pytest.mark.parametrize(
    ("text", "file", "expected"),
    [
        ("", None, "⚠️ Please type what you are looking for"),
        ("x" * 20_000, None, "⚠️ Your message has 20,000 characters"),
        ("like this", "notes.txt", "⚠️ Photo 1: notes.txt is not an image"),
        ("like this", "broken.jpg", "⚠️ Photo 1: broken.jpg looks like an image but is damaged"),
        ("like this", "huge.png", "huge.png (8000x8000) was downscaled"),
    ],
)
def test_bad_input_gets_a_clear_message_and_the_app_keeps_serving(client, bad_files, text, file, expected):
    assert expected in chat(client, text, [bad_files / file] if file else [])
    assert 'class="fm3-card"' in chat(client, "a red handbag")


def test_tabs_and_status_line(app_url):
    with urllib.request.urlopen(f"{app_url}/config") as response:
        config = json.load(response)
    labels = {c.get("props", {}).get("label") for c in config["components"]}
    assert {"Chat", "Gallery", "Try-on", "Profile"} <= labels
    assert "Study" not in labels
    status = next(c["props"]["value"] for c in config["components"] if c.get("props", {}).get("elem_id") == "fm3-status")
    assert "| Try-on | labelled cut-out preview (no try-on model) |" in status
    header = next(c["props"]["value"] for c in config["components"] if 'id="fm3-mode"' in str(c.get("props", {}).get("value", "")))
    assert "Demo mode: drawings and rules, no AI models" in header
    public = {d.get("api_name") for d in config["dependencies"] if d.get("api_visibility", "public") == "public"}
    assert public and not {name for name in public if name and "lambda" in name}  # no page refresh as an API/MCP tool


def test_feedback_and_profile_endpoints(client, catalog):
    item_id = catalog.items[3].id
    key = json.loads(client.predict(api_name="/create_profile"))["api_key"]
    assert json.loads(client.predict(key, item_id, True, "", api_name="/record_feedback"))["ok"] is True
    assert json.loads(client.predict(key, api_name="/get_user_profile"))["liked"] == [item_id]
