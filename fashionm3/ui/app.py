"""The Gradio Blocks app: Chat, Gallery, Try-on and Profile tabs over one :class:`FashionM3` service."""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.config import browser_secret
from fashionm3.service import FashionM3
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


ASSETS = Path(__file__).resolve().parents[2] / "assets"
CAPABILITIES = {  # service.backends() key -> what it means for a visitor
    "catalog": "Products", "retrieval": "Finding products", "stylist": "Stylist", "image generation": "Pictures of items",
    "try-on": "Try-on", "user store": "Your data",
}  # fmt: skip


def mode_badge(service: FashionM3) -> str:
    """One line: demo mode (drawings and rules) or AI mode, computed from the backends actually serving."""
    models = [name for name, label in service.backends().items() if name in ("stylist", "image generation", "try-on") and not label.startswith("offline")]
    if not models:
        return "Demo mode: drawings and rules, no AI models"
    return "AI mode" if len(models) == 3 else f"AI mode for {' and '.join(models)}; the rest in demo mode"


def how_it_works_markdown(service: FashionM3) -> str:
    """The details behind the badge: what serves each capability here (no file paths), and any fallback notice."""
    where = str(service.settings.data_dir)
    rows = "\n".join(f"| {CAPABILITIES.get(name, name)} | {label.removeprefix('offline: ').replace(f' in {where}', ' on this server')} |"
                     for name, label in service.backends().items())  # fmt: skip
    notice = f"\n\n⚠️ {service.notice()}" if service.notice() else ""
    return f"| | how it works here |\n|---|---|\n{rows}{notice}"


def header_html(service: FashionM3) -> str:
    """Logo, title and the mode badge on one line."""
    logo = (ASSETS / "logo.svg").read_text(encoding="utf-8")
    return (f'<div class="fm3-header">{logo}<h1>FashionM3</h1>'
            f'<span class="fm3-badge" id="fm3-mode">{html.escape(mode_badge(service))}</span></div>')  # fmt: skip


def build_demo(service: FashionM3) -> gr.Blocks:
    """Assemble the whole UI (tabs, events, API/MCP endpoints) for ``service``."""
    service.upload_roots.append(gradio_upload_dir())
    with gr.Blocks(title="FashionM3", delete_cache=CACHE_EXPIRY) as demo:
        # queue settings first: queue() rebuilds Gradio's server app, which is cheap while the Blocks are empty
        demo.queue(default_concurrency_limit=CPU_CONCURRENCY, max_size=QUEUE_SIZE)
        # The browser keeps a token this server signed (see ui/identity.py), never a bare id it could choose.
        user_id = gr.BrowserState(None, storage_key="fashionm3-identity", secret=browser_storage_key(browser_secret(service.settings)))
        gr.HTML(header_html(service))
        def indexing_line() -> str:
            return f"⏳ {service.engine.coverage() or 'indexing done: search covers every item.'}"

        def how_it_works() -> str:
            return how_it_works_markdown(service)

        # page-only refreshes (a timer, not a callable value): no public API or MCP tool of their own
        indexing = gr.Markdown(indexing_line(), elem_id="fm3-indexing", visible=bool(service.engine.coverage()))
        with gr.Accordion("How this demo works", open=False, elem_id="fm3-how"):
            status = gr.Markdown(how_it_works(), elem_id="fm3-status")
        demo.load(how_it_works, outputs=status, api_visibility="private")
        if service.engine.coverage():  # while the index builds, a visible line shows how much search covers
            timer = gr.Timer(5)
            timer.tick(indexing_line, outputs=indexing, api_visibility="private")
            timer.tick(how_it_works, outputs=status, api_visibility="private")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat", elem_id="fm3-chat-tab"):
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
    return demo


async def unknown_event(request: Any, error: KeyError) -> Any:
    """A queue call naming an event this app does not have (a forged ``fn_index``) gets a typed 400, not a 500."""
    from fastapi.responses import JSONResponse

    if request.url.path.endswith("/queue/join"):
        return JSONResponse({"error": "UnknownEvent", "detail": "This app has no event with that fn_index."}, 400)
    raise error


def launch_options(service: FashionM3) -> dict[str, Any]:
    """Arguments for ``demo.launch``: MCP server, the only folders it may serve, size limits, styling."""
    return {
        "app_kwargs": {"exception_handlers": {KeyError: unknown_event}},
        "mcp_server": True,
        "allowed_paths": [str(folder) for folder in service.public_dirs()],
        "max_file_size": "20mb",
        "css_paths": [ASSETS / "fashionm3.css"],
        "head": f"<style>{(ASSETS / 'page.css').read_text(encoding='utf-8')}</style>",
        "theme": gr.themes.Soft(),
        "show_error": False,  # only our typed errors (gr.Error) reach the browser; internals stay in the log
    }
