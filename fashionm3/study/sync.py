"""Optional: push the study export to a private Hugging Face dataset every few minutes (``FASHIONM3_STUDY_DATASET``)."""

from __future__ import annotations

import logging
from pathlib import Path

from fashionm3.study.records import Study

log = logging.getLogger(__name__)
EVERY_MINUTES = 10


def start_study_sync(study: Study, repo_id: str, folder: Path) -> object:
    """Start a ``huggingface_hub.CommitScheduler`` that re-exports the study into ``folder`` before each push."""
    from huggingface_hub import CommitScheduler

    class StudyScheduler(CommitScheduler):
        def push_to_hub(self):  # noqa: ANN202 (CommitScheduler's signature)
            with self.lock:
                study.export(Path(self.folder_path))
            return super().push_to_hub()

    folder.mkdir(parents=True, exist_ok=True)
    scheduler = StudyScheduler(repo_id=repo_id, repo_type="dataset", folder_path=folder, every=EVERY_MINUTES, private=True)
    log.info("Study data is pushed to the private dataset %s every %d minutes", repo_id, EVERY_MINUTES)
    return scheduler
