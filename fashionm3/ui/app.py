"""The Gradio Blocks app: Chat, Gallery, Try-on and Profile tabs over one :class:`FashionM3` service."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.config import browser_secret
from fashionm3.service import FashionM3
from fashionm3.ui.cards import CARDS_CSS
from fashionm3.ui.chat import build_chat_tab, wire_chat
from fashionm3.ui.gallery import build_gallery_tab, wire_gallery_actions
from fashionm3.ui.identity import browser_storage_key, ensure_token
from fashionm3.ui.profile import build_profile_tab
from fashionm3.ui.study import build_study_tab
from fashionm3.ui.tools import CPU_CONCURRENCY, register_tools
from fashionm3.ui.tryon import build_tryon_tab


QUEUE_SIZE = 200  # waiting requests beyond this are told the app is busy
CACHE_EXPIRY = (3600, 3600)  # every hour, served copies (exports, uploads, results) older than an hour are deleted


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
    with gr.Blocks(title="FashionM3", delete_cache=CACHE_EXPIRY) as demo:
        # The browser keeps a token this server signed (see ui/identity.py), never a bare id it could choose.
        user_id = gr.BrowserState(None, storage_key="fashionm3-identity", secret=browser_storage_key(browser_secret(service.settings)))
        gr.Markdown("# FashionM3 — your multimodal fashion assistant")
        indexing = bool(service.engine.coverage())  # while the index builds, the status line shows its progress
        gr.Markdown(lambda: status_markdown(service), every=5 if indexing else None, elem_classes="fm3-status", elem_id="fm3-status")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                chat = build_chat_tab()
            with gr.Tab("Gallery", id="gallery"):
                gallery = build_gallery_tab(service, user_id)
            with gr.Tab("Try-on", id="try-on"):
                tryon = build_tryon_tab(service)
            with gr.Tab("Profile", id="profile") as profile_tab:
                build_profile_tab(service, user_id, profile_tab)
            if service.study:
                with gr.Tab("Study", id="study") as study_tab:
                    build_study_tab(service, service.study, user_id, study_tab)
        wire_chat(service, chat, user_id, gallery, tryon, tabs)
        wire_gallery_actions(service, gallery, user_id, tryon, tabs)
        def on_load(token: str | None) -> str:
            return ensure_token(service, token)

        demo.load(on_load, inputs=user_id, outputs=user_id, api_visibility="private")
        register_tools(service)
    demo.queue(default_concurrency_limit=CPU_CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def launch_options(service: FashionM3) -> dict[str, Any]:
    """Arguments for ``demo.launch``: MCP server, the only folders it may serve, size limits, styling."""
    return {
        "mcp_server": True,
        "allowed_paths": [str(folder) for folder in service.public_dirs()],
        "max_file_size": "20mb",
        "css": CARDS_CSS,
        "theme": gr.themes.Soft(),
        "show_error": True,
    }
