"""What researchers and participants rely on from the study records: consent and codes, one answer per task and
question on the protocol's own scale, SUS on 1-5, and an export with every record (fast: SQLite in a temporary
folder, a 7-point protocol with two questions and three tasks)."""

from __future__ import annotations

import csv
import json
import re

import pytest

from fashionm3.errors import InvalidInput
from fashionm3.store import open_user_store
from fashionm3.study import records
from fashionm3.study.protocol import parse_protocol
from fashionm3.study.records import Study

SEVEN_POINTS = {
    "title": "Shoe study",
    "version": "v7",
    "consent": "Wir speichern Ihre Antworten unter einem Code — Zustimmung.",
    "scale": 7,
    "anchors": ["never", "always"],
    "questions": [{"id": "fit", "text": "It fits."}, {"id": "clear", "text": "It is clear."}],
    "tasks": [
        {"id": "t1", "kind": "basic", "title": "One"},
        {"id": "t2", "kind": "search", "title": "Two"},
        {"id": "t3", "kind": "generate", "title": "Three"},
    ],
}
ANSWERS = {"fit": 7, "clear": 1}


@pytest.fixture
def store(tmp_path):
    return open_user_store(tmp_path)


@pytest.fixture
def study(store) -> Study:
    return Study(parse_protocol(SEVEN_POINTS, "test"), store)


def enrolled(study: Study, user: str = "u1") -> str:
    return study.enroll(user, True)


def answer(study: Study, user: str, task_id: str, answers: dict | None = None) -> None:
    study.start_task(user, task_id)
    study.finish_task(user, task_id)
    study.answer_task(user, task_id, answers or ANSWERS)


def stamp(study: Study) -> dict:
    return {"protocol_version": "v7", "consent_sha256": study.protocol.consent_sha256}


def test_consent_records_the_code_study_and_consent_text_once(study, store):
    with pytest.raises(InvalidInput, match=r"^Taking part needs your consent: tick the box"):
        study.enroll("u1", False)
    assert study.participant("u1") is None and store.history("u1") == []
    code = enrolled(study)
    assert re.fullmatch(r"P-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}", code)
    assert study.enroll("u1", True) == code and study.participant("u1") == code
    consents = store.history("u1", kinds=["study_consent"])
    assert len(consents) == 1
    assert {k: v for k, v in consents[0].items() if k not in ("time", "session_id")} == {
        "kind": "study_consent", "code": code, "study": "Shoe study", "consent": SEVEN_POINTS["consent"], **stamp(study)}
    assert len({study.enroll(f"other{n}", True) for n in range(5)}) == 5  # random codes


def test_two_tabs_consenting_at_once_get_the_code_that_landed(study, store):
    real = store.add_events_once

    def other_tab_first(user_id, kind, keyed):  # the other tab's consent is stored between the check and the insert
        real(user_id, kind, [("consent", {"code": "P-OTHER1"})])
        return real(user_id, kind, keyed)

    store.add_events_once = other_tab_first
    assert study.enroll("u1", True) == "P-OTHER1"


def test_tasks_need_consent_a_known_task_and_the_right_order(study, store):
    with pytest.raises(InvalidInput, match=r"^Take part first: read the information above"):
        study.start_task("u1", "t1")
    with pytest.raises(InvalidInput, match=r"^Take part first"):
        study.answer_task("u1", "t1", ANSWERS)
    assert study.current_task("u1") == "" and store.history("u1") == []
    enrolled(study)
    with pytest.raises(InvalidInput, match="Unknown study task 'nope'"):
        study.start_task("u1", "nope")
    study.start_task("u1", "t2")
    assert study.current_task("u1") == "t2"
    task = store.latest("u1", "study_task")
    assert task == {"task_id": "t2", **stamp(study)}
    with pytest.raises(InvalidInput, match=r"^Start this task first, use the app, then say you are done\.$"):
        study.finish_task("u1", "t1")
    assert study.pending_task("u1") == ""
    study.finish_task("u1", "t2")
    study.finish_task("u1", "t2")  # saying it twice is harmless
    assert store.history("u1", kinds=["study_done"])[0]["task_id"] == "t2"
    assert len(store.history("u1", kinds=["study_done"])) == 1
    assert study.pending_task("u1") == "t2"
    with pytest.raises(InvalidInput, match="task you started, after you say you are done"):
        study.answer_task("u1", "t1", ANSWERS)
    study.answer_task("u1", "t2", ANSWERS)
    assert study.pending_task("u1") == "" and study.answered("u1") == ["t2"]
    with pytest.raises(InvalidInput, match=r"^You already answered this task; choose another one\.$"):
        study.start_task("u1", "t2")


def test_a_done_task_of_another_round_does_not_open_the_questions(study):
    enrolled(study)
    study.start_task("u1", "t1")
    study.finish_task("u1", "t1")
    study.start_task("u1", "t2")  # moved on without answering t1
    assert study.pending_task("u1") == ""
    with pytest.raises(InvalidInput, match="task you started"):
        study.answer_task("u1", "t1", ANSWERS)


def test_answers_use_the_protocols_scale_every_question_once_per_task(study, store):
    enrolled(study)
    study.start_task("u1", "t1")
    study.finish_task("u1", "t1")
    for bad in ({"fit": 3}, {"fit": 3, "clear": 3, "extra": 3}, {"fit": 3, "other": 3}):
        with pytest.raises(InvalidInput, match=r"^Answer every question \(2\) for this task\.$"):
            study.answer_task("u1", "t1", bad)
    for bad in (0, 8, 2.5, True, "3", None):
        with pytest.raises(InvalidInput, match=rf"^Answers must be whole numbers from 1 to 7 \(got {re.escape(repr(bad))}\)\.$"):
            study.answer_task("u1", "t1", {"fit": 4, "clear": bad})
    assert store.history("u1", kinds=["study_answer"]) == []
    study.answer_task("u1", "t1", {"fit": 7, "clear": 1.0})  # both ends of a 7-point scale; 1.0 is the whole number 1
    rows = store.history("u1", kinds=["study_answer"])
    got = sorted(((r["task_id"], r["question"], r["answer"]) for r in rows))
    assert got == [("t1", "clear", 1), ("t1", "fit", 7)] and all(type(r["answer"]) is int for r in rows)
    assert all(r["protocol_version"] == "v7" and r["consent_sha256"] == study.protocol.consent_sha256 for r in rows)
    with pytest.raises(InvalidInput, match=r"^You already answered the questions for this task; answers cannot"):
        study.answer_task("u1", "t1", ANSWERS)
    answer(study, "u1", "t3", {"fit": 2, "clear": 6})  # another task: its own answers, same questions
    answer(study, "u1", "t2")
    assert study.answered("u1") == ["t1", "t2", "t3"]  # the protocol's order, not the answering order
    assert len(store.history("u1", kinds=["study_answer"])) == 6


def test_a_submission_that_loses_the_race_is_refused(study, store):
    enrolled(study)
    study.start_task("u1", "t1")
    study.finish_task("u1", "t1")
    store.add_events_once("u1", "study_answer", [("task:t1:fit", {"task_id": "zz", "question": "fit", "answer": 1})])
    with pytest.raises(InvalidInput, match=r"^You already answered the questions for this task; answers cannot be changed\.$"):
        study.answer_task("u1", "t1", ANSWERS)
    other = Study(parse_protocol(SEVEN_POINTS, "test"), store)
    enrolled(other, "u2")
    store.add_events_once("u2", "study_answer", [("task:t2:fit", {"task_id": "zz", "question": "fit", "answer": 1})])
    answer(other, "u2", "t1")  # keys are per task: another task's key does not block this one


def test_sus_is_on_five_points_whatever_the_task_scale_and_submitted_once(study, store):
    with pytest.raises(InvalidInput, match=r"^Take part first"):
        study.answer_sus("u1", [3] * 10)
    enrolled(study)
    with pytest.raises(InvalidInput, match=r"^The final questionnaire comes after your tasks: answer at least one"):
        study.answer_sus("u1", [3] * 10)
    answer(study, "u1", "t1")
    for short in ([3] * 9, [3] * 11):
        with pytest.raises(InvalidInput, match=r"^Answer all 10 questionnaire items\.$"):
            study.answer_sus("u1", short)
    for bad in (6, 0):
        with pytest.raises(InvalidInput, match=r"whole numbers from 1 to 5 "):
            study.answer_sus("u1", [3] * 9 + [bad])
    assert study.progress("u1")["sus_done"] is False
    assert study.answer_sus("u1", [5, 1, 5, 1, 5, 1, 5, 1, 4.0, 2]) == 95.0
    rows = sorted(store.history("u1", kinds=["study_sus"]), key=lambda r: r["item"])
    assert [(r["item"], r["answer"]) for r in rows] == list(zip(range(1, 11), [5, 1, 5, 1, 5, 1, 5, 1, 4, 2]))
    assert all(type(r["answer"]) is int and r["protocol_version"] == "v7" for r in rows)
    with pytest.raises(InvalidInput, match=r"^You already submitted the final questionnaire\. Thank you!$"):
        study.answer_sus("u1", [3] * 10)
    assert study.progress("u1")["sus_done"] is True


def test_turns_and_feedback_are_logged_under_the_current_task_only_after_consent(study, store):
    study.log_turn("u1", task="search", latency_ms=5.0)
    study.log_feedback("u1", "42", True)
    assert store.history("u1") == []
    enrolled(study)
    study.log_turn("u1", task="search", latency_ms=5.0)
    assert store.latest("u1", "study_turn") == {"task_id": "", "task": "search", "latency_ms": 5.0, **stamp(study)}
    study.start_task("u1", "t3")
    study.log_turn("u1", task="generate", items=["1", "2"])
    study.log_feedback("u1", "42", False)
    assert store.latest("u1", "study_turn") == {"task_id": "t3", "task": "generate", "items": ["1", "2"], **stamp(study)}
    assert store.latest("u1", "study_feedback") == {"task_id": "t3", "item_id": "42", "liked": False, **stamp(study)}


def test_progress_reports_code_answers_current_pending_and_sus(study):
    code = enrolled(study)
    answer(study, "u1", "t2")
    study.start_task("u1", "t1")
    study.finish_task("u1", "t1")
    assert study.progress("u1") == {"code": code, "answered": ["t2"], "total": 3, "current": "t1", "pending": "t1",
                                    "sus_done": False}  # fmt: skip
    assert study.progress("u9") == {"code": None, "answered": [], "total": 3, "current": "", "pending": "", "sus_done": False}


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_export_holds_every_record_keyed_by_code(study, store, tmp_path):
    first, second = enrolled(study, "u1"), enrolled(study, "u2")
    answer(study, "u1", "t1", {"fit": 6, "clear": 2})
    study.log_turn("u1", latency_ms=12.5, task="basic", backend="offline", tools=["catalog_search", "outfit"], items=["7", "8"])
    study.answer_sus("u1", [4, 2] * 5)
    study.log_turn("u2", latency_ms=3.0)
    store.add_event("stranger", "chat", {"text": "not a study record"})
    out = tmp_path / "out" / "nested"
    counts = study.export(out)
    assert counts == {"participants": 2, "events": 2 + 2 + 2 + 2 + 10, "answers": 2 + 10, "sus": 1, "turns": 2}

    events = [json.loads(line) for line in (out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(events) == counts["events"] and all("user_id" not in e for e in events)
    assert {e["participant"] for e in events} == {first, second}
    assert "Zustimmung" in (out / "events.jsonl").read_text(encoding="utf-8")  # not escaped to \u sequences
    assert [e["kind"] for e in events if e["participant"] == first][:3] == ["study_consent", "study_task", "study_done"]

    answers = read_csv(out / "answers.csv")
    assert list(answers[0]) == ["participant", "time", "task_id", "question", "answer", "protocol_version", "consent_sha256"]
    task_rows = [(r["participant"], r["task_id"], r["question"], r["answer"]) for r in answers if r["task_id"] == "t1"]
    assert sorted(task_rows) == [(first, "t1", "clear", "2"), (first, "t1", "fit", "6")]
    sus_rows = [(r["task_id"], r["question"], r["answer"]) for r in answers if r["task_id"] == "sus"]
    assert sus_rows == [("sus", f"sus{n}", "4" if n % 2 else "2") for n in range(1, 11)]
    assert {r["protocol_version"] for r in answers} == {"v7"}
    assert {r["consent_sha256"] for r in answers} == {study.protocol.consent_sha256}
    assert all(float(r["time"]) > 1e9 for r in answers)

    sus = read_csv(out / "sus.csv")
    assert sus == [{"participant": first, "score": "75.0", **{f"q{n}": "4" if n % 2 else "2" for n in range(1, 11)}}]

    turns = read_csv(out / "turns.csv")
    assert list(turns[0]) == ["participant", "time", "task_id", "latency_ms", "task", "backend", "tools", "items"]
    mine = [t for t in turns if t["participant"] == first][0]
    assert {k: v for k, v in mine.items() if k != "time"} == {"participant": first, "task_id": "t1", "latency_ms": "12.5",
                                                             "task": "basic", "backend": "offline",
                                                             "tools": "catalog_search outfit", "items": "7 8"}  # fmt: skip
    theirs = [t for t in turns if t["participant"] == second][0]
    assert theirs["task_id"] == "" and theirs["tools"] == "" and theirs["items"] == "" and theirs["task"] == ""

    quality = {row["participant"]: row for row in read_csv(out / "quality.csv")}
    assert set(quality) == {first, second}
    assert quality[first]["tasks_answered"] == "1" and quality[first]["sus_items"] == "10"
    assert "under 20 s: t1" in quality[first]["note"]

    protocol = json.loads((out / "protocol.json").read_text(encoding="utf-8"))
    assert protocol == {"title": "Shoe study", "version": "v7", "consent": SEVEN_POINTS["consent"],
                        "consent_sha256": study.protocol.consent_sha256, "scale": 7, "anchors": ["never", "always"],
                        "questions": {"fit": "It fits.", "clear": "It is clear."}, "tasks": ["t1", "t2", "t3"],
                        "sus_items": list(records.SUS_ITEMS)}  # fmt: skip
    assert "Zustimmung" in (out / "protocol.json").read_text(encoding="utf-8") and "\n " in (out / "protocol.json").read_text()


def test_an_incomplete_sus_gets_no_score_and_an_empty_table_an_empty_file(study, store, tmp_path):
    enrolled(study)
    answer(study, "u1", "t1")
    store.add_events_once("u1", "study_sus", [(f"sus:{n}", {"item": n, "answer": 3}) for n in range(1, 10)])
    counts = study.export(tmp_path)
    assert counts["sus"] == 0 and (tmp_path / "sus.csv").read_text() == "" and (tmp_path / "turns.csv").read_text() == ""
    assert counts["answers"] == 2 + 9


def test_the_sus_table_orders_items_by_number(study, store, tmp_path):
    enrolled(study)
    answer(study, "u1", "t1")
    store.add_events_once("u1", "study_sus", [(f"sus:{n}", {"item": n, "answer": 5 if n == 1 else 1}) for n in (3, 1, 2, 4, 5, 6, 7, 8, 9, 10)])
    study.export(tmp_path)
    sus = read_csv(tmp_path / "sus.csv")[0]
    assert sus["q1"] == "5" and sus["q2"] == "1" and sus["score"] == "60.0"
