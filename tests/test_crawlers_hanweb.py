"""The Hanweb JCMS spider, run as ``python -m crawlers.run`` against the replay (kjt.zj.gov.cn, kxjst.jiangsu.gov.cn).

Every test gets a fresh SQLite file; the replay serves tests/fixtures/sites/ (the sites' READMEs list
the planted traps). Nothing here touches the real sites.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import SITES
from test_crawlers_spiders import articles, crawl_runs, run_crawl

SH = ZoneInfo("Asia/Shanghai")
ZJ = "https://kjt.zj.gov.cn/art/"
JS = "https://kxjst.jiangsu.gov.cn/art/"
ZJ_PROXY = "/kjt.zj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=2"
JS_PROXY = "/kxjst.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=3"

pytestmark = pytest.mark.skipif(
    not (SITES / "kjt.zj.gov.cn" / "col").is_dir() or not (SITES / "kxjst.jiangsu.gov.cn" / "col").is_dir(),
    reason="Hanweb replay sites not built",
)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def _clean_chinese(stored) -> None:
    for article in stored.values():
        assert "\ufffd" not in article.title + article.body, article.url  # no decoding damage
        assert not any(mojibake in article.body for mojibake in ("æ", "å", "ç", "Ã")), article.url
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in article.body) > 20, article.url


def test_zhejiang_crawl_static_records_and_a_dataproxy_group(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjt_zj")
    assert result.returncode == 0, result.stderr[-3000:]
    # 2 column pages + 1 dataproxy group + 12 articles (one of them the 科技部 notice mirrored by
    # kxjst.jiangsu.gov.cn, a story of the digest)
    assert result.summary == {
        "source": "kjt_zj",
        "pages": "15",
        "found": "12",
        "new": "12",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout

    stored = articles(db_url, "kjt_zj")
    assert len(stored) == 12
    assert all(url.startswith(ZJ) for url in stored)  # https, the real host; the www.zj.gov.cn record is dropped
    assert {a.section for a in stored.values()} == {"通知通告", "科技动态"}
    assert all(a.language == "zh" and a.published_at is not None for a in stored.values())
    _clean_chinese(stored)

    protocol_relative = stored[ZJ + "2024/3/5/art_1229225203_58907311.html"]
    assert protocol_relative.published_at.astimezone(SH) == datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    assert [a["name"] for a in protocol_relative.extra["attachments"]] == [
        "2024年度浙江省“尖兵”“领雁”研发攻关计划项目申报指南.pdf",
        "项目申报书（模板）.docx",
    ]
    stray_byte = stored[ZJ + "2024/3/4/art_1228971345_58908052.html"]
    assert stray_byte.title == "我省召开2024年全省科技工作会议" and "研发投入强度" in stray_byte.body
    policy = stored[ZJ + "2024/2/23/art_1229225203_58897245.html"]
    assert (policy.source_office, policy.extra["document_number"]) == ("省科技厅", "浙科发高〔2024〕6号")
    from_proxy = stored[ZJ + "2024/2/1/art_1228971345_58884426.html"]
    assert from_proxy.published_at.astimezone(SH).date() == date(2024, 2, 1) and from_proxy.source_office is None
    assert stored[ZJ + "2024/2/27/art_1228971345_58902297.html"].title == "2024年浙江省科技特派员工作推进会在衢州召开"

    requests = replay_server.requests[first:]
    assert ZJ_PROXY in requests  # the POST for records 7-12 of 科技动态
    assert sum("dataproxy" in r for r in requests) == 1  # 通知通告 fits on its column page
    assert not any("/module/download/" in r or "www.zj.gov.cn" in r for r in requests)  # attachments, other hosts


def test_jiangsu_crawl_split_dates_http_links_and_table_records(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kxjst_js")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (result.summary["pages"], result.summary["new"], result.summary["status"]) == ("14", "11", "success")
    stored = articles(db_url, "kxjst_js")
    assert len(stored) == 11 and all(url.startswith(JS) for url in stored)  # the http:// href stored as https
    _clean_chinese(stored)
    assert JS + "2024/2/26/art_82540_11209904.html" in stored
    assert {a.section for a in stored.values()} == {"通知公告", "政策文件"}
    assert sorted(local.astimezone(SH).date().isoformat() for local in (a.published_at for a in stored.values()))[
        :2
    ] == ["2024-02-02", "2024-02-05"]
    joint = stored[JS + "2024/3/1/art_82571_11214586.html"]
    assert (joint.source_office, joint.extra["document_number"]) == ("省科技厅 省财政厅", "苏财教〔2024〕12号")
    assert JS_PROXY in replay_server.requests[first:]  # perPage 3 × groupSize 2: the 7th record


def test_second_run_stores_nothing_new(replay_server, db_url):
    assert run_crawl(replay_server.url, db_url, "kjt_zj", run_id="run-1").returncode == 0
    first = len(replay_server.requests)
    again = run_crawl(replay_server.url, db_url, "kjt_zj", run_id="run-2", logical_date="2024-03-07")
    assert again.returncode == 0, again.stderr[-3000:]
    assert ZJ_PROXY not in replay_server.requests[first:]  # the unchanged column page ends the paging
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert len(articles(db_url)) == 12
    assert [(r.run_id, r.items_new, r.items_updated) for r in crawl_runs(db_url, "kjt_zj")] == [
        ("run-1", 12, 0),
        ("run-2", 0, 0),
    ]


def test_max_pages_and_since_stop_before_the_dataproxy(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjt_zj", "--max-pages", "1")
    assert result.returncode == 0 and result.summary["new"] == "10"  # 5 + 5 articles of the column pages
    assert ZJ_PROXY not in replay_server.requests[first:]

    first = len(replay_server.requests)
    later = run_crawl(replay_server.url, db_url, "kjt_zj", "--since", "2024-03-06", run_id="since")
    assert later.returncode == 0 and later.summary["status"] == "success"
    assert ZJ_PROXY not in replay_server.requests[first:]  # every record of the column page is older


def test_dataproxy_failure_is_fatal_and_keeps_the_column_pages(db_url):
    from devtools.replay import ReplayServer

    with ReplayServer(SITES, faults={"kjt.zj.gov.cn/module/web/jpage/dataproxy.jsp": 500}) as server:
        result = run_crawl(server.url, db_url, "kjt_zj")
    assert result.returncode == 1 and result.summary["status"] == "failed"
    assert (
        "kjt_zj: list page https://kjt.zj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12"
        "&perpage=2 answered HTTP 500"
    ) in result.stderr
    assert len(articles(db_url, "kjt_zj")) == 10


def test_column_page_without_paging_link_says_why(tmp_path, db_url):
    from devtools.replay import ReplayServer

    sites = tmp_path / "sites"
    shutil.copytree(SITES / "kjt.zj.gov.cn", sites / "kjt.zj.gov.cn")
    page = sites / "kjt.zj.gov.cn" / "col" / "col1228971345" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"nextgroup>", b"nextgroupx>"))  # a redesigned template
    with ReplayServer(sites) as server:
        result = run_crawl(server.url, db_url, "kjt_zj")
    assert result.returncode == 1
    assert (
        "kjt_zj: list page https://kjt.zj.gov.cn/col/col1228971345/index.html holds records 1-6 of 8 but the "
        "rest cannot be asked for: no <nextgroup> dataproxy link on the page (page layout changed?)"
    ) in result.stderr
    assert len(articles(db_url, "kjt_zj")) == 10
