"""Attacks on the running app, each asserting the refusal and that nothing leaked or changed.

Raw queue calls (what a hostile script sends, bypassing the UI), the API / MCP endpoints, and the file route.
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from fashionm3.security.identity import Identities

MARKER = "VICTIM-SIZE-7731"  # stored in the victim's preferences: it must never appear in another caller's output


def queue_call(app_url: str, fn_index: int, data: list, timeout: float = 60) -> dict:
    """Call one event the way the browser does (``/gradio_api/queue/join`` + the SSE stream); returns the final
    message ({"msg": "process_completed", "success": ..., "output": {...}})."""
    session = uuid.uuid4().hex[:11]
    with httpx.Client(base_url=app_url, timeout=timeout) as http:
        joined = http.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": session})
        assert joined.status_code == 200, joined.text
        with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError("the event never completed")


def events_taking_identity(demo) -> list[tuple[int, object]]:
    """Every event whose inputs include the browser identity (the BrowserState)."""
    import gradio as gr

    found = []
    for fn_index, block_fn in demo.fns.items():
        if any(isinstance(component, gr.BrowserState) for component in block_fn.inputs):
            found.append((fn_index, block_fn))
    return found


def plausible_inputs(block_fn, token: object, item_id: str) -> list:
    """Values a UI would send for each input, with ``token`` in place of the identity."""
    import gradio as gr

    values = []
    for component in block_fn.inputs:
        if isinstance(component, gr.BrowserState):
            values.append(token)
        elif isinstance(component, gr.Checkbox):
            values.append(True)  # e.g. "I understand that deleting erases my data"
        elif isinstance(component, (gr.Dropdown, gr.State)):
            values.append(item_id)
        elif isinstance(component, gr.Number):
            values.append(50)
        elif isinstance(component, (gr.Radio,)):
            values.append(3)
        elif isinstance(component, gr.CheckboxGroup):
            values.append([])
        elif isinstance(component, gr.MultimodalTextbox):
            values.append({"text": "a navy shirt for a man", "files": []})
        elif isinstance(component, gr.Textbox):
            values.append(MARKER)
        else:
            values.append(None)
    return values


@pytest.fixture(scope="module")
def victim(service, catalog):
    """A browser visitor with likes, preferences and history, and their server-issued token."""
    token = service.identities.issue()
    user = service.identities.verify(token)
    item = catalog.items[3]
    service.record_feedback(user, item.id, True)
    service.save_preferences(user, sizes=MARKER)
    return {"token": token, "user": user, "item": item.id, "profile": service.export_user_data(user)}


def forged_tokens(victim: dict) -> list[object]:
    user, token = victim["user"], victim["token"]
    other_secret = Identities("another-secret-another-secret").token_for(user)
    return [user, f"hf:{user}", "hf:alice", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), other_secret,
            f"{user}.", "anonymous", None, "", {"user": user}, ["x"], 5]  # fmt: skip


def test_forged_identities_are_refused_on_every_event(demo, app_url, service, victim):
    events = events_taking_identity(demo)
    assert len(events) >= 10  # chat, ratings, profile show/save/delete/keys, wardrobe, gallery, onboarding
    for fn_index, block_fn in events:
        for forged in forged_tokens(victim):
            message = queue_call(app_url, fn_index, plausible_inputs(block_fn, forged, victim["item"]))
            shown = json.dumps(message)
            assert MARKER not in shown and victim["user"] not in shown, (block_fn.name, forged)
            assert "Traceback" not in shown
    assert service.export_user_data(victim["user"]) == victim["profile"]  # nothing changed, nothing deleted


def test_the_real_token_reaches_its_own_data(demo, app_url, victim):
    """The control for the test above: the same raw call with the real token does show the data."""
    show = next(i for i, fn in events_taking_identity(demo) if fn.name == "on_show")
    inputs = plausible_inputs(demo.fns[show], victim["token"], victim["item"])
    assert MARKER in json.dumps(queue_call(app_url, show, inputs))


def test_tokens_are_issued_by_the_page_load(demo, app_url, service):
    load = next(i for i, fn in demo.fns.items() if fn.name == "on_load")
    for sent in (None, "anon-AAAAAAAAAAAAAAAAAAAAAA", "hf:alice"):
        issued = queue_call(app_url, load, [sent])["output"]["data"][0]
        assert service.identities.verify(issued) and issued != sent


@pytest.fixture(scope="module")
def api(app_url):
    return Client(app_url, verbose=False)


def refused(call, *args, api_name: str) -> str:
    """The error text of a call that must fail."""
    with pytest.raises(Exception) as raised:
        call(*args, api_name=api_name)
    text = str(raised.value)
    assert "Traceback" not in text and "sqlalchemy" not in text.lower()
    return text


def test_api_personal_data_needs_a_personal_key(api, victim):
    for guess in (victim["user"], f"hf:{victim['user']}", "hf:alice", "anonymous", "fm3_" + "A" * 43):
        assert "API key" in refused(api.predict, guess, api_name="/get_user_profile")
        assert "API key" in refused(api.predict, guess, victim["item"], False, "", api_name="/record_feedback")
        assert "API key" in refused(api.predict, "shirt", "", "", 3, guess, api_name="/search_catalog")


def test_create_profile_gives_a_key_that_continues_across_calls(api, service, catalog):
    key = json.loads(api.predict(api_name="/create_profile"))["api_key"]
    other = json.loads(api.predict(api_name="/create_profile"))["api_key"]
    assert key.startswith("fm3_") and key != other
    item = catalog.items[5].id
    assert json.loads(api.predict(key, item, "false", "", api_name="/record_feedback"))["liked"] is False
    assert json.loads(api.predict(key, api_name="/get_user_profile"))["disliked"] == [item]
    assert json.loads(api.predict(other, api_name="/get_user_profile"))["disliked"] == []
    first = json.loads(api.predict("a navy shirt for a man", "", key, "", "auto", api_name="/recommend_outfit"))
    history = json.loads(api.predict(key, api_name="/get_user_profile"))["history"]
    assert [event["message"] for event in history if event["kind"] == "recommend"] == ["a navy shirt for a man"]
    stolen = json.loads(api.predict("cheaper", "", other, first["session_id"], "auto", api_name="/recommend_outfit"))
    assert stolen["session_id"] != first["session_id"]  # someone else's session id starts a new conversation
    anonymous = json.loads(api.predict("cheaper", "", "", first["session_id"], "auto", api_name="/recommend_outfit"))
    assert anonymous["session_id"] != first["session_id"]
    user = service.user_for_key(key)
    assert service.user_for_key(f"  {key}\n") == user  # pasted with spaces around it
    service.revoke_api_keys(user)
    assert "API key" in refused(api.predict, key, api_name="/get_user_profile")


def test_no_shared_default_user(api, service):
    before = set(service.store.users())
    first = json.loads(api.predict("a red dress", "", "", "", "auto", api_name="/recommend_outfit"))
    again = json.loads(api.predict("darker", "", "", first["session_id"], "auto", api_name="/recommend_outfit"))
    assert again["session_id"] == first["session_id"]  # without a key, the session id alone continues it
    other = json.loads(api.predict("a red dress", "", "", "", "auto", api_name="/recommend_outfit"))
    assert other["session_id"] != first["session_id"]
    assert set(service.store.users()) == before  # anonymous calls keep no history under any shared id
    assert "anonymous" not in service.store.users() and "" not in service.store.users()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("red", "", '{"gender": 5}', 3, ""), "gender filter must be text"),
        (("red", "", '{"price_max": "cheap"}', 3, ""), "price_max must be a number"),
        (("red", "", "[1, 2]", 3, ""), "filters must be a JSON object"),
        (("red", "", "", "abc", ""), "k must be a whole number"),
        (("red", "", "", 10_000, ""), "k must be a whole number"),
        (("x" * 100_000, "", "", 3, ""), "characters"),
    ],
)
def test_loose_search_input_gets_a_typed_message(api, args, expected):
    assert expected in refused(api.predict, *args, api_name="/search_catalog")


def test_loose_booleans_and_huge_session_ids_are_refused(api, victim):
    key = json.loads(api.predict(api_name="/create_profile"))["api_key"]
    for loose in ("maybe", "", 2):
        assert "true or false" in refused(api.predict, key, victim["item"], loose, "", api_name="/record_feedback")
    assert "session_id" in refused(api.predict, key, victim["item"], True, "s" * 5_000_000, api_name="/record_feedback")
    assert "session_id" in refused(api.predict, "shirt", "", "", "s-<script>", "auto", api_name="/recommend_outfit")
    assert json.loads(api.predict(key, api_name="/get_user_profile"))["liked"] == []


def test_lone_surrogates_are_refused_with_a_message(app_url):
    body = '{"data": ["\\ud800 red", "", "", 3, ""]}'
    with httpx.Client(base_url=app_url, timeout=30) as http:
        started = http.post("/gradio_api/call/search_catalog", content=body, headers={"content-type": "application/json"})
        assert started.status_code == 200, started.text
        result = http.get(f"/gradio_api/call/search_catalog/{started.json()['event_id']}").text
    assert "not valid text" in result and "Traceback" not in result


def test_a_queue_call_to_an_unknown_event_gets_a_typed_400(app_url):
    with httpx.Client(base_url=app_url, timeout=30) as http:
        joined = http.post("/gradio_api/queue/join", json={"data": [], "fn_index": 99999, "session_hash": "x1y2z3"})
    assert joined.status_code == 400 and joined.json()["error"] == "UnknownEvent", joined.text
    assert "Traceback" not in joined.text


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (no pixel data: nothing huge is ever allocated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_a_giant_image_is_reported_as_too_large(api):
    import base64

    uri = "data:image/png;base64," + base64.b64encode(png_header(30_000, 30_000)).decode()
    assert "too large" in refused(api.predict, "", uri, "", 3, "", api_name="/search_catalog")


def test_loopback_urls_are_never_fetched(api):
    messages = {refused(api.predict, "", url, "", 3, "", api_name="/search_catalog")
                for url in ("http://127.0.0.1:1/x.jpg", "http://localhost:22/x.jpg", "http://2130706433/x.jpg",
                            "http://[::1]/x.jpg", "http://169.254.169.254/latest/meta-data")}  # fmt: skip
    assert len(messages) == 1  # one generic text: it tells nothing about which ports are open
    assert "127.0.0.1" not in messages.pop()


def test_the_file_route_serves_only_public_files(app_url, service, victim, api):
    api.predict("a navy shirt for a man", "", "", "", "auto", api_name="/recommend_outfit")  # the app writes its files
    data_dir = service.settings.data_dir.resolve()
    public = service.public_dirs()
    written = [path for path in data_dir.rglob("*") if path.is_file()]
    private = [path for path in written if not any(path.is_relative_to(folder) for folder in public)]
    assert {"users.sqlite3", "browser-secret"} <= {path.name for path in private}
    with httpx.Client(base_url=app_url, timeout=30) as http:
        for path in private:
            for spelling in (str(path), str(path).upper(), f"{data_dir}/./{path.relative_to(data_dir)}"):
                assert http.get(f"/gradio_api/file={spelling}").status_code in (403, 404), path
        photo = next(path for path in written if path.suffix == ".jpg" and path.is_relative_to(public[-1]))
        assert http.get(f"/gradio_api/file={photo}").status_code == 200  # catalog photos stay public


def test_delete_my_data_removes_the_export_too(demo, app_url, service):
    token = service.identities.issue()
    user = service.identities.verify(token)
    service.save_preferences(user, sizes="to be deleted")
    fns = dict((fn.name, i) for i, fn in events_taking_identity(demo))
    shown = queue_call(app_url, fns["on_show"], plausible_inputs(demo.fns[fns["on_show"]], token, ""))
    export = next(value["value"]["path"] for value in shown["output"]["data"] if isinstance(value, dict)
                  and isinstance(value.get("value"), dict) and str(value["value"].get("path", "")).endswith(".json"))  # fmt: skip
    assert Path(export).name.startswith("fashionm3-my-data-")
    with httpx.Client(base_url=app_url, timeout=30) as http:
        assert "to be deleted" in http.get(f"/gradio_api/file={export}").text
        deleted = queue_call(app_url, fns["on_delete"], plausible_inputs(demo.fns[fns["on_delete"]], token, ""))
        message, fresh = deleted["output"]["data"][:2]
        assert "Deleted" in json.dumps(message)
        assert service.identities.verify(fresh) not in (None, user)  # the browser starts over as someone new
        assert http.get(f"/gradio_api/file={export}").status_code in (403, 404)
    assert service.export_user_data(user)["preferences"] == {}


def test_sessions_keep_small_photos_and_expire(service, catalog):
    from PIL import Image

    from fashionm3.assistant import recommend
    from fashionm3.stylist.state import PHOTO_KEPT_PX, SessionStore

    photo = Image.open(next(item.image_path for item in catalog.items if item.article_type == "Jeans")).resize((1024, 1400))
    answer = recommend(service, "what shoes go with this?", [photo] * 4)
    kept = service.sessions.open(answer.session_id, "").photos
    assert len(kept) == 4 and all(max(p.size) <= PHOTO_KEPT_PX for p in kept)
    store = SessionStore(capacity=3, ttl_s=0.0)
    first = store.open("", "someone")
    assert store.open(first.session_id, "someone") is not first  # expired at once with a zero TTL
    bounded = SessionStore(capacity=3)
    for _ in range(10):
        bounded.open("", "someone")
    assert len(bounded) == 3


def test_files_of_a_user_are_deleted_after_a_restart_too(tmp_path):
    from fashionm3.people.files import UserFiles

    export, photo, other = tmp_path / "export.json", tmp_path / "photo.png", tmp_path / "other.png"
    for path in (export, photo, other):
        path.write_text("private")
    UserFiles(tmp_path / "lists").track("anon-a", export, photo)
    UserFiles(tmp_path / "lists").track("anon-b", other)
    assert UserFiles(tmp_path / "lists").purge("anon-a") == 2  # a new process (after a restart) still knows them
    assert not export.exists() and not photo.exists() and other.exists()
    assert UserFiles(tmp_path / "lists").purge("anon-a") == 0


def test_deleted_rows_do_not_linger_in_the_database_file(tmp_path):
    from fashionm3.store import open_user_store

    store = open_user_store(tmp_path)
    store.add_event("anon-gone", "preferences", {"sizes": MARKER})
    store.delete_user("anon-gone")
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("users.sqlite3*"))
    assert MARKER.encode() not in raw
