"""crawlers/redirects.py: a redirect off the source's site or in a loop is a page error with its cause.

Each test crawls kjj_cq (one list page) from a replay that redirects some of its article pages.
"""

from __future__ import annotations

import pytest
from conftest import SITES
from test_crawlers_spiders import articles, crawl_runs, run_crawl

from devtools.replay import ReplayServer
from devtools.replay_faults import parse_spec

ARTICLE = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202402/"
OFFSITE = "t20240202_12760531.html"
LOOPING = "t20240206_12772389.html"
MOVED = "t20240219_12795108.html"  # redirected on the site itself (to another listed article): followed
MOVED_TO = "t20240221_12806634.html"
LIST = "kjj.cq.gov.cn/zwxx_176/tzgg/index.html"


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def test_offsite_redirect_and_loop_are_page_errors_naming_article_and_cause(db_url):
    faults = [
        parse_spec(f"kjj.cq.gov.cn/zwxx_176/tzgg/202402/{OFFSITE}=redirect:https://www.ichongqing.info/"),
        parse_spec(f"kjj.cq.gov.cn/zwxx_176/tzgg/202402/{LOOPING}=loop"),
        parse_spec(f"kjj.cq.gov.cn/zwxx_176/tzgg/202402/{MOVED}=redirect:/zwxx_176/tzgg/202402/{MOVED_TO}"),
    ]
    with ReplayServer(SITES, faults=faults) as server:
        result = run_crawl(server.url, db_url, "kjj_cq", "--max-pages", "1")
        requested = list(server.requests)
    assert result.returncode == 0 and result.summary["status"] == "partial", result.stdout + result.stderr[-2000:]
    offsite = (
        f"kjj_cq: article {ARTICLE}{OFFSITE} was not fetched: redirected to another host, www.ichongqing.info "
        "(https://www.ichongqing.info/): not followed"
    )
    loop = (
        f"kjj_cq: article {ARTICLE}{LOOPING} was not fetched: redirect loop: {ARTICLE}{LOOPING} -> {ARTICLE}{LOOPING}"
    )
    assert offsite in result.stderr and loop in result.stderr  # the task log
    assert not any(r.startswith("/www.ichongqing.info/") for r in requested)  # never followed
    assert sum(r.endswith(LOOPING) for r in requested) == 1  # refused at the first revisit
    assert sum(r.endswith(MOVED_TO) for r in requested) == 2  # listed, and redirected to
    run = crawl_runs(db_url, "kjj_cq")[-1]
    assert sorted(run.error_messages) == sorted([offsite, loop])
    assert run.health == "degraded" and offsite in run.health_reasons[0] and loop in run.health_reasons[0]
    stored = articles(db_url, "kjj_cq")
    assert ARTICLE + MOVED_TO in stored and ARTICLE + OFFSITE not in stored and ARTICLE + LOOPING not in stored


def test_list_page_redirected_off_site_is_fatal_and_permanent(db_url):
    from crawlers.health import PERMANENT, cause_kind

    with ReplayServer(SITES, faults=[parse_spec(f"{LIST}=redirect://www.most.gov.cn/")]) as server:
        result = run_crawl(server.url, db_url, "kjj_cq", "--max-pages", "1")
    message = (
        "kjj_cq: list page https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html was not fetched: redirected to another "
        "host, www.most.gov.cn (https://www.most.gov.cn/): not followed"
    )
    assert result.returncode == 1 and message in result.stderr.splitlines()
    assert cause_kind(message) == PERMANENT  # waiting will not bring the page back to its host
