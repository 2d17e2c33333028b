"""The TRS spider on its other sites, run as ``python -m crawlers.run`` against the replay:
kjj.cq.gov.cn's second column, www.most.gov.cn (two columns, charset, link prefix) and
kw.beijing.gov.cn (Referer required, unsorted list, last-span dates). The sites' READMEs list the
planted traps. Every test gets a fresh SQLite file; nothing here touches the real sites.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, SITES
from test_crawlers_spiders import articles, crawl_runs, run_crawl

SH = ZoneInfo("Asia/Shanghai")
ZXTABL = "https://kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/"
CROSS_LISTED = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202402/t20240226_12830412.html"
MOST = "https://www.most.gov.cn/"
KW = "https://kw.beijing.gov.cn/xwdt/"

pytestmark = pytest.mark.skipif(
    not all((SITES / host).is_dir() for host in ("www.most.gov.cn", "kw.beijing.gov.cn", "kjj.cq.gov.cn/zwgk_176")),
    reason="TRS replay sites not built",
)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def registry_without(tmp_path: Path, source_id: str, *keys: str) -> Path:
    """A copy of the project registry whose ``source_id`` block lacks the given override lines."""
    text = (ROOT / "config" / "sources.toml").read_text(encoding="utf-8")
    head, marker, rest = text.partition(f'id = "{source_id}"\n')
    block, sep, tail = rest.partition("[[sources]]")
    for key in keys:
        block, count = re.subn(rf"(?m)^{key} = .*\n", "", block)
        assert count == 1, key
    path = tmp_path / "sources.toml"
    path.write_text(head + marker + block + sep + tail, encoding="utf-8")
    return path


def local_day(value) -> date:
    return value.astimezone(SH).date()


def _clean_chinese(stored) -> None:
    for article in stored.values():
        assert "\ufffd" not in article.title + article.body, article.url
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in article.body) > 40, article.url


# --------------------------------------------------------------------------- kjj.cq.gov.cn, two columns
def test_kjj_second_column_is_crawled_and_the_cross_listed_reply_stored_once(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjj_cq")
    assert result.returncode == 0, result.stderr[-3000:]
    # 3 + 2 list pages, 25 + 8 articles; the reply listed in both columns is fetched and stored once
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
    proposals = {url: a for url, a in stored.items() if url.startswith(ZXTABL)}
    assert len(proposals) == 8 and {a.section for a in proposals.values()} == {"政协提案办理情况公开"}
    assert CROSS_LISTED in stored
    requests = replay_server.requests[first:]
    assert requests.count("/kjj.cq.gov.cn/zwxx_176/tzgg/202402/t20240226_12830412.html") == 1
    assert "/kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/index_1.html" in requests

    reply = proposals[ZXTABL + "202403/t20240305_12877655.html"]
    assert reply.extra["document_number"] == "渝科局函〔2024〕21号" and reply.extra["written_date"] == "2024-03-01"
    assert "document_number" not in proposals[ZXTABL + "202402/t20240229_12851926.html"].extra
    assert local_day(proposals[ZXTABL + "202402/t20240205_12767541.html"].published_at) == date(2024, 2, 5)
    assert all(a.published_at is not None and a.body for a in proposals.values())


# --------------------------------------------------------------------------- www.most.gov.cn
def test_most_crawl_two_columns_old_charset_and_prefixed_links_then_nothing_new(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "most", run_id="run-1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.summary == {
        "source": "most",
        "pages": "14",
        "found": "10",
        "new": "10",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "most")
    assert sorted(stored) == sorted(
        [
            MOST + p
            for p in (
                "kjbgz/202403/t20240305_189902.html",
                "kjbgz/202403/t20240301_189871.html",
                "kjbgz/202402/t20240227_189644.html",
                "kjbgz/202402/t20240221_189530.html",
                "kjbgz/202402/t20240206_189402.html",
                "tztg/202403/t20240305_189899.html",
                "tztg/202402/t20240228_189655.html",
                "tztg/202402/t20240219_189517.html",
                "tztg/202402/t20240205_189388.html",
                "tztg/200803/t20080305_59844.htm",
            )
        ]
    )
    assert {a.section for a in stored.values()} == {"科技部工作", "通知通告"}
    _clean_chinese(stored)

    old = stored[MOST + "tztg/200803/t20080305_59844.htm"]  # GB2312 bytes under an ISO-8859-1 header
    assert old.title == "关于组织申报2008年度国家科技支撑计划项目的通知"
    assert (local_day(old.published_at), old.source_office) == (date(2008, 3, 5), "科学技术部")
    assert "国家科技支撑计划" in old.body

    requests = replay_server.requests[first:]
    assert not any("/xxgk/xinxifenlei/" in r for r in requests)  # canonicalised before fetching
    assert not any("/tpxw/" in r or r.endswith((".pdf", ".doc")) for r in requests)
    assert {"/www.most.gov.cn/kjbgz/index_1.html", "/www.most.gov.cn/tztg/index_1.html"} <= set(requests)
    assert "/www.most.gov.cn/robots.txt" in requests  # asked; absent (404) means allowed

    again = run_crawl(replay_server.url, db_url, "most", run_id="run-2", logical_date="2024-03-07")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert len(articles(db_url)) == 10
    assert [r.items_new for r in crawl_runs(db_url, "most")] == [10, 0]


# --------------------------------------------------------------------------- kw.beijing.gov.cn
def test_kw_crawl_with_the_registry_referer_then_nothing_new(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kw_beijing", "--until", "2024-03-05", run_id="run-1")
    assert result.returncode == 0, result.stderr[-3000:]
    # 3 list pages + 8 articles; the off-site and legacy links are not fetched
    assert result.summary == {
        "source": "kw_beijing",
        "pages": "11",
        "found": "8",
        "new": "8",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "kw_beijing")
    assert all(url.startswith(KW) for url in stored) and len(stored) == 8
    _clean_chinese(stored)
    # dated by the LAST span (2024-02-26), not the event date (2024-03-15, after --until)
    event = stored[KW + "202402/t20240226_3581644.html"]
    assert local_day(event.published_at) == date(2024, 2, 26)
    assert stored[KW + "202402/t20240220_3579107.html"].extra["rule"] == "#mainText"
    requests = replay_server.requests[first:]
    assert "/kw.beijing.gov.cn/robots.txt" in requests
    assert not any("www.beijing.gov.cn" in r or "/art/" in r for r in requests)

    again = run_crawl(
        replay_server.url, db_url, "kw_beijing", "--until", "2024-03-05", run_id="run-2", logical_date="2024-03-07"
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert len(articles(db_url)) == 8


def test_kw_without_referer_is_refused(replay_server, db_url, tmp_path):
    registry = registry_without(tmp_path, "kw_beijing", "referer")
    result = run_crawl(replay_server.url, db_url, "kw_beijing", sources_file=registry)
    assert result.returncode == 1
    assert "kw_beijing: list page https://kw.beijing.gov.cn/xwdt/index.html answered HTTP 403" in result.stderr
    assert articles(db_url) == {}


def test_kw_unsorted_list_is_paged_past_an_old_page(replay_server, db_url, tmp_path):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kw_beijing", "--since", "2024-02-15")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(local_day(a.published_at).isoformat() for a in articles(db_url).values()) == [
        "2024-02-20",
        "2024-02-26",
        "2024-03-01",
        "2024-03-04",
        "2024-03-05",
    ]
    assert "/kw.beijing.gov.cn/xwdt/index_2.html" in replay_server.requests[first:]

    # the switch is what makes the difference: read as newest-first, page 2 ends the paging
    other_db = f"sqlite:///{tmp_path / 'sorted.db'}"
    first = len(replay_server.requests)
    result = run_crawl(
        replay_server.url,
        other_db,
        "kw_beijing",
        "--since",
        "2024-02-15",
        sources_file=registry_without(tmp_path, "kw_beijing", "list_order"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(articles(other_db)) == 3
    assert "/kw.beijing.gov.cn/xwdt/index_2.html" not in replay_server.requests[first:]


def test_source_headers_middleware_adds_the_registry_referer_and_headers_without_overriding():
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from config import load_registry
    from crawlers.middlewares import SourceHeadersMiddleware

    source = load_registry(ROOT / "config" / "sources.toml").get("kw_beijing")
    source = source.model_copy(update={"headers": {"X-Requested-With": "XMLHttpRequest"}})
    crawler = get_crawler(Spider)
    crawler.spider = Spider(name="trs")
    middleware = SourceHeadersMiddleware.from_crawler(crawler)

    crawler.spider.source = source
    robots = Request("https://kw.beijing.gov.cn/robots.txt")
    assert middleware.process_request(robots) is None
    assert robots.headers[b"Referer"] == b"https://kw.beijing.gov.cn/xwdt/"
    assert robots.headers[b"X-Requested-With"] == b"XMLHttpRequest"
    # an article request already carries its list page (Scrapy's RefererMiddleware): kept
    article = Request(KW + "202403/t20240304_3585512.html", headers={"Referer": KW + "index_1.html"})
    middleware.process_request(article)
    assert article.headers[b"Referer"] == (KW + "index_1.html").encode()

    crawler.spider.source = load_registry(ROOT / "config" / "sources.toml").get("most")  # no referer
    plain = Request(MOST + "kjbgz/index.html")
    middleware.process_request(plain)
    assert b"Referer" not in plain.headers
