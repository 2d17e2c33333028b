"""Scrapy components in isolation: settings, ReplayMiddleware, items → records, run summaries."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawlers.items import ArticleItem
from crawlers.middlewares import ReplayMiddleware, from_replay_url, to_replay_url
from crawlers.pipelines import item_to_record
from crawlers.runstate import run_summary

REPLAY = "http://127.0.0.1:8765"


def project_settings() -> Settings:
    from crawlers import settings as module

    settings = Settings()
    settings.setmodule(module, priority="project")
    return settings


def test_settings_are_polite_and_wire_the_components():
    s = project_settings()
    assert s.getbool("ROBOTSTXT_OBEY") and s.getbool("AUTOTHROTTLE_ENABLED") and s.getbool("COOKIES_ENABLED")
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1 and 0.5 <= s.getfloat("DOWNLOAD_DELAY") <= 1.0
    assert not s.getbool("TELNETCONSOLE_ENABLED") and not s.getbool("HTTPCACHE_ENABLED")
    assert not s.getbool("REMOTE_CONTROL_ENABLED")
    assert {429, 503} <= set(s.getlist("RETRY_HTTP_CODES")) and s.getint("RETRY_TIMES") == 2
    assert "policywatch" in s.get("USER_AGENT") and s.get("USER_AGENT").startswith("Mozilla/5.0")
    # the replay rewrite sits after offsite (50) and robots.txt (100), before everything else
    priority = s.getdict("DOWNLOADER_MIDDLEWARES")["crawlers.middlewares.ReplayMiddleware"]
    assert 100 < priority < 300
    assert s.getdict("ITEM_PIPELINES") == {"crawlers.pipelines.StoragePipeline": 300}
    assert s.getdict("EXTENSIONS") == {"crawlers.extensions.CrawlRunRecorder": 500}
    assert s.getdict("REPLAY_OVERRIDES")["DOWNLOAD_DELAY"] == 0


def test_spider_loader_finds_one_spider_per_family():
    from scrapy.spiderloader import SpiderLoader

    from config import FAMILIES

    assert sorted(SpiderLoader.from_settings(project_settings()).list()) == sorted(FAMILIES)


@pytest.mark.parametrize(
    ("real", "replay"),
    [
        ("https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html", f"{REPLAY}/kjj.cq.gov.cn/zwxx_176/tzgg/index.html"),
        ("https://www.ichongqing.info/feed/?paged=2", f"{REPLAY}/www.ichongqing.info/feed/?paged=2"),
        ("https://kjj.cq.gov.cn/robots.txt", f"{REPLAY}/kjj.cq.gov.cn/robots.txt"),
        ("https://www.ichongqing.info", f"{REPLAY}/www.ichongqing.info/"),
        (
            "https://www.ichongqing.info/2024/03/05/a-%E4%B8%A8b/",
            f"{REPLAY}/www.ichongqing.info/2024/03/05/a-%E4%B8%A8b/",
        ),
    ],
)
def test_replay_url_mapping(real, replay):
    assert to_replay_url(real, REPLAY) == replay
    assert from_replay_url(replay, REPLAY) == (real if real != "https://www.ichongqing.info" else real + "/")
    assert from_replay_url(real, REPLAY) is None


def test_replay_middleware_disabled_without_replay_url():
    with pytest.raises(NotConfigured):
        ReplayMiddleware.from_crawler(get_crawler(settings_dict={"REPLAY_URL": None}))


def test_replay_middleware_rewrites_once_and_restores_the_real_url():
    crawler = get_crawler(settings_dict={"REPLAY_URL": REPLAY + "/"})
    mw = ReplayMiddleware.from_crawler(crawler)
    real = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
    request = Request(real, meta={"section": "通知公告"})
    rewritten = mw.process_request(request)
    assert rewritten.url == f"{REPLAY}/kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
    assert rewritten.meta["real_url"] == real and rewritten.meta["section"] == "通知公告"
    assert rewritten.meta["dont_obey_robotstxt"] and rewritten.meta["allow_offsite"] and rewritten.dont_filter
    assert mw.process_request(rewritten) is None  # second pass: sent as is
    response = HtmlResponse(rewritten.url, body=b"<html></html>", request=rewritten)
    restored = mw.process_response(rewritten, response)
    assert restored.url == real
    assert (
        restored.urljoin("./202403/t20240305_1.html") == "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html"
    )
    # a response that is not from the replay server is left alone
    other = HtmlResponse(real, body=b"", request=request)
    assert mw.process_response(request, other) is other


def test_item_to_record():
    when = datetime(2024, 3, 5, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    item = ArticleItem(
        url="https://kjj.cq.gov.cn/a.html",
        source_id="kjj_cq",
        section="通知公告",
        title="T",
        published_at=when,
        language="zh",
        body="B",
        source_office="局",
        extra={"rule": "x"},
    )
    record = item_to_record(item)
    assert (record.url, record.title, record.published_at, record.author, record.extra) == (
        "https://kjj.cq.gov.cn/a.html",
        "T",
        when,
        None,
        {"rule": "x"},
    )
    assert item_to_record({**dict(item), "extra": None}).extra == {}


def _stats(values: dict) -> SimpleNamespace:
    return SimpleNamespace(get_value=lambda key, default=None: values.get(key, default))


@pytest.mark.parametrize(
    ("fatal", "page", "reason", "status"),
    [
        ([], [], "finished", "success"),
        ([], ["p"], "finished", "partial"),
        (["f"], ["p"], "finished", "failed"),
        ([], [], "shutdown", "failed"),
    ],
)
def test_run_summary(fatal, page, reason, status):
    spider = SimpleNamespace(name="trs", source_id="kjj_cq", fatal_errors=fatal, page_errors=page)
    stats = _stats(
        {
            "downloader/response_count": 29,
            "robotstxt/response_count": 1,
            "item_scraped_count": 24,
            "item_dropped_count": 1,
            "policywatch/items_new": 20,
            "policywatch/items_unchanged": 4,
        }
    )
    summary = run_summary(spider, stats, reason)
    assert summary["status"] == status
    assert (
        summary["pages_fetched"],
        summary["items_found"],
        summary["items_new"],
        summary["items_updated"],
        summary["items_unchanged"],
    ) == (28, 25, 20, 0, 4)
    if reason == "shutdown":
        assert summary["fatal_errors"] == ["kjj_cq: crawl ended early (shutdown)"]
