"""policywatch/crawl_launch.py: crawls forked from a fork server that preloaded Scrapy, each still
a process of its own (a crash or a hang stays in it), and several sources at once, one per host."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

import policywatch.pipeline as pipeline
from config import SourceConfig
from policywatch.crawl_launch import ForkedCrawls, crawl_in_parallel

DAY = date(2024, 3, 5)


def _source(source_id: str, host: str) -> SourceConfig:
    return pipeline.registry().get("kjj_cq").model_copy(update={"id": source_id, "host": host})


def test_parallel_crawls_keep_the_order_and_one_crawl_per_host():
    sources = [_source(f"s{i}", host) for i, host in enumerate(["a", "b", "a", "c", "b", "a"])]
    running: dict[str, int] = {}
    most_at_once = {"all": 0}
    per_host_overlap = []
    lock = threading.Lock()

    def crawl(source: SourceConfig) -> str:
        with lock:
            running[source.host] = running.get(source.host, 0) + 1
            per_host_overlap.append(running[source.host])
            most_at_once["all"] = max(most_at_once["all"], sum(running.values()))
        time.sleep(0.05)
        with lock:
            running[source.host] -= 1
        return source.id

    assert crawl_in_parallel(sources, crawl, 3) == [s.id for s in sources]
    assert max(per_host_overlap) == 1  # never two crawls of one host at once
    assert most_at_once["all"] == 3  # but the three hosts at once


def test_an_exception_of_one_crawl_is_raised_after_the_others_ran():
    sources = [_source("bad", "a"), _source("good", "b")]
    done = []

    def crawl(source: SourceConfig) -> str:
        if source.id == "bad":
            raise RuntimeError("bad: broken")
        time.sleep(0.05)
        done.append(source.id)
        return source.id

    with pytest.raises(RuntimeError, match="bad: broken"):
        crawl_in_parallel(sources, crawl, 2)
    assert done == ["good"]


def test_forked_crawls_are_processes_of_their_own(pipeline_env):
    """A crawl that exits before it records anything, one that runs past its timeout (killed), and
    then a normal one, through the same fork server: each failure is reported for its source, with
    the end of its own log; the next crawl is unaffected."""
    launch = ForkedCrawls()
    reg = pipeline.registry(pipeline_env)
    pipeline.prepare_database(pipeline_env, reg=reg)
    kjj = reg.get("kjj_cq")

    # an unknown spider family: the crawl process refuses the entry (usage error, exit status 2)
    broken = kjj.model_copy(update={"family": "no_such_family"})
    crashed = pipeline.crawl_source(
        broken, DAY, "fork-test", until=DAY, settings=pipeline_env, raise_on_failure=False, launch=launch
    )
    assert crashed.status == "failed"
    assert crashed.errors and "kjj_cq: crawler exited with code 2" in crashed.errors[0]
    assert "no_such_family" in crashed.errors[0]  # the end of its own log, read back from its files

    hung = pipeline.crawl_source(
        kjj, DAY, "fork-test", until=DAY, settings=pipeline_env, raise_on_failure=False, launch=launch, timeout_s=0.2
    )
    assert (hung.status, hung.errors) == ("failed", ["kjj_cq: crawl timed out after 0 s"])

    report = pipeline.crawl_source(kjj, DAY, "fork-test", until=DAY, settings=pipeline_env, launch=launch)
    assert (report.status, report.health) == ("success", "ok")
    # the killed crawl may have stored a few articles in its 0.2 s: the day's 33, each stored once
    from sqlalchemy import select

    from storage import session_scope
    from storage.models import Article

    with session_scope(pipeline_env.database_url) as session:
        urls = session.scalars(select(Article.url).where(Article.source_id == "kjj_cq")).all()
    assert len(urls) == len(set(urls)) == 33


def test_a_forked_crawl_gets_the_environment_of_its_call(pipeline_env, tmp_path, monkeypatch):
    """The fork server is started once, with the environment of that moment; a later crawl still
    writes to the database of ITS settings."""
    launch = ForkedCrawls()
    first = pipeline.crawl_source(
        "kjj_cq", DAY, "env-1", until=DAY, settings=pipeline_env, launch=launch, raise_on_failure=False
    )
    assert first.status == "success" and first.new == 33
    other = tmp_path / "other"
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(other))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{other / 'other.db'}")
    settings = pipeline.get_settings()
    pipeline.prepare_database(settings)
    second = pipeline.crawl_source("kjj_cq", DAY, "env-2", until=DAY, settings=settings, launch=launch)
    assert second.new == 33  # a new database: everything is new again
    assert pipeline.table_counts(settings)["articles"] == 33
