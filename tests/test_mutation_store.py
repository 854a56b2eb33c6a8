"""What users rely on from their stored history, feedback and API keys, and from Delete my data (fast: SQLite in a
temporary folder; one test on the real PostgreSQL server of tests/test_store.py for the dialect-specific code)."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest
import sqlalchemy as sa

from fashionm3.errors import Unavailable
from fashionm3.people.files import UserFiles
from fashionm3.store import open_user_store, sql
from fashionm3.store.sql import STORE_UNAVAILABLE, SQLUserStore
from test_store import postgres_url  # noqa: F401 (fixture)


@pytest.fixture
def store(tmp_path) -> SQLUserStore:
    return open_user_store(tmp_path)


def test_history_is_newest_first_bounded_and_filtered_by_kind(store):
    for n in range(5):
        store.add_event("u1", "chat" if n % 2 else "recommend", {"n": n}, session_id=f"s{n}")
    store.add_event("u2", "chat", {"n": 99})
    history = store.history("u1")
    assert [event["n"] for event in history] == [4, 3, 2, 1, 0]
    assert history[0]["kind"] == "recommend" and history[0]["session_id"] == "s4"
    assert history[0]["time"] == pytest.approx(time.time(), abs=60)
    assert [event["n"] for event in store.history("u1", limit=2)] == [4, 3]
    assert [event["n"] for event in store.history("u1", kinds=["chat"])] == [3, 1]
    assert [event["n"] for event in store.history("u1", kinds=[])] == [4, 3, 2, 1, 0]
    assert store.history("nobody") == []


def test_the_default_history_is_the_latest_50(store):
    for n in range(sql.HISTORY_LIMIT + 1):
        store.add_event("u1", "chat", {"n": n})
    history = store.history("u1")
    assert len(history) == 50 and history[-1]["n"] == 1


def test_events_with_the_same_time_keep_their_order(store, monkeypatch):
    monkeypatch.setattr(sql.time, "time", lambda: 1000.0)
    for n in range(3):
        store.add_event("u1", "preferences", {"n": n})
    assert [event["n"] for event in store.history("u1")] == [2, 1, 0]
    assert store.latest("u1", "preferences") == {"n": 2}
    assert [event["n"] for event in store.all_events(["preferences"])] == [0, 1, 2]


def test_latest_is_the_newest_event_of_that_kind_for_that_user(store):
    store.add_event("u1", "preferences", {"colour": "Red"})
    store.add_event("u1", "preferences", {"colour": "Blue"})
    store.add_event("u1", "chat", {"colour": "Green"})
    store.add_event("u2", "preferences", {"colour": "Black"})
    assert store.latest("u1", "preferences") == {"colour": "Blue"}
    assert store.latest("u1", "study") is None and store.latest("u3", "preferences") is None


def test_all_events_lists_every_user_oldest_first_for_the_kinds_asked(store):
    store.add_event("u2", "study", {"answer": 1}, "s9")
    store.add_event("u1", "study", {"answer": 2})
    store.add_event("u1", "chat", {"answer": 3})
    events = store.all_events(["study"])
    rows = [(e["user_id"], e["answer"], e["kind"], e["session_id"]) for e in events]
    assert rows == [("u2", 1, "study", "s9"), ("u1", 2, "study", "")]
    assert "time" in events[0]
    assert [e["answer"] for e in store.all_events(["study", "chat"])] == [1, 2, 3]


def test_a_later_opinion_replaces_the_earlier_one_and_feedback_is_oldest_first(store):
    store.set_feedback("u1", "b", True)
    store.set_feedback("u1", "a", False, "s1")
    store.set_feedback("u1", "b", False, "s2")
    store.set_feedback("u2", "a", True)
    assert list(store.feedback("u1").items()) == [("a", False), ("b", False)]
    assert store.feedback("u2") == {"a": True}
    with store.engine.connect() as connection:
        query = "SELECT item_id, liked, session_id FROM feedback WHERE user_id='u1' ORDER BY item_id"
        rows = connection.execute(sa.text(query)).all()
    assert [tuple(row) for row in rows] == [("a", 0, "s1"), ("b", 0, "s2")]


def test_users_are_everyone_with_history_or_feedback_once(store):
    store.add_event("b", "chat", {})
    store.add_event("b", "chat", {})
    store.set_feedback("a", "1", True)
    store.set_feedback("b", "1", True)
    assert store.users() == ["a", "b"]


def test_delete_user_removes_history_feedback_and_keys_and_counts_them(store):
    store.add_event("u1", "chat", {})
    store.add_event("u1", "chat", {})
    store.set_feedback("u1", "1", True)
    store.replace_api_key("u1", "d1")
    store.add_event("u2", "chat", {})
    store.replace_api_key("u2", "d2")
    assert store.delete_user("u1") == 4
    assert store.history("u1") == [] and store.feedback("u1") == {} and store.user_for_key("d1") is None
    assert store.users() == ["u2"] and store.user_for_key("d2") == "u2"
    assert store.delete_user("u1") == 0


def test_a_new_api_key_replaces_the_old_one_and_revocation_counts(store):
    assert store.has_api_key("u1") is False
    store.replace_api_key("u1", "old")
    store.replace_api_key("u2", "other")
    assert store.user_for_key("old") == "u1" and store.has_api_key("u1") is True
    store.replace_api_key("u1", "new")
    assert store.user_for_key("old") is None and store.user_for_key("new") == "u1"
    assert store.revoke_api_keys("u1") == 1 and store.revoke_api_keys("u1") == 0
    assert store.has_api_key("u1") is False and store.user_for_key("new") is None
    assert store.user_for_key("other") == "u2"


def test_sqlite_runs_with_wal_full_sync_and_a_patient_lock(store):
    assert store.label == "SQLite (WAL)"
    with store.engine.connect() as connection:
        names = ("journal_mode", "synchronous", "busy_timeout")
        pragmas = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names]
    assert pragmas == ["wal", 2, 30000]


def test_integrity_checks_report_ok_on_a_sound_database_and_the_problem_on_a_damaged_one(store, tmp_path):
    assert store.integrity_check() == "ok" and store.integrity_check(quick=True) == "ok"
    queries: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    store.integrity_check(quick=True)
    store.integrity_check()
    assert queries == ["PRAGMA quick_check", "PRAGMA integrity_check"]


def test_a_broken_database_gives_the_generic_message_and_logs_the_cause(tmp_path, caplog):
    path = tmp_path / "users.sqlite3"
    store = open_user_store(tmp_path)
    store.add_event("u1", "chat", {})
    store.engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE events")
    with caplog.at_level(logging.ERROR, logger="fashionm3.store.sql"):
        with pytest.raises(Unavailable) as error:
            store.history("u1")
        assert str(error.value) == STORE_UNAVAILABLE
        assert "User store read failed: (sqlite3.OperationalError) no such table: events" in caplog.text
        with pytest.raises(Unavailable, match="^Your profile data cannot be read or saved right now"):
            store.add_event("u1", "chat", {})
        assert "User store write failed" in caplog.text


def test_upgrade_twice_is_harmless(store):
    store.add_event("u1", "chat", {"n": 1})
    store.upgrade()
    assert store.history("u1")[0]["n"] == 1


def test_postgresql_labels_and_replaces_opinions(postgres_url):  # noqa: F811
    store = SQLUserStore(postgres_url)
    store.upgrade()
    assert store.label == "PostgreSQL" and store.integrity_check() == "ok"
    store.set_feedback("pg-user", "1", True)
    store.set_feedback("pg-user", "1", False, "s1")
    assert store.feedback("pg-user") == {"1": False}
    assert store.delete_user("pg-user") == 1




# --- user files -------------------------------------------------------------------------------------------------


def test_purge_removes_only_that_users_files_and_counts_them(tmp_path):
    files = UserFiles()
    mine = [tmp_path / "a.png", tmp_path / "b.csv"]
    theirs = tmp_path / "c.png"
    for path in [*mine, theirs]:
        path.write_text("x")
    files.track("me", mine[0], "")
    files.track("me", str(mine[1]), mine[0])
    files.track("you", theirs)
    (tmp_path / "gone.png").write_text("x")
    files.track("me", tmp_path / "gone.png")
    (tmp_path / "gone.png").unlink()  # already removed elsewhere: not counted, no error
    assert files.purge("me") == 2
    assert not any(path.exists() for path in mine) and theirs.exists()
    assert files.purge("me") == 0 and files.purge("nobody") == 0
    assert files.purge("you") == 1 and not theirs.exists()


def test_order_follows_the_time_of_each_event_not_the_order_of_insertion(store, monkeypatch):
    """Events can arrive out of time order (several instances write): newest-first means by their time."""
    for when, n in [(3000.0, "late"), (1000.0, "early"), (2000.0, "middle")]:
        monkeypatch.setattr(sql.time, "time", lambda when=when: when)
        store.add_event("u1", "preferences", {"n": n})
        store.set_feedback("u1", n, True)
    assert [event["n"] for event in store.history("u1")] == ["late", "middle", "early"]
    assert [event["time"] for event in store.history("u1")] == [3000.0, 2000.0, 1000.0]
    assert store.latest("u1", "preferences") == {"n": "late"}
    events = store.all_events(["preferences"])
    assert [event["n"] for event in events] == ["early", "middle", "late"] and events[0]["time"] == 1000.0
    assert list(store.feedback("u1")) == ["early", "middle", "late"]


def test_an_opinion_without_a_session_is_stored_with_an_empty_session(store):
    store.set_feedback("u1", "a", True)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT session_id FROM feedback")).scalar() == ""
    assert store.url.startswith("sqlite:///") and store.url.endswith("users.sqlite3")
