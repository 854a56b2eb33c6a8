"""The progress of a background index build, as search and the status line see it."""

from __future__ import annotations

import dataclasses
import threading


@dataclasses.dataclass
class IndexingStatus:
    """Progress of a background index build, as search sees it."""

    total: int
    covered: int = 0  # items searchable so far
    finished: bool = False
    error: str = ""
    stopped: bool = False  # set by :meth:`stop`: the build ends after the chunk in progress
    ended: threading.Event = dataclasses.field(default_factory=threading.Event)  # the build thread has returned
    released: threading.Event = dataclasses.field(default_factory=threading.Event)  # the build may begin encoding

    def release(self) -> None:
        """Let a build that was held (until the page answers) begin encoding."""
        self.released.set()

    def stop(self, wait: float = 0.0) -> None:
        """Ask the background build to end (search keeps covering what is indexed); wait up to ``wait`` seconds."""
        self.stopped = True
        self.released.set()  # a held build wakes up only to end
        self.ended.wait(wait)

    def describe(self) -> str:
        """E.g. "indexing 40%: search covers 18,000 of 44,000 items" ("" once finished)."""
        if self.error:
            return f"indexing stopped ({self.error}): search covers {self.covered:,} of {self.total:,} items"
        if self.finished:
            return ""
        return f"indexing {100 * self.covered // max(self.total, 1)}%: search covers {self.covered:,} of {self.total:,} items"
