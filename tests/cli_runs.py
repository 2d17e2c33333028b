"""Helpers of the tests that run `policywatch run --source kjj_cq` as real processes
(tests/test_pipeline_locking.py, tests/test_pipeline_faults.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT
from sqlalchemy import select

from storage import session_scope
from storage.models import Article, CrawlRun, Summary

DAY = "2024-03-05"
KJJ_NEW = 33  # kjj_cq's articles up to DAY in the replay (tests/test_pipeline.py)


def run_environment(tmp_path, database_url: str, replay_server, **extra: str) -> dict[str, str]:
    """The environment of a run on ``database_url`` against the replay, with the lead summarizer
    (no model to load: these tests are about the runs and the database)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POLICYWATCH_DATABASE_URL": database_url,
        "POLICYWATCH_VAR_DIR": str(tmp_path / "var"),
        "POLICYWATCH_REPLAY_URL": replay_server.url,
        "POLICYWATCH_SUMMARIZER": "lead",
        **extra,
    }


def start_run(env: dict[str, str], *extra: str) -> subprocess.Popen:
    """`policywatch run` of kjj_cq on DAY, in its own process group (killed with its crawl)."""
    return subprocess.Popen(
        [sys.executable, "-m", "policywatch.cli", "run", "--date", DAY, "--source", "kjj_cq", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )


def crawl_runs(url: str) -> list[CrawlRun]:
    with session_scope(url) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def assert_summarized_once(url: str) -> None:
    """Every article of kjj_cq stored, each with exactly one summary."""
    with session_scope(url) as session:
        articles = session.scalars(select(Article.id)).all()
        summarized = session.scalars(select(Summary.article_id)).all()
    assert len(articles) == KJJ_NEW and sorted(summarized) == sorted(articles)
