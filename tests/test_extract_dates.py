"""crawlers.extract.dates: one normaliser for every date format the sources use (CATALOGUE §0.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.dates import date_from_url, parse_date

SH = ZoneInfo("Asia/Shanghai")


def sh(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", sh(2024, 3, 5)),
        ("2024-03-05 10:30", sh(2024, 3, 5, 10, 30)),
        ("2024-03-05 10:30:00", sh(2024, 3, 5, 10, 30)),
        ("2024/3/5", sh(2024, 3, 5)),
        ("2024.03.05", sh(2024, 3, 5)),
        ("2024年03月05日 14:35", sh(2024, 3, 5, 14, 35)),
        ("2024年04月24日23:52", sh(2024, 4, 24, 23, 52)),
        ("2024年3月5日", sh(2024, 3, 5)),
        ("(2026-09-15)", sh(2026, 9, 15)),
        ("（2026-09-15）", sh(2026, 9, 15)),
        ("日期:2025-09-19", sh(2025, 9, 19)),
        ("日期：2025-09-19", sh(2025, 9, 19)),
        ("发布时间：2026年04月30日", sh(2026, 4, 30)),
        ("时间  :  2024-03-05 10:30:00", sh(2024, 3, 5, 10, 30)),
        ("发布日期：2026-09-15 15:36:53", sh(2026, 9, 15, 15, 36, 53)),
        ("Updated: 2024-03-11 China Daily", sh(2024, 3, 11)),
        ("By XINYI LI|May 29,2020", sh(2020, 5, 29)),
        ("Mar 5,2024", sh(2024, 3, 5)),
        ("March 5, 2024", sh(2024, 3, 5)),
        ("5 March 2024", sh(2024, 3, 5)),
        ("Feb 29,2024", sh(2024, 2, 29)),  # leap day
        ("2024-03-05T16:12:45+08:00", sh(2024, 3, 5, 16, 12, 45)),
        ("2024-03-05T08:12:45Z", sh(2024, 3, 5, 16, 12, 45)),
        ("2024-03-05T16:12:45", sh(2024, 3, 5, 16, 12, 45)),  # naive ISO: read in Asia/Shanghai
        ("Tue, 05 Mar 2024 08:12:45 +0000", sh(2024, 3, 5, 16, 12, 45)),  # RFC 822
        ("Mon, 04 Mar 2024 22:40:22 +0000", sh(2024, 3, 5, 6, 40, 22)),  # crosses midnight in +08:00
        ("1709606400", sh(2024, 3, 5, 10, 40)),  # epoch seconds
        ("1709606400000", sh(2024, 3, 5, 10, 40)),  # epoch milliseconds
        (1709606400, sh(2024, 3, 5, 10, 40)),
        (1709606400000, sh(2024, 3, 5, 10, 40)),
        ("20240305", sh(2024, 3, 5)),
    ],
)
def test_parse_date_formats(text, expected):
    result = parse_date(text)
    assert result == expected
    assert result.tzinfo is not None
    # always expressed in the default zone, so .date() is the local (China) date
    assert result.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "text",
    ["", "   ", None, "no date here", "2024-02-30", "2024-13-01", "Summary 5, 2024", "价格 12.5 元", "123456", True],
)
def test_parse_date_rejects_non_dates(text):
    assert parse_date(text) is None


def test_parse_date_default_tz_and_aware_input():
    assert parse_date("2024-03-05 10:30", default_tz="UTC") == datetime(2024, 3, 5, 10, 30, tzinfo=ZoneInfo("UTC"))
    aware = datetime(2024, 3, 5, 2, 30, tzinfo=UTC)
    assert parse_date(aware) == sh(2024, 3, 5, 10, 30)
    assert parse_date(datetime(2024, 3, 5, 10, 30)) == sh(2024, 3, 5, 10, 30)


def test_parse_date_takes_first_date_in_text():
    assert parse_date("来自: 市科技局 日期:2024-02-23 浏览次数: 2024") == sh(2024, 2, 23)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html", sh(2024, 3, 5)),
        ("./202401/t20240129_12743302.html", sh(2024, 1, 29)),
        ("https://www.ichongqing.info/2024/03/05/cultivate-high-level-talents/", sh(2024, 3, 5)),
        ("https://www.ichongqing.info/2024/02/21/slug/amp/", sh(2024, 2, 21)),
        ("https://kjt.zj.gov.cn/art/2024/3/5/art_1229_5.html", sh(2024, 3, 5)),  # /YYYY/M/D/
        ("https://kjt.sc.gov.cn/kjt/gstz/2026/9/15/0123456789abcdef0123456789abcdef.shtml", sh(2026, 9, 15)),
        ("https://www.rmzxw.com.cn/c/2026-02-03/3864575.shtml", sh(2026, 2, 3)),  # /c/YYYY-MM-DD/
        ("http://cppcc.people.com.cn/n1/2024/0424/c34948-40222222.html", sh(2024, 4, 24)),  # /n1/YYYY/MMDD/
        ("http://en.cppcc.gov.cn/2024-03/11/c_123456.htm", sh(2024, 3, 11)),  # /YYYY-MM/DD/
        ("https://stcsm.sh.gov.cn/xwzx/20240305/0123abcd.html", sh(2024, 3, 5)),  # /YYYYMMDD/
        ("http://www.cppcc.gov.cn/zxww/2024/03/05/ARTI1709606400000123456.shtml", sh(2024, 3, 5)),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://kjj.cq.gov.cn/zwxx_176/tzgg/index_1.html",
        "https://www.ichongqing.info/feed/?paged=2",
        "https://kjj.cq.gov.cn/zwxx_176/tzgg/202402/P020240220612345678901.pdf",
        "https://example.org/2024/13/45/nope/",
        "",
    ],
)
def test_date_from_url_none(url):
    assert date_from_url(url) is None


def test_date_from_url_ignores_host_and_query():
    assert date_from_url("https://x.org/a?d=2024/03/05/") is None
