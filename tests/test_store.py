"""The user store: migrations, the same contract on SQLite and a real PostgreSQL server, concurrency, and durability
when the app process is killed in the middle of writes."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port
from fashionm3.store import open_user_store
from fashionm3.store.sql import SQLUserStore


def check_contract(store: SQLUserStore) -> None:
    """What the app relies on, on any database."""
    store.add_event("u1", "recommend", {"message": "black sneakers", "items": ["1", "2"]}, "s1")
    store.add_event("u1", "preferences", {"favour_colours": ["Blue"]})
    store.add_event("u1", "preferences", {"favour_colours": ["Red"]})
    store.set_feedback("u1", "1", True)
    store.set_feedback("u1", "2", True)
    store.set_feedback("u1", "2", False, "s1")  # a later opinion replaces the earlier one
    store.set_feedback("u2", "1", False)
    assert [event["kind"] for event in store.history("u1")] == ["preferences", "preferences", "recommend"]
    assert store.latest("u1", "preferences") == {"favour_colours": ["Red"]} and store.latest("u1", "study") is None
    assert store.feedback("u1") == {"1": True, "2": False} and store.feedback("u2") == {"1": False}
    assert store.users() == ["u1", "u2"]
    assert store.delete_user("u1") == 5 and store.history("u1") == [] and store.feedback("u1") == {}
    assert store.feedback("u2") == {"1": False}
    assert store.integrity_check() == "ok"


def latest_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from fashionm3.store.sql import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_sqlite_store_keeps_the_contract_and_is_at_the_latest_migration(tmp_path):
    store = open_user_store(tmp_path)
    check_contract(store)
    with sqlite3.connect(tmp_path / "users.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (latest_revision(),)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_database_from_before_migrations_keeps_its_data(tmp_path):
    path = tmp_path / "users.sqlite3"
    with sqlite3.connect(path) as connection:  # the schema the first releases created by hand
        connection.executescript(
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, session_id TEXT NOT NULL DEFAULT '',"
            " created REAL NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);"
            "CREATE TABLE feedback (user_id TEXT NOT NULL, item_id TEXT NOT NULL, liked INTEGER NOT NULL,"
            " session_id TEXT NOT NULL DEFAULT '', created REAL NOT NULL, PRIMARY KEY (user_id, item_id));"
            "INSERT INTO events(user_id, created, kind, payload) VALUES ('old', 1.0, 'recommend', '{\"message\": \"hi\"}');"
            "INSERT INTO feedback VALUES ('old', '42', 1, '', 1.0);"
        )
    store = open_user_store(tmp_path)
    assert store.history("old")[0]["message"] == "hi" and store.feedback("old") == {"42": True}


def test_concurrent_writers_lose_nothing(tmp_path):
    store = open_user_store(tmp_path)

    def write(worker: int) -> None:
        for n in range(25):
            store.set_feedback(f"user-{worker}", f"item-{n}", n % 2 == 0)
            store.add_event(f"user-{worker}", "log", {"n": n})

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(store.feedback(f"user-{worker}")) == 25 and len(store.history(f"user-{worker}", 100)) == 25 for worker in range(20))
    assert store.integrity_check() == "ok"


@pytest.fixture(scope="module")
def postgres_url():
    """A real PostgreSQL server started for the test (Debian's ``postgresql``); skips when it is not installed."""
    binaries = Path(os.environ.get("FASHIONM3_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
    initdb = str(Path(shutil.which("initdb") or binaries / "initdb").resolve())
    if not Path(initdb).exists():
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="fm3-postgres-"))  # outside pytest's root-only folders
    prefix: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
            pytest.skip("running as root and there is no 'postgres' user to start PostgreSQL as")
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "fm3"], check=True, capture_output=True)
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"), "start"], check=True, capture_output=True)
    subprocess.run([*prefix, str(Path(initdb).with_name("createdb")), "-h", "127.0.0.1", "-p", str(port), "-U", "fm3", "fashionm3"], check=True)
    yield f"postgresql+psycopg://fm3@127.0.0.1:{port}/fashionm3"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_postgresql_store_keeps_the_same_contract(postgres_url, tmp_path):
    store = open_user_store(tmp_path, postgres_url)
    assert store.label == "PostgreSQL"
    check_contract(store)
    assert open_user_store(tmp_path, postgres_url).feedback("u2") == {"1": False}  # a second instance sees the data


def test_every_acknowledged_write_survives_a_sigkill(tmp_path, data_dir):
    """20 study participants write feedback through the app's API (each write also logs a study record); the app is
    killed with SIGKILL mid-stream and the database reopened."""
    from gradio_client import Client

    from fashionm3.study.protocol import load_protocol
    from fashionm3.study.records import Study

    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("users.sqlite3*", "generated", "exports", "study-export"))
    from fashionm3.security.identity import key_digest, new_api_key

    store = open_user_store(copy)
    study, keys = Study(load_protocol(), store), {}
    for worker in range(20):
        study.enroll(f"killed-{worker}", True)
        keys[worker] = new_api_key()
        store.replace_api_key(f"killed-{worker}", key_digest(keys[worker]))  # each writer holds its own API key
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FASHIONM3_DATA_DIR": str(copy), "FASHIONM3_BACKEND": "offline",
           "FASHIONM3_STUDY": "1", "GRADIO_SERVER_PORT": str(port)}  # fmt: skip
    with open(tmp_path / "app.log", "w") as log:
        app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/", app, timeout=90)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        item_ids = [line.split(",")[0] for line in (copy / "demo-catalog" / "styles.csv").read_text().splitlines()[1:60]]
        acknowledged: list[tuple[str, str, bool]] = []
        lock, stop = threading.Lock(), threading.Event()

        def writer(worker: int) -> None:
            for n, item_id in enumerate(item_ids):
                if stop.is_set():
                    return
                try:
                    client.predict(keys[worker], item_id, n % 2 == 0, "", api_name="/record_feedback")
                except Exception:  # noqa: BLE001 (the server died mid-request: that write was never acknowledged)
                    return
                with lock:
                    acknowledged.append((f"killed-{worker}", item_id, n % 2 == 0))

        threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(20)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 100 and app.poll() is None and any(thread.is_alive() for thread in threads):
            time.sleep(0.05)
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
    assert len(acknowledged) >= 100
    store = open_user_store(copy)  # "after restart": the same database opened again
    assert store.integrity_check() == "ok"
    logged = {(e["user_id"], e["item_id"], e["liked"]) for e in store.all_events(["study_feedback"])}
    for user_id, item_id, liked in acknowledged:
        assert store.feedback(user_id).get(item_id) == liked
        assert (user_id, item_id, liked) in logged


def _wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app.py exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")
