"""What a stylist backend is asked: the request object, and the chat messages every model backend sends."""

from __future__ import annotations

import dataclasses
from typing import Any

from PIL import Image

from fashionm3.stylist.description import JSON_SCHEMA_HINT
from fashionm3.stylist.state import OutfitPiece

SYSTEM_PROMPT = (
    "You are FashionM3, a fashion stylist. The user shows a partial outfit (a collage of item photos) and/or "
    "describes it, and asks for one item. Recommend exactly one item of the target category that goes with the "
    "outfit and respects every constraint. Answer with one JSON object and nothing else:\n" + JSON_SCHEMA_HINT
)
TASK_INSTRUCTIONS = {
    "basic": "Complete the outfit with one missing item.",
    "personalized": "Complete the outfit with one item the user will like, following their stated preference.",
    "alternative": "Suggest an alternative for the named piece: another item of the same category.",
    "search": "Describe the item the user is looking for.",
}


@dataclasses.dataclass
class StylistRequest:
    """One turn's request to the stylist, gathered by the orchestrator from the message and the session."""

    task: str
    message: str
    outfit: list[OutfitPiece] = dataclasses.field(default_factory=list)
    collage: Image.Image | None = None
    target_types: list[str] = dataclasses.field(default_factory=list)  # catalog article types (may be empty)
    replace: str = ""  # alternative task: the piece to replace, in words
    constraints: dict[str, Any] = dataclasses.field(default_factory=dict)
    preference: str = ""  # "I prefer ..." (personalized task)
    refinements: list[str] = dataclasses.field(default_factory=list)
    previous: str = ""  # the last recommended item, in words
    history: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # earlier (role, text) turns
    categories: list[str] = dataclasses.field(default_factory=list)  # the catalog's article types


def describe_constraints(constraints: dict[str, Any]) -> str:
    """Constraints in words, e.g. "gender: Men; price under 50; avoid: leather"."""
    parts = []
    for name, value in constraints.items():
        if value in (None, "", []):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else f"{value}"
        label = {"price_max": "price under", "price_min": "price over", "avoid_materials": "avoid materials",
                 "avoid_colours": "avoid colours"}.get(name, f"{name.replace('_', ' ')}:")  # fmt: skip
        parts.append(f"{label} {shown}")
    return "; ".join(parts)


def user_prompt(request: StylistRequest) -> str:
    """The text of the final user message: task, outfit, target, constraints, preference and the user's words."""
    lines = [f"Task: {TASK_INSTRUCTIONS.get(request.task, TASK_INSTRUCTIONS['basic'])}"]
    if request.outfit:
        lines.append("Current outfit: " + ", ".join(piece.label() for piece in request.outfit) + ".")
    if request.replace:
        lines.append(f"Piece to replace: {request.replace}.")
    if request.target_types:
        lines.append("Target category: " + " or ".join(request.target_types) + ".")
    elif request.categories:
        lines.append("Choose the category from: " + ", ".join(request.categories[:60]) + ".")
    if request.constraints:
        lines.append(f"Constraints: {describe_constraints(request.constraints)}.")
    if request.previous:
        lines.append(f"Previously recommended: {request.previous}. Refinement asked: {', '.join(request.refinements) or 'none'}.")
    if request.preference:
        lines.append(request.preference)
    lines.append(f"User: {request.message or '(only photos)'}")
    return "\n".join(lines)


def chat_messages(request: StylistRequest) -> list[dict[str, Any]]:
    """Chat-template messages: system prompt, earlier turns as text, then the collage and this turn's prompt."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": [{"type": "text", "text": SYSTEM_PROMPT}]}]
    for role, text in request.history:
        messages.append({"role": role, "content": [{"type": "text", "text": text}]})
    content: list[dict[str, Any]] = []
    if request.collage is not None:
        content.append({"type": "image", "image": request.collage})
    content.append({"type": "text", "text": user_prompt(request)})
    messages.append({"role": "user", "content": content})
    return messages


def preference_prompt(item_descriptions: list[str], category: str) -> list[dict[str, Any]]:
    """Messages asking a model to summarise liked items in one sentence starting "I prefer"."""
    listing = "\n".join(f"- {text}" for text in item_descriptions)
    text = (
        f"These are {category} items the user liked:\n{listing}\n"
        "Summarise the user's taste in one sentence that starts with \"I prefer\". Mention colours and style."
    )
    return [{"role": "user", "content": [{"type": "text", "text": text}]}]
