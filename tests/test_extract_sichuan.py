"""crawlers.extract.sichuan: the kjt.sc.gov.cn list (real records, pinned head, pagination) and
its two article templates, on the replay pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.documents import ListEntry
from crawlers.extract.sichuan import (
    is_sichuan_article_url,
    mark_pinned,
    parse_sichuan_detail,
    parse_sichuan_list,
    sichuan_page_urls,
    sichuan_total_pages,
)

SH = ZoneInfo("Asia/Shanghai")
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "kjt.sc.gov.cn"
REAL_RECORDS = SITE / "_build" / "sc-kjt-notices.json"
LIST = "https://kjt.sc.gov.cn/kjt/gstz/newschild.shtml"
BASE = "https://kjt.sc.gov.cn/"


def page(url: str) -> str:
    return (SITE / url.removeprefix(BASE)).read_text(encoding="utf-8")


def day(value: datetime | None) -> date | None:
    return value.astimezone(SH).date() if value else None


def test_list_page_one_holds_the_real_records_verbatim_in_their_order():
    entries, total = parse_sichuan_list(page(LIST), LIST)
    real = json.loads(REAL_RECORDS.read_text(encoding="utf-8"))
    assert total == 2 and len(entries) == 15
    assert [(e.url, e.title, e.date) for e in entries[:10]] == [
        (r["detail_url"], r["title"], datetime.fromisoformat(r["published_at"])) for r in real
    ]


def test_pinned_notices_are_marked_and_only_them():
    entries, _ = parse_sichuan_list(page(LIST), LIST)
    assert [e.pinned for e in entries] == [True] * 3 + [False] * 12
    assert [day(e.date) for e in entries[:4]] == [
        date(2025, 11, 25),
        date(2025, 9, 4),
        date(2026, 7, 17),
        date(2026, 9, 15),
    ]
    # after the pinned head the list is newest first
    rest = [e.date for e in entries[3:]]
    assert rest == sorted(rest, reverse=True)
    second, _ = parse_sichuan_list(
        page(LIST.replace("newschild", "newschild_2")), LIST.replace("newschild", "newschild_2")
    )
    assert not any(e.pinned for e in second) and len(second) == 3


def test_mark_pinned_stops_at_the_first_item_in_order():
    def entry(n: int, day_: str | None) -> ListEntry:
        return ListEntry(url=f"https://x/{n}", title=str(n), date=datetime.fromisoformat(day_) if day_ else None)

    marked = mark_pinned(
        [entry(1, "2024-01-01"), entry(2, "2024-03-05"), entry(3, "2024-03-01"), entry(4, "2024-02-01")]
    )
    assert [e.pinned for e in marked] == [True, False, False, False]
    assert not any(e.pinned for e in mark_pinned([entry(1, "2024-03-05"), entry(2, "2024-03-05")]))
    assert not any(e.pinned for e in mark_pinned([entry(1, None), entry(2, "2024-03-05")]))  # unknown date: not pinned
    assert mark_pinned([]) == []


def test_list_links_canonical_and_filtered():
    entries, _ = parse_sichuan_list(page(LIST), LIST)
    urls = [e.url for e in entries]
    # the absolute http:// href is stored as https; the item of another column is kept
    assert "https://kjt.sc.gov.cn/kjt/gstz/2024/2/27/bf50192b0a4b5c91babbf27d7219a34f.shtml" in urls
    assert "https://kjt.sc.gov.cn/kjt/xzgfxwj/2024/3/1/d75f640d511823a0c752ab4dec647e9e.shtml" in urls
    assert all(is_sichuan_article_url(u) for u in urls)
    # navigation and column links of the page chrome are not articles
    assert not is_sichuan_article_url("https://kjt.sc.gov.cn/kjt/gstz/newschild.shtml")
    assert not is_sichuan_article_url(
        "https://kjt.sc.gov.cn/kjt/gstz/2024/3/5/files/5c1e8a3b2f7d4e9a8b6c0d4f1e2a7b95.pdf"
    )


def test_list_without_the_column_container_finds_nothing():
    html = page(LIST).replace('class="column-list"', 'class="list-redesigned"')
    assert parse_sichuan_list(html, LIST) == ([], 2)


def test_pagination_is_name_underscore_k():
    assert sichuan_total_pages("createPageHTML('page_div', 30, 1, 'newschild', 'shtml', 450);") == 30
    assert sichuan_total_pages("<p>no pager</p>") is None
    assert sichuan_page_urls(LIST, 3) == [
        LIST,
        LIST.replace("newschild", "newschild_2"),
        LIST.replace("newschild", "newschild_3"),
    ]
    assert sichuan_page_urls(LIST.replace("newschild", "newschild_2"), 2) == [
        LIST,
        LIST.replace("newschild", "newschild_2"),
    ]
    assert sichuan_page_urls("https://kjt.sc.gov.cn/kjt/gs/", None) == ["https://kjt.sc.gov.cn/kjt/gs/index.shtml"]


def test_notice_template():
    url = "https://kjt.sc.gov.cn/kjt/gstz/2026/9/15/2a0571d5f0a248c8850bee944cd39914.shtml"
    article = parse_sichuan_detail(page(url), url)
    assert article.title == "四川省科学技术厅关于申报2026年词元券服务机构的通知"
    assert article.published_at == datetime(2026, 9, 15, 15, 36, 53, tzinfo=SH)
    assert article.source_office == "人工智能处"
    assert (article.extra["rule"], article.extra["title_source"], article.extra["date_source"]) == (
        ".newsCon",
        ".newsTex h1",
        "metadata",
    )
    assert "document_number" not in article.extra  # "文  号：" is empty on notices
    assert article.extra["attachments"] == [
        {
            "name": "2026年词元券服务机构申报书.docx",
            "url": "https://kjt.sc.gov.cn/kjt/gstz/2026/9/15/files/8d5e2b7a1c3f4e6a9b0d7c2e1f4a6b38.docx",
        }
    ]
    assert article.body.startswith("各市（州）科技局，各有关单位：")
    for chrome in ("发布日期", "字号", "扫一扫", "相关链接", "附件下载", "四川省人民政府"):
        assert chrome not in article.body


def test_notice_with_empty_office_and_a_share_widget_inside_the_body():
    url = "https://kjt.sc.gov.cn/kjt/gstz/2024/3/4/d514ab28e5f9dbd31c2c5eefdf6b0227.shtml"
    article = parse_sichuan_detail(page(url), url)
    assert article.source_office is None and "source_office_source" not in article.extra
    url = "https://kjt.sc.gov.cn/kjt/gstz/2024/3/5/98be9990ca51aa58adca2a0feaf6350a.shtml"
    article = parse_sichuan_detail(page(url), url)
    assert "分享到" not in article.body and "微博" not in article.body
    assert article.body.endswith("申报截止时间为2024年4月10日。")
    assert [a["name"] for a in article.extra["attachments"]] == [
        "2024年度四川省科技计划项目申报指南.pdf",
        "项目申报书模板.docx",
    ]


@pytest.mark.parametrize(
    ("path", "number", "published"),
    [
        ("kjt/xzgfxwj/2024/3/1/d75f640d511823a0c752ab4dec647e9e.shtml", "川科政〔2024〕2号", date(2024, 3, 1)),
        ("kjt/gstz/2024/2/20/92f1c91a182f5fa7a17c68eba50e59bd.shtml", "川科政〔2024〕1号", date(2024, 2, 20)),
    ],
)
def test_policy_document_template(path, number, published):
    url = BASE + path
    article = parse_sichuan_detail(page(url), url)
    assert article.extra["rule"] == ".articlebox .contText" and article.extra["title_source"] == ".articlebox h1"
    assert article.extra["document_number"] == number
    assert day(article.published_at) == published and article.extra["date_source"] == "metadata"
    assert article.source_office == "四川省科学技术厅"
    assert "issuing_office" not in article.extra  # it is the source office
    assert article.extra["written_date"] < published.isoformat()
    assert "索引号" not in article.body and "有效性" not in article.body


def test_detail_without_metadata_falls_back_to_the_url_date():
    url = "https://kjt.sc.gov.cn/kjt/gstz/2024/2/8/810a895ae8371afef4336fb48289587e.shtml"
    html = page(url).replace("发布日期：", "")
    article = parse_sichuan_detail(html, url)
    assert (day(article.published_at), article.extra["date_source"]) == (date(2024, 2, 8), "url")
