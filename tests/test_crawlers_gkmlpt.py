"""The gkmlpt spider, run as ``python -m crawlers.run`` against the replay of stic.sz.gov.cn (plain HTTP).

Every test gets a fresh SQLite file; the replay serves tests/fixtures/sites/ (its README lists the
planted traps). Nothing here touches the real site.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SITES
from test_crawlers_spiders import articles, crawl_runs, run_crawl

SH = ZoneInfo("Asia/Shanghai")
CONTENT = "http://stic.sz.gov.cn/gkmlpt/content/"
API = "/stic.sz.gov.cn/gkmlpt/api/all/"

pytestmark = pytest.mark.skipif(
    not (SITES / "stic.sz.gov.cn" / "gkmlpt").is_dir(), reason="gkmlpt replay site not built"
)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def test_crawl_over_http_two_categories_and_two_api_pages(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "stic_sz")
    assert result.returncode == 0, result.stderr[-3000:]
    # index + 3 API pages + 10 articles (the one listed in both categories is fetched once)
    assert result.summary == {
        "source": "stic_sz",
        "pages": "14",
        "found": "10",
        "new": "10",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout

    stored = articles(db_url, "stic_sz")
    assert len(stored) == 10
    assert all(url.startswith(CONTENT) and re.search(r"/post_\d+\.html$", url) for url in stored)  # http, never https
    assert all(a.language == "zh" and a.title and a.source_office for a in stored.values())
    for article in stored.values():
        assert "\ufffd" not in article.body and "<p" not in article.body and "\\u" not in article.body, article.url
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in article.body) > 20, article.url
    assert {a.section for a in stored.values()} == {"通知公告", "规范性文件"}

    early = stored[CONTENT + "11/11153/post_11153246.html"]
    assert early.published_at.astimezone(SH) == datetime(2024, 3, 5, 7, 30, tzinfo=SH)  # 2024-03-04 in UTC
    assert early.extra["index_number"] == "11440300MB2C92057M/2024-00087" and early.extra["keywords"] == [
        "高新技术企业",
        "培育资助",
    ]
    assert CONTENT + "11/11152/post_11152810.html" in stored  # the API said https
    rules = stored[CONTENT + "11/11151/post_11151903.html"]
    assert rules.extra["document_number"] == "深科技创新规〔2024〕1号"
    assert [a["name"] for a in rules.extra["attachments"]] == [
        "深圳市科技计划项目管理办法.pdf",
        "《深圳市科技计划项目管理办法》起草说明.docx",
    ]
    assert stored[CONTENT + "11/11146/post_11146005.html"].published_at.astimezone(SH) == datetime(
        2024, 2, 20, 15, 0, tzinfo=SH
    )
    assert stored[CONTENT + "11/11143/post_11143519.html"].source_office == "深圳市科技创新局办公室"

    requests = replay_server.requests[first:]
    assert "/stic.sz.gov.cn/gkmlpt/index" in requests
    assert sorted(r for r in requests if r.startswith(API)) == [
        API + "2917?page=1&sid=755031",
        API + "2917?page=2&sid=755031",
        API + "2925?page=1&sid=755031",
    ]
    assert sum(r.endswith("post_11151903.html") for r in requests) == 1
    assert not any("/attachment/" in r or "www.sz.gov.cn" in r for r in requests)


def test_second_run_stores_nothing_new(replay_server, db_url):
    assert run_crawl(replay_server.url, db_url, "stic_sz", run_id="run-1").returncode == 0
    first = len(replay_server.requests)
    again = run_crawl(replay_server.url, db_url, "stic_sz", run_id="run-2", logical_date="2024-03-07")
    assert again.returncode == 0, again.stderr[-3000:]
    requests = replay_server.requests[first:]
    # the index is always read in full (its SID and TREE say nothing about new articles); the
    # unchanged first API pages (304) end the paging
    assert "/stic.sz.gov.cn/gkmlpt/index" in requests and API + "2917?page=2&sid=755031" not in requests
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert len(articles(db_url)) == 10
    assert [(r.run_id, r.items_new) for r in crawl_runs(db_url, "stic_sz")] == [("run-1", 10), ("run-2", 0)]


def test_since_window_stops_the_api_paging(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "stic_sz", "--since", "2024-02-27")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(url.rsplit("_", 1)[-1] for url in articles(db_url)) == [
        "11150347.html",
        "11151903.html",
        "11152810.html",
        "11153246.html",
    ]
    requests = replay_server.requests[first:]
    assert API + "2917?page=2&sid=755031" in requests  # page 1 still had articles inside the window
    assert result.summary["status"] == "success"


def _registry(tmp_path: Path, selectors: str) -> Path:
    registry = tmp_path / "sources.toml"
    registry.write_text(
        '[[sources]]\nid = "stic_sz"\nname = "stic"\nhost = "stic.sz.gov.cn"\nlanguage = "zh"\nfamily = "gkmlpt"\n'
        f"{selectors}\n"
        '[[sources.sections]]\nname = "gkmlpt"\nurl = "http://stic.sz.gov.cn/gkmlpt/index"\n',
        encoding="utf-8",
    )
    return registry


def test_no_category_chosen_fails_with_the_registry_key_named(replay_server, db_url, tmp_path):
    result = run_crawl(replay_server.url, db_url, "stic_sz", sources_file=_registry(tmp_path, ""))
    assert result.returncode == 1
    assert "stic_sz: no gkmlpt category chosen: set selectors.categories" in result.stderr


def test_unknown_category_fails_naming_it_and_the_tree(replay_server, db_url, tmp_path):
    registry = _registry(tmp_path, 'selectors = { categories = "通知公告,9999" }')
    result = run_crawl(replay_server.url, db_url, "stic_sz", sources_file=registry)
    assert result.returncode == 1
    assert (
        "stic_sz: gkmlpt index http://stic.sz.gov.cn/gkmlpt/index: category '9999' is not in the TREE "
        "(known: 2916 机构信息, 2920 机构职能"
    ) in result.stderr
    assert articles(db_url) == {}


def test_api_failure_is_fatal_and_the_other_category_is_still_read(db_url):
    from devtools.replay import ReplayServer

    with ReplayServer(SITES, faults={"stic.sz.gov.cn/gkmlpt/api/all/2917": 502}) as server:
        result = run_crawl(server.url, db_url, "stic_sz")
    assert result.returncode == 1 and result.summary["status"] == "failed"
    assert (
        "stic_sz: list page http://stic.sz.gov.cn/gkmlpt/api/all/2917?page=1&sid=755031 answered HTTP 502"
        in result.stderr
    )
    assert len(articles(db_url, "stic_sz")) == 4  # 规范性文件 was read


def test_index_without_config_says_the_layout_changed(tmp_path, db_url):
    import shutil

    from devtools.replay import ReplayServer

    sites = tmp_path / "sites"
    shutil.copytree(SITES / "stic.sz.gov.cn", sites / "stic.sz.gov.cn")
    index = sites / "stic.sz.gov.cn" / "gkmlpt" / "index" / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("window._CONFIG", "window.APP_CONFIG"), encoding="utf-8")
    with ReplayServer(sites) as server:
        result = run_crawl(server.url, db_url, "stic_sz")
    assert result.returncode == 1
    assert (
        "stic_sz: gkmlpt index http://stic.sz.gov.cn/gkmlpt/index: no window._CONFIG on the page (page layout changed?)"
    ) in result.stderr
