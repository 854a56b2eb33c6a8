"""Attention and consistency notes per participant, computed from their records for the researchers' export.

These flag answers a researcher may want to look at before analysis; they never drop data:
- SUS straight-lining: all ten items answered the same;
- SUS contradictions: a positive item and the negative item after it both agreed with (>= 4) or both disagreed
  with (<= 2); three or more of the five pairs is flagged;
- Likert straight-lining: every question of two or more tasks answered the same;
- rushed tasks: marked done less than :data:`MIN_TASK_SECONDS` after they were started.
"""

from __future__ import annotations

from typing import Any

MIN_TASK_SECONDS = 20.0
MAX_SUS_CONTRADICTIONS = 2


def sus_contradictions(answers: list[int]) -> int:
    """How many of the five (positive, negative) SUS item pairs were answered the same way round."""
    pairs = zip(answers[0::2], answers[1::2])
    return sum((positive >= 4 and negative >= 4) or (positive <= 2 and negative <= 2) for positive, negative in pairs)


def participant_quality(code: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of notes for the participant ``code`` from their records (oldest first)."""
    likert = [r["answer"] for r in records if r["kind"] == "study_answer"]
    tasks = sorted({r["task_id"] for r in records if r["kind"] == "study_answer"})
    sus = [r["answer"] for r in sorted((r for r in records if r["kind"] == "study_sus"), key=lambda r: r["item"])]
    started: dict[str, float] = {}
    rushed = []
    for record in records:
        if record["kind"] == "study_task":
            started[record["task_id"]] = record["time"]
        elif record["kind"] == "study_done" and record["time"] - started.get(record["task_id"], record["time"]) < MIN_TASK_SECONDS:
            rushed.append(record["task_id"])
    flags = []
    if len(sus) == 10 and len(set(sus)) == 1:
        flags.append("SUS straight-lined")
    contradictions = sus_contradictions(sus) if len(sus) == 10 else None
    if contradictions is not None and contradictions > MAX_SUS_CONTRADICTIONS:
        flags.append(f"SUS contradicts itself in {contradictions} of 5 item pairs")
    if len(tasks) >= 2 and len(set(likert)) == 1:
        flags.append("every task question answered the same")
    if rushed:
        flags.append(f"done in under {MIN_TASK_SECONDS:.0f} s: {' '.join(rushed)}")
    return {
        "participant": code, "tasks_answered": len(tasks), "sus_items": len(sus),
        "sus_contradictions": "" if contradictions is None else contradictions, "rushed_tasks": " ".join(rushed),
        "note": "; ".join(flags) or "no flags",
    }  # fmt: skip
