"""Files that hold one user's data outside the user store (exports, uploaded photos), kept track of per run."""

from __future__ import annotations

import threading
from pathlib import Path


class UserFiles:
    """Files written for or uploaded by a user (exports, photos) during this run, removed when they delete their data."""

    def __init__(self) -> None:
        self._files: dict[str, set[Path]] = {}
        self._lock = threading.Lock()

    def track(self, user_id: str, *paths: "str | Path") -> None:
        """Remember files that hold this user's data."""
        with self._lock:
            self._files.setdefault(user_id, set()).update(Path(path) for path in paths if path)

    def purge(self, user_id: str) -> int:
        """Delete the user's files; returns how many were removed."""
        with self._lock:
            paths = self._files.pop(user_id, set())
        removed = 0
        for path in paths:
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed
