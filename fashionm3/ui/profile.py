"""The Profile tab and the visitor's identity: stated preferences, likes, history, export and delete."""

from __future__ import annotations

import datetime
import json
import os
import secrets
from typing import Any

import gradio as gr

from fashionm3.service import FashionM3
from fashionm3.ui.tools import user_errors

HISTORY_ROWS = 50


def ensure_user_id(current: str | None, profile: gr.OAuthProfile | None = None) -> str:
    """The visitor's id: their Hugging Face username when signed in on a Space, else an anonymous random id."""
    if profile is not None:
        return f"hf:{profile.username}"
    if current and not current.startswith("hf:"):
        return current
    return f"anon-{secrets.token_urlsafe(16)}"


def build_profile_tab(service: FashionM3, user_id: gr.BrowserState, tab: gr.Tab) -> None:
    """Identity, stated preferences, likes and history, and the data controls."""
    catalog = service.catalog
    identity = gr.Markdown(elem_id="fm3-profile-id")
    if os.environ.get("SPACE_ID"):  # Hugging Face sign-in exists only on a Space with hf_oauth enabled
        gr.LoginButton()
    gr.Markdown("**What you like** — used at once to re-rank search and stylist results.")
    with gr.Row():
        styles = gr.CheckboxGroup(catalog.values("usage"), label="Styles you wear", elem_id="fm3-profile-styles")
        favour = gr.Dropdown(catalog.values("colour"), multiselect=True, label="Colours you like", elem_id="fm3-profile-favour")
        avoid = gr.Dropdown(catalog.values("colour"), multiselect=True, label="Colours to avoid (never shown)", elem_id="fm3-profile-avoid")
    with gr.Row():
        budget = gr.Number(None, label="Budget per item (max)", minimum=0)
        sizes = gr.Textbox(label="Sizes", placeholder="e.g. M, 32/32, EU 42")
        save = gr.Button("Save preferences", variant="primary", elem_id="fm3-profile-save")
    saved = gr.Markdown(elem_id="fm3-profile-saved")
    likes = gr.Markdown(elem_id="fm3-profile-likes")
    history = gr.Dataframe(headers=["time (UTC)", "what", "details"], label="Your history", interactive=False, elem_id="fm3-profile-history")
    with gr.Row():
        export = gr.DownloadButton("Export my data (JSON)", elem_id="fm3-profile-export")
        confirm = gr.Checkbox(label="I understand that deleting erases my history, likes and preferences")
        delete = gr.Button("Delete my data", variant="stop", elem_id="fm3-profile-delete")

    @user_errors
    def on_show(user: str | None) -> tuple:
        user = user or "anonymous"
        data = service.export_user_data(user)
        stated = data["preferences"]
        path = service.settings.data_dir / "exports" / f"{secrets.token_hex(12)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1))
        return (f"Your id: `{user}` (kept in this browser{'; signed in with Hugging Face' if user.startswith('hf:') else ''}).",
                stated.get("styles", []), stated.get("favour_colours", []), stated.get("avoid_colours", []),
                stated.get("budget_max"), stated.get("sizes", ""), _likes(service, data), _history_rows(data["history"]),
                gr.DownloadButton(value=str(path)))  # fmt: skip

    shown = [identity, styles, favour, avoid, budget, sizes, likes, history, export]

    @user_errors
    def on_save(user: str | None, *values: Any) -> str:
        service.save_preferences(user or "anonymous", *values)
        return "✅ Saved. Your next searches and recommendations use these preferences."

    @user_errors
    def on_delete(user: str | None, confirmed: bool) -> str:
        if not confirmed:
            return "Tick the box to confirm first."
        removed = service.delete_user_data(user or "anonymous")["removed"]
        return f"🗑️ Deleted {removed} records. Nothing about you is stored any more."

    tab.select(on_show, user_id, shown, api_visibility="private")
    save.click(on_save, [user_id, styles, favour, avoid, budget, sizes], saved, api_visibility="private").then(
        on_show, user_id, shown, api_visibility="private"
    )
    delete.click(on_delete, [user_id, confirm], saved, api_visibility="private").then(on_show, user_id, shown, api_visibility="private")


def _likes(service: FashionM3, data: dict) -> str:
    def names(ids: list[str]) -> str:
        return ", ".join(service.catalog.get(i).name for i in ids if i in service.catalog) or "none yet"

    return f"👍 **Liked**: {names(data['liked'])}\n\n👎 **Not for me**: {names(data['disliked'])}"


def _history_rows(events: list[dict]) -> list[list[str]]:
    rows = []
    for event in events[:HISTORY_ROWS]:
        when = datetime.datetime.fromtimestamp(event["time"], datetime.UTC).strftime("%Y-%m-%d %H:%M")
        details = event.get("message") or event.get("description") or json.dumps({k: v for k, v in event.items() if k not in ("time", "kind", "session_id")})[:120]
        rows.append([when, event["kind"], str(details)])
    return rows
