"""Conversation state kept per chat session: the outfit so far, the target, constraints, what was shown/rejected."""

from __future__ import annotations

import collections
import dataclasses
import secrets
import threading
from typing import Any

from PIL import Image

from fashionm3.stylist.description import ItemDescription

MAX_SESSIONS = 2000
MAX_TURNS_KEPT = 12


@dataclasses.dataclass
class OutfitPiece:
    """One piece of the user's current outfit, from a photo (recognised by its nearest catalog items) or the catalog."""

    article_type: str
    colour: str
    gender: str = ""
    usage: str = ""
    source: str = "photo"  # "photo" or "catalog"
    item_id: str = ""  # the catalog item (for photos: the nearest one)

    def label(self) -> str:
        """E.g. "navy blue shirts" ("a navy blue piece" when only the colour is known)."""
        if not self.article_type:
            return f"a {self.colour.lower()} piece" if self.colour else "an unknown piece"
        return f"{self.colour} {self.article_type}".strip().lower()


@dataclasses.dataclass
class Conversation:
    """Everything the assistant remembers about one chat session."""

    session_id: str
    user_id: str
    outfit: list[OutfitPiece] = dataclasses.field(default_factory=list)
    photos: list[Image.Image] = dataclasses.field(default_factory=list)  # the outfit photos (collage input)
    target_types: list[str] = dataclasses.field(default_factory=list)  # catalog article types being looked for
    constraints: dict[str, Any] = dataclasses.field(default_factory=dict)
    shown: list[str] = dataclasses.field(default_factory=list)  # catalog ids shown, newest last
    rejected: list[str] = dataclasses.field(default_factory=list)
    turns: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (role, text)
    last_task: str = ""
    last_description: ItemDescription | None = None
    last_items: list[str] = dataclasses.field(default_factory=list)  # ids of the last answer's items

    def remember(self, role: str, text: str) -> None:
        """Append a turn (only the last few are kept for the model's context)."""
        self.turns.append((role, text))
        del self.turns[:-MAX_TURNS_KEPT]

    def summary(self) -> dict[str, Any]:
        """The state as plain data (for logs and API callers)."""
        return {
            "outfit": [piece.label() for piece in self.outfit],
            "target": self.target_types,
            "constraints": self.constraints,
            "shown": len(self.shown),
            "rejected": self.rejected,
        }


class SessionStore:
    """In-memory conversations, least recently used dropped beyond ``MAX_SESSIONS``; thread-safe.

    A session id belongs to the user who started it: another user presenting it gets a new session.
    """

    def __init__(self, capacity: int = MAX_SESSIONS):
        self.capacity = capacity
        self._sessions: collections.OrderedDict[str, Conversation] = collections.OrderedDict()
        self._lock = threading.Lock()

    def open(self, session_id: str, user_id: str) -> Conversation:
        """The conversation for ``session_id`` (a fresh one when unknown, empty or owned by someone else)."""
        with self._lock:
            conversation = self._sessions.get(session_id) if session_id else None
            if conversation is None or conversation.user_id != user_id:
                conversation = Conversation(session_id=f"s-{secrets.token_urlsafe(10)}", user_id=user_id)
                self._sessions[conversation.session_id] = conversation
            self._sessions.move_to_end(conversation.session_id)
            while len(self._sessions) > self.capacity:
                self._sessions.popitem(last=False)
            return conversation

    def forget_user(self, user_id: str) -> None:
        """Drop every conversation of this user (their data was deleted)."""
        with self._lock:
            for session_id in [sid for sid, conversation in self._sessions.items() if conversation.user_id == user_id]:
                del self._sessions[session_id]
