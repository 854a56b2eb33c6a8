"""Study records in the user store (events of kind ``study_*``): consent and codes, task starts, turns, answers.

Nothing is recorded for a visitor who has not consented. Answers are validated (range, one submission per task)
and ``export`` writes everything as CSV and JSONL for analysis.
"""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path
from typing import Any

from fashionm3.backends import UserStore
from fashionm3.errors import InvalidInput
from fashionm3.study.protocol import SUS_ITEMS, Protocol, sus_score

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
KINDS = ("study_consent", "study_task", "study_turn", "study_feedback", "study_answers", "study_sus")


class Study:
    """One study (a protocol) recorded in a user store."""

    def __init__(self, protocol: Protocol, store: UserStore):
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
        self.store.add_event(user_id, "study_consent", {"code": code, "study": self.protocol.title})
        return code

    def participant(self, user_id: str) -> str | None:
        """The visitor's participant code, or None before consent."""
        consent = self.store.latest(user_id, "study_consent")
        return consent["code"] if consent else None

    def start_task(self, user_id: str, task_id: str) -> None:
        """Mark the task the participant works on; later turns are logged under it."""
        self.protocol.task(task_id)
        self._record(user_id, "study_task", {"task_id": task_id})

    def current_task(self, user_id: str) -> str:
        started = self.store.latest(user_id, "study_task")
        return started["task_id"] if started else ""

    def log_turn(self, user_id: str, **fields: Any) -> None:
        """Log one chat turn (latency, routed task, backend, tools, items shown) if the visitor consented."""
        if self.participant(user_id):
            self._record(user_id, "study_turn", {"task_id": self.current_task(user_id), **fields})

    def log_feedback(self, user_id: str, item_id: str, liked: bool) -> None:
        if self.participant(user_id):
            self._record(user_id, "study_feedback", {"task_id": self.current_task(user_id), "item_id": item_id, "liked": liked})

    def answer_task(self, user_id: str, task_id: str, answers: dict[str, int]) -> None:
        """Record the Likert answers for one task (each question once, in range, one submission per task)."""
        self.protocol.task(task_id)
        wanted = {question_id for question_id, _ in self.protocol.questions}
        if set(answers) != wanted:
            raise InvalidInput(f"Answer every question ({len(wanted)}) for this task.")
        _check_range(answers.values(), self.protocol.scale)
        if any(event.get("task_id") == task_id for event in self._events(user_id, "study_answers")):
            raise InvalidInput("You already answered the questions for this task; answers cannot be changed.")
        self._record(user_id, "study_answers", {"task_id": task_id, "answers": {k: int(v) for k, v in answers.items()}})

    def answer_sus(self, user_id: str, answers: list[int]) -> float:
        """Record the ten SUS answers (1-5) once; returns the SUS score."""
        if len(answers) != len(SUS_ITEMS):
            raise InvalidInput(f"Answer all {len(SUS_ITEMS)} questionnaire items.")
        _check_range(answers, 5)
        if self._events(user_id, "study_sus"):
            raise InvalidInput("You already submitted the final questionnaire. Thank you!")
        score = sus_score([int(a) for a in answers])
        self._record(user_id, "study_sus", {"answers": [int(a) for a in answers], "score": score})
        return score

    def progress(self, user_id: str) -> dict[str, Any]:
        """Which tasks the participant answered and whether the SUS is done."""
        answered = {event["task_id"] for event in self._events(user_id, "study_answers")}
        return {"code": self.participant(user_id), "answered": sorted(answered), "sus_done": bool(self._events(user_id, "study_sus"))}

    def export(self, out: Path) -> dict[str, int]:
        """Write ``events.jsonl`` (every record) and ``answers.csv``, ``sus.csv``, ``turns.csv``; returns counts."""
        out.mkdir(parents=True, exist_ok=True)
        records = self.store.all_events(list(KINDS))
        codes = {r["user_id"]: r["code"] for r in records if r["kind"] == "study_consent"}
        rows = [{"participant": codes.get(r["user_id"], ""), **{k: v for k, v in r.items() if k != "user_id"}} for r in records]
        with (out / "events.jsonl").open("w", encoding="utf-8") as file:
            file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        answers = [{"participant": r["participant"], "time": r["time"], "task_id": r["task_id"], "question": q, "answer": a}
                   for r in rows if r["kind"] == "study_answers" for q, a in r["answers"].items()]  # fmt: skip
        sus = [{"participant": r["participant"], "time": r["time"], "score": r["score"], **{f"q{n + 1}": a for n, a in enumerate(r["answers"])}}
               for r in rows if r["kind"] == "study_sus"]  # fmt: skip
        turns = [{"participant": r["participant"], "time": r["time"], "task_id": r.get("task_id", ""), "latency_ms": r.get("latency_ms"),
                  "task": r.get("task"), "backend": r.get("backend"), "tools": " ".join(r.get("tools", [])), "items": " ".join(r.get("items", []))}
                 for r in rows if r["kind"] == "study_turn"]  # fmt: skip
        for name, table in (("answers.csv", answers), ("sus.csv", sus), ("turns.csv", turns)):
            _write_csv(out / name, table)
        return {"participants": len(codes), "events": len(rows), "answers": len(answers), "sus": len(sus), "turns": len(turns)}

    def _record(self, user_id: str, kind: str, payload: dict[str, Any]) -> None:
        self.store.add_event(user_id, kind, payload)

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
