"""Study records in the user store (events of kind ``study_*``): consent and codes, task starts and ends, turns,
answers.

Nothing is recorded for a visitor who has not consented. A task is answered only after it was started and marked
done, and only once: every answer is one record (participant, task, question) under a unique key in the store, so
two simultaneous submissions cannot both land. Every record carries the protocol version and the hash of the
consent text the participant agreed to. ``export`` writes everything as CSV and JSONL for analysis.
"""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path
from typing import Any, Protocol as Interface

from fashionm3.backends import UserStore
from fashionm3.errors import InvalidInput
from fashionm3.study.protocol import SUS_ITEMS, Protocol, sus_score
from fashionm3.study.quality import participant_quality

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
KINDS = ("study_consent", "study_task", "study_done", "study_turn", "study_feedback", "study_answer", "study_sus")
SUS_TASK = "sus"  # the task id of the SUS rows in answers.csv


class StudyStore(UserStore, Interface):
    """A user store that can also append records allowed once per user and key."""

    def add_events_once(self, user_id: str, kind: str, keyed: list[tuple[str, dict[str, Any]]]) -> bool: ...


class Study:
    """One study (a protocol) recorded in a user store."""

    def __init__(self, protocol: Protocol, store: StudyStore):
        self.protocol = protocol
        self.store = store

    def enroll(self, user_id: str, consented: bool) -> str:
        """Record consent and return the participant code (the same code if the visitor enrolled before)."""
        if not consented:
            raise InvalidInput("Taking part needs your consent: tick the box after reading the information above.")
        existing = self.participant(user_id)
        if existing:
            return existing
        code = "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        self.store.add_events_once(user_id, "study_consent", [("consent", self._stamped({"code": code, "study": self.protocol.title,
                                                                                         "consent": self.protocol.consent}))])  # fmt: skip
        return self.participant(user_id) or code

    def participant(self, user_id: str) -> str | None:
        """The visitor's participant code, or None before consent."""
        consent = self.store.latest(user_id, "study_consent")
        return consent["code"] if consent else None

    def start_task(self, user_id: str, task_id: str) -> None:
        """Mark the task the participant works on; later turns are logged under it."""
        self._require_participant(user_id)
        self.protocol.task(task_id)
        if task_id in self.answered(user_id):
            raise InvalidInput("You already answered this task; choose another one.")
        self._record(user_id, "study_task", {"task_id": task_id})

    def finish_task(self, user_id: str, task_id: str) -> None:
        """The participant says they are done with the task they started: its questions may now be answered."""
        if self.current_task(user_id) != task_id:
            raise InvalidInput("Start this task first, use the app, then say you are done.")
        self.store.add_events_once(user_id, "study_done", [(f"done:{task_id}", self._stamped({"task_id": task_id}))])

    def current_task(self, user_id: str) -> str:
        started = self.store.latest(user_id, "study_task")
        return started["task_id"] if started else ""

    def pending_task(self, user_id: str) -> str:
        """The started task the participant marked done and has not answered yet (its questions are shown), or ''."""
        task_id = self.current_task(user_id)
        if not task_id or task_id in self.answered(user_id):
            return ""
        done = {event["task_id"] for event in self._events(user_id, "study_done")}
        return task_id if task_id in done else ""

    def answered(self, user_id: str) -> list[str]:
        """The tasks the participant answered, in the protocol's order."""
        ids = {event["task_id"] for event in self._events(user_id, "study_answer")}
        return [task.id for task in self.protocol.tasks if task.id in ids]

    def log_turn(self, user_id: str, **fields: Any) -> None:
        """Log one chat turn (latency, routed task, backend, tools, items shown) if the visitor consented."""
        if self.participant(user_id):
            self._record(user_id, "study_turn", {"task_id": self.current_task(user_id), **fields})

    def log_feedback(self, user_id: str, item_id: str, liked: bool) -> None:
        if self.participant(user_id):
            self._record(user_id, "study_feedback", {"task_id": self.current_task(user_id), "item_id": item_id, "liked": liked})

    def answer_task(self, user_id: str, task_id: str, answers: dict[str, int]) -> None:
        """Record the Likert answers for one task: the started task marked done, every question once, in range."""
        self._require_participant(user_id)
        self.protocol.task(task_id)
        if task_id in self.answered(user_id):
            raise InvalidInput("You already answered the questions for this task; answers cannot be changed.")
        if self.pending_task(user_id) != task_id:
            raise InvalidInput("Answer the questions of the task you started, after you say you are done with it.")
        wanted = {question_id for question_id, _ in self.protocol.questions}
        if set(answers) != wanted:
            raise InvalidInput(f"Answer every question ({len(wanted)}) for this task.")
        _check_range(answers.values(), self.protocol.scale)
        keyed = [(f"task:{task_id}:{qid}", self._stamped({"task_id": task_id, "question": qid, "answer": int(answers[qid])}))
                 for qid, _ in self.protocol.questions]  # fmt: skip
        if not self.store.add_events_once(user_id, "study_answer", keyed):
            raise InvalidInput("You already answered the questions for this task; answers cannot be changed.")

    def answer_sus(self, user_id: str, answers: list[int]) -> float:
        """Record the ten SUS answers (1-5) once, after at least one task; returns the SUS score."""
        self._require_participant(user_id)
        if not self.answered(user_id):
            raise InvalidInput("The final questionnaire comes after your tasks: answer at least one task first.")
        if len(answers) != len(SUS_ITEMS):
            raise InvalidInput(f"Answer all {len(SUS_ITEMS)} questionnaire items.")
        _check_range(answers, 5)
        keyed = [(f"sus:{n}", self._stamped({"item": n, "answer": int(a)})) for n, a in enumerate(answers, start=1)]
        if not self.store.add_events_once(user_id, "study_sus", keyed):
            raise InvalidInput("You already submitted the final questionnaire. Thank you!")
        return sus_score([int(a) for a in answers])

    def progress(self, user_id: str) -> dict[str, Any]:
        """The participant's code, answered tasks, the task in progress, the task awaiting answers, SUS done."""
        return {"code": self.participant(user_id), "answered": self.answered(user_id), "total": len(self.protocol.tasks),
                "current": self.current_task(user_id), "pending": self.pending_task(user_id),
                "sus_done": bool(self._events(user_id, "study_sus"))}  # fmt: skip

    def export(self, out: Path) -> dict[str, int]:
        """Write ``events.jsonl`` (every record), ``answers.csv`` (one row per answered question, SUS items included),
        ``sus.csv`` (scores), ``turns.csv``, ``quality.csv`` (attention and consistency notes) and
        ``protocol.json``; returns counts."""
        out.mkdir(parents=True, exist_ok=True)
        records = self.store.all_events(list(KINDS))
        codes = {r["user_id"]: r["code"] for r in records if r["kind"] == "study_consent"}
        rows = [{"participant": codes.get(r["user_id"], ""), **{k: v for k, v in r.items() if k != "user_id"}} for r in records]
        with (out / "events.jsonl").open("w", encoding="utf-8") as file:
            file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        stamp = ("protocol_version", "consent_sha256")
        answers = [{"participant": r["participant"], "time": r["time"], "task_id": r["task_id"], "question": r["question"], "answer": r["answer"],
                    **{k: r.get(k, "") for k in stamp}} for r in rows if r["kind"] == "study_answer"]  # fmt: skip
        answers += [{"participant": r["participant"], "time": r["time"], "task_id": SUS_TASK, "question": f"sus{r['item']}", "answer": r["answer"],
                     **{k: r.get(k, "") for k in stamp}} for r in rows if r["kind"] == "study_sus"]  # fmt: skip
        by_code: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_code.setdefault(row["participant"], []).append(row)
        sus = []
        for code, mine in by_code.items():
            items = [r["answer"] for r in sorted((r for r in mine if r["kind"] == "study_sus"), key=lambda r: r["item"])]
            if len(items) == len(SUS_ITEMS):
                sus.append({"participant": code, "score": sus_score(items), **{f"q{n}": a for n, a in enumerate(items, start=1)}})
        turns = [{"participant": r["participant"], "time": r["time"], "task_id": r.get("task_id", ""), "latency_ms": r.get("latency_ms"),
                  "task": r.get("task"), "backend": r.get("backend"), "tools": " ".join(r.get("tools", [])), "items": " ".join(r.get("items", []))}
                 for r in rows if r["kind"] == "study_turn"]  # fmt: skip
        quality = [participant_quality(code, mine) for code, mine in by_code.items() if code]
        for name, table in (("answers.csv", answers), ("sus.csv", sus), ("turns.csv", turns), ("quality.csv", quality)):
            _write_csv(out / name, table)
        protocol = {"title": self.protocol.title, "version": self.protocol.version, "consent": self.protocol.consent,
                    "consent_sha256": self.protocol.consent_sha256, "scale": self.protocol.scale, "anchors": list(self.protocol.anchors),
                    "questions": dict(self.protocol.questions), "tasks": [t.id for t in self.protocol.tasks], "sus_items": list(SUS_ITEMS)}  # fmt: skip
        (out / "protocol.json").write_text(json.dumps(protocol, indent=1, ensure_ascii=False), encoding="utf-8")
        return {"participants": len(codes), "events": len(rows), "answers": len(answers), "sus": len(sus), "turns": len(turns)}

    def _require_participant(self, user_id: str) -> None:
        if not self.participant(user_id):
            raise InvalidInput("Take part first: read the information above and tick the consent box.")

    def _stamped(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "protocol_version": self.protocol.version, "consent_sha256": self.protocol.consent_sha256}

    def _record(self, user_id: str, kind: str, payload: dict[str, Any]) -> None:
        self.store.add_event(user_id, kind, self._stamped(payload))

    def _events(self, user_id: str, kind: str) -> list[dict[str, Any]]:
        return self.store.history(user_id, limit=100_000, kinds=[kind])


def _check_range(values: Any, scale: int) -> None:
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or not 1 <= value <= scale:
            raise InvalidInput(f"Answers must be whole numbers from 1 to {scale} (got {value!r}).")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        if rows:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
