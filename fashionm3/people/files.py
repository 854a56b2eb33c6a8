"""Files that hold one user's data outside the user store (exports, uploaded photos), so "Delete my data" can
remove them, also after a restart."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path


class UserFiles:
    """Paths written for or uploaded by each user; with a ``folder`` the lists survive restarts (one private file
    per user, named by a hash of the id), without one they live in memory."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._files: dict[str, set[Path]] = {}
        self._lock = threading.Lock()

    def track(self, user_id: str, *paths: "str | Path") -> None:
        """Remember files that hold this user's data."""
        new = {Path(path) for path in paths if path}
        if not new:  # most chat turns carry no file: no list to read or write
            return
        with self._lock:
            known = self._load(user_id)
            if new - known:
                known |= new
                self._save(user_id, known)

    def purge(self, user_id: str) -> int:
        """Delete the user's files (and the list of them); returns how many were removed."""
        with self._lock:
            paths = self._load(user_id)
            self._files.pop(user_id, None)
            if self.folder:
                self._list(user_id).unlink(missing_ok=True)
        removed = 0
        for path in paths:
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed

    def _list(self, user_id: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{hashlib.sha256(user_id.encode()).hexdigest()[:32]}.txt"

    def _load(self, user_id: str) -> set[Path]:
        if user_id not in self._files:
            listed = self._list(user_id) if self.folder else None
            lines = listed.read_text().splitlines() if listed and listed.is_file() else []
            self._files[user_id] = {Path(line) for line in lines if line}
        return self._files[user_id]

    def _save(self, user_id: str, paths: set[Path]) -> None:
        self._files[user_id] = paths
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._list(user_id).write_text("".join(f"{path}\n" for path in sorted(paths)))
