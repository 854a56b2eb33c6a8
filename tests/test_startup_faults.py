"""Startup faults named: a damaged database, an unwritable, read-only or full data directory and a catalog of broken
rows each stop the app with one line naming the file and the fix (exit status 1, no traceback); store failures
after the start are a generic :class:`Unavailable`, never the database's own text."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, free_port
from fashionm3.catalog.loaders import load_catalog
from fashionm3.config import Settings
from fashionm3.errors import StartupError, Unavailable
from fashionm3.service import FashionM3
from fashionm3.startup import check_data_dir
from fashionm3.store import open_user_store
from fashionm3.store import sql
from fashionm3.store.sql import STORE_UNAVAILABLE

PREFIX = "FashionM3 cannot start: "


def run_app(data_dir: Path, as_other_user: bool = False, **env: str) -> tuple[int, str, str]:
    """``python app.py`` in offline mode until it exits: (exit status, last stderr line, all output)."""
    environ = {**os.environ, "HF_HUB_OFFLINE": "1", "FASHIONM3_BACKEND": "offline", "FASHIONM3_DATA_DIR": str(data_dir),
               "GRADIO_SERVER_PORT": str(free_port()), "OMP_NUM_THREADS": "1", **env}  # fmt: skip
    prefix: list[str] = []
    if as_other_user:  # root may write anywhere: run as 'nobody', whose own home is this temporary one
        home = Path(tempfile.mkdtemp(prefix="fm3-home-"))
        home.chmod(0o777)
        environ.update(HOME=str(home), GRADIO_TEMP_DIR=str(home / "gradio"), HF_HOME=str(home / "hf"))
        prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    command = [*prefix, sys.executable, "app.py"]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=180)
    lines = done.stderr.strip().splitlines()
    return done.returncode, lines[-1] if lines else "", done.stdout + done.stderr


def assert_one_line_stop(status: int, last: str, output: str, *names: str) -> None:
    assert status == 1, output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    assert last.startswith(PREFIX) and "Fix:" in last, last
    for name in names:
        assert name in last, last


def fill_store(data_dir: Path, events: int = 300) -> Path:
    """A user database with a few hundred events, checkpointed into the main file (no -wal left)."""
    store = open_user_store(data_dir)
    for n in range(events):
        store.add_event(f"user-{n % 7}", "recommend", {"message": "black sneakers " * 10, "n": n})
    store.engine.dispose()
    return data_dir / "users.sqlite3"


def damage(database: Path) -> None:
    """Overwrite part of every page after the first (the header stays intact)."""
    data, page = bytearray(database.read_bytes()), 4096
    for number in range(1, len(data) // page):
        data[number * page : (number + 1) * page] = b"\xa5" * page
    database.write_bytes(bytes(data))


def test_a_damaged_database_stops_the_app_with_one_line(tmp_path):
    damage(fill_store(tmp_path))
    assert_one_line_stop(*run_app(tmp_path), str(tmp_path / "users.sqlite3"), "damaged")


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="root without setpriv writes anywhere")
def test_a_data_dir_the_app_cannot_write_stops_it_with_one_line():
    folder = Path(tempfile.mkdtemp(prefix="fm3-readonly-"))  # outside pytest's folders, which others cannot enter
    try:
        folder.chmod(0o555)
        status, last, output = run_app(folder, as_other_user=os.geteuid() == 0)
        assert_one_line_stop(status, last, output, str(folder), "permission denied")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_catalog_whose_rows_are_all_broken_stops_the_app_with_one_line(tmp_path):
    catalog = tmp_path / "catalog" / "styles.csv"
    catalog.parent.mkdir()
    catalog.write_text("id,gender,productDisplayName\n,Men,No id here\n7,Women\n")  # no id; too few fields
    status, last, output = run_app(tmp_path / "data", FASHIONM3_CATALOG=str(catalog))
    assert_one_line_stop(status, last, output, str(catalog), "none of its 2 rows", "line 2")


def test_a_header_only_catalog_is_named(tmp_path):
    catalog = tmp_path / "styles.csv"
    catalog.write_text("id,productDisplayName\n")
    with pytest.raises(StartupError, match="header but no rows"):
        load_catalog(Settings(catalog=str(catalog), data_dir=tmp_path), hub_reachable=False)


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "disk is full"), (errno.EDQUOT, "over quota")])
def test_a_full_disk_is_named(tmp_path, monkeypatch, code, words):
    def full(_fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", full)  # the disk fills up as the write check reaches it
    with pytest.raises(StartupError) as caught:
        check_data_dir(tmp_path / "data")
    assert str(tmp_path / "data") in str(caught.value) and words in str(caught.value)
    assert list((tmp_path / "data").iterdir()) == []  # the probe file is gone again


def test_a_read_only_file_system_is_named(tmp_path, monkeypatch):
    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(StartupError, match="read-only") as caught:
        check_data_dir(tmp_path / "data")
    assert str(tmp_path / "data") in str(caught.value)


def test_a_disk_that_fills_up_later_in_the_start_is_named(tmp_path, monkeypatch):
    image = tmp_path / "demo-catalog" / "images" / "12.jpg"

    def fills_up(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(image))

    monkeypatch.setattr("fashionm3.service.load_catalog", fills_up)
    with pytest.raises(StartupError, match="disk is full") as caught:
        FashionM3.start(Settings(backend="offline", data_dir=tmp_path))
    assert str(caught.value).startswith(f"{image}: ")


def _limit_pages(pages: int):
    """A connection hook that makes SQLite itself answer SQLITE_FULL beyond ``pages`` pages (a real full database)."""

    def hook(connection, _record) -> None:
        connection.execute(f"PRAGMA max_page_count = {pages}")

    return hook


def test_sqlite_reporting_a_full_disk_at_start_is_named(tmp_path, monkeypatch):
    usual, limit = sql._sqlite_pragmas, _limit_pages(1)

    def pragmas(connection, record) -> None:
        usual(connection, record)
        limit(connection, record)

    monkeypatch.setattr(sql, "_sqlite_pragmas", pragmas)
    with pytest.raises(StartupError, match=r"disk is full \(SQLITE_FULL\)") as caught:
        open_user_store(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'users.sqlite3'}: ")


def test_a_damaged_header_is_named(tmp_path):
    (tmp_path / "users.sqlite3").write_bytes(b"not a database " * 1000)
    with pytest.raises(StartupError, match="SQLITE_NOTADB") as caught:
        open_user_store(tmp_path)
    assert "Fix:" in str(caught.value)


def test_a_database_damaged_after_the_start_answers_with_a_generic_unavailable(tmp_path):
    database = fill_store(tmp_path)
    store = open_user_store(tmp_path)
    assert len(store.history("user-1")) == 43
    store.engine.dispose()  # the pool reconnects and reads the file again
    damage(database)
    for call in (lambda: store.history("user-1"), lambda: store.latest("user-2", "recommend"), store.users):
        with pytest.raises(Unavailable) as caught:
            call()
        assert str(caught.value) == STORE_UNAVAILABLE
        assert caught.value.__cause__ is not None  # the database's own text stays in the chain and the log


def test_a_full_database_at_run_time_refuses_the_write_with_a_generic_unavailable(tmp_path):
    store = open_user_store(tmp_path)
    store.add_event("u1", "recommend", {"message": "hello"})
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    sql.sa.event.listen(store.engine, "connect", _limit_pages(pages))
    store.engine.dispose()
    with pytest.raises(Unavailable, match=f"^{STORE_UNAVAILABLE}$"):
        store.add_event("u1", "recommend", {"message": "x" * 100_000})
    assert [event["message"] for event in store.history("u1")] == ["hello"]  # reads still work; nothing half-written
