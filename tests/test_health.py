"""Source health (crawlers/health.py): the verdict rules, and a redesigned site reported broken.

The end-to-end tests copy the replay sites to a temporary folder, change one site as a redesign
would, and crawl every enabled source the way the DAG does (``policywatch.pipeline.crawl_source``).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from conftest import copy_sites
from typer.testing import CliRunner

from config import get_settings
from crawlers.health import BROKEN, DEGRADED, OK, PastRun, RunFacts, assess
from devtools.replay import ReplayServer
from policywatch.cli import app
from policywatch.pipeline import SourceCrawlError, crawl_source, registry

KJJ_COLUMN = Path("kjj.cq.gov.cn") / "zwxx_176" / "tzgg"
KJJ_LIST = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
GOOD = PastRun("day-1", "success", 25, "ok")


# ------------------------------------------------------------------ the rules


def facts(**kw) -> RunFacts:
    base = dict(
        source_id="kjj_cq",
        status="success",
        items_found=25,
        items_stored=25,
        list_pages=3,
        list_entries=25,
        articles_parsed=25,
    )
    return RunFacts(**{**base, **kw})


def test_a_clean_run_is_ok():
    assert (assess(facts(), [GOOD]).health, assess(facts(), []).reasons) == (OK, [])
    # a quiet daily run: everything known or unchanged
    assert (
        assess(facts(items_found=0, items_stored=0, list_entries=0, known_skipped=10, articles_parsed=0), [GOOD]).health
        == OK
    )
    assert (
        assess(
            facts(items_found=0, items_stored=0, list_pages=0, list_entries=0, not_modified=1, articles_parsed=0),
            [GOOD],
        ).health
        == OK
    )


def test_a_fatal_error_is_broken_with_what_the_last_good_run_found():
    message = f"kjj_cq: no article found on list page {KJJ_LIST} (page layout changed?)"
    verdict = assess(
        facts(status="failed", items_found=0, fatal_errors=(message,)), [PastRun("day-2", "failed", 0, "broken"), GOOD]
    )
    assert verdict.health == BROKEN and verdict.broken
    assert verdict.reasons == [message + " (the last good run, day-1, found 25 items)"]
    assert assess(facts(status="failed", fatal_errors=("x",)), []).reasons == ["x"]  # no history yet


def test_pages_without_title_or_body():
    errors = tuple(
        f"kjj_cq: article https://kjj.cq.gov.cn/{n}.html has no body (page layout changed?)" for n in range(20)
    )
    broken = assess(facts(status="partial", items_stored=5, pages_failed=20, page_errors=errors), [GOOD])
    assert broken.health == BROKEN
    assert broken.reasons[0].startswith("20 of 25 article pages without title or body (a selector stopped matching?): ")
    assert broken.reasons[0].endswith("(+17 more)")
    few = assess(facts(status="partial", items_stored=24, pages_failed=1, page_errors=errors[:1]), [GOOD])
    assert few.health == DEGRADED
    two_pages = assess(
        facts(status="partial", items_stored=0, articles_parsed=2, pages_failed=2, page_errors=errors[:2])
    )
    assert two_pages.health == DEGRADED  # too few pages to call the selectors gone


def test_undecodable_pages_are_failed_pages_with_their_cause():
    errors = tuple(
        f"kjj_cq: article https://kjj.cq.gov.cn/{n}.html undecodable: 4096 bytes (declared utf-8) are not text in "
        "utf-8, gb18030 or any detected charset"
        for n in range(4)
    )
    broken = assess(facts(status="partial", items_stored=1, articles_parsed=5, pages_failed=4, page_errors=errors))
    assert broken.health == BROKEN and len(broken.reasons) == 1  # counted once, as failed pages
    assert broken.reasons[0].startswith(
        "4 of 5 article pages without title or body, or undecodable (a selector stopped matching, or bytes in no "
        "known charset?): kjj_cq: article https://kjj.cq.gov.cn/0.html undecodable: "
    )


def test_dates_fallbacks_and_download_errors_degrade():
    assert assess(facts(items_undated=20)).reasons == [
        "20 of 25 articles have no date (a date selector stopped matching?)"
    ]
    assert assess(facts(items_fallback=25)).reasons == [
        "25 of 25 article bodies came from the generic fallback (the family's body selectors stopped matching?)"
    ]
    future = assess(
        facts(items_future_dated=2, future_example="https://kjj.cq.gov.cn/a.html (2031-01-01T00:00:00+00:00)")
    )
    assert future.health == DEGRADED and future.reasons[0].startswith("2 articles dated in the future, e.g. https://")
    failed = assess(
        facts(status="partial", page_errors=("kjj_cq: article https://kjj.cq.gov.cn/a.html answered HTTP 503",))
    )
    assert failed.reasons == ["1 article pages failed: kjj_cq: article https://kjj.cq.gov.cn/a.html answered HTTP 503"]
    silent = assess(facts(items_found=0, items_stored=0, list_entries=0, articles_parsed=0), [GOOD])
    assert silent.reasons == ["3 list pages read but no article listed (the last good run, day-1, found 25 items)"]


# ------------------------------------------------------------------ a redesigned site, end to end


def redesign_kjj_lists(sites: Path) -> None:
    """The 2025 template: items are divs whose links are data attributes opened by a script."""
    for page in (sites / KJJ_COLUMN).glob("index*.html"):
        html = page.read_text(encoding="utf-8")

        def item(match: re.Match[str]) -> str:
            href, title, day = match.group(1), match.group(2), match.group(3) or ""
            return f'<div class="news-item" data-url="{href}"><h3>{title}</h3><em>{day}</em></div>'

        html = re.sub(
            r'<li class="clearfix"><a href="([^"]+)" title="([^"]+)"[^>]*>.*?</a>(?:<span>([^<]*)</span>)?</li>',
            item,
            html,
        )
        html = html.replace('<ul class="list">', '<div class="news-list-new">').replace(
            '</ul>\n      <div class="page"', '</div>\n      <div class="page"'
        )
        assert "news-item" in html and 'class="clearfix"><a' not in html
        page.write_text(html, encoding="utf-8")


def crawl_all(sources: list[str], day: date, run_id: str, settings) -> dict:
    with ThreadPoolExecutor(max_workers=4) as pool:  # one subprocess each, as the DAG's mapped tasks
        reports = pool.map(
            lambda s: crawl_source(s, day, run_id, until=day, settings=settings, raise_on_failure=False), sources
        )
        return {report.source_id: report for report in reports}


def test_redesigned_list_template_makes_its_source_broken_while_the_others_run(tmp_path, monkeypatch):
    sites = copy_sites(tmp_path / "sites")
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'health.db'}")
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        settings = get_settings()
        enabled = [s.id for s in registry(settings).enabled()]
        before = crawl_source("kjj_cq", date(2024, 3, 4), "day-1", until=date(2024, 3, 4), settings=settings)
        assert (before.status, before.health) == ("success", "ok")

        redesign_kjj_lists(sites)
        with ThreadPoolExecutor(max_workers=1) as pool:  # beside the others, as the DAG's crawl task of kjj_cq
            broken = pool.submit(
                crawl_source, "kjj_cq", date(2024, 3, 5), "day-2", until=date(2024, 3, 5), settings=settings
            )
            reports = crawl_all([s for s in enabled if s != "kjj_cq"], date(2024, 3, 5), "day-2", settings)
            with pytest.raises(SourceCrawlError) as raised:
                broken.result()

    kjj = raised.value.report
    assert (kjj.status, kjj.health, kjj.ok) == ("failed", "broken", False)
    reason = kjj.health_reasons[0]
    assert f"kjj_cq: no article found on list page {KJJ_LIST} (page layout changed?)" in reason
    assert reason.endswith(f"(the last good run, day-1, found {before.found} items)")
    # the one-line report is short (the cause on the lines below it) and names the source once
    assert kjj.line().endswith(" health=broken (permanent)") and kjj.kind == "permanent"
    assert kjj.details()[0].startswith(f"  no article found on list page {KJJ_LIST}")
    assert kjj.problems[0].startswith(f"kjj_cq: no article found on list page {KJJ_LIST}")
    assert f"no article found on list page {KJJ_LIST}" in str(raised.value)

    others = {s: r for s, r in reports.items() if s != "kjj_cq"}
    assert others and all(r.ok and r.status == "success" and r.health == "ok" and r.new > 0 for r in others.values()), {
        s: (r.status, r.health, r.problems) for s, r in others.items()
    }

    # `policywatch sources status`: one line per source, the broken one with its reason
    result = CliRunner().invoke(app, ["sources", "status"])
    assert result.exit_code == 0, result.output
    lines = {line.split(":", 1)[0]: line for line in result.output.splitlines()}
    assert "health broken (kjj_cq: no article found on list page" in lines["kjj_cq"]
    assert "; permanent failure; last good run day-1 (2024-03-04);" in lines["kjj_cq"]
    assert "last run day-2 " in lines["kjj_cq"] and "failed" in lines["kjj_cq"]
    assert all("health ok" in lines[s] for s in others)
    assert all("window " in lines[s] and " to 2024-03-05, lists read in full;" in lines[s] for s in others), lines
    assert lines["gdstc_gd"].startswith("gdstc_gd: disabled (robots.txt reported to forbid automated access")
    assert lines["stcsm_sh"].endswith("never crawled") and "needs a real browser" in lines["stcsm_sh"]
    statuses = [
        json.loads(line) for line in CliRunner().invoke(app, ["sources", "status", "--json"]).output.splitlines()
    ]
    by_id = {s["id"]: s for s in statuses}
    assert by_id["kjj_cq"]["last_run"]["health"] == "broken" and by_id["gdstc_gd"]["last_run"] is None
    assert by_id["kjj_cq"]["last_run"]["requests"] >= 2
    assert by_id["kjj_cq"]["last_run"]["window_until"] == "2024-03-05"
    assert all(by_id[s]["last_run"]["lists_complete"] is True for s in others)


def test_article_template_whose_body_rule_stopped_matching_is_degraded(tmp_path, monkeypatch):
    sites = copy_sites(tmp_path / "sites", ["kjj.cq.gov.cn"])
    for page in (sites / KJJ_COLUMN).glob("2024*/t*.html"):
        html = page.read_text(encoding="utf-8")
        for old in ("trs_editor_view", "TRS_UEDITOR", "zwxl-article", "pages_content"):
            html = html.replace(old, old.lower().replace("_", "-") + "-2025")
        page.write_text(html, encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'health.db'}")
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        report = crawl_source("kjj_cq", date(2024, 3, 5), "day-1", settings=get_settings(), raise_on_failure=False)
    assert (report.status, report.health, report.ok) == ("success", "degraded", True)  # stored, but look at it
    assert any("article bodies came from the generic fallback" in r for r in report.health_reasons), (
        report.health_reasons
    )


# ------------------------------------------------------------------ permanent or transient


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (f"kjj_cq: no article found on list page {KJJ_LIST} (page layout changed?)", "permanent"),
        (f"kjj_cq: list page {KJJ_LIST} answered HTTP 404", "permanent"),
        (f"kjj_cq: list page {KJJ_LIST} answered HTTP 403", "permanent"),
        (f"kjj_cq: list page {KJJ_LIST} was not fetched: Forbidden by robots.txt", "permanent"),
        (
            f"kjj_cq: {KJJ_LIST} answered HTTP 412 with a Ruishu (瑞数) JavaScript challenge ($_ts): a plain HTTP "
            "client cannot pass it (it needs a real browser); crawling this source stopped",
            "permanent",
        ),
        (f"kjj_cq: parsing {KJJ_LIST} raised ValueError: no date", "permanent"),
        (f"kjj_cq: list page {KJJ_LIST} answered HTTP 500", "transient"),
        (f"kjj_cq: list page {KJJ_LIST} answered HTTP 503", "transient"),
        (f"kjj_cq: list page {KJJ_LIST} answered HTTP 429", "transient"),
        (f"kjj_cq: list page {KJJ_LIST} answered HTTP 408", "transient"),
        (f"kjj_cq: list page {KJJ_LIST} failed: TimeoutError: Getting {KJJ_LIST} took longer than 30 s", "transient"),
        (f"kjj_cq: list page {KJJ_LIST} failed: ConnectionRefusedError: Connection was refused", "transient"),
        (
            f"kjj_cq: list page {KJJ_LIST} was not fetched: redirected to another host, www.example.com "
            "(https://www.example.com/): not followed",
            "permanent",
        ),
        (
            f"kjj_cq: list page {KJJ_LIST} undecodable: 4096 bytes (no charset declared) are not text in utf-8",
            "permanent",
        ),
        (f"kjj_cq: list page {KJJ_LIST} was not fetched: redirect loop: {KJJ_LIST} -> {KJJ_LIST}", "transient"),
    ],
)
def test_a_fatal_error_is_permanent_or_transient(message, kind):
    from crawlers.health import cause_kind, failure_kind

    assert cause_kind(message) == kind
    # an article page's 404 beside it changes nothing: the source's kind is its fatal errors'
    assert failure_kind(BROKEN, [message, "kjj_cq: article https://kjj.cq.gov.cn/a.html answered HTTP 404"]) == kind


def test_the_kind_of_a_source_failure():
    from crawlers.health import failure_kind
    from policywatch.reports import CrawlReport

    # a 404 list page beside a 500 one: a retry cannot make the crawl whole
    assert failure_kind(BROKEN, ["kjj_cq: list page A answered HTTP 500", "kjj_cq: list page B answered HTTP 404"]) == (
        "permanent"
    )
    # broken by its article pages alone (the title/body selectors stopped matching)
    assert failure_kind(BROKEN, ["kjj_cq: article https://kjj.cq.gov.cn/a.html has no body"]) == "permanent"
    # the crawler died or timed out before judging itself: worth another try
    died = CrawlReport("kjj_cq", "Chongqing", "failed", errors=["kjj_cq: crawl timed out after 3600 s"])
    assert (died.kind, died.line().endswith("errors=1 (transient)")) == ("transient", True)
    assert CrawlReport("kjj_cq", "Chongqing", "success", health="ok").kind is None
    partial = CrawlReport(
        "kjj_cq", "Chongqing", "partial", health="degraded", health_reasons=["1 article pages failed"]
    )
    assert (partial.ok, partial.kind, partial.details()) == (True, None, ["  1 article pages failed"])


def test_low_confidence_generic_extraction_degrades_with_its_reason():
    example = "https://kjj.cq.gov.cn/a.html: link-dense body (83% of its text is link text)"
    verdict = assess(facts(items_fallback=1, items_low_confidence=1, low_confidence_example=example))
    assert verdict.health == DEGRADED and verdict.reasons == [
        f"1 of 25 article bodies from the generic fallback have a low extraction confidence, e.g. {example} "
        "(the family's rules no longer match?)"
    ]


def test_article_template_whose_rules_no_longer_match_and_fallback_is_link_dense_is_degraded(tmp_path, monkeypatch):
    """The body selectors stop matching and the article text turns into a list of links: the generic
    extraction keeps a link list, its confidence is low, and the source is degraded saying so."""
    sites = copy_sites(tmp_path / "sites", ["kjj.cq.gov.cn"])
    for page in (sites / KJJ_COLUMN).glob("2024*/t*.html"):
        html = page.read_text(encoding="utf-8")
        for old in ("trs_editor_view", "TRS_UEDITOR", "zwxl-article", "pages_content"):
            html = html.replace(old, old.lower().replace("_", "-") + "-2025")
        html = re.sub(
            r"<p([^>]*)>(.*?)</p>",
            lambda m: f"<ul><li><a href='/zwxx_176/tzgg/related.html'>{m.group(2)}</a></li></ul>",
            html,
            flags=re.S,
        )
        page.write_text(html, encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'health.db'}")
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        report = crawl_source("kjj_cq", date(2024, 3, 5), "day-1", settings=get_settings(), raise_on_failure=False)
    assert report.health == "degraded", report.health_reasons
    low = [r for r in report.health_reasons if "low extraction confidence" in r]
    assert low and "link-dense body" in low[0], report.health_reasons


def test_future_dated_article_in_a_daily_run_is_named_not_silently_out_of_window(tmp_path, monkeypatch):
    """issue 13, finding 4: until = the logical date, an article dated years ahead (a misread date)
    was only counted as out_of_window; now it is a page error naming it, and a health reason."""
    sites = copy_sites(tmp_path / "sites", ["kjj.cq.gov.cn"])
    article = "202403/t20240305_12877210.html"
    listing = sites / KJJ_COLUMN / "index.html"
    html = listing.read_text(encoding="utf-8")
    row = re.search(rf'<li class="clearfix"><a href="\./{re.escape(article)}".*?<span>2024-03-05</span>', html)
    assert row, "the fixture list changed"
    listing.write_text(html.replace(row[0], row[0].replace("2024-03-05", "2099-03-05")), encoding="utf-8")
    page = sites / KJJ_COLUMN / article
    page.write_text(page.read_text(encoding="utf-8").replace("2024-03-05", "2099-03-05"), encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'health.db'}")
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        report = crawl_source(
            "kjj_cq", date(2024, 3, 5), "day-1", until=date(2024, 3, 5), settings=get_settings(), raise_on_failure=False
        )
    url = f"https://kjj.cq.gov.cn/zwxx_176/tzgg/{article}"
    assert (report.status, report.health, report.ok) == ("partial", "degraded", True), report
    assert any(url in e and "dated in the future" in e and "2099-03-05" in e for e in report.errors), report.errors
    assert any("dated in the future" in r and url in r for r in report.health_reasons), report.health_reasons
    assert not any("article pages failed" in r for r in report.health_reasons), report.health_reasons
    assert report.new == 33 - 1  # every other article is stored as in a clean run
