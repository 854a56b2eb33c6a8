"""The Chat tab: multimodal input, the streamed stylist answer with product cards, and rating the items shown."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.assistant import converse
from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.tryon.examples import OUTFITS, chat_photo_examples
from fashionm3.ui.cards import item_caption, product_cards_html
from fashionm3.ui.gallery import GalleryParts, collect, image_entries, item_entry, outputs, show
from fashionm3.ui.identity import ensure_token, visitor
from fashionm3.ui.tools import user_errors
from fashionm3.ui.tryon import TryOnParts

CHAT_EXAMPLES = ["a navy shirt for a man", "something red for a party", "black sneakers under 80", "a summer dress"]
PHOTO_EXAMPLE_LABELS = [question for _, question in OUTFITS.values()]  # a photo example's text, not its file name
# Whenever the conversation changes, show the question just asked at the top (or the end, when all it was answered
# with fits), so the answer's first line (what matched, or that nothing did) is in view rather than the bottom of its
# cards; Gradio's own autoscroll is off, since it jumps to the last card (on a phone the cards fill the screen).
SHOW_ANSWER_START = """() => requestAnimationFrame(() => {
  const wrap = document.querySelector('#fm3-chatbot .bubble-wrap');
  const asked = document.querySelectorAll('#fm3-chatbot .user-row');
  if (!wrap || !asked.length) return;
  const top = asked[asked.length - 1].getBoundingClientRect().top - wrap.getBoundingClientRect().top;
  wrap.scrollTop = Math.min(wrap.scrollTop + top - 8, wrap.scrollHeight - wrap.clientHeight);
})"""
TASK_CHOICES = [("Auto (from your message)", "auto"), ("Complete my outfit", "basic"), ("Personalised pick", "personalized"),
                ("Alternative to a piece", "alternative"), ("Catalog search", "search")]  # fmt: skip


@dataclasses.dataclass
class ChatParts:
    box: gr.MultimodalTextbox
    chatbot: gr.Chatbot
    session: gr.State
    task: gr.Dropdown
    rate_item: gr.Dropdown
    like: gr.Button
    dislike: gr.Button
    rated: gr.Markdown
    new_chat: gr.Button
    examples: tuple[gr.Examples, ...]  # sent as soon as one is picked


def build_chat_tab() -> ChatParts:
    """The conversation, the input box, the task picker and the rating row."""
    chatbot = gr.Chatbot(label="FashionM3", show_label=False, height=560, elem_id="fm3-chatbot", autoscroll=False,
                         buttons=["copy"],  # no "share" (a study participant's chat stays theirs); its bin starts anew
                         placeholder="Ask for an item, or attach photos of your outfit.")  # fmt: skip
    box = gr.MultimodalTextbox(
        placeholder="e.g. what shoes go with this? — attach up to 4 outfit photos with the clip",
        file_count="multiple",  # any type: our loader explains what is wrong with a non-image
        elem_id="fm3-chat-input",
        show_label=False,
    )
    photo_examples = gr.Examples(chat_photo_examples(), inputs=box, label="Try with a photo",
                                 elem_id="fm3-photo-examples", example_labels=PHOTO_EXAMPLE_LABELS)
    with gr.Row(equal_height=True):
        rate_item = gr.Dropdown([], label="Rate an item from the last answer (changes your next results)", scale=4, elem_id="fm3-rate-item")
        like = gr.Button("👍 Like", scale=1, elem_id="fm3-rate-like")
        dislike = gr.Button("👎 Not for me", scale=1, elem_id="fm3-rate-dislike")
    rated = gr.Markdown(elem_id="fm3-rated")
    with gr.Row():
        task = gr.Dropdown(TASK_CHOICES, value="auto", label="Task", scale=1, elem_id="fm3-task")
        text_examples = gr.Examples(CHAT_EXAMPLES, inputs=box, label="Try")
        new_chat = gr.Button("🔄 New conversation", scale=0, elem_id="fm3-new-chat")  # after the examples: they stay on a phone's first screen
    examples = (photo_examples, text_examples)
    return ChatParts(box, chatbot, gr.State(""), task, rate_item, like, dislike, rated, new_chat, examples)


def wire_chat(service: FashionM3, chat: ChatParts, user_id: gr.BrowserState, gallery: GalleryParts, tryon: TryOnParts, tabs: gr.Tabs) -> None:
    """The chat turn (streamed), its hand-offs to the Gallery and Try-on, and the like/dislike buttons."""
    unchanged = (gr.skip(),) * (4 + len(outputs(gallery)))  # rating choices, try-on garment, tabs, collection, gallery

    def respond(message: dict[str, Any], history: list, token: str | None, task_name: str, session_id: str, collected: list,
                profile: gr.OAuthProfile | None = None) -> Iterator[tuple]:  # fmt: skip
        token = ensure_token(service, token)  # a first message before the page had its token gets one now
        user = visitor(service, token, profile)
        for update in turn(message, history, user, task_name, session_id, collected):
            yield *update, token

    def turn(message: dict[str, Any], history: list, user: str, task_name: str, session_id: str, collected: list) -> Iterator[tuple]:
        message = message or {}
        text, files = (message.get("text") or "").strip(), list(message.get("files") or [])
        service.user_files.track(user, *(_path(f) for f in files))  # removed with "Delete my data"
        history = list(history or []) + [{"role": "user", "content": {"path": _path(f)}} for f in files]
        if text:
            history.append({"role": "user", "content": text})
        yield history, gr.MultimodalTextbox(value=None, interactive=False), session_id, *unchanged
        streamed, final, began = "", None, time.perf_counter()
        try:
            for event in converse(service, text, [Path(_path(f)) for f in files], user, session_id, task_name or "auto"):
                if isinstance(event, str):
                    streamed += event
                    yield [*history, _thought(streamed, "pending")], gr.skip(), session_id, *unchanged
                else:
                    final = event
        except FashionM3Error as error:
            history.append({"role": "assistant", "content": f"⚠️ {error}"})
            yield history, gr.MultimodalTextbox(interactive=True), session_id, *unchanged
            return
        service.log_study_turn(user, text, final, 1000 * (time.perf_counter() - began))
        history += [_thought(streamed, "done")] if streamed else []
        pictures = image_entries(service, final.images, final.description.sentence() if final.description else text)
        history += [{"role": "assistant", "content": {"path": picture["path"]}} for picture in pictures]
        cards = product_cards_html(final.hits, final.explanations, service.settings.currency)
        history.append({"role": "assistant", "content": f"{final.text}\n\n{cards}"})
        handoff = final.handoff_item
        collection = collect(collected, pictures + [item_entry(hit.item, service.settings.currency) for hit in final.hits if hit.item.image_path])
        choices = [(item_caption(hit.item, service.settings.currency), hit.item.id) for hit in final.hits]
        yield (history, gr.MultimodalTextbox(interactive=True), final.session_id,
               gr.Dropdown(choices, value=choices[0][1] if choices else None),
               gr.Dropdown(value=handoff) if handoff else gr.skip(), gr.Tabs(selected="try-on") if handoff else gr.skip(),
               collection, *show(gallery, collection, "Your generated images and recommended items, newest first."))  # fmt: skip

    inputs = [chat.box, chat.chatbot, user_id, chat.task, chat.session, gallery.collected]
    answer = [chat.chatbot, chat.box, chat.session, chat.rate_item, tryon.garment, tabs, gallery.collected,
              *outputs(gallery), user_id]
    chat.box.submit(respond, inputs, answer, api_name="chat", api_visibility="undocumented")
    for examples in chat.examples:  # a picked example is sent, not only written into the box
        examples.load_input_event.then(respond, inputs, answer, api_visibility="private")
    chat.chatbot.change(None, js=SHOW_ANSWER_START)

    def rate(liked: bool):  # noqa: ANN202 (a Gradio handler)
        @user_errors
        def on_rate(item_id: str | None, token: str | None, session_id: str, profile: gr.OAuthProfile | None = None) -> str:
            if not item_id:
                return "Ask for a recommendation first, then rate one of its items."
            ack = service.record_feedback(visitor(service, token, profile), item_id, liked, session_id)
            name = service.catalog.get(ack["item_id"]).name
            return f"{'👍 Noted: you like' if liked else '👎 Noted: not for you,'} **{name}**. Your next results take it into account."

        return on_rate

    def new_conversation() -> tuple:
        """Forget this tab's session: the next message starts with no outfit, target or constraints."""
        return [], "", gr.Dropdown([], value=None), "", gr.MultimodalTextbox(value=None, interactive=True)

    fresh = [chat.chatbot, chat.session, chat.rate_item, chat.rated, chat.box]
    chat.new_chat.click(new_conversation, None, fresh, api_visibility="private").then(
        None, js="() => window.scrollTo({top: 0})")  # back to the first screen: the input and the examples
    chat.chatbot.clear(new_conversation, None, fresh, api_visibility="private")  # the bin forgets what it hides
    chat.like.click(rate(True), [chat.rate_item, user_id, chat.session], chat.rated, api_visibility="private")
    chat.dislike.click(rate(False), [chat.rate_item, user_id, chat.session], chat.rated, api_visibility="private")


def _thought(text: str, status: str) -> dict[str, Any]:
    """The model's raw streamed output, shown folded under a title (it is JSON, not the answer)."""
    return {"role": "assistant", "content": text, "metadata": {"title": "Stylist model output", "status": status}}


def _path(file: Any) -> str:
    return file if isinstance(file, str) else file.get("path", "")
