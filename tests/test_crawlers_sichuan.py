"""The Sichuan provincial CMS spider (kjt.sc.gov.cn), run as ``python -m crawlers.run`` against
the replay. The site's README lists what is real (the 10 list records) and the planted traps.
Every test gets a fresh SQLite file; nothing here touches the real sites.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import SITES
from test_crawlers_spiders import articles, crawl_runs, run_crawl

SH = ZoneInfo("Asia/Shanghai")
SITE = SITES / "kjt.sc.gov.cn"
BASE = "https://kjt.sc.gov.cn/kjt/"

pytestmark = pytest.mark.skipif(not (SITE / "kjt" / "gstz").is_dir(), reason="kjt.sc.gov.cn replay not built")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def real_urls() -> list[str]:
    return [r["detail_url"] for r in json.loads((SITE / "_build" / "sc-kjt-notices.json").read_text(encoding="utf-8"))]


def local_day(value: datetime) -> date:
    return value.astimezone(SH).date()


def test_sichuan_crawl_stores_every_notice_with_real_urls_then_nothing_new(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjt_sc", run_id="run-1")
    assert result.returncode == 0, result.stderr[-3000:]
    # 2 list pages + 18 articles
    assert result.summary == {
        "source": "kjt_sc",
        "pages": "20",
        "found": "18",
        "new": "18",
        "updated": "0",
        "unchanged": "0",
        "errors": "0",
        "status": "success",
    }, result.stdout
    stored = articles(db_url, "kjt_sc")
    assert set(real_urls()) <= set(stored)
    assert all(url.startswith(BASE) and url.endswith(".shtml") for url in stored)
    assert all(a.section == "通知" and a.language == "zh" and a.title and a.body for a in stored.values())

    notice = stored[BASE + "gstz/2026/9/15/2a0571d5f0a248c8850bee944cd39914.shtml"]
    assert notice.title == "四川省科学技术厅关于申报2026年词元券服务机构的通知"
    assert notice.published_at.astimezone(SH) == datetime(2026, 9, 15, 15, 36, 53, tzinfo=SH)
    assert notice.source_office == "人工智能处"
    assert [a["name"] for a in notice.extra["attachments"]] == ["2026年词元券服务机构申报书.docx"]
    policy = stored[BASE + "xzgfxwj/2024/3/1/d75f640d511823a0c752ab4dec647e9e.shtml"]
    assert policy.extra["document_number"] == "川科政〔2024〕2号" and local_day(policy.published_at) == date(2024, 3, 1)
    assert stored[BASE + "gstz/2024/3/4/d514ab28e5f9dbd31c2c5eefdf6b0227.shtml"].source_office is None
    assert BASE + "gstz/2024/2/27/bf50192b0a4b5c91babbf27d7219a34f.shtml" in stored  # http:// href, stored https

    (run,) = crawl_runs(db_url, "kjt_sc")
    assert (run.status, run.items_new, run.errors) == ("success", 18, 0)
    requests = replay_server.requests[first:]
    assert "/kjt.sc.gov.cn/kjt/gstz/newschild_2.shtml" in requests
    assert "/kjt.sc.gov.cn/kjt/gstz/newschild_1.shtml" not in requests  # not TRS paging
    assert not any("/files/" in r for r in requests)  # attachments never fetched

    again = run_crawl(replay_server.url, db_url, "kjt_sc", run_id="run-2", logical_date="2024-03-07")
    assert again.returncode == 0, again.stderr[-3000:]
    assert (again.summary["new"], again.summary["updated"], again.summary["status"]) == ("0", "0", "success")
    assert len(articles(db_url)) == 18


def test_sichuan_pinned_notices_do_not_stop_the_window(replay_server, db_url):
    # the three pinned notices (2025-11-25, 2025-09-04, 2026-07-17) open the list; the September
    # 2026 notices after them are still read
    result = run_crawl(replay_server.url, db_url, "kjt_sc", "--since", "2026-01-01")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = articles(db_url, "kjt_sc")
    assert sorted(local_day(a.published_at).isoformat() for a in stored.values()) == [
        "2026-07-17",
        "2026-09-01",
        "2026-09-02",
        "2026-09-04",
        "2026-09-07",
        "2026-09-08",
        "2026-09-14",
        "2026-09-15",
    ]


def test_sichuan_demo_window_reads_only_the_2024_notices(replay_server, db_url):
    first = len(replay_server.requests)
    result = run_crawl(replay_server.url, db_url, "kjt_sc", "--until", "2024-03-05", logical_date="2024-03-05")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = articles(db_url, "kjt_sc")
    assert len(stored) == 8 and all(local_day(a.published_at) <= date(2024, 3, 5) for a in stored.values())
    requests = replay_server.requests[first:]
    assert not any("/2025/" in r or "/2026/" in r for r in requests)  # the real records are after the window


def test_sichuan_redesigned_list_fails_the_run(db_url, tmp_path):
    import shutil

    from devtools.replay import ReplayServer

    sites = tmp_path / "sites"
    shutil.copytree(SITE, sites / "kjt.sc.gov.cn")
    list_page = sites / "kjt.sc.gov.cn" / "kjt" / "gstz" / "newschild.shtml"
    list_page.write_text(
        list_page.read_text(encoding="utf-8").replace("column-list", "news-list-2027"), encoding="utf-8"
    )
    with ReplayServer(sites) as server:
        result = run_crawl(server.url, db_url, "kjt_sc")
    assert result.returncode == 1
    assert (
        "kjt_sc: no article found on list page https://kjt.sc.gov.cn/kjt/gstz/newschild.shtml (page layout changed?)"
    ) in result.stderr
    assert crawl_runs(db_url, "kjt_sc")[0].status == "failed"
