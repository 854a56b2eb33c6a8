"""The Profile tab and the visitor's identity: stated preferences, likes, history, export and delete."""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

import gradio as gr
from gradio.processing_utils import save_file_to_cache

from fashionm3.service import FashionM3
from fashionm3.ui.identity import HF_PREFIX, hub_login_enabled, visitor
from fashionm3.ui.tools import user_errors

HISTORY_ROWS = 50


def build_profile_tab(service: FashionM3, user_id: gr.BrowserState, tab: gr.Tab) -> None:
    """Identity, stated preferences, likes and history, and the data controls."""
    catalog = service.catalog
    identity = gr.Markdown(elem_id="fm3-profile-id")
    if hub_login_enabled():  # Hugging Face sign-in exists only on a Space with hf_oauth enabled
        gr.LoginButton()
    with gr.Accordion("Get started: rate a dozen items", open=False):
        starters = service.onboarding_items()
        gr.Markdown("Select an item, then say whether you like it. Every rating re-ranks what you see next.")
        onboarding = gr.Gallery([(item.image_path, item.name) for item in starters], columns=6, height=300, allow_preview=False, elem_id="fm3-onboarding")
        picked = gr.State(None)
        with gr.Row():
            like = gr.Button("👍 Like", elem_id="fm3-onboarding-like")
            dislike = gr.Button("👎 Not for me", elem_id="fm3-onboarding-dislike")
        rated = gr.Markdown(elem_id="fm3-onboarding-rated")
    with gr.Accordion("Your wardrobe", open=False):
        gr.Markdown("Add photos of clothes you own; the stylist points out pieces you already have.")
        with gr.Row():
            upload = gr.Image(label="A garment you own", type="filepath", sources=["upload", "webcam"], elem_id="fm3-wardrobe-upload")
            add = gr.Button("Add to my wardrobe", elem_id="fm3-wardrobe-add")
        closet = gr.Gallery(label="Wardrobe", columns=6, height=260, allow_preview=False, elem_id="fm3-wardrobe")
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
    history = gr.Dataframe(headers=["When (UTC)", "What", "Details"], label="Your history", interactive=False, elem_id="fm3-profile-history")
    with gr.Accordion("API key for MCP clients and scripts", open=False):
        gr.Markdown("A personal key lets your MCP client read and update *your* profile (tools `get_user_profile`, "
                    "`record_feedback`, and the `user_id` of `search_catalog` / `recommend_outfit`). It is shown once; "
                    "a new key replaces the old one. Anyone holding it acts as you: keep it private.")  # fmt: skip
        key_box = gr.Textbox(label="Your API key", interactive=False, buttons=["copy"], elem_id="fm3-profile-key")
        with gr.Row():
            new_key = gr.Button("Create a new key", elem_id="fm3-profile-new-key")
            revoke = gr.Button("Revoke my key", elem_id="fm3-profile-revoke-key")
    with gr.Row():
        export = gr.DownloadButton("Export my data (JSON)", elem_id="fm3-profile-export")
        confirm = gr.Checkbox(label="I understand that deleting erases my history, likes and preferences")
        delete = gr.Button("Delete my data", variant="stop", elem_id="fm3-profile-delete")

    @user_errors
    def on_show(token: str | None, profile: gr.OAuthProfile | None = None) -> tuple:
        user = visitor(service, token, profile)
        data = service.export_user_data(user)
        stated = data["preferences"]
        signed_in = user.startswith(HF_PREFIX)
        keyed = "You have an API key." if service.store.has_api_key(user) else "No API key yet."
        return (f"{'Signed in with Hugging Face' if signed_in else 'Anonymous profile, kept in this browser'}. {keyed}",
                stated.get("styles", []), stated.get("favour_colours", []), stated.get("avoid_colours", []),
                stated.get("budget_max"), stated.get("sizes", ""), _likes(service, data), _history_rows(service, data["history"]),
                gr.DownloadButton(value=_export_file(service, user, data)), _closet(service, user))  # fmt: skip

    shown = [identity, styles, favour, avoid, budget, sizes, likes, history, export, closet]

    @user_errors
    def on_save(token: str | None, styles: list[str], favour: list[str], avoid: list[str], budget: float | None, sizes: str,
                profile: gr.OAuthProfile | None = None) -> str:  # fmt: skip
        service.save_preferences(visitor(service, token, profile), styles, favour, avoid, budget, sizes)
        return "✅ Saved. Your next searches and recommendations use these preferences."

    @user_errors
    def on_delete(token: str | None, confirmed: bool, profile: gr.OAuthProfile | None = None) -> tuple:
        if not confirmed:
            return "Tick the box to confirm first.", gr.skip()
        removed = service.delete_user_data(visitor(service, token, profile))["removed"]
        fresh = service.identities.issue()  # this browser starts over as a new anonymous visitor
        return f"🗑️ Deleted {removed} records. Nothing about you is stored any more.", fresh

    @user_errors
    def on_new_key(token: str | None, profile: gr.OAuthProfile | None = None) -> str:
        return service.issue_api_key(visitor(service, token, profile))

    @user_errors
    def on_revoke(token: str | None, profile: gr.OAuthProfile | None = None) -> tuple:
        revoked = service.revoke_api_keys(visitor(service, token, profile))
        return "", "Your API key was revoked: it no longer works." if revoked else "You had no API key."

    def on_pick(event: gr.SelectData) -> str:
        return starters[event.index].id

    def rate(liked: bool):  # noqa: ANN202 (a Gradio handler)
        @user_errors
        def on_rate(item_id: str | None, token: str | None, profile: gr.OAuthProfile | None = None) -> str:
            if not item_id:
                return "Select an item first."
            service.record_feedback(visitor(service, token, profile), item_id, liked)
            return f"{'👍' if liked else '👎'} {service.catalog.get(item_id).name} — saved."

        return on_rate

    @user_errors
    def on_add(token: str | None, photo: str | None, profile: gr.OAuthProfile | None = None) -> tuple:
        if not photo:
            return "Choose a photo first.", gr.skip()
        user = visitor(service, token, profile)
        service.user_files.track(user, photo)
        piece = service.add_to_wardrobe(user, photo)
        return f"Added: {piece.label()}.", _closet(service, user)

    onboarding.select(on_pick, None, picked, api_visibility="private")
    like.click(rate(True), [picked, user_id], rated, api_visibility="private")
    dislike.click(rate(False), [picked, user_id], rated, api_visibility="private")
    add.click(on_add, [user_id, upload], [saved, closet], api_visibility="private")
    tab.select(on_show, user_id, shown, api_visibility="private")
    save.click(on_save, [user_id, styles, favour, avoid, budget, sizes], saved, api_visibility="private").then(
        on_show, user_id, shown, api_visibility="private"
    )
    delete.click(on_delete, [user_id, confirm], [saved, user_id], api_visibility="private").then(on_show, user_id, shown, api_visibility="private")
    new_key.click(on_new_key, user_id, key_box, api_visibility="private").then(on_show, user_id, shown, api_visibility="private")
    revoke.click(on_revoke, user_id, [key_box, saved], api_visibility="private")


def _closet(service: FashionM3, user: str) -> list[tuple[str, str]]:
    """The user's wardrobe; the wardrobe folder is private, so each photo is served from an unguessable copy."""
    return [(_served_copy(service, user, piece.path), piece.label()) for piece in service.wardrobe(user) if Path(piece.path).is_file()]


def _export_file(service: FashionM3, user: str, data: dict) -> str:
    """The user's data as a downloadable JSON file (removed with "Delete my data")."""
    with tempfile.TemporaryDirectory(prefix="fashionm3-export-") as folder:
        path = Path(folder) / f"fashionm3-my-data-{datetime.date.today().isoformat()}.json"
        path.write_text(json.dumps(data, indent=1))
        return _served_copy(service, user, path)


def _served_copy(service: FashionM3, user: str, path: "str | Path") -> str:
    """Copy a private file to Gradio's cache (a folder named by a keyed hash nobody can guess) and remember the copy
    as the user's, so "Delete my data" removes it too."""
    copy = save_file_to_cache(path, gr.utils.get_upload_folder())
    service.user_files.track(user, copy)
    return copy


def _likes(service: FashionM3, data: dict) -> str:
    def names(ids: list[str]) -> str:
        return ", ".join(service.catalog.get(i).name for i in ids if i in service.catalog) or "none yet"

    return f"👍 **Liked**: {names(data['liked'])}\n\n👎 **Not for me**: {names(data['disliked'])}"


HISTORY_KINDS = {  # event kind -> what it was, in words
    "recommend": "Asked the stylist", "preferences": "Saved preferences", "image_feedback": "Rated a generated image",
    "wardrobe": "Added to wardrobe", "study_consent": "Joined the study", "study_task": "Started a study task",
    "study_done": "Finished a study task", "study_answer": "Answered a study question", "study_sus": "Answered the final questionnaire",
    "study_turn": "Study: chat turn logged", "study_feedback": "Study: rating logged",
}  # fmt: skip


def _history_details(service: FashionM3, event: dict) -> str:
    """One readable line about an event (never its raw record)."""
    kind = event["kind"]
    if kind == "preferences":
        parts = [("styles", ", ".join(event.get("styles") or [])), ("likes", ", ".join(event.get("favour_colours") or [])),
                 ("avoids", ", ".join(event.get("avoid_colours") or [])), ("budget", event.get("budget_max") or ""), ("sizes", event.get("sizes") or "")]  # fmt: skip
        return "; ".join(f"{name}: {value}" for name, value in parts if value) or "no preferences"
    if kind == "image_feedback":
        return f"{'👍' if event.get('liked') else '👎'} {event.get('description', '')}"
    if kind == "wardrobe":
        return f"{event.get('colour', '')} {event.get('article_type', '')}".strip().lower()
    if kind.startswith("study_") and event.get("task_id") and service.study:
        task = next((t.title for t in service.study.protocol.tasks if t.id == event["task_id"]), "")
        answer = f" — answer {event['answer']}" if "answer" in event else ""
        return f"{task}{answer}" if task else ""
    return str(event.get("message") or event.get("description") or "")[:200]


def _history_rows(service: FashionM3, events: list[dict]) -> list[list[str]]:
    rows = []
    for event in events[:HISTORY_ROWS]:
        when = datetime.datetime.fromtimestamp(event["time"], datetime.UTC).strftime("%Y-%m-%d %H:%M")
        rows.append([when, HISTORY_KINDS.get(event["kind"], event["kind"].replace("_", " ").capitalize()), _history_details(service, event)])
    return rows
