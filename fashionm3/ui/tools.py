"""API / MCP endpoints: thin wrappers that call the service and turn its typed errors into ``gr.Error``.

They return JSON text (MCP clients get JSON, not a Python repr).

Their docstrings are the MCP tool descriptions.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr
from PIL import Image
from gradio.route_utils import get_root_url

from fashionm3.assistant import recommend
from fashionm3.errors import FashionM3Error, InvalidInput
from fashionm3.security import inputs
from fashionm3.service import FashionM3
from fashionm3.ui.cards import hits_to_json

F = TypeVar("F", bound=Callable[..., Any])
CPU_CONCURRENCY = 8  # cheap CPU work (search, offline stylist, profile) runs in parallel
GPU_CONCURRENCY = 1  # model work (image generation, try-on) is serialised
MAX_IMAGE_REFERENCES = 8


def user_errors(function: F) -> F:
    """Show :class:`FashionM3Error` messages to the caller as they are, titled by what happened (never a stack trace)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FashionM3Error as error:
            raise gr.Error(str(error), title=error.title, print_exception=False) from error

    return wrapper  # type: ignore[return-value]


def public_root(request: gr.Request | None) -> str:
    """The app's public URL (behind proxies too), so returned image URLs work for remote MCP clients."""
    try:
        if request is None or request.request is None:
            return ""
        return get_root_url(request.request, request.request.url.path, None)
    except Exception:  # noqa: BLE001 (a missing or odd request only loses the host part of the URL)
        return ""


def register_tools(service: FashionM3) -> None:
    """Declare the API/MCP endpoints inside the current ``gr.Blocks`` context."""

    def caller(api_key: object) -> str:
        """The user a personal API key belongs to; no key: a caller without an identity ("")."""
        return service.user_for_key(api_key) if api_key not in (None, "") else ""

    @user_errors
    def create_profile() -> str:
        """Create a new anonymous profile and its personal API key, for an MCP client or script without a browser.

        Pass the key as `user_id` to get_user_profile, record_feedback, search_catalog and recommend_outfit to keep
        likes, history and personalised answers across calls. Keep it private: anyone holding it acts as you.

        Returns:
            A JSON object {"api_key": "fm3_..."}.
        """
        return json.dumps(service.create_profile())

    @user_errors
    def search_catalog(
        query: str = "", image: str = "", filters: str = "", k: int = 10, user_id: str = "", request: gr.Request = None
    ) -> str:
        """Search the product catalog by text and/or image and return real items.

        Args:
            query: What to look for, in plain words, e.g. "navy shirt for a man" or "something red for a party".
            image: Optional picture to search by: an http(s) URL, a data URI or a path of a file uploaded to this app.
            filters: Optional JSON object of exact filters, e.g. {"gender": "Women", "article_type": "Dresses", "colour": "Red", "price_max": 60}. Keys: gender, master_category, sub_category, article_type, colour, season, usage, price_min, price_max.
            k: How many items to return (1-100).
            user_id: Optional personal API key (from create_profile or the Profile tab): your likes, dislikes and stated preferences re-rank the results.

        Returns:
            A JSON list of items with id, name, category, colour, gender, season, usage, price, score and image_url.
        """
        result = service.search_catalog(query, image or None, filters, k, caller(user_id))
        return json.dumps(hits_to_json(result.hits, public_root(request)))

    @user_errors
    def get_user_profile(user_id: str) -> str:
        """Get your own likes, dislikes, stated preferences and recent history.

        Args:
            user_id: Your personal API key (from create_profile or the Profile tab); a user name is refused.

        Returns:
            A JSON object with preferences, liked and disliked item ids, and history events.
        """
        profile = service.user_profile(service.user_for_key(user_id))
        return json.dumps({name: value for name, value in profile.items() if name != "user_id"})

    @user_errors
    def record_feedback(user_id: str, item_id: str, liked: bool, session_id: str = "") -> str:
        """Record that you like or dislike a catalog item (it re-ranks your next results).

        Args:
            user_id: Your personal API key (from create_profile or the Profile tab).
            item_id: The catalog item id.
            liked: True for a like, False for a dislike.
            session_id: Optional chat session id the feedback belongs to.

        Returns:
            A JSON acknowledgement with ok, item_id and liked.
        """
        return json.dumps(service.record_feedback(service.user_for_key(user_id), item_id, liked, session_id))

    @user_errors
    def recommend_outfit(
        message: str, images: str = "", user_id: str = "", session_id: str = "", task: str = "auto", request: gr.Request = None
    ) -> str:
        """Recommend real catalog items that complete, personalise or replace part of an outfit, over several rounds.

        Args:
            message: The request in plain words, e.g. "what shoes go with my navy shirt and grey jeans?", or a refinement of the previous answer ("darker", "cheaper", "more formal", "no leather").
            images: Optional outfit photos: one http(s) URL, data URI or uploaded-file path, or several as a JSON list or one per line (at most 4 are used).
            user_id: Optional personal API key (from create_profile or the Profile tab): personalised picks use your likes and history. Without it the call is anonymous and keeps no history.
            session_id: The session_id returned by your previous call, to continue that conversation; empty (or someone else's) starts a new one.
            task: auto, basic (complete the outfit), personalized, alternative (replace a piece with another of the same category) or search.

        Returns:
            A JSON object with task, text, items (catalog ids), explanation (item id -> why it fits), item_details, description, preference, notes and session_id.
        """
        task = inputs.clean_text(task, "task", 20) or "auto"
        answer = recommend(service, message, parse_image_list(images), caller(user_id), session_id, task)
        return json.dumps({**answer.to_json(), "item_details": hits_to_json(answer.hits, public_root(request))})

    for tool in (search_catalog, recommend_outfit, get_user_profile, record_feedback, create_profile):
        gr.api(tool, api_name=tool.__name__, concurrency_limit=CPU_CONCURRENCY, concurrency_id="cpu")
    _register_image_tools(service)


def _register_image_tools(service: FashionM3) -> None:
    """Events with image outputs (``gr.api`` cannot return images), on components nobody sees."""

    @user_errors
    def generate_product_image(description: str, seed: int = 0) -> Image.Image:
        """Draw a product photo of a clothing item or accessory from its description (offline: a labelled sketch).

        Args:
            description: The item in plain words, e.g. "a navy blue linen shirt with a button-down collar" (at most 1,000 characters; clothing and accessories only).
            seed: Random seed; the same description and seed give the same image.

        Returns:
            A PNG image of the item on a plain background.
        """
        return service.generate_product_image(description, int(seed or 0))[0]

    @user_errors
    def virtual_try_on(person_image: str, garment_item_id: str = "", garment_image: str = "", garment_type: str = "upper") -> Image.Image:
        """Show a person wearing a catalog garment or a garment picture, at the person photo's size (offline: a labelled cut-out preview).

        Args:
            person_image: Photo of the person: an http(s) URL, a data URI or a path of a file uploaded to this app.
            garment_item_id: Catalog item id of the garment (its type comes from the catalog).
            garment_image: Or a garment picture (URL, data URI or uploaded path), used when no item id is given.
            garment_type: For a garment picture: upper, lower, dress or outerwear.

        Returns:
            A PNG image of the person wearing the garment.
        """
        return service.virtual_try_on(person_image, garment_item_id, garment_image or None, garment_type)

    with gr.Group(visible=False):
        description, seed = gr.Textbox(label="description"), gr.Number(0, label="seed", precision=0)
        image, trigger = gr.Image(type="pil", format="png", label="image"), gr.Button()
        person, item = gr.Textbox(label="person_image"), gr.Textbox("", label="garment_item_id")
        picture, kind = gr.Textbox("", label="garment_image"), gr.Textbox("upper", label="garment_type")
        worn, try_trigger = gr.Image(type="pil", format="png", label="image"), gr.Button()
    trigger.click(generate_product_image, [description, seed], image, api_name="generate_product_image", concurrency_id="gpu",
                  concurrency_limit=GPU_CONCURRENCY)  # fmt: skip
    try_trigger.click(virtual_try_on, [person, item, picture, kind], worn, api_name="virtual_try_on", concurrency_id="gpu",
                      concurrency_limit=GPU_CONCURRENCY)  # fmt: skip


def parse_image_list(images: str) -> list[str]:
    """Image references from a JSON list or one per line (data URIs contain commas, so commas do not split)."""
    wrong = "images must be a JSON list of strings, or one image reference per line."
    images = inputs.clean_text(images, "images", 40_000_000)  # four photos as data URIs fit
    if images.startswith("["):
        try:
            parsed = json.loads(images)
        except json.JSONDecodeError as error:
            raise InvalidInput(wrong) from error
        if not isinstance(parsed, list) or not all(isinstance(value, str) for value in parsed):
            raise InvalidInput(wrong)
    else:
        parsed = [line.strip() for line in images.splitlines() if line.strip()]
    if len(parsed) > MAX_IMAGE_REFERENCES:
        raise InvalidInput(f"Send at most {MAX_IMAGE_REFERENCES} images (an outfit collage uses 4).")
    return parsed
