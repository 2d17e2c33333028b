"""storage/retry.py: which database errors are a lost connection (run the unit again) and which
are not (raised at once), against real servers; the restart itself is in test_pipeline_faults.py."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import NullPool, text
from sqlalchemy.exc import DBAPIError, OperationalError

from storage import is_disconnect, make_engine, retrying


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _select_one(url: str, calls: list[float]):
    def work() -> int:
        calls.append(time.monotonic())
        engine = make_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return connection.execute(text("SELECT 1")).scalar_one()
        finally:
            engine.dispose()

    return work


def test_a_refused_connection_is_tried_again_until_the_window_ends():
    calls: list[float] = []
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/x"
    started = time.monotonic()
    with pytest.raises(OperationalError) as raised:
        retrying(_select_one(url, calls), what="test", window_s=2)
    assert is_disconnect(raised.value) and len(calls) >= 2
    assert 1 <= time.monotonic() - started < 10


def test_a_server_ending_the_session_is_a_disconnect(postgres_admin_engine):
    url = postgres_admin_engine.url.render_as_string(hide_password=False)
    victim = make_engine(url, poolclass=NullPool)
    try:
        with victim.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with postgres_admin_engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(DBAPIError) as raised:
                connection.execute(text("SELECT 1"))
        assert is_disconnect(raised.value)
    finally:
        victim.dispose()


def test_other_errors_are_raised_at_once(postgres_admin_engine, tmp_path):
    calls: list[float] = []
    missing = postgres_admin_engine.url.set(database="policywatch_no_such_database").render_as_string(
        hide_password=False
    )
    with pytest.raises(OperationalError) as raised:
        retrying(_select_one(missing, calls), what="test", window_s=30)
    assert not is_disconnect(raised.value) and len(calls) == 1

    url = postgres_admin_engine.url.render_as_string(hide_password=False)
    calls.clear()

    def bad_sql() -> None:
        calls.append(time.monotonic())
        with make_engine(url, poolclass=NullPool).connect() as connection:
            connection.execute(text("SELECT no_such_column FROM pg_class"))

    with pytest.raises(DBAPIError):
        retrying(bad_sql, what="test", window_s=30)
    assert len(calls) == 1

    # SQLite's "database is locked" has its own busy timeout: not a disconnect
    db = tmp_path / "locked.db"
    holder = make_engine(f"sqlite:///{db}", connect_args={"timeout": 0.1})
    waiter = make_engine(f"sqlite:///{db}", connect_args={"timeout": 0.1})
    with holder.connect() as first:
        first.execute(text("CREATE TABLE t (x INTEGER)"))
        first.commit()
        first.exec_driver_sql("BEGIN IMMEDIATE")
        first.execute(text("INSERT INTO t VALUES (1)"))
        with waiter.connect() as second, pytest.raises(OperationalError) as locked:
            second.exec_driver_sql("PRAGMA busy_timeout = 100")
            second.execute(text("INSERT INTO t VALUES (2)"))
            second.commit()
        assert "locked" in str(locked.value) and not is_disconnect(locked.value)
    holder.dispose()
    waiter.dispose()
