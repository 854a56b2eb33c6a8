"""Conversation state kept per chat session: the outfit so far, the target, constraints, what was shown/rejected."""

from __future__ import annotations

import collections
import dataclasses
import secrets
import threading
import time
from typing import Any

from PIL import Image

from fashionm3.stylist.description import ItemDescription

MAX_SESSIONS = 1000
MAX_TURNS_KEPT = 12
SESSION_TTL_S = 2 * 3600  # a conversation idle for longer is forgotten
PHOTO_KEPT_PX = 256  # outfit photos are kept as thumbnails: the collage cell the model sees is 256 px


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
    user_id: str  # "" for a caller without an identity: then the unguessable session id is the identity
    outfit: list[OutfitPiece] = dataclasses.field(default_factory=list)
    kept_photos: list[Image.Image] = dataclasses.field(default_factory=list)  # outfit thumbnails (collage input)
    target_types: list[str] = dataclasses.field(default_factory=list)  # catalog article types being looked for
    constraints: dict[str, Any] = dataclasses.field(default_factory=dict)
    shown: list[str] = dataclasses.field(default_factory=list)  # catalog ids shown, newest last
    rejected: list[str] = dataclasses.field(default_factory=list)
    turns: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (role, text)
    last_task: str = ""
    last_description: ItemDescription | None = None
    last_items: list[str] = dataclasses.field(default_factory=list)  # ids of the last answer's items
    claimable: bool = False  # the request being refined named a kind of item and was read word for word

    @property
    def photos(self) -> list[Image.Image]:
        """The outfit photos, as thumbnails of at most ``PHOTO_KEPT_PX`` pixels a side."""
        return self.kept_photos

    @photos.setter
    def photos(self, photos: list[Image.Image]) -> None:
        thumbnails = []
        for photo in photos:
            thumbnail = photo.copy()
            thumbnail.thumbnail((PHOTO_KEPT_PX, PHOTO_KEPT_PX))
            thumbnails.append(thumbnail)
        self.kept_photos = thumbnails

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
    """In-memory conversations, thread-safe and bounded: idle ones expire after ``ttl_s``, the least recently used
    go beyond ``capacity``.

    A session id belongs to the identity that started it: another identity presenting it gets a new session.
    """

    def __init__(self, capacity: int = MAX_SESSIONS, ttl_s: float = SESSION_TTL_S):
        self.capacity, self.ttl_s = capacity, ttl_s
        self._sessions: collections.OrderedDict[str, Conversation] = collections.OrderedDict()
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def open(self, session_id: str, user_id: str) -> Conversation:
        """The conversation for ``session_id`` (a fresh one when unknown, empty, expired or owned by someone else)."""
        with self._lock:
            now = time.monotonic()
            while self._sessions and now - self._used[next(iter(self._sessions))] > self.ttl_s:
                self._drop(next(iter(self._sessions)))
            conversation = self._sessions.get(session_id) if session_id else None
            if conversation is None or conversation.user_id != user_id:
                conversation = Conversation(session_id=f"s-{secrets.token_urlsafe(16)}", user_id=user_id)
                self._sessions[conversation.session_id] = conversation
            self._sessions.move_to_end(conversation.session_id)
            self._used[conversation.session_id] = now
            while len(self._sessions) > self.capacity:
                self._drop(next(iter(self._sessions)))
            return conversation

    def __len__(self) -> int:
        return len(self._sessions)

    def forget_user(self, user_id: str) -> None:
        """Drop every conversation of this user (their data was deleted)."""
        with self._lock:
            for session_id in [sid for sid, conversation in self._sessions.items() if conversation.user_id == user_id]:
                self._drop(session_id)

    def _drop(self, session_id: str) -> None:
        del self._sessions[session_id]
        del self._used[session_id]
