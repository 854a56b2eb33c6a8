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
from fashionm3.study.protocol import SUS_ITEMS, load_protocol, sus_score
from fashionm3.study.records import Study


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
    with pytest.raises(InvalidInput, match="whole numbers from 1 to 5"):
        study.answer_task("study-range", "complete", {"relevance": bad, "explanation": 3, "satisfaction": 3})


def test_answers_once_per_task_every_question_known_tasks(study):
    study.enroll("study-once", True)
    full = {"relevance": 4, "explanation": 5, "satisfaction": 3}
    with pytest.raises(InvalidInput, match="Answer every question"):
        study.answer_task("study-once", "complete", {"relevance": 4})
    with pytest.raises(InvalidInput, match="Unknown study task"):
        study.answer_task("study-once", "nope", full)
    study.answer_task("study-once", "complete", full)
    with pytest.raises(InvalidInput, match="already answered"):
        study.answer_task("study-once", "complete", full)
    assert study.progress("study-once")["answered"] == ["complete"]


def test_sus_is_scored_and_submitted_once(study):
    assert sus_score([3] * 10) == 50.0 and sus_score([5, 1] * 5) == 100.0 and sus_score([1, 5] * 5) == 0.0
    study.enroll("study-sus", True)
    with pytest.raises(InvalidInput, match="all 10"):
        study.answer_sus("study-sus", [3] * 9)
    with pytest.raises(InvalidInput, match="1 to 5"):
        study.answer_sus("study-sus", [3] * 9 + [7])
    assert study.answer_sus("study-sus", [5, 1] * 5) == 100.0
    with pytest.raises(InvalidInput, match="already submitted"):
        study.answer_sus("study-sus", [3] * 10)


def test_two_participants_never_see_each_others_records(study):
    study.enroll("study-x", True)
    study.enroll("study-y", True)
    study.answer_task("study-x", "visualise", {"relevance": 1, "explanation": 1, "satisfaction": 1})
    assert study.progress("study-x")["answered"] == ["visualise"]
    assert study.progress("study-y") == {"code": study.participant("study-y"), "answered": [], "sus_done": False}


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
    study.answer_task("study-export", "personal", {"relevance": 2, "explanation": 3, "satisfaction": 4})
    study.answer_sus("study-export", [4] * 10)
    counts = study.export(tmp_path / "out")
    code = study.participant("study-export")
    answers = list(csv.DictReader((tmp_path / "out" / "answers.csv").open()))
    mine = [row for row in answers if row["participant"] == code]
    assert {row["question"]: row["answer"] for row in mine} == {"relevance": "2", "explanation": "3", "satisfaction": "4"}
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
