"""Incremental and polite crawling: conditional requests, stopping at stored articles, backoff, JS challenges.

Crawls run as ``python -m crawlers.run`` subprocesses against the replay server (copies of the
fixture sites where a test changes one); requests are counted with ``ReplayServer.requests``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import SITES, copy_sites, serve_with_status
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from test_crawlers_spiders import articles, crawl_runs, run_crawl

from config import load_registry
from devtools.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
CHALLENGE = ROOT / "tests" / "fixtures" / "challenge" / "ruishu_412.html"
TZGG = "kjj.cq.gov.cn/zwxx_176/tzgg"
JOINT = "202403/t20240305_12876543.html"
JOINT_TITLE = "重庆市科学技术局 重庆市财政局关于组织申报2024年度重庆市技术创新与应用发展专项项目的通知"
KJJ_ONLY = """
[[sources]]
id = "kjj_cq"
name = "重庆市科学技术局"
host = "kjj.cq.gov.cn"
language = "zh"
family = "trs"

[[sources.sections]]
name = "通知公告"
url = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
"""


def replay_path(url: str) -> str:
    parts = urlsplit(url)
    return f"/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


@pytest.fixture
def kjj_registry(tmp_path) -> Path:
    """Only kjj_cq's 通知公告 column, so these tests do not depend on the registry's other columns."""
    path = tmp_path / "sources.toml"
    path.write_text(KJJ_ONLY, encoding="utf-8")
    return path


@pytest.fixture
def kjj_site(tmp_path) -> Path:
    return copy_sites(tmp_path / "sites", ["kjj.cq.gov.cn"])


def add_article(sites: Path, name: str, title: str, day: str) -> str:
    """A new article page (a copy of the joint notice with another title and date); its list href."""
    column = sites / TZGG
    html = (column / JOINT).read_text(encoding="utf-8").replace(JOINT_TITLE, title)
    html = html.replace("2024-03-05 10:30", f"{day} 09:00")
    target = column / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return f"./{name}"


def list_item(href: str, title: str, day: str) -> str:
    return f'<li class="clearfix"><a href="{href}" title="{title}" target="_blank">{title}</a><span>{day}</span></li>'


def set_first_page_items(sites: Path, items: list[str]) -> None:
    """Replace the items of list page 1 (index.html) by ``items``."""
    page = sites / TZGG / "index.html"
    html = page.read_text(encoding="utf-8")
    html = re.sub(
        r'(<ul class="list">).*?(</ul>)', lambda m: m.group(1) + "\n".join(items) + m.group(2), html, flags=re.S
    )
    page.write_text(html, encoding="utf-8")


# ------------------------------------------------------------------ the second daily run


ENABLED = [s.id for s in load_registry(ROOT / "config" / "sources.toml").enabled()]


@pytest.mark.parametrize("source_id", ENABLED)
def test_second_daily_run_over_an_unchanged_replay_parses_nothing_again(replay_server, db_url, source_id):
    source = load_registry(ROOT / "config" / "sources.toml").get(source_id)
    first = run_crawl(replay_server.url, db_url, source_id, run_id="day-1", logical_date="2024-03-05")
    assert first.returncode == 0 and first.summary["status"] == "success", first.stderr[-3000:]
    stored = articles(db_url, source_id)
    assert stored

    start = len(replay_server.requests)
    second = run_crawl(replay_server.url, db_url, source_id, run_id="day-2", logical_date="2024-03-06")
    requested = replay_server.requests[start:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert (second.summary["new"], second.summary["updated"], second.summary["status"]) == ("0", "0", "success")
    assert set(articles(db_url, source_id)) == set(stored)  # nothing stored twice, nothing lost

    run = crawl_runs(db_url, source_id)[-1]
    robots = sum(path.endswith("/robots.txt") for path in requested)
    assert run.requests == len(requested)
    # every page asked for again answered 304 — no list page and no article page was parsed again —
    # but a section's entry page that a family always reads (gkmlpt: the SID of its JSON API)
    assert run.requests - robots - run.not_modified <= len(source.sections), requested
    assert run.items_found == run.items_unchanged  # the recent articles re-checked, each a 304
    # ...and besides stored articles (the recent ones, re-checked for corrections) only first list
    # pages: what a crawl limited to one list page per section asks for (with gkmlpt's entry page)
    start = len(replay_server.requests)
    one_page = run_crawl(replay_server.url, db_url.replace("crawl.db", "one-page.db"), source_id, "--max-pages", "1")
    assert one_page.returncode == 0, one_page.stderr[-3000:]
    first_pages = set(replay_server.requests[start:])
    lists = {p for p in requested if not p.endswith("/robots.txt")} - {replay_path(u) for u in stored}
    assert lists <= first_pages, sorted(lists - first_pages)
    assert run.health == "ok"


def test_second_run_of_kjj_asks_for_the_first_list_page_and_the_recent_articles_only(db_url, kjj_registry):
    with ReplayServer(SITES) as server:
        assert (
            run_crawl(
                server.url, db_url, "kjj_cq", run_id="day-1", logical_date="2024-03-05", sources_file=kjj_registry
            ).returncode
            == 0
        )
        start = len(server.requests)
        second = run_crawl(
            server.url, db_url, "kjj_cq", run_id="day-2", logical_date="2024-03-06", sources_file=kjj_registry
        )
        requested = server.requests[start:]
    assert second.returncode == 0, second.stderr[-3000:]
    # list page 1: 304, not paged further; the two articles of 2024-03-05 (inside the 3-day refresh
    # window of 2024-03-06) asked for again: 304 each, counted unchanged; nothing else
    # (the order of article requests is Scrapy's scheduling, not behaviour: compared as a set)
    assert requested[:2] == ["/kjj.cq.gov.cn/robots.txt", f"/{TZGG}/index.html"]
    assert sorted(requested[2:]) == sorted(
        [f"/{TZGG}/202403/t20240305_12877210.html", f"/{TZGG}/202403/t20240305_12876543.html"]
    )
    assert second.summary == {
        "source": "kjj_cq",
        "pages": "3",
        "found": "2",
        "new": "0",
        "updated": "0",
        "unchanged": "2",
        "errors": "0",
        "status": "success",
    }
    day1, day2 = crawl_runs(db_url, "kjj_cq")
    assert (day1.requests, day1.not_modified, day1.items_new) == (29, 0, 25)
    assert (day2.requests, day2.not_modified, day2.items_unchanged) == (4, 3, 2)
    seen = articles(db_url)
    assert seen[f"https://{TZGG}/{JOINT}"].last_crawl_run_id == day2.id  # a 304 marks the stored row seen
    assert seen[f"https://{TZGG}/202402/t20240202_12760531.html"].last_crawl_run_id == day1.id


def test_changed_list_page_fetches_the_new_article_and_stops_at_stored_ones(db_url, kjj_registry, kjj_site):
    with ReplayServer(kjj_site) as server:
        assert (
            run_crawl(
                server.url, db_url, "kjj_cq", run_id="day-1", logical_date="2024-03-06", sources_file=kjj_registry
            ).returncode
            == 0
        )
        # the site publishes a notice: it tops list page 1, whose last item (2024-02-02) is stored
        href = add_article(kjj_site, "202403/t20240308_12890001.html", "关于开展2024年度科技活动周的通知", "2024-03-08")
        page = (kjj_site / TZGG / "index.html").read_text(encoding="utf-8")
        page = page.replace(
            '<ul class="list">',
            '<ul class="list">' + list_item(href, "关于开展2024年度科技活动周的通知", "2024-03-08"),
            1,
        )
        (kjj_site / TZGG / "index.html").write_text(page, encoding="utf-8")
        start = len(server.requests)
        second = run_crawl(
            server.url, db_url, "kjj_cq", run_id="day-2", logical_date="2024-03-08", sources_file=kjj_registry
        )
        requested = server.requests[start:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert (second.summary["new"], second.summary["unchanged"]) == ("1", "2")
    assert f"https://{TZGG}/202403/t20240308_12890001.html" in articles(db_url)
    assert requested[:2] == ["/kjj.cq.gov.cn/robots.txt", f"/{TZGG}/index.html"]  # changed: parsed
    assert sorted(requested[2:]) == sorted(
        [  # article requests in Scrapy's scheduling order
            f"/{TZGG}/202403/t20240308_12890001.html",  # new: fetched and stored
            f"/{TZGG}/202403/t20240305_12877210.html",
            f"/{TZGG}/202403/t20240305_12876543.html",  # recent: 304
        ]
    )  # older stored articles are not asked for, and page 2 is not read: page 1 ends with a stored one


def test_pinned_old_item_on_top_does_not_stop_paging(db_url, kjj_registry, kjj_site):
    with ReplayServer(kjj_site) as server:
        assert (
            run_crawl(
                server.url, db_url, "kjj_cq", run_id="day-1", logical_date="2024-03-06", sources_file=kjj_registry
            ).returncode
            == 0
        )
        # page 1 now: a pinned notice from January (stored) above one new notice; page 2 unchanged
        href = add_article(kjj_site, "202403/t20240308_12890002.html", "关于2024年清明节假期安排的公告", "2024-03-08")
        set_first_page_items(
            kjj_site,
            [
                list_item(
                    "./202401/t20240115_12690317.html", "置顶：2024年度重庆市科技计划项目管理办法解读", "2024-01-15"
                ),
                list_item(href, "关于2024年清明节假期安排的公告", "2024-03-08"),
            ],
        )
        start = len(server.requests)
        second = run_crawl(
            server.url, db_url, "kjj_cq", run_id="day-2", logical_date="2024-03-08", sources_file=kjj_registry
        )
        requested = server.requests[start:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.summary["new"] == "1"
    # the page's LAST item is new, so page 2 is read (it answers 304: unchanged, stop there)
    assert f"/{TZGG}/index_1.html" in requested and f"/{TZGG}/index_2.html" not in requested
    assert f"/{TZGG}/202401/t20240115_12690317.html" not in requested  # the stored pinned notice


def test_backfill_after_a_daily_run_still_reads_its_whole_window(replay_server, db_url, kjj_registry):
    recent = run_crawl(
        replay_server.url,
        db_url,
        "kjj_cq",
        "--since",
        "2024-03-01",
        run_id="recent",
        logical_date="2024-03-06",
        sources_file=kjj_registry,
    )
    assert recent.returncode == 0 and recent.summary["new"] == "3"
    # list page 1 had items left out by --since: its validators were not kept, so the backfill
    # cannot get a 304 for it and miss the older items
    backfill = run_crawl(
        replay_server.url,
        db_url,
        "kjj_cq",
        "--since",
        "2024-01-01",
        "--until",
        "2024-02-29",
        run_id="backfill",
        logical_date="2024-03-06",
        sources_file=kjj_registry,
    )
    assert backfill.returncode == 0, backfill.stderr[-3000:]
    assert backfill.summary["new"] == "22" and len(articles(db_url)) == 25


# ------------------------------------------------------------------ backfills of older days
# A list page ending with a stored article (or answering 304) ends the paging only when an earlier
# complete crawl read the lists down to this crawl's `since` (crawl_runs.window_since/until).

ZXTABL = "kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl"


def day_run(server_url: str, db_url: str, day: str, since: str, **kwargs):
    """A daily run of kjj_cq (both columns) for ``day`` with the window ``since``..``day``."""
    result = run_crawl(
        server_url, db_url, "kjj_cq", "--since", since, "--until", day, run_id=f"day-{day}", logical_date=day, **kwargs
    )
    assert result.returncode == 0 and result.summary["status"] == "success", result.stderr[-3000:]
    return result


def test_backfilled_older_day_reads_the_list_pages_the_later_days_did_not_reach(replay_server, db_url):
    # 2024-03-05 with a 30-day look-back stored 02-03 .. 03-05; the zxtabl column's page 1
    # (03-05 .. 02-22) was read whole, its validators kept; page 2 holds 02-05 and older notices
    day_run(replay_server.url, db_url, "2024-03-05", "2024-02-03")
    notice = f"https://{ZXTABL}/202401/t20240130_12748820.html"
    assert notice not in articles(db_url)
    start = len(replay_server.requests)
    backfill = day_run(replay_server.url, db_url, "2024-03-01", "2024-01-30")
    requested = replay_server.requests[start:]
    # the day 2024-03-01 looks back to 01-30: page 1 is fetched in full (not a 304 that would end
    # the paging), ends with a stored 02-22 notice older than the refresh window, and page 2 is read
    assert f"/{ZXTABL}/index_1.html" in requested
    assert notice in articles(db_url), backfill.stderr[-3000:]
    # (通知公告's page 1 left 02-02 out of 03-05's window: no validators were kept for it)
    assert "'policywatch/list_validators_unused': 1" in backfill.stderr
    newer, older = crawl_runs(db_url, "kjj_cq")
    assert (str(newer.window_since), str(newer.window_until), newer.lists_complete) == (
        "2024-02-03",
        "2024-03-05",
        True,
    )
    assert (str(older.window_since), str(older.window_until), older.lists_complete) == (
        "2024-01-30",
        "2024-03-01",
        True,
    )


def test_backfill_run_backwards_finds_what_the_later_day_did_not_reach(replay_server, db_url):
    day_run(replay_server.url, db_url, "2024-03-03", "2024-02-01")  # 通知公告 page 1 ends with 02-02: stored
    notice = f"https://{TZGG}/202401/t20240131_12751846.html"  # top of page 2
    assert notice not in articles(db_url)
    day_run(replay_server.url, db_url, "2024-03-02", "2024-01-31")
    assert notice in articles(db_url)
    # and the next day, going forward again, is covered by 03-03's run (since 02-01 <= 02-02, until
    # 03-03 >= 02-02 and 02-22, the last articles of both columns' page 1): no page 2 is read
    start = len(replay_server.requests)
    forward = day_run(replay_server.url, db_url, "2024-03-04", "2024-02-02")
    requested = replay_server.requests[start:]
    assert forward.summary["new"] == "1"  # zxtabl's notice of 03-04, after the earlier windows
    assert f"/{TZGG}/index_1.html" not in requested and f"/{ZXTABL}/index_1.html" not in requested
    assert "'policywatch/paging_stopped': 2" in forward.stderr and "paging_not_covered" not in forward.stderr


def test_daily_run_going_forward_still_stops_paging_at_stored_articles(db_url, kjj_registry, kjj_site):
    with ReplayServer(kjj_site) as server:
        day_run(server.url, db_url, "2024-03-06", "2024-01-01", sources_file=kjj_registry)
        # the site publishes a notice: page 1 changes (parsed), its last item (02-02) is stored
        href = add_article(kjj_site, "202403/t20240308_12890001.html", "关于开展2024年度科技活动周的通知", "2024-03-08")
        page = (kjj_site / TZGG / "index.html").read_text(encoding="utf-8")
        page = page.replace(
            '<ul class="list">',
            '<ul class="list">' + list_item(href, "关于开展2024年度科技活动周的通知", "2024-03-08"),
            1,
        )
        (kjj_site / TZGG / "index.html").write_text(page, encoding="utf-8")
        start = len(server.requests)
        second = day_run(server.url, db_url, "2024-03-08", "2024-01-03", sources_file=kjj_registry)
        requested = server.requests[start:]
    assert second.summary["new"] == "1"
    # covered by 03-06's run (since 01-01 <= 01-03, until 03-06 >= 02-02): page 2 is not read
    assert f"/{TZGG}/index_1.html" not in requested
    assert "'policywatch/paging_stopped': 1" in second.stderr and "paging_not_covered" not in second.stderr


def test_a_partial_run_does_not_stop_the_next_one_from_paging(db_url, kjj_registry, kjj_site):
    lost = "zwxx_176/tzgg/202401/t20240108_12664102.html"  # on list page 3
    serve_with_status(kjj_site / "kjj.cq.gov.cn", lost, 503)
    with ReplayServer(kjj_site) as server:
        first = run_crawl(
            server.url, db_url, "kjj_cq", run_id="day-1", logical_date="2024-03-06", sources_file=kjj_registry
        )
    assert first.summary["status"] == "partial"
    (kjj_site / "kjj.cq.gov.cn" / "_replay.toml").unlink()  # the page is back
    with ReplayServer(kjj_site) as server:
        second = run_crawl(
            server.url, db_url, "kjj_cq", run_id="day-2", logical_date="2024-03-07", sources_file=kjj_registry
        )
    assert second.returncode == 0 and second.summary["new"] == "1", second.stderr[-3000:]
    assert f"https://kjj.cq.gov.cn/{lost}" in articles(db_url)  # page 1 ends with a stored article: read on
    assert "'policywatch/paging_not_covered': 2" in second.stderr  # pages 1 and 2 end with stored ones


def test_a_run_cut_short_by_the_page_limit_does_not_count_as_complete(replay_server, db_url, kjj_registry):
    first = run_crawl(
        replay_server.url,
        db_url,
        "kjj_cq",
        "--max-pages",
        "2",
        run_id="day-1",
        logical_date="2024-03-06",
        sources_file=kjj_registry,
    )
    assert first.summary["new"] == "20"  # 通知公告 has 3 list pages: the 5 notices of page 3 not read
    assert crawl_runs(db_url, "kjj_cq")[0].lists_complete is False
    second = run_crawl(
        replay_server.url, db_url, "kjj_cq", run_id="day-2", logical_date="2024-03-07", sources_file=kjj_registry
    )
    assert second.summary["new"] == "5", second.stderr[-3000:]  # no 304 on page 1 and no stop: page 3 read
    assert crawl_runs(db_url, "kjj_cq")[1].lists_complete is True


# ------------------------------------------------------------------ politeness


def test_503_is_retried_with_a_growing_delay(db_url, kjj_registry, kjj_site):
    broken = f"zwxx_176/tzgg/{JOINT}"
    serve_with_status(kjj_site / "kjj.cq.gov.cn", broken, 503)
    with ReplayServer(kjj_site) as server:
        result = run_crawl(server.url, db_url, "kjj_cq", sources_file=kjj_registry)
        asked = server.requests.count(f"/kjj.cq.gov.cn/{broken}")
    assert result.returncode == 0 and result.summary["status"] == "partial", result.stderr[-3000:]
    assert asked == 3  # the first try and RETRY_TIMES = 2 retries
    delays = [float(d) for d in re.findall(r"answered 503: retry \d after ([\d.]+) s", result.stderr)]
    assert len(delays) == 2 and 0 < delays[0] < delays[1], delays
    (run,) = crawl_runs(db_url, "kjj_cq")
    assert run.requests == 29 + 2  # robots.txt, 3 list pages, 25 articles, 2 retries
    assert run.error_messages == [f"kjj_cq: article https://kjj.cq.gov.cn/{broken} answered HTTP 503"]
    assert run.health == "degraded" and "1 article pages failed" in run.health_reasons[0]


def test_js_challenge_on_the_list_page_stops_the_source_without_retrying(db_url, kjj_registry, kjj_site):
    serve_with_status(kjj_site / "kjj.cq.gov.cn", "zwxx_176/tzgg/index.html", 412, CHALLENGE)
    with ReplayServer(kjj_site) as server:
        result = run_crawl(server.url, db_url, "kjj_cq", sources_file=kjj_registry)
        requested = list(server.requests)
    assert result.returncode == 1 and result.summary["status"] == "failed"
    message = (
        "kjj_cq: https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html answered HTTP 412 with a Ruishu (瑞数) "
        "JavaScript challenge ($_ts): a plain HTTP client cannot pass it (it needs a real browser); "
        "crawling this source stopped"
    )
    assert message in result.stderr
    assert requested == ["/kjj.cq.gov.cn/robots.txt", f"/{TZGG}/index.html"]  # asked once, never again
    (run,) = crawl_runs(db_url, "kjj_cq")
    assert run.error_messages == [message] and run.health == "broken"


def test_js_challenge_on_an_article_page_stops_the_whole_source(db_url, kjj_registry, kjj_site):
    serve_with_status(kjj_site / "kjj.cq.gov.cn", f"zwxx_176/tzgg/{JOINT}", 412, CHALLENGE)
    with ReplayServer(kjj_site) as server:
        result = run_crawl(server.url, db_url, "kjj_cq", sources_file=kjj_registry)
        requested = list(server.requests)
    assert result.returncode == 1 and "JavaScript challenge ($_ts)" in result.stderr
    assert requested.count(f"/{TZGG}/{JOINT}") == 1
    assert len(requested) < 29  # the crawl stopped instead of reading the rest of the site
    (run,) = crawl_runs(db_url, "kjj_cq")
    assert run.status == "failed" and run.health == "broken"


# ------------------------------------------------------------------ components


def test_retry_after_and_backoff_delays():
    from crawlers.retry import backoff_delay, retry_after_seconds

    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert [backoff_delay(n, 5.0, 120.0) for n in (1, 2, 3)] == [5.0, 10.0, 20.0]
    assert backoff_delay(1, 5.0, 120.0, retry_after=30.0) == 30.0  # the server asked for more
    assert backoff_delay(6, 5.0, 120.0) == 120.0 and backoff_delay(1, 5.0, 60.0, retry_after=3600.0) == 60.0


def test_challenge_detection():
    from crawlers.challenge import find_challenge

    body = CHALLENGE.read_bytes()
    assert find_challenge(412, body) == "a Ruishu (瑞数) JavaScript challenge ($_ts)"
    assert find_challenge(200, body) is None  # an article about $_ts is no challenge
    assert find_challenge(412, b"Precondition Failed") is None


def test_conditional_middleware_headers_and_same_body(tmp_path):
    from crawlers.conditional import ConditionalRequestsMiddleware, NotModified, body_hash
    from crawlers.middlewares import KIND_META
    from storage import CachedPage, CrawlWindow

    crawler = get_crawler(settings_dict={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    middleware = ConditionalRequestsMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    url = f"https://{TZGG}/index.html"
    body = b"<html><body><ul class='list'><li>x</li></ul></body></html>"
    other = f"https://{TZGG}/index_1.html"
    middleware.cache = {
        url: CachedPage(url, '"v1"', "Tue, 05 Mar 2024 02:00:00 GMT", 200, body_hash(body), 7),
        other: CachedPage(other, '"v0"', None, 200, body_hash(body), 6),
    }
    middleware.windows = {7: CrawlWindow(7, None, date(2024, 3, 5))}  # run 6 was partial, cut short or older

    listed = Request(url, meta={KIND_META: "list"})
    middleware.process_request(listed)
    assert listed.headers[b"If-None-Match"] == b'"v1"'
    # validators of a list page saved by a run not known to have read the lists down: not used
    untrusted = Request(other, meta={KIND_META: "list"})
    middleware.process_request(untrusted)
    assert b"If-None-Match" not in untrusted.headers
    assert (
        middleware.process_response(untrusted, HtmlResponse(other, status=200, body=body, request=untrusted)).status
        == 200
    )
    assert crawler.stats.get_value("policywatch/list_validators_unused") == 1
    assert listed.headers[b"If-Modified-Since"] == b"Tue, 05 Mar 2024 02:00:00 GMT"
    robots = Request("https://kjj.cq.gov.cn/robots.txt")  # no page kind: never conditional
    middleware.process_request(robots)
    assert b"If-None-Match" not in robots.headers
    posted = Request(url, method="POST", meta={KIND_META: "list"})
    middleware.process_request(posted)
    assert b"If-None-Match" not in posted.headers

    # a server without validators sends the same page again: unchanged, not parsed
    with pytest.raises(NotModified):
        middleware.process_response(listed, HtmlResponse(url, status=200, body=body, request=listed))
    assert crawler.stats.get_value("policywatch/same_body") == 1
    # a changed page is parsed, its new validators kept for the end of the run
    changed = HtmlResponse(url, status=200, body=body + b"<!-- new -->", headers={"ETag": '"v2"'}, request=listed)
    assert middleware.process_response(listed, changed) is changed
    assert middleware.fetched[url].etag == '"v2"' and middleware.fetched[url].kind == "list"
