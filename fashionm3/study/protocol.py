"""The study script: tasks, their Likert questions and the System Usability Scale, read from JSON or YAML.

A researcher points ``FASHIONM3_STUDY_FILE`` at a file shaped like :data:`DEFAULT_PROTOCOL`; a malformed file stops
the app at startup with a message naming the file and the problem (never a half-configured study).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import yaml

from fashionm3.errors import InvalidInput

TASK_KINDS = ("auto", "basic", "personalized", "alternative", "search", "generate", "try_on")
SUS_ITEMS = (  # Brooke (1996); odd items are positive, even items negative
    "I think that I would like to use this system frequently.",
    "I found the system unnecessarily complex.",
    "I thought the system was easy to use.",
    "I think that I would need the support of a technical person to be able to use this system.",
    "I found the various functions in this system were well integrated.",
    "I thought there was too much inconsistency in this system.",
    "I would imagine that most people would learn to use this system very quickly.",
    "I found the system very cumbersome to use.",
    "I felt very confident using the system.",
    "I needed to learn a lot of things before I could get going with this system.",
)
AGREEMENT = ("strongly disagree", "strongly agree")
DEFAULT_PROTOCOL = {
    "title": "FashionM3 user study",
    "version": "2026-12-02",
    "consent": "This study records your chat messages, the items shown to you, your ratings and your answers, "
    "linked to a random participant code (no name, no e-mail). You may stop at any time; ask the researcher "
    "to delete your data with your code.",
    "scale": 5,
    "anchors": list(AGREEMENT),
    "questions": [
        {"id": "relevance", "text": "The recommended items fit what I asked for."},
        {"id": "explanation", "text": "The explanations helped me understand the recommendations."},
        {"id": "satisfaction", "text": "I am satisfied with the result of this task."},
    ],
    "tasks": [
        {"id": "complete", "kind": "basic", "title": "Complete an outfit",
         "instructions": "Upload or describe a partial outfit and ask FashionM3 for the missing piece."},
        {"id": "personal", "kind": "personalized", "title": "A personalised request",
         "instructions": "Like a few items you enjoy, then ask for a personalised recommendation."},
        {"id": "alternative", "kind": "alternative", "title": "Find an alternative",
         "instructions": "Ask for an alternative to one piece of an outfit (e.g. other shoes)."},
        {"id": "visualise", "kind": "generate", "title": "Visualise an item",
         "instructions": "Ask FashionM3 to show what a recommended item looks like."},
        {"id": "try_on", "kind": "try_on", "title": "Try it on",
         "instructions": "Send a recommended garment to the Try-on tab with a photo of yourself."},
    ],
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class StudyTask:
    id: str
    kind: str
    title: str
    instructions: str


@dataclasses.dataclass(frozen=True)
class Protocol:
    """A validated study script."""

    title: str
    version: str
    consent: str
    scale: int
    anchors: tuple[str, str]  # what the lowest and the highest point of every Likert question mean
    questions: tuple[tuple[str, str], ...]  # (id, text)
    tasks: tuple[StudyTask, ...]

    @property
    def consent_sha256(self) -> str:
        """Names the exact consent text a participant agreed to (stored with every record)."""
        return hashlib.sha256(self.consent.encode("utf-8")).hexdigest()

    def task(self, task_id: str) -> StudyTask:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise InvalidInput(f"Unknown study task {task_id!r}; tasks are: {', '.join(t.id for t in self.tasks)}.")


def load_protocol(path: str | Path | None = None) -> Protocol:
    """The protocol in ``path`` (``.json``, ``.yaml`` or ``.yml``), or the default one."""
    if not path:
        return parse_protocol(DEFAULT_PROTOCOL, "the default protocol")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"Cannot read the study file {path}: {str(error).splitlines()[0]}") from error
    return parse_protocol(data, str(path))


def parse_protocol(data: object, source: str) -> Protocol:
    """Validate a protocol given as plain data; errors name ``source`` and the offending part."""

    def fail(problem: str) -> InvalidInput:
        return InvalidInput(f"Study file {source}: {problem}")

    if not isinstance(data, dict):
        raise fail("the top level must be a mapping with title, consent, questions and tasks.")
    scale = data.get("scale", 5)
    if not isinstance(scale, int) or not 3 <= scale <= 10:
        raise fail("scale must be a whole number from 3 to 10 (points on each Likert question).")
    anchors = data.get("anchors", list(AGREEMENT))
    if not isinstance(anchors, list) or len(anchors) != 2 or not all(isinstance(a, str) and a.strip() for a in anchors):
        raise fail("anchors must be two words or phrases: what the lowest and the highest point mean.")
    questions, tasks = data.get("questions"), data.get("tasks")
    if not isinstance(questions, list) or not all(isinstance(q, dict) and q.get("id") and q.get("text") for q in questions):
        raise fail("questions must be a list of {id, text}.")
    if not isinstance(tasks, list) or not tasks or not all(isinstance(t, dict) and t.get("id") and t.get("title") for t in tasks):
        raise fail("tasks must be a non-empty list of {id, kind, title, instructions}.")
    for task in tasks:
        if task.get("kind", "auto") not in TASK_KINDS:
            raise fail(f"task {task['id']!r} has kind {task.get('kind')!r}; use one of {', '.join(TASK_KINDS)}.")
    for name, ids in (("question", [q["id"] for q in questions]), ("task", [t["id"] for t in tasks])):
        if len(set(ids)) != len(ids):
            raise fail(f"two {name}s share an id.")
    return Protocol(
        title=str(data.get("title", "FashionM3 user study")),
        version=str(data.get("version", "1")),
        consent=str(data.get("consent", DEFAULT_PROTOCOL["consent"])),
        scale=scale,
        anchors=(anchors[0].strip(), anchors[1].strip()),
        questions=tuple((str(q["id"]), str(q["text"])) for q in questions),
        tasks=tuple(StudyTask(str(t["id"]), str(t.get("kind", "auto")), str(t["title"]), str(t.get("instructions", ""))) for t in tasks),
    )


def scale_choices(points: int, anchors: tuple[str, str]) -> list[tuple[str, int]]:
    """Labelled answer choices: the first and the last point carry their anchor ("1 · strongly disagree")."""
    return [(f"{n} · {anchors[0]}" if n == 1 else f"{n} · {anchors[1]}" if n == points else str(n), n) for n in range(1, points + 1)]


def sus_score(answers: list[int]) -> float:
    """The SUS score (0-100) of ten answers on a 1-5 scale."""
    return 2.5 * sum((a - 1) if n % 2 == 0 else (5 - a) for n, a in enumerate(answers))
