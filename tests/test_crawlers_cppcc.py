"""The CPPCC sources crawled for real (``python -m crawlers.run`` subprocesses) against their replays:
www.cppcc.gov.cn (arti), www.rmzxw.com.cn and cppcc.people.com.cn (zcms), en.cppcc.gov.cn (chinadaily)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import SITES
from test_crawlers_spiders import articles, crawl_runs, run_crawl

from devtools.replay import ReplayServer

SH = ZoneInfo("Asia/Shanghai")
CPPCC = "http://www.cppcc.gov.cn/zxww/"
RMZXW = "https://www.rmzxw.com.cn/c/"
PEOPLE = "http://cppcc.people.com.cn/n1/"
EN = "http://en.cppcc.gov.cn/"
MULTI_PAGE = RMZXW + "2024-03-04/3512544.shtml"

pytestmark = pytest.mark.skipif(
    not all(
        (SITES / host).is_dir()
        for host in ("www.cppcc.gov.cn", "www.rmzxw.com.cn", "cppcc.people.com.cn", "en.cppcc.gov.cn")
    ),
    reason="CPPCC replay sites missing",
)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def local(value: datetime) -> datetime:
    return value.astimezone(SH)


def crawl(replay_url: str, db_url: str, source: str, *extra: str, **kwargs):
    result = run_crawl(replay_url, db_url, source, *extra, **kwargs)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# --------------------------------------------------------------------------- www.cppcc.gov.cn (ARTI)
def test_arti_crawl(replay_server, db_url):
    first = len(replay_server.requests)
    result = crawl(replay_server.url, db_url, "cppcc")
    assert result.summary == {
        "source": "cppcc",
        "pages": "13",
        "found": "10",
        "new": "10",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "cppcc")
    assert len(stored) == 10
    assert all(url.startswith(CPPCC + "2024/") and "/ARTI" in url and url.endswith(".shtml") for url in stored)
    assert sorted(a.section for a in stored.values()) == ["委员建言"] * 4 + ["要闻"] * 6
    assert all(a.language == "zh" and a.title and a.body and a.source_office for a in stored.values())

    opening = stored[CPPCC + "2024/03/04/ARTI1709539540000532.shtml"]  # linked with https://: stored as http
    assert opening.title == "全国政协十四届二次会议在京开幕" and opening.source_office == "新华社"
    assert local(opening.published_at) == datetime(2024, 3, 4, 16, 5, 40, tzinfo=SH)
    assert opening.extra["date_source"] == "arti_id" and opening.extra["editor"] == "李明"
    # 00:45 Beijing time: the Beijing day, not the UTC one
    assert local(stored[CPPCC + "2024/03/03/ARTI1709397903000107.shtml"].published_at).date() == date(2024, 3, 3)
    folder_day = stored[CPPCC + "2024/02/29/ARTI1709135550000904.shtml"]
    assert local(folder_day.published_at).date() == date(2024, 2, 29)
    assert folder_day.extra["arti_created_at"] == "2024-02-28T23:52:30+08:00"
    assert stored[CPPCC + "2024/02/20/ARTI1708414200000238.shtml"].extra["rule"] == "#page_body .column_wrapper .con"

    requests = replay_server.requests[first:]
    assert "/www.cppcc.gov.cn/robots.txt" in requests
    assert "/www.cppcc.gov.cn/zxxw/yw/index_1.html" in requests  # the pager's 下一页
    assert not any("12371.cn" in r for r in requests)  # the same platform on another host
    assert "cppcc: lenient TLS" in result.stderr  # tls_lenient = true in the registry


def test_arti_legacy_list_is_a_registry_entry_only(replay_server, db_url, tmp_path):
    registry = tmp_path / "sources.toml"
    registry.write_text(
        '[[sources]]\nid = "cppcc_legacy"\nname = "中国政协网 (旧版)"\nhost = "www.cppcc.gov.cn"\nlanguage = "zh"\n'
        'family = "arti"\n[[sources.sections]]\nname = "委员建言"\n'
        'url = "http://www.cppcc.gov.cn/zxww/newcppcc/wyjy/index.shtml"\n',
        encoding="utf-8",
    )
    result = crawl(replay_server.url, db_url, "cppcc_legacy", sources_file=registry)
    assert (result.summary["found"], result.summary["new"], result.summary["status"]) == ("4", "4", "success")
    stored = articles(db_url, "cppcc_legacy")
    assert stored[CPPCC + "2024/03/02/ARTI1709360400000327.shtml"].title == "九三学社中央：推动人工智能赋能科研范式变革"
    assert "lenient TLS" not in result.stderr  # not asked for by this entry


def test_arti_list_page_that_lists_nothing_fails_the_run(replay_server, db_url, tmp_path):
    registry = tmp_path / "sources.toml"
    registry.write_text(
        '[[sources]]\nid = "cppcc"\nname = "x"\nhost = "www.cppcc.gov.cn"\nlanguage = "zh"\nfamily = "arti"\n'
        '[[sources.sections]]\nname = "redesigned"\nurl = "http://www.cppcc.gov.cn/zxww/2024/03/05/ARTI1709602812000186.shtml"\n',
        encoding="utf-8",
    )
    result = run_crawl(replay_server.url, db_url, "cppcc", sources_file=registry)
    assert result.returncode == 1
    assert (
        "cppcc: no article found on list page http://www.cppcc.gov.cn/zxww/2024/03/05/ARTI1709602812000186.shtml"
        " (page layout changed?)"
    ) in result.stderr
    assert crawl_runs(db_url, "cppcc")[0].status == "failed"


# --------------------------------------------------------------------------- www.rmzxw.com.cn (ZCMS)
def test_zcms_rmzxw_crawl(replay_server, db_url):
    first = len(replay_server.requests)
    result = crawl(replay_server.url, db_url, "rmzxw")
    # 3 list pages + 12 first pages + pages 2 and 3 of the multi-page article (2 of the 12 are
    # reposts of cppcc.people.com.cn's stories, merged by the digest)
    assert result.summary == {
        "source": "rmzxw",
        "pages": "17",
        "found": "12",
        "new": "12",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "rmzxw")
    assert len(stored) == 12 and all(url.startswith(RMZXW) for url in stored)
    assert not any("_" in url.rsplit("/", 1)[-1] for url in stored)  # pages 2, 3 are not articles of their own
    assert RMZXW + "2024-03-01/3511702.shtml" in stored  # linked on rmzxb.com.cn

    multi = stored[MULTI_PAGE]
    assert multi.extra["pages"] == 3 and multi.extra["editors"] == ["李慧"]
    lines = multi.body.split("\n")
    assert (
        lines[0].startswith("2023年是全国政协十四届的开局之年")
        and lines[-1] == "（本文为系列报道之一）"
        and len(lines) == 6
    )
    assert multi.section == "协商"

    flagged = {url for url, a in stored.items() if a.extra.get("advertorial")}
    assert flagged == {RMZXW + "2024-03-04/3512330.shtml", RMZXW + "2026-09-16/3976199.shtml"}  # reconstructed + real
    real = stored[RMZXW + "2026-09-16/3976199.shtml"]
    assert real.source_office == "中国网" and local(real.published_at) == datetime(2026, 9, 16, 14, 35, tzinfo=SH)
    assert "企业广告宣传资讯" in real.extra["advertorial_notice"]

    requests = replay_server.requests[first:]
    assert (
        requests.count("/www.rmzxw.com.cn/c/2024-03-04/3512544_2.shtml") == 1
    )  # also linked by the list: fetched once
    assert "/www.rmzxw.com.cn/xs/index_1.shtml" in requests
    assert not any("rmzxb" in r for r in requests)


def test_zcms_until_leaves_the_later_real_page_out(replay_server, db_url):
    result = crawl(replay_server.url, db_url, "rmzxw", "--until", "2024-03-05")
    assert (result.summary["new"], result.summary["status"]) == ("11", "success")
    assert RMZXW + "2026-09-16/3976199.shtml" not in articles(db_url, "rmzxw")


def test_zcms_failed_later_page_keeps_the_article_and_the_next_run_completes_it(db_url):
    broken = "www.rmzxw.com.cn/c/2024-03-04/3512544_2.shtml"
    with ReplayServer(SITES, faults={broken: 404}) as server:
        result = crawl(server.url, db_url, "rmzxw", run_id="run-1")
    assert (result.summary["status"], result.summary["new"], result.summary["errors"]) == ("partial", "12", "1")
    (run,) = crawl_runs(db_url, "rmzxw")
    assert run.error_messages == [
        f"rmzxw: article {MULTI_PAGE} page https://{broken} answered HTTP 404 (stored without it)"
    ]
    partial = articles(db_url, "rmzxw")[MULTI_PAGE]
    assert partial.extra["pages_missing"] == [f"https://{broken}"] and partial.extra["pages"] == 2
    assert "在双周协商座谈会上" not in partial.body and "（本文为系列报道之一）" in partial.body

    with ReplayServer(SITES) as server:
        again = crawl(server.url, db_url, "rmzxw", run_id="run-2")
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "1", "success")
    complete = articles(db_url, "rmzxw")[MULTI_PAGE]
    assert (
        complete.extra["pages"] == 3 and "pages_missing" not in complete.extra and "在双周协商座谈会上" in complete.body
    )


# --------------------------------------------------------------------------- cppcc.people.com.cn (ZCMS, GB18030)
def test_zcms_people_crawl_decodes_gbk_pages(replay_server, db_url):
    result = crawl(replay_server.url, db_url, "cppcc_people")
    assert result.summary == {
        "source": "cppcc_people",
        "pages": "10",
        "found": "8",
        "new": "8",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "cppcc_people")
    assert all(url.startswith(PEOPLE + "2024/") for url in stored)
    real = stored.pop(PEOPLE + "2024/0424/c1001-40223222.html")
    assert real.title.startswith("促进航天技术更好惠及人民――习近平主席") and real.source_office == "新华网"
    assert real.body.count("\ufffd") == 2  # the two of fundus' stored copy, no more
    for article in stored.values():  # the reconstructed pages: no mojibake at all
        assert "\ufffd" not in article.title + article.body + article.source_office + " ".join(article.extra["editors"])
    joined = " ".join(a.title + a.body + " ".join(a.extra["editors"]) for a in stored.values())
    assert all(ch in joined for ch in "喆镕堃珺玥·—")
    assert stored[PEOPLE + "2024/0305/c34948-40189876.html"].extra["editors"] == ["郝孟佳", "王喆"]


# --------------------------------------------------------------------------- en.cppcc.gov.cn (China Daily CMS)
def test_chinadaily_crawl(replay_server, db_url):
    first = len(replay_server.requests)
    result = crawl(replay_server.url, db_url, "en_cppcc")
    assert result.summary == {
        "source": "en_cppcc",
        "pages": "11",
        "found": "9",
        "new": "9",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "en_cppcc")
    assert all(url.startswith(EN + "2024-0") and url.endswith(".htm") for url in stored)
    assert all(a.language == "en" and a.section == "Proposals" for a in stored.values())
    assert stored[EN + "2024-03/11/c_970085.htm"].title == "What CPPCC members say"
    session = stored[EN + "2024-03/04/c_968440.htm"]
    assert session.source_office == "Xinhua" and local(session.published_at) == datetime(2024, 3, 4, 17, 42, tzinfo=SH)
    assert not any("[Xinhua/" in a.body or "[Photo/" in a.body for a in stored.values())
    assert {a.source_office for a in stored.values()} == {"China Daily", "Xinhua", "chinadaily.com.cn"}
    requests = replay_server.requests[first:]
    assert "/en.cppcc.gov.cn/proposals_2.html" in requests
    assert not any("regional.chinadaily" in r for r in requests)  # the mirror is another site


# --------------------------------------------------------------------------- all four, twice
def test_second_run_stores_nothing_new(replay_server, db_url):
    counts = {}
    for source in ("cppcc", "rmzxw", "cppcc_people", "en_cppcc"):
        counts[source] = int(crawl(replay_server.url, db_url, source, run_id="run-1").summary["new"])
    assert counts == {"cppcc": 10, "rmzxw": 12, "cppcc_people": 8, "en_cppcc": 9}
    before = {url: (a.content_hash, a.updated_at) for url, a in articles(db_url).items()}
    for source in counts:
        again = crawl(replay_server.url, db_url, source, run_id="run-2", logical_date="2024-03-07")
        assert (again.summary["new"], again.summary["updated"], again.summary["errors"], again.summary["status"]) == (
            "0",
            "0",
            "0",
            "success",
        ), again.stdout
    assert {url: (a.content_hash, a.updated_at) for url, a in articles(db_url).items()} == before
