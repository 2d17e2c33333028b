"""crawlers.extract.arti: ARTI ids (epoch-ms publish time), #txtBox and legacy title_array lists, article pages."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.arti import (
    arti_publish_time,
    is_arti_article_url,
    parse_arti_detail,
    parse_arti_legacy_list,
    parse_arti_list,
)
from crawlers.extract.urls import canonical_url

SH = ZoneInfo("Asia/Shanghai")
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "www.cppcc.gov.cn"
HOST = "http://www.cppcc.gov.cn"


def read(path: str) -> str:
    return (SITE / path).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- ARTI ids
@pytest.mark.parametrize(
    ("url", "expected", "source"),
    [
        # the catalogue's checked sample: ARTI1767168160430186 → 2025-12-31 16:02:40 +08:00
        (
            "http://www.cppcc.gov.cn/zxww/2025/12/31/ARTI1767168160430186.shtml",
            datetime(2025, 12, 31, 16, 2, 40, 430000, tzinfo=SH),
            "arti_id",
        ),
        # 00:45 in Beijing is 16:45 UTC the day before: still the Beijing day
        (f"{HOST}/zxww/2024/03/03/ARTI1709397903000107.shtml", datetime(2024, 3, 3, 0, 45, 3, tzinfo=SH), "arti_id"),
        # 6-digit counter
        (
            f"{HOST}/zxww/2024/03/05/ARTI1709607920000451203.shtml",
            datetime(2024, 3, 5, 11, 5, 20, tzinfo=SH),
            "arti_id",
        ),
        # created 2024-02-28 23:52, folder 2024/02/29: the folder's day
        (f"{HOST}/zxww/2024/02/29/ARTI1709135550000904.shtml", datetime(2024, 2, 29, tzinfo=SH), "url"),
    ],
)
def test_publish_time_from_the_arti_id(url, expected, source):
    when, notes = arti_publish_time(url)
    assert when == expected
    assert notes["date_source"] == source
    assert "date_conflict" not in notes


def test_id_far_from_the_path_day_is_flagged():
    when, notes = arti_publish_time(f"{HOST}/zxww/2024/03/05/ARTI1561421709036136.shtml")  # a 2019 id
    assert when == datetime(2024, 3, 5, tzinfo=SH)
    assert notes["arti_created_at"].startswith("2019-06-25")
    assert notes["date_conflict"] == "ARTI id says 2019-06-25, path says 2024-03-05"


def test_id_time_kept_when_the_path_is_the_next_day():
    _, notes = arti_publish_time(f"{HOST}/zxww/2024/02/29/ARTI1709135550000904.shtml")
    assert notes["arti_created_at"] == "2024-02-28T23:52:30+08:00"


@pytest.mark.parametrize(
    "url",
    [
        f"{HOST}/zxxw/yw/",
        f"{HOST}/zxww/2024/03/05/P020240305.pdf",
        "https://www.12371.cn/2024/03/04/ARTI1709541000000217.shtml",
        f"{HOST}/zxww/2024/03/05/ARTI170960281.shtml",
    ],
)
def test_not_arti_articles(url):
    assert not is_arti_article_url(url)
    assert arti_publish_time(url) == (None, {})


def test_cppcc_urls_are_canonical_over_http():
    assert canonical_url("https://www.cppcc.gov.cn/zxww/2024/03/04/ARTI1709539540000532.shtml") == (
        f"{HOST}/zxww/2024/03/04/ARTI1709539540000532.shtml"
    )
    assert canonical_url("https://cppcc.gov.cn/zxxw/yw/") == f"{HOST}/zxxw/yw/"


# --------------------------------------------------------------------------- list pages
def test_current_list_page():
    entries, next_url = parse_arti_list(read("zxxw/yw/index.html"), f"{HOST}/zxxw/yw/")
    assert next_url == f"{HOST}/zxxw/yw/index_1.html"
    assert [e.url for e in entries] == [
        f"{HOST}/zxww/2024/03/05/ARTI1709602812000186.shtml",  # ../../zxww/… against the LIST page
        f"{HOST}/zxww/2024/03/04/ARTI1709539540000532.shtml",  # https:// href, canonical http
        f"{HOST}/zxww/2024/03/03/ARTI1709397903000107.shtml",
        f"{HOST}/zxww/2024/02/29/ARTI1709135550000904.shtml",
    ]  # the 12371.cn item is not an article of this site
    assert entries[0].title == "委员热议政府工作报告：以科技创新引领现代化产业体系建设"
    assert [e.date.date() for e in entries] == [date(2024, 3, 5), date(2024, 3, 4), date(2024, 3, 3), date(2024, 2, 29)]
    last, next_url = parse_arti_list(read("zxxw/yw/index_1.html"), f"{HOST}/zxxw/yw/index_1.html")
    assert next_url is None and len(last) == 2  # 上一页 is not the next page


def test_legacy_title_array_list():
    html = read("zxww/newcppcc/wyjy/index.shtml")
    entries = parse_arti_legacy_list(html, f"{HOST}/zxww/newcppcc/wyjy/index.shtml")
    assert [e.url.rsplit("/", 1)[-1] for e in entries] == [
        "ARTI1709607920000451203.shtml",  # title_arrayELMT<id>(…)
        "ARTI1709360400000327.shtml",
        "ARTI1708909205000715.shtml",
        "ARTI1707382113000092.shtml",
    ]  # the PDF and the 12371.cn item are left out
    assert entries[1].title == "九三学社中央：推动人工智能赋能科研范式变革"  # &#65306; decoded
    assert entries[0].date == datetime(2024, 3, 5, tzinfo=SH)
    # parse_arti_list reads the legacy layout when there is no #txtBox
    assert parse_arti_list(html, f"{HOST}/zxww/newcppcc/wyjy/index.shtml") == (entries, None)


def test_list_without_items_is_empty():
    assert parse_arti_list(
        "<html><body><ul id='other'><li><a href='/zxxw/'>要闻</a></li></ul></body></html>", f"{HOST}/zxxw/yw/"
    ) == ([], None)


# --------------------------------------------------------------------------- article pages
def test_article_cnt_box_template():
    url = f"{HOST}/zxww/2024/03/04/ARTI1709539540000532.shtml"
    article = parse_arti_detail(read("zxww/2024/03/04/ARTI1709539540000532.shtml"), url)
    assert article.url == url
    assert article.title == "全国政协十四届二次会议在京开幕"
    assert article.published_at == datetime(2024, 3, 4, 16, 5, 40, tzinfo=SH)
    assert article.source_office == "新华社"
    assert article.extra["rule"] == ".cnt_box .con"
    assert article.extra["editor"] == "李明"
    assert article.extra["column_name"] == "要闻"
    assert article.extra["keywords"] == ["全国政协", "十四届二次会议", "开幕"]
    lines = article.body.split("\n")
    assert lines[0] == "中国人民政治协商会议第十四届全国委员会第二次会议4日下午在人民大会堂开幕。"
    assert len(lines) == 4 and "责任编辑" not in article.body and "分享到" not in article.body


def test_article_page_body_template_and_script_in_body():
    second = parse_arti_detail(
        read("zxww/2024/02/20/ARTI1708414200000238.shtml"), f"{HOST}/zxww/2024/02/20/ARTI1708414200000238.shtml"
    )
    assert second.title == "全国政协机关召开2024年工作会议"
    assert second.extra["rule"] == "#page_body .column_wrapper .con"
    assert second.source_office == "全国政协办公厅"
    scripted = parse_arti_detail(
        read("zxww/2024/03/03/ARTI1709397903000107.shtml"), f"{HOST}/zxww/2024/03/03/ARTI1709397903000107.shtml"
    )
    assert "shareTitle" not in scripted.body and len(scripted.body.split("\n")) == 3
    assert "editor" not in scripted.extra


def test_page_that_matches_no_rule_falls_back_to_trafilatura():
    paragraphs = "".join(
        f"<p>第{n}段：全国政协委员围绕科技创新建言献策，提出了很多具体意见和建议，内容丰富。</p>" for n in range(1, 6)
    )
    html = (
        f"<html><head><title>改版后的页面_中国政协网</title></head><body><div class='nav'><a href='/'>首页</a></div>"
        f"<article class='new-layout'>{paragraphs}</article></body></html>"
    )
    article = parse_arti_detail(html, f"{HOST}/zxww/2024/03/05/ARTI1709602812000186.shtml")
    assert article.extra["rule"] == "trafilatura"
    assert "第1段" in article.body and "第5段" in article.body
    assert article.title == "改版后的页面"  # <title> without the site name
    assert article.published_at == datetime(2024, 3, 5, 9, 40, 12, tzinfo=SH)


def test_redesigned_page_without_text_has_no_body():
    article = parse_arti_detail(
        "<html><body><div id='app'></div></body></html>", f"{HOST}/zxww/2024/03/05/ARTI1709602812000186.shtml"
    )
    assert article.body == "" and article.title is None
