"""Study mode: the protocol file, consent and codes, validated answers, logs, export and the admin token."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys
import zipfile

import pytest

from fashionm3.errors import InvalidInput, Unavailable
from fashionm3.study.protocol import SUS_ITEMS, load_protocol, scale_choices, sus_score
from fashionm3.study.quality import participant_quality, sus_contradictions
from fashionm3.study.records import Study

FULL = {"relevance": 4, "explanation": 5, "satisfaction": 3}


def do_task(study, user, task_id, answers=None):
    """Start a task, say it is done, answer its questions (the only order the study accepts)."""
    study.start_task(user, task_id)
    study.finish_task(user, task_id)
    study.answer_task(user, task_id, answers or FULL)


@pytest.fixture(scope="module")
def study(service):
    return Study(load_protocol(), service.store)


@pytest.fixture(scope="module")
def study_service(service, study):
    return dataclasses.replace(service, study=study, settings=dataclasses.replace(service.settings, study=True, study_admin_token="s3cret"))


def test_the_default_protocol_has_the_five_scripted_tasks():
    protocol = load_protocol()
    assert [task.kind for task in protocol.tasks] == ["basic", "personalized", "alternative", "generate", "try_on"]
    assert protocol.scale == 5 and len(protocol.questions) == 3 and len(SUS_ITEMS) == 10


def test_a_yaml_protocol_file_is_read(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("title: Shoes study\nscale: 7\nquestions:\n  - {id: fit, text: It fits.}\ntasks:\n  - {id: t1, kind: basic, title: Shoes, instructions: Find shoes.}\n")
    protocol = load_protocol(path)
    assert protocol.title == "Shoes study" and protocol.scale == 7 and protocol.task("t1").instructions == "Find shoes."


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("title: [unclosed", "Cannot read the study file"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("questions: []\ntasks: []\n", "tasks must be a non-empty list"),
        ("questions: [{id: q}]\ntasks: [{id: t, title: T}]\n", "questions must be a list of {id, text}"),
        ("questions: []\ntasks: [{id: t, title: T, kind: dance}]\n", "kind 'dance'"),
        ("questions: []\ntasks: [{id: t, title: T}, {id: t, title: U}]\n", "two tasks share an id"),
        ("scale: 42\nquestions: []\ntasks: [{id: t, title: T}]\n", "scale must be a whole number"),
    ],
)
def test_malformed_study_files_are_refused_with_the_file_and_the_problem(tmp_path, text, error):
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match="study") as raised:
        load_protocol(path)
    assert error in str(raised.value) and str(path) in str(raised.value)


def test_the_app_does_not_start_with_a_malformed_study_file(service, tmp_path):
    from fashionm3.service import FashionM3

    path = tmp_path / "study.json"
    path.write_text("{not json")
    with pytest.raises(InvalidInput, match="Cannot read the study file"):
        FashionM3.start(dataclasses.replace(service.settings, study=True, study_file=str(path)))


def test_consent_gives_a_stable_participant_code(study):
    with pytest.raises(InvalidInput, match="consent"):
        study.enroll("study-a", False)
    code = study.enroll("study-a", True)
    assert code.startswith("P-") and len(code) == 8 and study.enroll("study-a", True) == code
    assert study.enroll("study-b", True) != code


def test_nothing_is_logged_without_consent(study, service):
    study.log_turn("study-nobody", task="basic", latency_ms=5.0)
    study.log_feedback("study-nobody", "1", True)
    assert service.store.history("study-nobody") == []


@pytest.mark.parametrize("bad", [0, 6, 2.5, True, "3", None])
def test_out_of_range_likert_answers_are_refused(study, bad):
    study.enroll("study-range", True)
    study.start_task("study-range", "complete")
    study.finish_task("study-range", "complete")
    with pytest.raises(InvalidInput, match="whole numbers from 1 to 5"):
        study.answer_task("study-range", "complete", {"relevance": bad, "explanation": 3, "satisfaction": 3})


def test_answers_once_per_task_every_question_known_tasks(study):
    study.enroll("study-once", True)
    study.start_task("study-once", "complete")
    study.finish_task("study-once", "complete")
    with pytest.raises(InvalidInput, match="Answer every question"):
        study.answer_task("study-once", "complete", {"relevance": 4})
    with pytest.raises(InvalidInput, match="Unknown study task"):
        study.answer_task("study-once", "nope", FULL)
    study.answer_task("study-once", "complete", FULL)
    with pytest.raises(InvalidInput, match="already answered"):
        study.answer_task("study-once", "complete", FULL)
    with pytest.raises(InvalidInput, match="already answered"):
        study.start_task("study-once", "complete")
    assert study.progress("study-once")["answered"] == ["complete"]


def test_answers_are_refused_for_tasks_never_started_or_not_yet_done(study):
    study.enroll("study-order", True)
    with pytest.raises(InvalidInput, match="task you started"):
        study.answer_task("study-order", "personal", FULL)  # never started
    study.start_task("study-order", "personal")
    with pytest.raises(InvalidInput, match="task you started"):
        study.answer_task("study-order", "personal", FULL)  # started, not done: the questions are not shown yet
    with pytest.raises(InvalidInput, match="Start this task first"):
        study.finish_task("study-order", "alternative")  # done with a task that is not the one started
    assert study.pending_task("study-order") == ""
    study.finish_task("study-order", "personal")
    assert study.pending_task("study-order") == "personal"
    study.start_task("study-order", "alternative")  # moving on abandons the unanswered task
    with pytest.raises(InvalidInput, match="task you started"):
        study.answer_task("study-order", "personal", FULL)
    assert study.store.history("study-order", kinds=["study_answer"]) == []


def test_nothing_is_accepted_before_consent(study):
    for attempt in (lambda: study.start_task("study-nobody-2", "complete"), lambda: study.answer_sus("study-nobody-2", [3] * 10)):
        with pytest.raises(InvalidInput, match="Take part first"):
            attempt()


def test_simultaneous_identical_submissions_land_once(study):
    import threading

    study.enroll("study-race", True)
    study.start_task("study-race", "visualise")
    study.finish_task("study-race", "visualise")
    outcomes, barrier = [], threading.Barrier(8)

    def submit() -> None:
        barrier.wait()
        try:
            study.answer_task("study-race", "visualise", FULL)
            outcomes.append("saved")
        except InvalidInput:
            outcomes.append("refused")

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]
    assert len(study.store.history("study-race", kinds=["study_answer"])) == len(FULL)


def test_the_store_enforces_one_record_per_user_and_key(service):
    store = service.store
    assert store.add_events_once("once-user", "once_test", [("k1", {"a": 1}), ("k2", {"a": 2})])
    assert not store.add_events_once("once-user", "once_test", [("k3", {"a": 3}), ("k1", {"a": 9})])  # all or nothing
    assert store.add_events_once("once-other", "once_test", [("k1", {"a": 1})])  # keys are per user
    assert sorted(e["a"] for e in store.history("once-user", kinds=["once_test"])) == [1, 2]


def test_every_record_carries_the_protocol_version_and_the_consent_text_hash(study):
    study.enroll("study-stamp", True)
    do_task(study, "study-stamp", "complete")
    records = study.store.history("study-stamp", limit=1000)
    assert {r["kind"] for r in records} >= {"study_consent", "study_task", "study_done", "study_answer"}
    assert all(r["protocol_version"] == study.protocol.version and r["consent_sha256"] == study.protocol.consent_sha256 for r in records)
    assert study.store.latest("study-stamp", "study_consent")["consent"] == study.protocol.consent


def test_every_scale_point_has_a_number_and_the_ends_their_anchors():
    protocol = load_protocol()
    choices = scale_choices(protocol.scale, protocol.anchors)
    assert [value for _, value in choices] == [1, 2, 3, 4, 5]
    assert choices[0][0] == "1 · strongly disagree" and choices[-1][0] == "5 · strongly agree" and choices[2][0] == "3"


def test_sus_is_scored_and_submitted_once(study):
    assert sus_score([3] * 10) == 50.0 and sus_score([5, 1] * 5) == 100.0 and sus_score([1, 5] * 5) == 0.0
    study.enroll("study-sus", True)
    with pytest.raises(InvalidInput, match="after your tasks"):
        study.answer_sus("study-sus", [5, 1] * 5)
    do_task(study, "study-sus", "complete")
    with pytest.raises(InvalidInput, match="all 10"):
        study.answer_sus("study-sus", [3] * 9)
    with pytest.raises(InvalidInput, match="1 to 5"):
        study.answer_sus("study-sus", [3] * 9 + [7])
    assert study.answer_sus("study-sus", [5, 1] * 5) == 100.0
    with pytest.raises(InvalidInput, match="already submitted"):
        study.answer_sus("study-sus", [3] * 10)


def test_attention_and_consistency_notes():
    assert sus_contradictions([5, 1] * 5) == 0 and sus_contradictions([5] * 10) == 5 and sus_contradictions([1] * 10) == 5
    careful = [{"kind": "study_task", "task_id": "a", "time": 0.0}, {"kind": "study_done", "task_id": "a", "time": 300.0}]
    careful += [{"kind": "study_answer", "task_id": "a", "answer": n} for n in (4, 2, 5)]
    careful += [{"kind": "study_sus", "item": n + 1, "answer": a} for n, a in enumerate([5, 1] * 5)]
    assert participant_quality("P-1", careful)["note"] == "no flags"
    hasty = [{"kind": "study_task", "task_id": t, "time": 0.0} for t in "ab"] + [{"kind": "study_done", "task_id": t, "time": 5.0} for t in "ab"]
    hasty += [{"kind": "study_answer", "task_id": t, "answer": 3} for t in "ab" for _ in range(3)]
    hasty += [{"kind": "study_sus", "item": n, "answer": 3} for n in range(1, 11)]
    note = participant_quality("P-2", hasty)["note"]
    assert "SUS straight-lined" in note and "every task question answered the same" in note and "under 20 s: a b" in note


def test_two_participants_never_see_each_others_records(study):
    study.enroll("study-x", True)
    study.enroll("study-y", True)
    do_task(study, "study-x", "visualise", {"relevance": 1, "explanation": 1, "satisfaction": 1})
    assert study.progress("study-x")["answered"] == ["visualise"]
    assert study.progress("study-y") == {"code": study.participant("study-y"), "answered": [], "total": 5, "current": "",
                                         "pending": "", "sus_done": False}  # fmt: skip


def test_chat_turns_and_feedback_are_logged_under_the_current_task(study_service, study):
    from fashionm3.assistant import recommend

    study.enroll("study-chat", True)
    study.start_task("study-chat", "alternative")
    answer = recommend(study_service, "black sneakers", user_id="study-chat")
    study_service.log_study_turn("study-chat", "black sneakers", answer, 123.4)
    study_service.record_feedback("study-chat", answer.hits[0].item.id, True)
    turn = study.store.latest("study-chat", "study_turn")
    assert turn["task_id"] == "alternative" and turn["latency_ms"] == 123.4 and turn["task"] == answer.task
    assert turn["items"] == [hit.item.id for hit in answer.hits] and "catalog_search" in turn["tools"] and turn["backend"]
    assert study.store.latest("study-chat", "study_feedback")["item_id"] == answer.hits[0].item.id


def test_researcher_export_writes_csv_and_jsonl_keyed_by_participant_code(study, tmp_path):
    study.enroll("study-export", True)
    do_task(study, "study-export", "personal", {"relevance": 2, "explanation": 3, "satisfaction": 4})
    study.answer_sus("study-export", [4] * 10)
    counts = study.export(tmp_path / "out")
    code = study.participant("study-export")
    answers = list(csv.DictReader((tmp_path / "out" / "answers.csv").open()))
    mine = [row for row in answers if row["participant"] == code]
    assert {row["question"]: row["answer"] for row in mine if row["task_id"] == "personal"} == {"relevance": "2", "explanation": "3", "satisfaction": "4"}
    assert len(mine) == 3 + 10 and {row["protocol_version"] for row in mine} == {study.protocol.version}
    quality = [row for row in csv.DictReader((tmp_path / "out" / "quality.csv").open()) if row["participant"] == code]
    assert "SUS straight-lined" in quality[0]["note"] and json.loads((tmp_path / "out" / "protocol.json").read_text())["consent"] == study.protocol.consent
    sus = [row for row in csv.DictReader((tmp_path / "out" / "sus.csv").open()) if row["participant"] == code]
    assert sus[0]["score"] == "50.0"
    events = [json.loads(line) for line in (tmp_path / "out" / "events.jsonl").read_text().splitlines()]
    assert counts["events"] == len(events) and all("user_id" not in event for event in events)  # codes, not browser ids


def test_the_admin_export_needs_the_right_token(study_service, service):
    for wrong in ("", "guess"):
        with pytest.raises(InvalidInput, match="Wrong or missing admin token"):
            study_service.study_export_archive(wrong)
    with zipfile.ZipFile(study_service.study_export_archive("s3cret")) as archive:
        assert {"events.jsonl", "answers.csv", "sus.csv", "turns.csv"} <= set(archive.namelist())
    with pytest.raises(Unavailable, match="export is off"):
        service.study_export_archive("s3cret")


def test_study_export_command(settings, study, tmp_path):
    study.enroll("study-cli", True)
    env = {**os.environ, "FASHIONM3_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "fashionm3", "study", "export", "--out", str(tmp_path / "cli")], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["participants"] >= 1 and (tmp_path / "cli" / "events.jsonl").exists()


def test_the_study_tab_exists_only_in_study_mode(service, study_service):
    from fashionm3.ui.app import build_demo

    def tab_labels(demo):
        return {block.get("props", {}).get("label") for block in demo.config["components"] if block.get("type") == "tabitem"}

    assert "Study" in tab_labels(build_demo(study_service))
    assert "Study" not in tab_labels(build_demo(service))
