"""Small interfaces for the model-backed capabilities.

Encoders and vector indexes have theirs in ``fashionm3.retrieval``. Model backends (the 4-bit VLM stylist, the
diffusers generator, the try-on pipeline) implement the same protocols, so the chat, the UI, the CLI and the MCP
tools never change when a deployment switches backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from PIL import Image

from fashionm3.generation.request import ProductPrompt
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.prompts import StylistRequest
from fashionm3.tryon.preview import Placement


class Stylist(Protocol):
    """Answers a stylist request with one structured item description (model backends stream text first)."""

    label: str

    def describe(self, request: StylistRequest, fallback: ItemDescription) -> Iterator[str | ItemDescription]:
        """Yield streamed text chunks (none for rule-based backends), then exactly one :class:`ItemDescription`."""
        ...

    def summarize(self, messages: list[dict]) -> str:
        """A short free-text answer to ``messages`` ("" when the backend has no language model)."""
        ...


class ImageGenerator(Protocol):
    """Renders product images for a validated product prompt."""

    label: str

    def render(self, prompt: ProductPrompt, seed: int = 0, count: int = 1) -> list[Image.Image]:
        """``count`` images of the prompt's item; the same seed gives the same images."""
        ...


class TryOn(Protocol):
    """Renders a person photo wearing a garment, at the photo's own size."""

    label: str

    def try_on(self, person: Image.Image, garment: Image.Image, garment_type: str, placement: Placement | None = None) -> Image.Image:
        """``garment_type`` is a region (upper, lower, dress, outerwear); ``placement`` guides previews only."""
        ...


class UserStore(Protocol):
    """Per-user history and feedback."""

    label: str

    def add_event(self, user_id: str, kind: str, payload: dict[str, Any], session_id: str = "") -> None: ...

    def set_feedback(self, user_id: str, item_id: str, liked: bool, session_id: str = "") -> None: ...

    def history(self, user_id: str, limit: int = 50, kinds: list[str] | None = None) -> list[dict[str, Any]]: ...

    def feedback(self, user_id: str) -> dict[str, bool]: ...

    def latest(self, user_id: str, kind: str) -> dict[str, Any] | None: ...

    def users(self) -> list[str]: ...

    def all_events(self, kinds: list[str]) -> list[dict[str, Any]]: ...

    def delete_user(self, user_id: str) -> int: ...

    def replace_api_key(self, user_id: str, digest: str) -> None: ...

    def revoke_api_keys(self, user_id: str) -> int: ...

    def user_for_key(self, digest: str) -> str | None: ...

    def has_api_key(self, user_id: str) -> bool: ...
