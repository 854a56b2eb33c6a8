"""The Gradio Blocks app: Chat, Gallery, Try-on and Profile tabs over one :class:`FashionM3` service."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.assistant import converse
from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.ui.cards import CARDS_CSS, product_cards_html
from fashionm3.ui.gallery import GalleryParts, build_gallery_tab, collect, image_entries, item_entry, outputs, show, wire_gallery_actions
from fashionm3.ui.tools import register_tools, user_errors
from fashionm3.ui.tryon import TryOnParts, build_tryon_tab

CHAT_EXAMPLES = ["a navy shirt for a man", "something red for a party", "black sneakers under 80", "a summer dress"]


def gradio_upload_dir() -> Path:
    """Where Gradio stores uploaded files (images there may be passed to the tools by path)."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def status_markdown(service: FashionM3) -> str:
    """The status line naming the backend of every capability."""
    rows = " · ".join(f"**{name}**: {label}" for name, label in service.backends().items())
    notice = f"\n\n⚠️ {service.notice()}" if service.notice() else ""
    return f"Mode: **{service.mode}** — {rows}{notice}"


def build_demo(service: FashionM3) -> gr.Blocks:
    """Assemble the whole UI (tabs, events, API/MCP endpoints) for ``service``."""
    service.upload_roots.append(gradio_upload_dir())
    with gr.Blocks(title="FashionM3") as demo:
        user_id = gr.BrowserState(None, storage_key="fashionm3-user")
        gr.Markdown("# FashionM3 — your multimodal fashion assistant")
        gr.Markdown(status_markdown(service), elem_classes="fm3-status", elem_id="fm3-status")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                chat_parts = _chat_tab(service)
            with gr.Tab("Gallery", id="gallery"):
                gallery = build_gallery_tab(service)
            with gr.Tab("Try-on", id="try-on"):
                tryon = build_tryon_tab(service)
            with gr.Tab("Profile", id="profile"):
                _profile_tab(service, user_id)
        _wire_chat(service, chat_parts, user_id, gallery, tryon, tabs)
        wire_gallery_actions(service, gallery, user_id, tryon, tabs)
        demo.load(_ensure_user_id, inputs=user_id, outputs=user_id, api_visibility="private")
        register_tools(service)
    return demo


def _ensure_user_id(current: str | None) -> str:
    return current or f"anon-{secrets.token_urlsafe(12)}"


# --- Chat ----------------------------------------------------------------------------------------------------
TASK_CHOICES = [("Auto (from your message)", "auto"), ("Complete my outfit", "basic"), ("Personalised pick", "personalized"),
                ("Alternative to a piece", "alternative"), ("Catalog search", "search")]  # fmt: skip


def _chat_tab(service: FashionM3) -> tuple[gr.MultimodalTextbox, gr.Chatbot, gr.State, gr.Dropdown]:
    chatbot = gr.Chatbot(label="FashionM3", height=560, elem_id="fm3-chatbot", placeholder="Ask for an item, or attach photos of your outfit.")
    box = gr.MultimodalTextbox(
        placeholder="e.g. what shoes go with this? — attach up to 4 outfit photos with the clip",
        file_count="multiple",  # any type: our loader explains what is wrong with a non-image
        elem_id="fm3-chat-input",
        show_label=False,
    )
    with gr.Row():
        task = gr.Dropdown(TASK_CHOICES, value="auto", label="Task", scale=1, elem_id="fm3-task")
        gr.Examples(CHAT_EXAMPLES, inputs=box, label="Try")
    return box, chatbot, gr.State(""), task


def _wire_chat(service: FashionM3, parts: tuple, user_id: gr.BrowserState, gallery: GalleryParts, tryon: TryOnParts, tabs: gr.Tabs) -> None:
    box, chatbot, session, task = parts
    unchanged = (gr.skip(),) * (3 + len(outputs(gallery)))  # try-on garment, tabs, collection, gallery

    def respond(message: dict[str, Any], history: list, user: str | None, task_name: str, session_id: str, collected: list) -> Iterator[tuple]:
        message = message or {}
        text, files = (message.get("text") or "").strip(), list(message.get("files") or [])
        history = list(history or []) + [{"role": "user", "content": {"path": _path(f)}} for f in files]
        if text:
            history.append({"role": "user", "content": text})
        yield history, gr.MultimodalTextbox(value=None, interactive=False), session_id, *unchanged
        streamed, final = "", None
        try:
            for event in converse(service, text, [Path(_path(f)) for f in files], user or "anonymous", session_id, task_name or "auto"):
                if isinstance(event, str):
                    streamed += event
                    yield [*history, _thought(streamed, "pending")], gr.skip(), session_id, *unchanged
                else:
                    final = event
        except FashionM3Error as error:
            history.append({"role": "assistant", "content": f"⚠️ {error}"})
            yield history, gr.MultimodalTextbox(interactive=True), session_id, *unchanged
            return
        history += [_thought(streamed, "done")] if streamed else []
        pictures = image_entries(service, final.images, final.description.sentence() if final.description else text)
        history += [{"role": "assistant", "content": {"path": picture["path"]}} for picture in pictures]
        cards = product_cards_html(final.hits, final.explanations)
        history.append({"role": "assistant", "content": f"{final.text}\n\n{cards}\n\n<sub>Served by {final.backend}</sub>"})
        handoff = final.handoff_item
        new = pictures + [item_entry(hit.item) for hit in final.hits if hit.item.image_path]
        collection = collect(collected, new)
        message = "Your generated images and recommended items, newest first."
        yield (history, gr.MultimodalTextbox(interactive=True), final.session_id,
               gr.Dropdown(value=handoff) if handoff else gr.skip(), gr.Tabs(selected="try-on") if handoff else gr.skip(),
               collection, *show(gallery, collection, message))  # fmt: skip

    box.submit(
        respond, [box, chatbot, user_id, task, session, gallery.collected],
        [chatbot, box, session, tryon.garment, tabs, gallery.collected, *outputs(gallery)], api_name="chat", api_visibility="undocumented",
    )  # fmt: skip


def _thought(text: str, status: str) -> dict[str, Any]:
    """The model's raw streamed output, shown folded under a title (it is JSON, not the answer)."""
    return {"role": "assistant", "content": text, "metadata": {"title": "Stylist model output", "status": status}}


def _path(file: Any) -> str:
    return file if isinstance(file, str) else file.get("path", "")


# --- Profile -------------------------------------------------------------------------------------------------
def _profile_tab(service: FashionM3, user_id: gr.BrowserState) -> None:
    gr.Markdown("Your anonymous id, likes and recent activity in this browser.")
    refresh = gr.Button("Refresh")
    view = gr.JSON(label="Profile")

    @user_errors
    def on_refresh(user: str | None) -> dict:
        return service.user_profile(user or "anonymous")

    refresh.click(on_refresh, user_id, view, api_visibility="private")


def launch_options(service: FashionM3) -> dict[str, Any]:
    """Arguments for ``demo.launch``: MCP server, files it may serve, size limits, styling."""
    allowed = [str(service.settings.data_dir.resolve())]
    if service.catalog.image_root:
        allowed.append(str(Path(service.catalog.image_root).resolve()))
    return {
        "mcp_server": True,
        "allowed_paths": allowed,
        "max_file_size": "20mb",
        "css": CARDS_CSS,
        "theme": gr.themes.Soft(),
        "show_error": True,
    }
