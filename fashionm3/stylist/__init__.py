"""The stylist: task routing, conversation state, personalisation, grounding, and its backends (a 4-bit VLM, an
OpenAI-compatible endpoint, or offline fashion rules), all answering with one structured item description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fashionm3.catalog.schema import Catalog
from fashionm3.config import backend_choice
from fashionm3.stylist.offline import OfflineStylist

if TYPE_CHECKING:
    from fashionm3.backends import Stylist
    from fashionm3.config import Settings


def create_stylist(mode: str, settings: "Settings", catalog: Catalog) -> "Stylist":
    """The stylist backend named by ``FASHIONM3_STYLIST`` (``auto``: the VLM in full mode, else offline rules).

    Raises :class:`~fashionm3.errors.Unavailable` when the chosen model cannot be loaded.
    """
    choice = backend_choice(settings.stylist, mode, "vlm", "offline")
    if choice == "openai":
        from fashionm3.stylist.openai_compat import OpenAICompatibleStylist

        return OpenAICompatibleStylist(settings.openai_base_url, settings.openai_model, settings.openai_api_key)
    if choice == "vlm":
        from fashionm3.stylist.vlm import VLMStylist

        return VLMStylist(settings.vlm_model, settings.device, settings.vlm_4bit)
    return OfflineStylist(catalog)
