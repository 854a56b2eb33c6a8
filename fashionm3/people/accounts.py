"""People's data as capabilities of the service: stated preferences, likes, history, wardrobe, export and delete,
and the personal API keys. :class:`~fashionm3.service.FashionM3` inherits these methods; every user id they take
was verified by an adapter (a signed browser token, a Hugging Face login or an API key), never taken from input."""

from __future__ import annotations

import collections
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from fashionm3.errors import InvalidInput
from fashionm3.generation.request import check_description
from fashionm3.people import wardrobe
from fashionm3.people.files import UserFiles
from fashionm3.people.wardrobe import WardrobePiece
from fashionm3.retrieval.preference import Preference, build_preference
from fashionm3.security import inputs

if TYPE_CHECKING:
    from fashionm3.backends import UserStore
    from fashionm3.catalog.schema import Catalog, Item
    from fashionm3.config import Settings
    from fashionm3.images import ImageSource
    from fashionm3.retrieval.engine import SearchEngine
    from fashionm3.stylist.state import SessionStore
    from fashionm3.study.records import Study

MAX_USER_ID_CHARS = 128
MAX_ITEM_ID_CHARS = 64
PREFERENCE_CACHE = 256


class People:
    """The per-user capabilities (mixed into the service, which provides the attributes below)."""

    settings: "Settings"
    catalog: "Catalog"
    engine: "SearchEngine"
    store: "UserStore"
    sessions: "SessionStore"
    study: "Study | None"
    user_files: UserFiles
    _preferences: collections.OrderedDict
    _preference_lock: threading.Lock

    def preference_for(self, user_id: str) -> Preference | None:
        """The user's likes, dislikes and stated preferences as a re-ranking preference (None without any, or
        for a caller without an identity)."""
        if not user_id:
            return None
        user_id = check_user_id(user_id)
        feedback, stated = self.store.feedback(user_id), self.stated_preferences(user_id)
        if not feedback and not stated:
            return None
        signature = (user_id, tuple(feedback.items()), json.dumps(stated, sort_keys=True))
        with self._preference_lock:
            if (cached := self._preferences.get(signature)) is not None:
                self._preferences.move_to_end(signature)
                return cached
        preference = build_preference(self.catalog, self.engine.encoder, feedback, self.engine.image_index is not None, stated)
        with self._preference_lock:
            self._preferences[signature] = preference
            while len(self._preferences) > PREFERENCE_CACHE:
                self._preferences.popitem(last=False)
        return preference

    def save_preferences(
        self, user_id: str, styles: list[str] = (), favour_colours: list[str] = (), avoid_colours: list[str] = (),
        budget_max: float | None = None, sizes: str = "",
    ) -> dict[str, object]:  # fmt: skip
        """Store what the user says they like: styles (occasions), colours to favour or avoid, budget, sizes."""
        user_id = check_user_id(user_id)
        colours, usages = set(self.catalog.values("colour")), set(self.catalog.values("usage"))
        unknown = [c for c in [*favour_colours, *avoid_colours] if c not in colours] + [u for u in styles if u not in usages]
        if unknown:
            raise InvalidInput(f"Unknown colour or style {unknown[0]!r}; choose from the lists shown.")
        if budget_max is not None and not 0 < float(budget_max) < 1e6:
            raise InvalidInput("The budget must be a positive amount.")
        if len(sizes or "") > 200:
            raise InvalidInput("Keep sizes under 200 characters, e.g. “M, 32/32, EU 42”.")
        preferences = {"styles": list(styles), "favour_colours": list(favour_colours), "avoid_colours": list(avoid_colours),
                       "budget_max": float(budget_max) if budget_max else None, "sizes": (sizes or "").strip()}  # fmt: skip
        self.store.add_event(user_id, "preferences", preferences)
        return {"ok": True, "user_id": user_id, "preferences": preferences}

    def stated_preferences(self, user_id: str) -> dict[str, object]:
        """The user's latest stated preferences ({} when none were given)."""
        return self.store.latest(check_user_id(user_id), "preferences") or {}

    def export_user_data(self, user_id: str) -> dict[str, object]:
        """Everything stored about the user (preferences, likes, dislikes, full history) as one JSON object."""
        return {**self.user_profile(user_id), "history": self.store.history(check_user_id(user_id), limit=1_000_000)}

    def add_to_wardrobe(self, user_id: str, photo: "ImageSource") -> WardrobePiece:
        """Keep a photo of a garment the user owns (recognised by its nearest catalog products)."""
        return wardrobe.add_piece(self.store, self.engine, self.settings.data_dir, check_user_id(user_id), self.load_user_image(photo).image)

    def wardrobe(self, user_id: str) -> list[WardrobePiece]:
        """The garments the user said they own, newest first (none for a caller without an identity)."""
        return wardrobe.pieces(self.store, check_user_id(user_id)) if user_id else []

    def onboarding_items(self, count: int = 12) -> list[Item]:
        """A dozen diverse catalog items (different types and colours) for a new user to like or dislike."""
        chosen: list[Item] = []
        for item in self.catalog.items:
            if item.image_path and all(item.article_type != c.article_type and item.colour != c.colour for c in chosen):
                chosen.append(item)
            if len(chosen) == count:
                break
        return chosen

    def delete_user_data(self, user_id: str) -> dict[str, object]:
        """Erase everything stored about the user (history, likes, preferences, API keys, wardrobe photos, exports
        and uploads); returns how many records went."""
        user_id = check_user_id(user_id)
        removed = self.store.delete_user(user_id)
        wardrobe.remove_photos(self.settings.data_dir, user_id)
        self.sessions.forget_user(user_id)
        self.user_files.purge(user_id)
        with self._preference_lock:
            for signature in [key for key in self._preferences if key[0] == user_id]:
                del self._preferences[signature]
        return {"ok": True, "user_id": user_id, "removed": removed}

    def record_feedback(self, user_id: str, item_id: str, liked: bool, session_id: str = "") -> dict[str, object]:
        """Store a like or dislike of a catalog item for this user."""
        user_id, liked = check_user_id(user_id), inputs.as_bool(liked, "liked")
        item = self.catalog.get(inputs.clean_text(item_id, "item_id", MAX_ITEM_ID_CHARS, allow_empty=False))
        self.store.set_feedback(user_id, item.id, liked, inputs.session_id(session_id))
        if self.study:
            self.study.log_feedback(user_id, item.id, liked)
        return {"ok": True, "item_id": item.id, "liked": liked}

    def user_profile(self, user_id: str) -> dict[str, object]:
        """The user's likes, dislikes and recent history."""
        user_id = check_user_id(user_id)
        feedback = self.store.feedback(user_id)
        return {
            "user_id": user_id,
            "preferences": self.stated_preferences(user_id),
            "liked": [item_id for item_id, liked in feedback.items() if liked],
            "disliked": [item_id for item_id, liked in feedback.items() if not liked],
            "history": self.store.history(user_id),
        }


    def record_image_feedback(self, user_id: str, description: str, liked: bool, image_path: str = "", session_id: str = "") -> dict[str, object]:
        """Store a like or dislike of a generated image (kept with the description it was drawn from)."""
        user_id = check_user_id(user_id)
        payload = {"description": check_description(description), "liked": inputs.as_bool(liked, "liked"), "image": Path(image_path).name}
        self.store.add_event(user_id, "image_feedback", payload, inputs.session_id(session_id))
        return {"ok": True, **payload}

    def log_event(self, user_id: str, kind: str, payload: dict[str, object], session_id: str = "") -> None:
        """Add an event to the user's history; a caller without an identity keeps no history."""
        if user_id:
            self.store.add_event(check_user_id(user_id), kind, payload, session_id)


def check_user_id(user_id: str) -> str:
    """User ids are opaque non-empty strings of reasonable length."""
    user_id = (user_id or "").strip()
    if not user_id or len(user_id) > MAX_USER_ID_CHARS:
        raise InvalidInput(f"user_id must be a non-empty string of at most {MAX_USER_ID_CHARS} characters.")
    return user_id
