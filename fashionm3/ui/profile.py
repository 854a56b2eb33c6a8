"""The Profile tab and the visitor's identity: stated preferences, likes, history, export and delete."""

from __future__ import annotations

import datetime
import json
import os
import secrets
from typing import Any

import gradio as gr

from fashionm3.service import FashionM3
from fashionm3.ui.identity import visitor
from fashionm3.ui.tools import user_errors

HISTORY_ROWS = 50


def build_profile_tab(service: FashionM3, user_id: gr.BrowserState, tab: gr.Tab) -> None:
    """Identity, stated preferences, likes and history, and the data controls."""
    catalog = service.catalog
    identity = gr.Markdown(elem_id="fm3-profile-id")
    if os.environ.get("SPACE_ID"):  # Hugging Face sign-in exists only on a Space with hf_oauth enabled
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
    with gr.Row():
        export = gr.DownloadButton("Export my data (JSON)", elem_id="fm3-profile-export")
        confirm = gr.Checkbox(label="I understand that deleting erases my history, likes and preferences")
        delete = gr.Button("Delete my data", variant="stop", elem_id="fm3-profile-delete")

    @user_errors
    def on_show(user: str | None) -> tuple:
        user = visitor(user)
        data = service.export_user_data(user)
        stated = data["preferences"]
        folder = service.settings.data_dir / "exports" / secrets.token_hex(12)  # unguessable folder, readable file name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"fashionm3-my-data-{datetime.datetime.now(datetime.UTC):%Y-%m-%d}.json"
        path.write_text(json.dumps(data, indent=1))
        return (f"Your id: `{user}` (kept in this browser{'; signed in with Hugging Face' if user.startswith('hf:') else ''}).",
                stated.get("styles", []), stated.get("favour_colours", []), stated.get("avoid_colours", []),
                stated.get("budget_max"), stated.get("sizes", ""), _likes(service, data), _history_rows(service, data["history"]),
                gr.DownloadButton(value=str(path)), _closet(service, user))  # fmt: skip

    shown = [identity, styles, favour, avoid, budget, sizes, likes, history, export, closet]

    @user_errors
    def on_save(user: str | None, *values: Any) -> str:
        service.save_preferences(visitor(user), *values)
        return "✅ Saved. Your next searches and recommendations use these preferences."

    @user_errors
    def on_delete(user: str | None, confirmed: bool) -> str:
        if not confirmed:
            return "Tick the box to confirm first."
        removed = service.delete_user_data(visitor(user))["removed"]
        return f"🗑️ Deleted {removed} records. Nothing about you is stored any more."

    def on_pick(event: gr.SelectData) -> str:
        return starters[event.index].id

    def rate(liked: bool):  # noqa: ANN202 (a Gradio handler)
        @user_errors
        def on_rate(item_id: str | None, user: str | None) -> str:
            if not item_id:
                return "Select an item first."
            service.record_feedback(visitor(user), item_id, liked)
            return f"{'👍' if liked else '👎'} {service.catalog.get(item_id).name} — saved."

        return on_rate

    @user_errors
    def on_add(user: str | None, photo: str | None) -> tuple:
        if not photo:
            return "Choose a photo first.", gr.skip()
        piece = service.add_to_wardrobe(visitor(user), photo)
        return f"Added: {piece.label()}.", _closet(service, user)

    onboarding.select(on_pick, None, picked, api_visibility="private")
    like.click(rate(True), [picked, user_id], rated, api_visibility="private")
    dislike.click(rate(False), [picked, user_id], rated, api_visibility="private")
    add.click(on_add, [user_id, upload], [saved, closet], api_visibility="private")
    tab.select(on_show, user_id, shown, api_visibility="private")
    save.click(on_save, [user_id, styles, favour, avoid, budget, sizes], saved, api_visibility="private").then(
        on_show, user_id, shown, api_visibility="private"
    )
    delete.click(on_delete, [user_id, confirm], saved, api_visibility="private").then(on_show, user_id, shown, api_visibility="private")


def _closet(service: FashionM3, user: str | None) -> list[tuple[str, str]]:
    return [(piece.path, piece.label()) for piece in service.wardrobe(visitor(user))]


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
