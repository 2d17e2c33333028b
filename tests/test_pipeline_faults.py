"""Database faults under a real `policywatch run` (storage/retry.py, policywatch/pipeline.py):

* a PostgreSQL server stopped in the middle of a run and started again seconds later (a throwaway
  cluster this test creates with initdb on a free port: the shared server is never touched): the
  run completes, every article is stored and summarized once, and the crawl's counts are true;
* a run killed (kill -9) after storing articles and before summarizing them: the next run stores
  the rest, summarizes every article, once, and marks the killed run's crawl failed (interrupted).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from cli_runs import KJJ_NEW, assert_summarized_once, crawl_runs, run_environment, start_run
from conftest import SITES
from sqlalchemy import NullPool, func, select

from devtools.replay import ReplayServer
from storage import make_engine, session_scope
from storage.models import Article, Summary

pytestmark = pytest.mark.slow


# --- a throwaway PostgreSQL cluster ---------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found or not found[-1]:
        pytest.skip(f"PostgreSQL server binaries ({name}) not installed")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster of its own in a temporary folder, run as the postgres user when
    the tests run as root (initdb refuses root)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="policywatch-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        # fast: every session is ended at once, its transaction rolled back (what a crash or a
        # failover does to the clients)
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    server = Cluster()
    try:
        yield server
    finally:
        server.destroy()


class SlowReplay(ReplayServer):
    """The replay, each answer 0.3 s late: the crawl lasts long enough to be cut in the middle
    however fast the machine."""

    def record(self, path: str) -> None:
        super().record(path)
        time.sleep(0.3)


@pytest.fixture
def slow_replay():
    with SlowReplay(SITES) as server:
        yield server


# --- runs --------------------------------------------------------------------------------------


def _count(url: str, column) -> int:
    engine = make_engine(url, poolclass=NullPool)
    try:
        with session_scope(engine) as session:
            return session.scalar(select(func.count(column))) or 0
    except Exception:  # noqa: BLE001 - no schema yet
        return 0
    finally:
        engine.dispose()


def _wait_for_articles(url: str, proc: subprocess.Popen, at_least: int, timeout_s: float = 180) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        stored = _count(url, Article.id)
        if stored >= at_least:
            return stored
        time.sleep(0.05)
    pytest.fail(f"the run stored fewer than {at_least} articles in {timeout_s} s")


def test_a_run_survives_a_postgresql_restart_in_the_middle(tmp_path, cluster, slow_replay):
    env = run_environment(tmp_path, cluster.url, slow_replay)
    run = start_run(env)
    stored = _wait_for_articles(cluster.url, run, 3)
    cluster.stop()
    time.sleep(3)  # down long enough for the crawl's next writes to find no server
    cluster.start()
    out, err = run.communicate(timeout=600)
    assert stored < KJJ_NEW, "the crawl was over before the restart: nothing was tested"
    assert "received fast shutdown request" in cluster.log.read_text()
    assert run.returncode == 0, (out, err)
    (crawl,) = crawl_runs(cluster.url)
    assert crawl.status == "success", crawl.error_messages
    assert (crawl.items_found, crawl.items_new + crawl.items_unchanged, crawl.errors) == (KJJ_NEW, KJJ_NEW, 0)
    assert f"new={crawl.items_new}" in out and "summarized" in out
    assert_summarized_once(cluster.url)


def test_a_run_killed_before_summarizing_is_completed_by_the_next(tmp_path, database_url, replay_server):
    env = run_environment(tmp_path, database_url, replay_server)
    killed = start_run(env)
    _wait_for_articles(database_url, killed, 3)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    stored = _count(database_url, Article.id)
    assert 3 <= stored < KJJ_NEW and _count(database_url, Summary.id) == 0  # stored, not summarized

    again = start_run(env)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, (out, err)
    assert f"{KJJ_NEW} summarized" in out  # the killed run's articles too
    assert_summarized_once(database_url)
    last = crawl_runs(database_url)[-1]
    # the rest: the killed run's articles were stored (the incremental crawl does not fetch them again)
    assert (last.status, last.items_new, last.errors) == ("success", KJJ_NEW - stored, 0)
    # the killed run's crawl, left running, was closed by the next run (which held the day's lock)
    (interrupted,) = [run for run in crawl_runs(database_url) if run.id != last.id]
    assert interrupted.status == "failed" and interrupted.finished_at is not None
    assert interrupted.error_messages == [
        f"kjj_cq: interrupted: the run {interrupted.run_id} ended before this crawl finished"
    ]
