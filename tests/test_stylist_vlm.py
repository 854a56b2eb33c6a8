"""The VLM stylist's real code path on a tiny random Qwen3-VL: 4-bit load on CPU, streaming, multi-turn chat with
images, the invalid-JSON fallback, and the OpenAI-compatible backend against a server that runs the same model."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from conftest import free_port
from fashionm3.assistant import Recommendation, converse
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.prompts import StylistRequest, chat_messages
from fashionm3.stylist.state import SessionStore


def test_four_bit_load_keeps_the_vision_tower_unquantised(tiny_vlm):
    import bitsandbytes as bnb
    import torch

    language = tiny_vlm.model.model.language_model.layers[0]
    assert isinstance(language.mlp.gate_proj, bnb.nn.Linear4bit)
    assert language.mlp.gate_proj.weight.quant_type == "nf4"
    vision = tiny_vlm.model.model.visual.blocks[0].mlp.linear_fc1
    assert type(vision) is torch.nn.Linear and vision.weight.dtype == torch.bfloat16
    assert "4-bit NF4" in tiny_vlm.label


def test_describe_streams_text_then_falls_back_on_invalid_json(tiny_vlm):
    request = StylistRequest(task="basic", message="what goes with this?", collage=Image.new("RGB", (512, 512), "white"))
    fallback = ItemDescription(category="Jeans", colour="Blue", reason="rules", source="rules")
    events = list(tiny_vlm.describe(request, fallback))
    chunks, final = events[:-1], events[-1]
    assert chunks and all(isinstance(chunk, str) for chunk in chunks)
    assert isinstance(final, ItemDescription)
    # random weights never write a JSON object with a category: the rule-based plan is used, marked as such
    assert final.source == "fallback" and final.category == "Jeans"


def test_multi_turn_chat_with_photos_through_the_vlm(service, tiny_vlm, catalog):
    vlm_service = dataclasses.replace(service, stylist=tiny_vlm, sessions=SessionStore())
    shirt = next(item for item in catalog.items if item.article_type == "Shirts")
    jeans = next(item for item in catalog.items if item.article_type == "Jeans")
    events = list(converse(vlm_service, "what shoes go with this?", [shirt.image_path, jeans.image_path], "vlm-user"))
    assert any(isinstance(event, str) for event in events[:-1])
    first = events[-1]
    assert isinstance(first, Recommendation) and first.task == "basic"
    assert first.hits and all(hit.item.sub_category == "Shoes" for hit in first.hits)
    assert any("not a usable item description" in note for note in first.notes)
    second = list(converse(vlm_service, "darker please", [], "vlm-user", first.session_id))[-1]
    assert second.session_id == first.session_id and second.hits
    conversation = vlm_service.sessions.open(first.session_id, "vlm-user")
    assert [role for role, _ in conversation.turns] == ["user", "assistant", "user", "assistant"]
    assert len(conversation.photos) == 2


def test_model_preference_sentence_is_validated(tiny_vlm, service, catalog):
    from fashionm3.stylist.personalize import user_preference

    shirts = [item.id for item in catalog.items if item.article_type == "Shirts"][:3]
    preference = user_preference(service.engine, shirts, ["Shirts"], "blue jeans", tiny_vlm.summarize)
    assert preference is not None
    # a random model does not start with "I prefer", so the template sentence is used
    assert preference.sentence.startswith("I prefer") and not preference.by_model


class _ModelServer(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible /v1/chat/completions (streaming) endpoint running the tiny VLM."""

    stylist = None
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        messages = [{"role": m["role"], "content": [_from_openai(part) for part in m["content"]]} for m in body["messages"]]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for chunk in self.stylist.stream_now(messages, body.get("max_tokens", 20)):
            event = {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "delta": {"content": chunk}, "finish_reason": None}]}  # fmt: skip
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


def _from_openai(part: dict) -> dict:
    if part["type"] == "image_url":
        data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
        return {"type": "image", "image": Image.open(io.BytesIO(data)).convert("RGB")}
    return part


@pytest.fixture(scope="module")
def model_endpoint(tiny_vlm):
    _ModelServer.stylist = tiny_vlm
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _ModelServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_compatible_stylist_streams_from_an_endpoint(model_endpoint):
    from fashionm3.stylist.openai_compat import OpenAICompatibleStylist

    stylist = OpenAICompatibleStylist(model_endpoint, "tiny-qwen-vl")
    request = StylistRequest(task="basic", message="complete my outfit", collage=Image.new("RGB", (512, 512), "white"))
    events = list(stylist.describe(request, ItemDescription(category="Jeans", source="rules")))
    assert all(isinstance(event, str) for event in events[:-1]) and len(events) > 1
    assert isinstance(events[-1], ItemDescription) and events[-1].source == "fallback"
    sent = _ModelServer.requests[-1]
    assert sent["stream"] is True and sent["model"] == "tiny-qwen-vl"
    parts = sent["messages"][-1]["content"]
    assert parts[0]["type"] == "image_url" and parts[0]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert "Task: Complete the outfit" in parts[1]["text"]


def test_unreachable_endpoint_is_a_clear_error():
    from fashionm3.errors import Unavailable
    from fashionm3.stylist.openai_compat import OpenAICompatibleStylist

    stylist = OpenAICompatibleStylist(f"http://127.0.0.1:{free_port()}/v1", "missing")
    with pytest.raises(Unavailable, match="stylist endpoint failed"):
        list(stylist.describe(StylistRequest(task="basic", message="hi"), ItemDescription(category="Jeans")))


def test_messages_put_the_collage_before_the_prompt():
    request = StylistRequest(task="alternative", message="another one", replace="blue jeans", collage=Image.new("RGB", (8, 8)),
                             history=[("user", "hi"), ("assistant", "a blue jeans")])  # fmt: skip
    messages = chat_messages(request)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[-1]["content"][0]["type"] == "image"
    assert "Piece to replace: blue jeans." in messages[-1]["content"][1]["text"]


class _CannedModel:
    """An endpoint's model whose answer is fixed, to test how the stylist checks a model's JSON."""

    answer = '{"category": "Heels", "colour": "Red", "style": "party", "reason": "a bold finish"}'

    def stream_now(self, messages: list, max_tokens: int):  # noqa: ANN201 (a generator)
        yield from (self.answer[i : i + 16] for i in range(0, len(self.answer), 16))


def test_the_models_json_is_checked_against_what_was_asked(service, monkeypatch):
    from fashionm3.assistant import recommend
    from fashionm3.stylist.openai_compat import OpenAICompatibleStylist

    monkeypatch.setattr(_ModelServer, "stylist", _CannedModel())
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _ModelServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(service, "stylist", OpenAICompatibleStylist(f"http://127.0.0.1:{server.server_address[1]}/v1", "canned"))
    try:
        # the user named shoes for a man: the model's red heels must not override category, colour or gender
        stated = recommend(service, "black casual shoes for a man to go with my grey jeans", user_id="u-json")
        assert stated.hits and all(h.item.article_type == "Casual Shoes" and h.item.colour == "Black" for h in stated.hits)
        assert all(h.item.gender in ("Men", "Unisex") for h in stated.hits)
        # nothing stated about the category: the model's "Heels" is mapped onto the catalog's type
        free = recommend(service, "what would finish my red dress for a party?", user_id="u-json-free")
        assert free.description.category == "Heels" and free.hits and all(h.item.article_type == "Heels" for h in free.hits)
    finally:
        server.shutdown()
