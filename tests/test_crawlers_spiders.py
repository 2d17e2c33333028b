"""The real spiders, run as ``python -m crawlers.run`` subprocesses against the local replay server.

Every test gets a fresh SQLite file; the replay server (conftest ``replay_server``, or a private one
with injected faults) serves tests/fixtures/sites/. Nothing here touches the real sites.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "tests" / "fixtures" / "sites"
SH = ZoneInfo("Asia/Shanghai")
KJJ = "https://kjj.cq.gov.cn/zwxx_176/tzgg/"
# the 0413 reply of 通知公告 is listed by the 政协提案办理情况公开 column too: its section is the first read
KJJ_CROSS_LISTED = KJJ + "202402/t20240226_12830412.html"
ICQ = "https://www.ichongqing.info/"
REF_PREFIX = ICQ + "2024/03/05/cultivate-high-level-talents-to-faster-new-quality-productive-forces-"

pytestmark = pytest.mark.skipif(
    not (SITES / "kjj.cq.gov.cn" / "zwxx_176").is_dir() or not (SITES / "www.ichongqing.info" / "feed").is_dir(),
    reason="replay fixture sites not built",
)


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def summary(self) -> dict[str, str]:
        line = self.stdout.strip().splitlines()[-1]
        source, _, rest = line.partition(": ")
        fields = dict(part.split("=", 1) for part in rest.split())
        fields["source"] = source
        return fields


def run_crawl(
    replay_url: str,
    database_url: str,
    source: str,
    *extra: str,
    run_id: str = "test-run",
    logical_date: str = "2024-03-06",
    sources_file: Path | None = None,
) -> CrawlResult:
    env = dict(os.environ)
    env.update(POLICYWATCH_DATABASE_URL=database_url, POLICYWATCH_REPLAY_URL=replay_url)
    if sources_file is not None:
        env["POLICYWATCH_SOURCES_FILE"] = str(sources_file)
    command = [
        sys.executable,
        "-m",
        "crawlers.run",
        "--source",
        source,
        "--run-id",
        run_id,
        "--logical-date",
        logical_date,
        *extra,
    ]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)


def articles(database_url: str, source_id: str | None = None) -> dict[str, object]:
    from sqlalchemy import select

    from storage import session_scope
    from storage.models import Article

    with session_scope(database_url) as session:
        query = select(Article)
        if source_id:
            query = query.where(Article.source_id == source_id)
        return {a.url: a for a in session.scalars(query)}


def crawl_runs(database_url: str, source_id: str) -> list[object]:
    from sqlalchemy import select

    from storage import session_scope
    from storage.models import CrawlRun

    with session_scope(database_url) as session:
        return list(session.scalars(select(CrawlRun).where(CrawlRun.source_id == source_id).order_by(CrawlRun.id)))


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def local_date(value: datetime) -> date:
    return value.astimezone(SH).date()


# --------------------------------------------------------------------------- kjj.cq.gov.cn (TRS)
def test_trs_crawl_stores_every_article_with_real_urls(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjj_cq")
    assert result.returncode == 0, result.stderr[-3000:]
    # two sections: 通知公告 (3 list pages, 25 articles) and 政协提案办理情况公开 (2 + 8, tests/test_crawlers_trs_sites.py)
    assert result.summary == {
        "source": "kjj_cq",
        "pages": "38",
        "found": "33",
        "new": "33",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout

    stored = articles(db_url, "kjj_cq")
    assert len(stored) == 33
    stored = {url: a for url, a in stored.items() if url.startswith(KJJ)}  # the 通知公告 column
    assert len(stored) == 25
    assert all(url.startswith(KJJ) and url.endswith(".html") for url in stored)
    assert all(
        a.language == "zh" and (a.section == "通知公告" or url == KJJ_CROSS_LISTED) and a.title and a.body
        for url, a in stored.items()
    )
    assert all(a.published_at is not None for a in stored.values())

    joint = stored[KJJ + "202403/t20240305_12876543.html"]
    assert joint.title == "重庆市科学技术局 重庆市财政局关于组织申报2024年度重庆市技术创新与应用发展专项项目的通知"
    assert joint.published_at.astimezone(SH) == datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    assert joint.source_office == "重庆市科学技术局 重庆市财政局"
    assert joint.extra["attachments"] == [
        {
            "name": "2024年度重庆市技术创新与应用发展专项项目申报指南.pdf",
            "url": KJJ + "202403/P020240305612345678901.pdf",
        },
        {"name": "项目申报书（模板）.docx", "url": KJJ + "202403/P020240305612345678902.docx"},
    ]
    assert joint.extra["keywords"] and joint.extra["column_name"] == "通知公告"

    no_pubdate = stored[KJJ + "202401/t20240115_12690317.html"]
    assert local_date(no_pubdate.published_at) == date(2024, 1, 15)
    assert stored[KJJ + "202402/t20240223_12817955.html"].source_office == "市科技局高新处"
    assert stored[KJJ + "202403/t20240301_12859317.html"].title.endswith("<script>alert(1)</script>")
    assert KJJ + "202401/t20240122_12718450.html" in stored  # absolute href on the list
    assert local_date(stored[KJJ + "202401/t20240129_12743302.html"].published_at) == date(2024, 1, 29)
    assert sum(1 for a in stored.values() if a.extra.get("attachments")) == 16

    (run,) = crawl_runs(db_url, "kjj_cq")
    assert (run.run_id, run.logical_date, run.status) == ("test-run", date(2024, 3, 6), "success")
    assert (run.pages_fetched, run.items_found, run.items_new, run.items_updated, run.items_unchanged, run.errors) == (
        38,
        33,
        33,
        0,
        0,
        0,
    )
    assert all(a.first_crawl_run_id == run.id for a in stored.values())

    requests = replay_server.requests[first:]
    assert "/kjj.cq.gov.cn/robots.txt" in requests
    assert not any(r.endswith((".pdf", ".docx", ".xls")) for r in requests)  # attachments never fetched
    assert "/kjj.cq.gov.cn/zwxx_176/tzgg/index_2.html" in requests


def test_trs_second_run_finds_nothing_new(replay_server, db_url):
    assert run_crawl(replay_server.url, db_url, "kjj_cq", run_id="run-1").returncode == 0
    again = run_crawl(replay_server.url, db_url, "kjj_cq", run_id="run-2", logical_date="2024-03-07")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert len(articles(db_url)) == 33
    runs = crawl_runs(db_url, "kjj_cq")
    assert [(r.run_id, r.items_new) for r in runs] == [("run-1", 33), ("run-2", 0)]
    # incremental: every page asked for again answered 304 (robots.txt aside), so nothing was parsed
    # again; the unchanged articles are the recent ones re-checked (tests/test_crawlers_incremental.py)
    assert runs[1].not_modified == runs[1].requests - 1 and runs[1].items_unchanged == int(again.summary["unchanged"])


def test_trs_same_run_id_twice_reuses_the_crawl_run_row(replay_server, db_url):
    assert run_crawl(replay_server.url, db_url, "kjj_cq", run_id="retried").returncode == 0
    assert run_crawl(replay_server.url, db_url, "kjj_cq", run_id="retried").returncode == 0
    (run,) = crawl_runs(db_url, "kjj_cq")
    assert (run.status, run.items_new, run.items_updated) == ("success", 0, 0)
    assert run.not_modified == run.requests - 1  # the retry re-read nothing (robots.txt aside)


def test_trs_since_window_stops_paging(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjj_cq", "--since", "2024-03-01")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = articles(db_url)
    assert sorted(url.rsplit("/", 1)[-1] for url in stored) == [  # 通知公告 and 政协提案办理情况公开
        "t20240301_12859317.html",
        "t20240304_12872310.html",
        "t20240305_12876543.html",
        "t20240305_12877210.html",
        "t20240305_12877655.html",
    ]
    requests = replay_server.requests[first:]
    # page 2 is entirely older than --since: page 3 is never asked for
    assert "/kjj.cq.gov.cn/zwxx_176/tzgg/index_1.html" in requests
    assert "/kjj.cq.gov.cn/zwxx_176/tzgg/index_2.html" not in requests


def test_trs_until_window(replay_server, db_url):
    result = run_crawl(replay_server.url, db_url, "kjj_cq", "--since", "2024-01-10", "--until", "2024-01-12")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(local_date(a.published_at).isoformat() for a in articles(db_url).values()) == [
        "2024-01-10",
        "2024-01-11",
        "2024-01-12",
    ]


def test_trs_list_page_http_error_fails_the_run(db_url):
    from devtools.replay import ReplayServer

    with ReplayServer(SITES, faults={"kjj.cq.gov.cn/zwxx_176/tzgg/index.html": 500}) as server:
        result = run_crawl(server.url, db_url, "kjj_cq")
    assert result.returncode == 1
    assert result.summary["status"] == "failed"
    assert "kjj_cq: list page https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html answered HTTP 500" in result.stderr
    (run,) = crawl_runs(db_url, "kjj_cq")
    assert run.status == "failed" and run.errors == 1
    assert "HTTP 500" in run.error_messages[0] and "kjj_cq" in run.error_messages[0]
    # nothing of 通知公告; the other section is still read (with the reply both columns list)
    stored = articles(db_url)
    assert len(stored) == 9 and {a.section for a in stored.values()} == {"政协提案办理情况公开"}


def test_trs_later_list_page_failure_is_fatal_but_keeps_what_was_read(db_url):
    from devtools.replay import ReplayServer

    with ReplayServer(SITES, faults={"kjj.cq.gov.cn/zwxx_176/tzgg/index_1.html": 404}) as server:
        result = run_crawl(server.url, db_url, "kjj_cq")
    assert result.returncode == 1
    assert "list page https://kjj.cq.gov.cn/zwxx_176/tzgg/index_1.html answered HTTP 404" in result.stderr
    assert len(articles(db_url)) == 10 + 8  # page 1's articles are stored, and the other section's
    assert crawl_runs(db_url, "kjj_cq")[0].status == "failed"


def test_trs_article_failure_makes_the_run_partial(db_url):
    from devtools.replay import ReplayServer

    broken = "kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html"
    with ReplayServer(SITES, faults={broken: 404}) as server:
        result = run_crawl(server.url, db_url, "kjj_cq")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (result.summary["status"], result.summary["new"], result.summary["errors"]) == ("partial", "32", "1")
    (run,) = crawl_runs(db_url, "kjj_cq")
    assert run.status == "partial"
    assert run.error_messages == [f"kjj_cq: article https://{broken} answered HTTP 404"]


def test_trs_list_page_without_articles_fails_the_run(replay_server, db_url, tmp_path):
    registry = tmp_path / "sources.toml"
    registry.write_text(
        '[[sources]]\nid = "kjj_cq"\nname = "kjj"\nhost = "kjj.cq.gov.cn"\nlanguage = "zh"\nfamily = "trs"\n'
        '[[sources.sections]]\nname = "wrong page"\n'
        'url = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html"\n',
        encoding="utf-8",
    )
    result = run_crawl(replay_server.url, db_url, "kjj_cq", sources_file=registry)
    assert result.returncode == 1
    assert (
        "kjj_cq: no article found on list page https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html"
        " (page layout changed?)"
    ) in result.stderr
    assert crawl_runs(db_url, "kjj_cq")[0].status == "failed"


def test_unknown_source_is_a_usage_error(replay_server, db_url):
    result = run_crawl(replay_server.url, db_url, "no_such_source")
    assert result.returncode == 2 and "unknown source" in result.stderr


# --------------------------------------------------------------------------- www.ichongqing.info (WordPress)
def test_wordpress_crawl_stores_every_article(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "ichongqing")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = result.summary
    assert (summary["found"], summary["new"], summary["errors"], summary["status"]) == ("25", "25", "0", "success")
    assert summary["pages"] == "29"  # 3 feed pages + the 404 after them + 25 articles

    stored = articles(db_url, "ichongqing")
    assert len(stored) == 25
    assert all(url.startswith(ICQ + "2024/") and url.endswith("/") for url in stored)
    assert not any("utm_" in url or url.endswith("/amp/") or "?" in url for url in stored)
    assert all(a.language == "en" and a.section == "News" and a.title and a.body for a in stored.values())

    (ref_url,) = [url for url in stored if url.startswith(REF_PREFIX)]
    ref = stored[ref_url]
    assert ref.title == "Cultivate High-Level Talents to Faster New Quality Productive Forces丨CPPCC Member"
    assert local_date(ref.published_at) == date(2024, 3, 5)
    assert ref.author == "XINYI LI"
    assert "Ming Ju" in ref.body and "(Photo/Zhou Qi)" not in ref.body and "Related Posts" not in ref.body

    amp = stored[ICQ + "2024/03/03/chongqings-innovation-platforms-five-numbers-to-know-ahead-of-the-two-sessions/"]
    assert amp.author == "XINYI LI"
    tracked = stored[ICQ + "2024/03/04/cppcc-members-from-chongqing-arrive-in-beijing-for-annual-session/"]
    assert tracked.author == "CHEN JIANG"
    no_byline = stored[ICQ + "2024/03/01/chongqing-high-tech-enterprises-top-7500-in-2023/"]
    assert no_byline.author == "TAN YUQING"  # from the feed's dc:creator
    url_only = stored[
        ICQ + "2024/02/21/chongqing-steps-up-efforts-to-build-science-and-innovation-center-in-western-china/"
    ]
    assert local_date(url_only.published_at) == date(2024, 2, 21)
    early = stored[ICQ + "2024/03/05/chongqing-university-team-unveils-low-cost-solid-state-battery-prototype/"]
    assert local_date(early.published_at) == date(2024, 3, 5)  # 2024-03-04 22:40 UTC in the feed

    (run,) = crawl_runs(db_url, "ichongqing")
    assert (run.status, run.items_found, run.items_new, run.errors) == ("success", 25, 25, 0)

    requests = replay_server.requests[first:]
    assert "/www.ichongqing.info/robots.txt" in requests
    assert "/www.ichongqing.info/feed/?paged=4" in requests  # asked, answered 404: the normal end


def test_wordpress_second_run_finds_nothing_new(replay_server, db_url):
    assert run_crawl(replay_server.url, db_url, "ichongqing", run_id="run-1").returncode == 0
    again = run_crawl(replay_server.url, db_url, "ichongqing", run_id="run-2")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert again.summary["unchanged"] == again.summary["found"]  # the recent articles, each a 304
    assert len(articles(db_url)) == 25


def test_wordpress_feed_failure_fails_the_run(db_url):
    from devtools.replay import ReplayServer

    with ReplayServer(SITES, faults={"www.ichongqing.info/feed/": 503}) as server:
        result = run_crawl(server.url, db_url, "ichongqing")
    assert result.returncode == 1
    assert "ichongqing: list page https://www.ichongqing.info/feed/ answered HTTP 503" in result.stderr
    assert crawl_runs(db_url, "ichongqing")[0].status == "failed"


def test_wordpress_max_pages(replay_server, db_url):
    result = run_crawl(replay_server.url, db_url, "ichongqing", "--max-pages", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.summary["new"] == "10"
