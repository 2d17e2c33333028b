"""storage/locks.py: a lock between processes on SQLite (flock beside the file) and PostgreSQL
(advisory lock): refused with the holder named, waited for, and never left behind by kill -9; on a
throwaway PostgreSQL cluster (tests/pg_cluster.py) restarted under the holder, taken back by
``ensure()``, or reported lost naming the process that took it meanwhile."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT

from storage import LockBusy, LockLost, database_lock

NAME = "run-2024-03-05"

HOLDER = textwrap.dedent(
    """
    import sys, time
    from storage import database_lock
    with database_lock(sys.argv[1], sys.argv[2], wait=False, timeout_s=0, holder=f"holder process {sys.argv[3]}"):
        print("held", flush=True)
        time.sleep(float(sys.argv[4]))
    """
)


def _hold(url: str, seconds: float, label: str = "A") -> subprocess.Popen:
    """A process holding the lock ``NAME`` for ``seconds``, once it printed 'held'."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, NAME, label, str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = proc.stdout.readline()
    assert line.strip() == "held", proc.stderr.read()
    return proc


def test_a_held_lock_is_refused_naming_its_holder(database_url):
    holder = _hold(database_url, 30)
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy) as refused, database_lock(database_url, NAME, wait=False, timeout_s=60):
            pytest.fail("the lock was taken twice")
        assert time.monotonic() - started < 5  # refused at once, the timeout is for waiting
        assert refused.value.name == NAME and "holder process A" in refused.value.holder
        assert "after waiting" not in str(refused.value)
        # another name, or the same name waited for too briefly
        with database_lock(database_url, "run-2024-03-06", wait=False, timeout_s=0):
            pass
        with (
            pytest.raises(LockBusy, match="after waiting 1 s"),
            database_lock(database_url, NAME, wait=True, timeout_s=1),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_process_gets_the_lock_when_the_holder_is_done(database_url):
    holder = _hold(database_url, 2)
    started = time.monotonic()
    with database_lock(database_url, NAME, wait=True, timeout_s=60):
        waited = time.monotonic() - started
    assert 1.5 < waited < 30  # the holder keeps it 2 s after saying so
    holder.wait()
    assert holder.returncode == 0


def test_a_killed_holder_leaves_no_lock_behind(database_url):
    holder = _hold(database_url, 600)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    # the kernel drops the flock at once; the server notices the closed socket within moments
    started = time.monotonic()
    with database_lock(database_url, NAME, wait=True, timeout_s=20):
        pass
    assert time.monotonic() - started < 20
    with database_lock(database_url, NAME, wait=False, timeout_s=0):  # and it was released again
        pass


def test_schemas_sharing_a_postgresql_database_do_not_lock_each_other(request):
    pytest.importorskip("psycopg")
    admin = request.getfixturevalue("postgres_admin_engine")
    url = admin.url.render_as_string(hide_password=False)
    other = admin.url.update_query_dict({"options": "-csearch_path=pg_catalog"}).render_as_string(hide_password=False)
    with database_lock(url, NAME, wait=False, timeout_s=0):
        with database_lock(other, NAME, wait=False, timeout_s=0):
            pass
        with pytest.raises(LockBusy), database_lock(url, NAME, wait=False, timeout_s=0):
            pass


# --- a restarted PostgreSQL server drops the lock under its holder ------------------------------

TRY = textwrap.dedent(
    """
    import sys
    from storage import LockBusy, LockLost, database_lock
    try:
        with database_lock(sys.argv[1], sys.argv[2], wait=False, timeout_s=0):
            print("taken")
    except LockBusy as exc:
        print("refused by", exc.holder)
    """
)


def _try_from_another_process(url: str) -> str:
    """What another process gets when it asks for the lock ``NAME`` without waiting."""
    done = subprocess.run(
        [sys.executable, "-c", TRY, url, NAME],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_lock_dropped_by_a_restarted_server_is_taken_back(postgres_cluster, caplog):
    url = postgres_cluster.url
    with database_lock(url, NAME, wait=False, timeout_s=0, holder="the first holder") as lock:
        lock.ensure()  # held: nothing to do
        postgres_cluster.restart()
        assert _try_from_another_process(url) == "taken"  # the restart released it under its holder
        with caplog.at_level(logging.WARNING, logger="storage.locks"):
            lock.ensure()
        assert f"{NAME}: the lock was lost with its database session (restarted?) and taken back" in caplog.text
        assert _try_from_another_process(url).startswith("refused by policywatch the first holder (server pid ")
        lock.ensure()  # held again: nothing to do
    assert _try_from_another_process(url) == "taken"  # and released at the end of the block


def test_a_lock_taken_by_another_process_after_a_restart_is_reported_lost(postgres_cluster):
    url = postgres_cluster.url
    with database_lock(url, NAME, wait=False, timeout_s=0) as lock:
        postgres_cluster.restart()
        other = _hold(url, 30, "B")
        try:
            with pytest.raises(LockLost) as lost:
                lock.ensure()
            assert isinstance(lost.value, LockBusy) and lost.value.name == NAME
            assert "holder process B" in lost.value.holder
            assert str(lost.value).startswith(f"{NAME} was lost with its database session and is now held by ")
        finally:
            other.kill()
            other.wait()
