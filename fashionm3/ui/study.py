"""The Study tab (``FASHIONM3_STUDY=1``): consent, the participant code, tasks, Likert questions, the SUS, and the
researchers' export behind an admin token."""

from __future__ import annotations

import gradio as gr

from fashionm3.service import FashionM3
from fashionm3.study.protocol import SUS_ITEMS
from fashionm3.study.records import Study
from fashionm3.ui.identity import optional_visitor, visitor
from fashionm3.ui.tools import user_errors


def build_study_tab(service: FashionM3, study: Study, user_id: gr.BrowserState, tab: gr.Tab) -> None:
    """Consent first; the rest appears once the visitor has a participant code."""
    protocol = study.protocol
    gr.Markdown(f"## {protocol.title}\n\n{protocol.consent}")
    with gr.Row():
        consent = gr.Checkbox(label="I have read the information above and agree to take part", elem_id="fm3-study-consent")
        join = gr.Button("Take part", variant="primary", elem_id="fm3-study-join")
    code = gr.Markdown(elem_id="fm3-study-code")
    with gr.Group(visible=False) as tasks_box:
        task = gr.Radio([(t.title, t.id) for t in protocol.tasks], label="Task", elem_id="fm3-study-task")
        instructions = gr.Markdown(elem_id="fm3-study-instructions")
        start = gr.Button("Start this task", elem_id="fm3-study-start")
        scale = list(range(1, protocol.scale + 1))
        likert = [gr.Radio(scale, label=f"{text} (1 = strongly disagree, {protocol.scale} = strongly agree)") for _, text in protocol.questions]
        submit = gr.Button("Submit answers for this task", elem_id="fm3-study-submit")
        with gr.Accordion("Final questionnaire (System Usability Scale)", open=False):
            sus = [gr.Radio([1, 2, 3, 4, 5], label=f"{n}. {text}") for n, text in enumerate(SUS_ITEMS, start=1)]
            finish = gr.Button("Submit the questionnaire", elem_id="fm3-study-finish")
    message = gr.Markdown(elem_id="fm3-study-message")
    with gr.Accordion("Researchers", open=False):
        token = gr.Textbox(label="Admin token", type="password", elem_id="fm3-study-token")
        export = gr.Button("Export study data", elem_id="fm3-study-export")
        archive = gr.File(label="Study export (zip)", interactive=False, elem_id="fm3-study-archive")

    def status(token: str | None, profile: gr.OAuthProfile | None = None) -> tuple:
        user = optional_visitor(service, token, profile)
        progress = study.progress(user) if user else {"code": None}
        if not progress["code"]:
            return "", gr.Group(visible=False)
        done = f" Tasks answered: {', '.join(progress['answered']) or 'none yet'}." + (" Questionnaire done — thank you!" if progress["sus_done"] else "")
        return f"Your participant code: **`{progress['code']}`** (tell it to the researcher if you want your data removed).{done}", gr.Group(visible=True)

    @user_errors
    def on_join(token: str | None, agreed: bool, profile: gr.OAuthProfile | None = None) -> tuple:
        study.enroll(visitor(service, token, profile), agreed)
        return status(token, profile)

    @user_errors
    def on_start(token: str | None, task_id: str | None, profile: gr.OAuthProfile | None = None) -> str:
        if not task_id:
            return "Choose a task first."
        study.start_task(visitor(service, token, profile), task_id)
        return f"**{protocol.task(task_id).title}** started. Use the Chat, Gallery and Try-on tabs, then come back to answer."

    @user_errors
    def on_submit(token: str | None, task_id: str | None, profile: gr.OAuthProfile | None, *answers: int | None) -> str:
        if not task_id:
            return "Choose the task you are answering for."
        if any(answer is None for answer in answers):
            return "Answer every question first."
        study.answer_task(visitor(service, token, profile), task_id, {qid: int(a) for (qid, _), a in zip(protocol.questions, answers)})
        return "✅ Answers saved. Pick the next task."

    @user_errors
    def on_finish(token: str | None, profile: gr.OAuthProfile | None, *answers: int | None) -> str:
        if any(answer is None for answer in answers):
            return "Answer all ten items first."
        study.answer_sus(visitor(service, token, profile), [int(a) for a in answers])
        return "✅ Questionnaire saved. Thank you for taking part!"

    @user_errors
    def on_export(given: str) -> str:
        return str(service.study_export_archive(given))

    tab.select(status, user_id, [code, tasks_box], api_visibility="private")
    join.click(on_join, [user_id, consent], [code, tasks_box], api_visibility="private")
    task.change(lambda task_id: protocol.task(task_id).instructions if task_id else "", task, instructions, api_visibility="private")
    start.click(on_start, [user_id, task], message, api_visibility="private")
    submit.click(on_submit, [user_id, task, *likert], message, api_visibility="private").then(status, user_id, [code, tasks_box], api_visibility="private")
    finish.click(on_finish, [user_id, *sus], message, api_visibility="private").then(status, user_id, [code, tasks_box], api_visibility="private")
    export.click(on_export, token, archive, api_visibility="private")
