"""crawlers.extract.chinadaily: en.cppcc.gov.cn list pages and articles ("Updated:" line, photo captions)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.chinadaily import is_chinadaily_article_url, parse_chinadaily_article, parse_chinadaily_list

SH = ZoneInfo("Asia/Shanghai")
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "en.cppcc.gov.cn"
HOST = "http://en.cppcc.gov.cn"


def article(path: str):
    return parse_chinadaily_article((SITE / path).read_text(encoding="utf-8"), f"{HOST}/{path}")


def test_list_pages_and_pager():
    entries, next_url = parse_chinadaily_list(
        (SITE / "proposals.html").read_text(encoding="utf-8"), f"{HOST}/proposals.html"
    )
    assert next_url == f"{HOST}/proposals_2.html"
    assert (
        [e.url for e in entries]
        == [
            f"{HOST}/2024-03/11/c_970085.htm",
            f"{HOST}/2024-03/05/c_968912.htm",  # protocol-relative href
            f"{HOST}/2024-03/05/c_968930.htm",  # the English version of the digest's Xinhua repost
            "http://regional.chinadaily.com.cn/cppcc/2024-03/04/c_968440.htm",  # the mirror: the spider's on-site check drops it
            f"{HOST}/2024-03/04/c_968440.htm",
            f"{HOST}/2024-03/03/c_967901.htm",
        ]
    )
    assert entries[0].title == "What CPPCC members say" and entries[0].date == datetime(2024, 3, 11, tzinfo=SH)
    last, next_url = parse_chinadaily_list(
        (SITE / "proposals_2.html").read_text(encoding="utf-8"), f"{HOST}/proposals_2.html"
    )
    assert next_url is None  # "<" goes back, not forward
    assert [e.date.date().isoformat() for e in last] == [
        "2024-02-28",  # pushed to the second page by the repost on the first
        "2024-02-20",
        "2024-02-09",
        "2024-02-02",
    ]  # the last from its URL


def test_article_updated_line_gives_date_and_office():
    story = article("2024-03/11/c_970085.htm")
    assert story.title == "What CPPCC members say"
    assert story.published_at == datetime(2024, 3, 11, tzinfo=SH)
    assert story.source_office == "China Daily"  # not "China DailyPrint | Mail": the office ends with its element
    assert story.extra["date_source"] == "updated_line" and story.extra["rule"] == "#Content"
    assert story.body.split("\n")[0].startswith("Members of the 14th National Committee")
    assert "Most Viewed" not in story.body and "Presented by China Daily" not in story.body


def test_updated_line_with_time_and_figure_caption():
    story = article("2024-03/04/c_968440.htm")
    assert story.published_at == datetime(2024, 3, 4, 17, 42, tzinfo=SH)
    assert story.source_office == "Xinhua"
    assert "[Xinhua/Li Xueren]" not in story.body and "Great Hall" not in story.body
    assert len(story.body.split("\n")) == 3


def test_caption_paragraph_is_dropped():
    story = article("2024-03/03/c_967901.htm")
    assert "[Photo/IC]" not in story.body and story.extra["captions_dropped"] == 1
    assert story.source_office == "chinadaily.com.cn"
    assert story.body.split("\n")[0].startswith("Several political advisers")


def test_updated_line_outside_the_header_block():
    story = article("2024-02/20/c_964120.htm")
    assert story.published_at == datetime(2024, 2, 20, tzinfo=SH) and story.source_office == "China Daily"
    assert "Updated" not in story.body


def test_page_without_updated_line_takes_the_url_date():
    html = "<html><body><h1>Advisers meet</h1><div id='Content'><p>Text of the story.</p></div></body></html>"
    story = parse_chinadaily_article(html, f"{HOST}/2024-03/01/c_1.htm")
    assert story.published_at == datetime(2024, 3, 1, tzinfo=SH) and story.extra["date_source"] == "url"
    assert story.source_office is None and story.body == "Text of the story."


def test_byline_author():
    html = (
        "<html><body><h1>T</h1><div class='info'><span>By LI XIN | China Daily | Updated: 2024-03-02 09:10</span></div>"
        "<div id='Content'><p>Body.</p></div></body></html>"
    )
    story = parse_chinadaily_article(html, f"{HOST}/2024-03/02/c_2.htm")
    assert story.author == "LI XIN"
    assert story.published_at == datetime(2024, 3, 2, 9, 10, tzinfo=SH)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{HOST}/2024-03/11/c_970085.htm", True),
        (f"{HOST}/proposals_2.html", False),
        (f"{HOST}/2024-03/11/c_970085.html", False),
    ],
)
def test_article_urls(url, expected):
    assert is_chinadaily_article_url(url) is expected
