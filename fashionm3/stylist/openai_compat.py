"""A stylist served by any OpenAI-compatible chat endpoint (vLLM, TGI, llama.cpp server, hosted APIs).

Selected with ``FASHIONM3_STYLIST=openai``; ``FASHIONM3_OPENAI_BASE_URL``, ``FASHIONM3_OPENAI_MODEL`` and
``FASHIONM3_OPENAI_API_KEY`` (or ``OPENAI_API_KEY``) say where. The collage is sent as a data-URI image part.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

from PIL import Image

from fashionm3.errors import Unavailable
from fashionm3.stylist.description import ItemDescription, parse_description
from fashionm3.stylist.prompts import StylistRequest, chat_messages
from fashionm3.stylist.vlm import MAX_NEW_TOKENS, SUMMARY_TOKENS

TIMEOUT_S = 60.0


class OpenAICompatibleStylist:
    """Streams chat completions from an OpenAI-compatible server; same JSON answer as the local VLM."""

    def __init__(self, base_url: str, model: str, api_key: str = ""):
        import openai

        if not base_url or not model:
            raise Unavailable("The OpenAI-compatible stylist needs FASHIONM3_OPENAI_BASE_URL and FASHIONM3_OPENAI_MODEL.")
        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=TIMEOUT_S, max_retries=1)
        self.model = model
        self.label = f"{model} via OpenAI-compatible endpoint {base_url}"

    def describe(self, request: StylistRequest, fallback: ItemDescription) -> Iterator[str | ItemDescription]:
        """Stream the endpoint's text, then yield the parsed description."""
        chunks: list[str] = []
        for chunk in self._stream(chat_messages(request), MAX_NEW_TOKENS):
            chunks.append(chunk)
            yield chunk
        yield parse_description("".join(chunks), fallback)

    def summarize(self, messages: list[dict]) -> str:
        """A short free-text answer (used for the "I prefer ..." sentence)."""
        return "".join(self._stream(messages, SUMMARY_TOKENS)).strip()

    def _stream(self, messages: list[dict[str, Any]], max_tokens: int) -> Iterator[str]:
        import openai

        try:
            stream = self.client.chat.completions.create(
                model=self.model, messages=to_openai(messages), max_tokens=max_tokens, temperature=0, stream=True
            )
            for event in stream:
                if event.choices and event.choices[0].delta.content:
                    yield event.choices[0].delta.content
        except openai.OpenAIError as error:
            raise Unavailable(f"The stylist endpoint failed: {str(error)[:200]}") from error


def to_openai(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our chat messages in OpenAI's format: PIL image parts become ``image_url`` parts with a JPEG data URI."""
    converted = []
    for message in messages:
        parts = []
        for part in message["content"]:
            if part["type"] == "image":
                parts.append({"type": "image_url", "image_url": {"url": data_uri(part["image"])}})
            else:
                parts.append({"type": "text", "text": part["text"]})
        converted.append({"role": message["role"], "content": parts})
    return converted


def data_uri(image: Image.Image) -> str:
    """A JPEG data URI of ``image``."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
