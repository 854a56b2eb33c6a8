"""Startup faults named: an unwritable, read-only or full data directory stops the app with one line that names
the file and the fix (a :class:`~fashionm3.errors.StartupError`) instead of a traceback somewhere inside."""

from __future__ import annotations

import errno
import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from fashionm3.errors import StartupError

P = ParamSpec("P")
T = TypeVar("T")

ELSEWHERE = "or set FASHIONM3_DATA_DIR to another folder"
DISK_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def check_data_dir(path: Path) -> None:
    """Create the data directory and prove it takes a write (a small file written, synced to disk and removed)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-") as probe:
            probe.write(b"\0" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        raise StartupError(describe_disk_fault(error, path)) from error


def describe_disk_fault(error: OSError, path: Path | str) -> str:
    """One line naming the file (the one the error names, else ``path``) and what to do about ``error``."""
    name = error.filename or path
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{name}: the disk is full (or over quota). Fix: free space on it, {ELSEWHERE} on a disk with room."
    if error.errno == errno.EROFS:
        return f"{name}: the file system is read-only. Fix: mount it writable, {ELSEWHERE} that can be written."
    if error.errno in (errno.EACCES, errno.EPERM):
        return (f"{name}: permission denied for the user running the app (uid {os.getuid()}). Fix: give that user "
                f"read and write access (chown/chmod), {ELSEWHERE} it owns.")  # fmt: skip
    return f"{name}: {error.strerror or error}. Fix: check that path, {ELSEWHERE}."


def disk_faults_named(start: Callable[P, T]) -> Callable[P, T]:
    """Wrap the service's start so a full disk or a permission error anywhere in it becomes a :class:`StartupError`."""

    @functools.wraps(start)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return start(*args, **kwargs)
        except OSError as error:
            if error.errno not in DISK_FAULTS:
                raise
            raise StartupError(describe_disk_fault(error, error.filename or "the data directory")) from error

    return guarded
