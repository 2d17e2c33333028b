"""Database faults under a real `policywatch run` (storage/retry.py, policywatch/pipeline.py):

* a PostgreSQL server stopped in the middle of a run and started again seconds later (a throwaway
  cluster, tests/pg_cluster.py: the shared server is never touched): the run completes, every
  article is stored and summarized once, and the crawl's counts are true; the day's lock, dropped
  by the restart, is taken back, or, taken meanwhile by another run, stops the run before it
  summarizes, naming that run;
* a run killed (kill -9) after storing articles and before summarizing them: the next run stores
  the rest, summarizes every article, once, and marks the killed run's crawl failed (interrupted).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from cli_runs import DAY, KJJ_NEW, assert_summarized_once, crawl_runs, run_environment, start_run
from conftest import SITES
from sqlalchemy import NullPool, func, select

from devtools.replay import ReplayServer
from storage import database_lock, make_engine, session_scope
from storage.models import Article, Summary

pytestmark = pytest.mark.slow


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


def test_a_run_survives_a_postgresql_restart_in_the_middle(tmp_path, postgres_cluster, slow_replay):
    env = run_environment(tmp_path, postgres_cluster.url, slow_replay)
    run = start_run(env)
    stored = _wait_for_articles(postgres_cluster.url, run, 3)
    postgres_cluster.stop()
    time.sleep(3)  # down long enough for the crawl's next writes to find no server
    postgres_cluster.start()
    out, err = run.communicate(timeout=600)
    assert stored < KJJ_NEW, "the crawl was over before the restart: nothing was tested"
    assert "received fast shutdown request" in postgres_cluster.log.read_text()
    assert run.returncode == 0, (out, err)
    (crawl,) = crawl_runs(postgres_cluster.url)
    assert crawl.status == "success", crawl.error_messages
    assert (crawl.items_found, crawl.items_new + crawl.items_unchanged, crawl.errors) == (KJJ_NEW, KJJ_NEW, 0)
    assert f"new={crawl.items_new}" in out and "summarized" in out
    assert_summarized_once(postgres_cluster.url)
    # the restart released the day's lock under the run, which took it back before summarizing
    assert f"run-{DAY}: the lock was lost with its database session (restarted?) and taken back" in err


def test_a_run_whose_lock_another_took_after_a_restart_stops_before_summarizing(
    tmp_path, postgres_cluster, slow_replay
):
    env = run_environment(tmp_path, postgres_cluster.url, slow_replay)
    run = start_run(env)
    stored = _wait_for_articles(postgres_cluster.url, run, 3)
    postgres_cluster.restart()
    # another run of the day, between the restart and the end of the first run's crawls
    with database_lock(postgres_cluster.url, f"run-{DAY}", wait=False, timeout_s=0, holder="the second run"):
        out, err = run.communicate(timeout=600)
    assert stored < KJJ_NEW, "the crawl was over before the restart: nothing was tested"
    assert run.returncode == 3, (out, err)
    message = err.strip().splitlines()[-1]
    assert message.startswith(f"the run lock of {DAY} was lost (database restarted?) and is now held by ")
    assert "the second run" in message and message.endswith("; stopped before summarizing")
    assert _count(postgres_cluster.url, Summary.id) == 0


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
