"""The Study tab (``FASHIONM3_STUDY=1``): consent, the participant code, a progress bar, one task at a time (start,
"I am done", then its questions with fresh, empty answers), the SUS, and the researchers' export behind a token."""

from __future__ import annotations

import html

import gradio as gr

from fashionm3.service import FashionM3
from fashionm3.study.protocol import SUS_ITEMS, scale_choices
from fashionm3.study.records import Study
from fashionm3.ui.identity import optional_visitor, visitor
from fashionm3.ui.tools import user_errors


def progress_html(answered: int, total: int, sus_done: bool) -> str:
    """A progress bar over the tasks plus the final questionnaire."""
    steps, done = total + 1, answered + int(sus_done)
    label = f"{answered} of {total} tasks answered" + (" · questionnaire done" if sus_done else "")
    return (f'<div class="fm3-progress" role="progressbar" aria-valuemin="0" aria-valuemax="{steps}" aria-valuenow="{done}">'
            f'<div class="fm3-progress-bar" style="width:{100 * done / steps:.0f}%"></div></div>'
            f'<div class="fm3-progress-label">{html.escape(label)}</div>')  # fmt: skip


def build_study_tab(service: FashionM3, study: Study, user_id: gr.BrowserState, tab: gr.Tab) -> None:
    """Consent first; the tasks appear once the visitor has a participant code."""
    protocol = study.protocol
    gr.Markdown(f"## {protocol.title}\n\n{protocol.consent}")
    with gr.Row():
        consent = gr.Checkbox(label="I have read the information above and agree to take part", elem_id="fm3-study-consent")
        join = gr.Button("Take part", variant="primary", elem_id="fm3-study-join")
    code = gr.Markdown(elem_id="fm3-study-code")
    progress = gr.HTML(elem_id="fm3-study-progress")
    with gr.Group(visible=False) as tasks_box:
        task = gr.Radio([(t.title, t.id) for t in protocol.tasks], label="Task", elem_id="fm3-study-task")
        instructions = gr.Markdown(elem_id="fm3-study-instructions")
        with gr.Row():
            start = gr.Button("Start this task", elem_id="fm3-study-start")
            done = gr.Button("I am done with this task", visible=False, elem_id="fm3-study-done")
    with gr.Group(visible=False) as questions_box:
        asking = gr.Markdown(elem_id="fm3-study-asking")
        choices = scale_choices(protocol.scale, protocol.anchors)
        likert = [gr.Radio(choices, value=None, label=text, elem_classes="fm3-likert") for _, text in protocol.questions]
        submit = gr.Button("Submit answers for this task", variant="primary", elem_id="fm3-study-submit")
    with gr.Group(visible=False) as sus_box:
        gr.Markdown("### Final questionnaire (System Usability Scale)\nAnswer after your tasks, about the app as a whole.")
        sus = [gr.Radio(scale_choices(5, protocol.anchors), value=None, label=f"{n}. {text}", elem_classes="fm3-likert")
               for n, text in enumerate(SUS_ITEMS, start=1)]  # fmt: skip
        finish = gr.Button("Submit the questionnaire", variant="primary", elem_id="fm3-study-finish")
    message = gr.Markdown(elem_id="fm3-study-message")
    with gr.Accordion("Researchers", open=False):
        token = gr.Textbox(label="Admin token", type="password", elem_id="fm3-study-token")
        export = gr.Button("Export study data", elem_id="fm3-study-export")
        archive = gr.File(label="Study export (zip)", interactive=False, elem_id="fm3-study-archive")

    def status(identity: str | None, profile: gr.OAuthProfile | None = None) -> tuple:
        """Everything that follows from the records: code, progress, which parts show; the task questions are
        emptied whenever no task awaits answers, so the next task's questions always start blank."""
        user = optional_visitor(service, identity, profile)
        state = study.progress(user) if user else {"code": None}
        hidden = gr.Group(visible=False)
        if not state["code"]:
            return "", "", hidden, gr.Button(visible=False), hidden, "", *[gr.Radio(value=None)] * len(likert), hidden
        answered, pending = state["answered"], state["pending"]
        working = state["current"] if state["current"] and state["current"] not in answered and not pending else ""
        sus_open = bool(answered) and not state["sus_done"] and not pending and not working
        asking_text = f"**Questions about “{protocol.task(pending).title}”**" if pending else ""
        return (f"Your participant code: **{state['code']}** (tell it to the researcher if you want your data removed).",
                progress_html(len(answered), state["total"], state["sus_done"]), gr.Group(visible=not pending),
                gr.Button(visible=bool(working)), gr.Group(visible=bool(pending)), asking_text,
                *[gr.skip() if pending else gr.Radio(value=None) for _ in likert], gr.Group(visible=sus_open))  # fmt: skip

    shown = [code, progress, tasks_box, done, questions_box, asking, *likert, sus_box]

    @user_errors
    def on_join(identity: str | None, agreed: bool, profile: gr.OAuthProfile | None = None) -> tuple:
        study.enroll(visitor(service, identity, profile), agreed)
        return status(identity, profile)

    @user_errors
    def on_start(identity: str | None, task_id: str | None, profile: gr.OAuthProfile | None = None) -> str:
        if not task_id:
            return "Choose a task first."
        study.start_task(visitor(service, identity, profile), task_id)
        return (f"**{protocol.task(task_id).title}** started. Use the Chat, Gallery and Try-on tabs, then come back and "
                "press “I am done with this task”.")  # fmt: skip

    @user_errors
    def on_done(identity: str | None, profile: gr.OAuthProfile | None = None) -> str:
        user = visitor(service, identity, profile)
        study.finish_task(user, study.current_task(user))
        return "Thank you. Please answer the questions below about this task."

    @user_errors
    def on_submit(identity: str | None, profile: gr.OAuthProfile | None, *answers: int | None) -> str:
        if any(answer is None for answer in answers):
            return "Answer every question first."
        user = visitor(service, identity, profile)
        study.answer_task(user, study.pending_task(user), {qid: int(a) for (qid, _), a in zip(protocol.questions, answers)})
        left = len(protocol.tasks) - len(study.answered(user))
        return f"✅ Answers saved. {'Pick the next task.' if left else 'All tasks done: please fill in the final questionnaire.'}"

    @user_errors
    def on_finish(identity: str | None, profile: gr.OAuthProfile | None, *answers: int | None) -> str:
        if any(answer is None for answer in answers):
            return "Answer all ten items first."
        study.answer_sus(visitor(service, identity, profile), [int(a) for a in answers])
        return "✅ Questionnaire saved. Thank you for taking part!"

    @user_errors
    def on_export(given: str) -> str:
        return str(service.study_export_archive(given))

    def refresh(event: gr.events.Dependency) -> None:
        event.then(status, user_id, shown, api_visibility="private")

    tab.select(status, user_id, shown, api_visibility="private")
    join.click(on_join, [user_id, consent], shown, api_visibility="private")
    task.change(lambda task_id: protocol.task(task_id).instructions if task_id else "", task, instructions, api_visibility="private")
    refresh(start.click(on_start, [user_id, task], message, api_visibility="private"))
    refresh(done.click(on_done, user_id, message, api_visibility="private"))
    refresh(submit.click(on_submit, [user_id, *likert], message, api_visibility="private"))
    refresh(finish.click(on_finish, [user_id, *sus], message, api_visibility="private"))
    export.click(on_export, token, archive, api_visibility="private")
