"""policywatch/locking.py: two `policywatch run` processes of the same day at once, on SQLite and
PostgreSQL. Refused, the second names the date and the first run; waiting, it runs after the first.
Either way each run keeps its own crawl_runs row with its own true counts, and every article is
summarized once."""

from __future__ import annotations

import subprocess
import time

import pytest
from cli_runs import DAY, KJJ_NEW, assert_summarized_once, crawl_runs, run_environment, start_run

pytestmark = pytest.mark.slow


def _started(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    """Wait until ``proc`` has begun crawling (its crawl_runs row exists): it holds the day's lock."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            if crawl_runs(url):
                return
        except Exception:  # noqa: BLE001 - the schema is not there yet
            pass
        time.sleep(0.2)
    pytest.fail("the first run never started crawling")


def _finish(proc: subprocess.Popen, timeout_s: float = 600) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout_s)
    return proc.returncode, out, err


def test_a_second_run_of_the_day_is_refused_naming_the_first(tmp_path, database_url, replay_server):
    env = run_environment(tmp_path, database_url, replay_server, POLICYWATCH_RUN_LOCK="refuse")
    first = start_run(env)
    _started(database_url, first)
    second = start_run(env)
    code, out, err = _finish(second, 120)
    assert code == 3, (out, err)
    message = err.strip()
    assert "\n" not in message and f"the run of {DAY} is already in progress" in message
    assert f"pid {first.pid} on " in message  # the holder: the first run's process
    assert "not started" in message
    code, out, err = _finish(first)
    assert code == 0, (out, err)
    assert f"{KJJ_NEW} summarized" in out
    (run,) = crawl_runs(database_url)
    assert (run.status, run.items_found, run.items_new, run.items_unchanged) == ("success", KJJ_NEW, KJJ_NEW, 0)
    assert_summarized_once(database_url)


def test_a_waiting_run_of_the_day_runs_after_the_first(tmp_path, database_url, replay_server):
    env = run_environment(tmp_path, database_url, replay_server, POLICYWATCH_RUN_LOCK="refuse")
    first = start_run(env)
    _started(database_url, first)
    second = start_run(env, "--wait")  # the option overrides POLICYWATCH_RUN_LOCK
    code_first, out_first, err_first = _finish(first)
    code_second, out_second, err_second = _finish(second)
    assert (code_first, code_second) == (0, 0), (err_first, err_second)
    runs = crawl_runs(database_url)
    assert len(runs) == 2 and runs[0].run_id != runs[1].run_id
    first_run, second_run = runs
    assert first_run.finished_at <= second_run.started_at  # one after the other
    assert (first_run.status, first_run.items_new) == ("success", KJJ_NEW)
    assert (second_run.status, second_run.items_new, second_run.items_updated) == ("success", 0, 0)
    assert f"{KJJ_NEW} summarized" in out_first and "0 summarized" in out_second
    assert_summarized_once(database_url)
