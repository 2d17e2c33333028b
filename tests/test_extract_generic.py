"""crawlers/extract/generic.py: the fallback for pages no family rule matches (fixtures in tests/fixtures/generic/)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawlers.extract.body import clean_body, fallback_body, generic_body
from crawlers.extract.charset import decode_html
from crawlers.extract.generic import detect_language, parse_generic
from crawlers.extract.html import selector_for
from crawlers.extract.trs import parse_trs_detail

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "generic"
KJJ = ROOT / "tests" / "fixtures" / "sites" / "kjj.cq.gov.cn" / "zwxx_176" / "tzgg"
REAL_PEOPLE = ROOT / "tests" / "fixtures" / "sites" / "cppcc.people.com.cn" / "_real"  # real page + fundus parse (MIT)
SH = ZoneInfo("Asia/Shanghai")
PEOPLE_URL = "http://politics.people.com.cn/n1/2024/0424/c1001-40223222.html"


def _tokens(text: str) -> list[str]:
    return re.findall(r"[\u4e00-\u9fff]|[^\W_\u4e00-\u9fff]+", text.lower())


def test_meta_tags_come_first():
    html = (KJJ / "202403" / "t20240305_12876543.html").read_bytes()
    article = parse_generic(html, "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html")
    assert article.title == "重庆市科学技术局 重庆市财政局关于组织申报2024年度重庆市技术创新与应用发展专项项目的通知"
    assert article.published_at == datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    assert article.source_office == "重庆市科学技术局 重庆市财政局"
    extra = article.extra
    assert (extra["rule"], extra["title_source"], extra["date_source"], extra["source_office_source"]) == (
        "generic",
        "meta:ArticleTitle",
        "meta:PubDate",
        "meta:ContentSource",
    )
    assert extra["language"] == "zh" and extra["column_name"] == "通知公告" and extra["keywords"]
    assert [a["name"] for a in extra["attachments"]] == [
        "2024年度重庆市技术创新与应用发展专项项目申报指南.pdf",
        "项目申报书（模板）.docx",
    ]
    assert "申报" in article.body and "<script" not in article.body


def test_real_people_page_in_gb18030_bytes():
    """The real people.com.cn page as the server sends it (GBK bytes, meta GB2312), no family rules."""
    text, charset = decode_html((REAL_PEOPLE / "People_2024_04_24.gb18030.html").read_bytes(), "text/html")
    assert charset == "gb18030"
    article = parse_generic(text, PEOPLE_URL)
    expected = json.loads((REAL_PEOPLE / "People_2024_04_24.expected.fundus.json").read_text(encoding="utf-8"))["V1"]

    # fundus keeps the <title> with its "--时政--人民网" suffix; the generic title is the page's <h1>
    assert expected["title"].startswith(article.title + "--") and article.extra["title_source"] == "h1"
    assert article.published_at.date().isoformat() == expected["publishing_date"][:10]
    assert article.source_office == "新华网"  # meta source="来源：新华网": the label is dropped
    assert article.author is None  # meta author is an editor id (105092), not a name
    assert "深空探测" in article.extra["keywords"] and "探月工程" in article.extra["keywords"]

    paragraphs = [p for section in expected["body"]["sections"] for p in section["paragraphs"]]
    wanted, got = _tokens("".join(paragraphs)), set(_tokens(article.body))
    recall = sum(token in got for token in wanted) / len(wanted)
    assert recall > 0.97, recall
    assert paragraphs[0][:20] in article.body and paragraphs[-1][:20] in article.body


def test_page_without_meta_tags_uses_the_visible_header():
    url = "https://stcsm.sh.gov.cn/zwgk/tzgg/20240305/0a1b2c3d4e5f60718293a4b5c6d7e8f9.html"
    article = parse_generic((PAGES / "notice_without_meta.html").read_bytes(), url)
    assert article.title == "关于组织开展2024年度科技创新行动计划项目申报的通知"
    assert article.published_at == datetime(2024, 3, 5, 14, 35, tzinfo=SH)
    assert (article.extra["date_source"], article.source_office, article.extra["source_office_source"]) == (
        "header",
        "上海市科学技术委员会",
        "header",
    )
    assert article.extra["language"] == "zh"
    # the attachment in the text is recorded; the footer's site guide is page chrome
    assert article.extra["attachments"] == [
        {
            "name": "2024年度科技创新行动计划项目申报指南.pdf",
            "url": "https://stcsm.sh.gov.cn/zwgk/tzgg/20240305/P020240305123456789012.pdf",
        }
    ]
    assert article.body.startswith("各有关单位：") and "首页" not in article.body and "主办" not in article.body


def test_english_page_drops_comments_credits_and_repeated_teasers():
    article = parse_generic((PAGES / "english_news.html").read_bytes(), "https://news.example.com/2024/03/05/sandbox/")
    assert article.title == "Chongqing opens science sandbox for start-ups"
    assert article.published_at == datetime(2024, 3, 5, 9, 15, tzinfo=SH)
    assert article.author == "Li Wei" and article.extra["keywords"] == ["science city", "start-ups", "Chongqing"]
    assert article.extra["language"] == "en"
    body = article.body
    assert body.startswith("Chongqing has opened a regulatory sandbox") and body.endswith("next week.")
    assert "Read more" not in body and "Photo:" not in body and "Great news" not in body
    assert len(body.split("\n")) == 4


def test_clean_body_rules():
    text = "\n".join(
        [
            "Title of the story",
            "First paragraph.",
            "Read more",
            "Second paragraph.",
            "Read more",
            "(Photo/Zhou Qi)",
            "STR/Getty images",
            "A" * 250,
            "A" * 250,
            "  ",
            "图片来源：新华社",
        ]
    )
    assert clean_body(text, title="Title of the story").split("\n") == [
        "First paragraph.",
        "Second paragraph.",
        "A" * 250,
        "A" * 250,
    ]


def test_language_from_declaration_else_from_script():
    assert detect_language(selector_for('<html lang="zh-CN"><body>x</body></html>'), "English text") == "zh"
    assert detect_language(selector_for("<html><body></body></html>"), "重庆市科学技术局发布通知") == "zh"
    assert detect_language(selector_for("<html><body></body></html>"), "東京都は、新しい政策を発表しました") == "ja"
    assert detect_language(selector_for("<html><body></body></html>"), "The bureau said on Tuesday") == "en"


def test_family_parsers_fall_back_to_the_generic_body():
    """A TRS page whose body container was renamed: the TRS parser's body is the generic one."""
    html = (KJJ / "202403" / "t20240305_12876543.html").read_text(encoding="utf-8")
    renamed = (
        html.replace("trs_editor_view", "editor-view-2025")
        .replace("zwxl-article", "article-2025")
        .replace("pages_content", "content-2025")
        .replace("TRS_UEDITOR", "UEDITOR-2025")
    )
    url = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html"
    article = parse_trs_detail(renamed, url)
    assert article.extra["rule"] == "trafilatura"
    assert article.body == generic_body(renamed, url) == fallback_body(renamed, url)
    assert "申报" in article.body
