"""crawlers.extract.trs: TRS list pages (pagination, links, attachments) and article pages."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.attachments import is_attachment_url
from crawlers.extract.trs import (
    parse_trs_detail,
    parse_trs_list,
    total_pages,
    trs_page_urls,
)

SH = ZoneInfo("Asia/Shanghai")
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "kjj.cq.gov.cn"
COLUMN = "https://kjj.cq.gov.cn/zwxx_176/tzgg/"

LIST_HTML = """<html><head><title>通知公告_重庆市科学技术局</title></head><body>
<div class="nav"><a href="../../index.html">首页</a><a href="../../zwgk_176/">政务公开</a></div>
<div class="crumbs"><a href="./">通知公告</a></div>
<ul class="list">
 <li class="clearfix"><a href="./202403/t20240305_12876543.html" title="重庆市科学技术局 重庆市财政局关于组织申报2024年度重庆市技术创新与应用发展专项项目的通知">重庆市科学技术局 重庆市财政局关于组织…</a><span>2024-03-05</span></li>
 <li class="clearfix"><a href="./202402/P020240220612345678901.pdf" title="常见问题解答">常见问题解答</a><span>2024-02-20</span></li>
 <li class="clearfix"><a href="./202401/t20240129_12743302.html" title="无日期">无日期</a></li>
 <li class="clearfix"><a href="https://kjj.cq.gov.cn/zwxx_176/tzgg/202401/t20240122_12718450.html" title="绝对链接">绝对链接</a><span>2024-01-22</span></li>
 <li class="clearfix"><a href="./202401/t20240122_12718450.html" title="重复">重复</a><span>2024-01-22</span></li>
</ul>
<div class="page" id="page_div"><script>createPage(3, 1, "index", "html");</script>
<noscript><a href="index.html">1</a> <a href="index_2.html">3</a></noscript></div>
<div class="footer"><a href="../../wzdt/">网站地图</a></div>
</body></html>"""

DETAIL_HTML = """<html><head><meta charset="utf-8"><title>关于X的通知_重庆市科学技术局</title>
<meta name="ColumnName" content="通知公告">
<meta name="ArticleTitle" content="关于X的通知&lt;script&gt;alert(1)&lt;/script&gt;">
<meta name="PubDate" content="2024-03-05 10:30">
<meta name="ContentSource" content="">
<meta name="Keywords" content="科技;项目；申报">
</head><body>
<div class="crumbs">您当前的位置：<a href="../../../index.html">首页</a>&gt;&gt;<a href="../">通知公告</a> 日期：2019-01-01</div>
<div class="zwxl-content">
 <div class="zwxl-title"><p class="tit">关于X的通知</p>
  <p class="info"><span>来自: 市科技局高新处</span><span>日期:2024-03-06</span></p></div>
 <div class="zwxl-article pages_content">
  <div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">
   <p>各有关单位：</p>
   <p style="text-indent: 2em;">&nbsp;&nbsp;申报日期：2024-04-01 至 2024-04-30。</p>
   <p><br></p>
   <table><tr><td>等次</td><td>数量</td></tr><tr><td>优秀</td><td>32</td></tr></table>
   <p><a href="./P020240305123456789012.pdf">附件：1.申报指南.pdf</a></p>
   <p><a href="./P020240305123456789013.docx">2.申报书.docx</a></p>
   <p style="text-align:right">重庆市科学技术局</p>
  </div>
 </div>
</div>
<div class="zwxl-bar">【字体：<a href="javascript:doZoom(18);">大</a>】 打印本页</div>
<div class="xgxx"><a href="https://www.most.gov.cn/">科学技术部</a></div>
<div class="footer">主办单位：重庆市科学技术局</div>
<script>var x = "日期:2000-01-01";</script>
</body></html>"""

URL = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html"


# ------------------------------------------------------------------ list pages (inline)
def test_list_links_resolved_against_the_list_page_and_filtered():
    entries, pages = parse_trs_list(LIST_HTML, COLUMN + "index_1.html")
    assert pages == 3
    assert [e.url for e in entries] == [
        COLUMN + "202403/t20240305_12876543.html",
        COLUMN + "202401/t20240129_12743302.html",
        COLUMN + "202401/t20240122_12718450.html",  # absolute href; the relative duplicate is dropped
    ]
    # full title from a[title], not the shortened link text
    assert entries[0].title.endswith("专项项目的通知")
    assert entries[0].date == datetime(2024, 3, 5, tzinfo=SH)
    # no <span>: the date comes from tYYYYMMDD
    assert entries[1].date == datetime(2024, 1, 29, tzinfo=SH)


def test_list_attachment_items_are_skipped():
    entries, _ = parse_trs_list(LIST_HTML, COLUMN + "index.html")
    assert not any(e.url.endswith(".pdf") for e in entries)
    assert is_attachment_url(COLUMN + "202402/P020240220612345678901.pdf")
    assert is_attachment_url(COLUMN + "202402/P020240220612345678901.DOCX")
    assert not is_attachment_url(COLUMN + "202402/t20240220_1.html")


def test_list_without_known_container_falls_back_to_page_links():
    html = '<div><a href="./202403/t20240305_1.html">A</a> 2024-03-05<br><a href="../gzdt/">x</a></div>'
    entries, pages = parse_trs_list(html, COLUMN + "index.html")
    assert [e.url for e in entries] == [COLUMN + "202403/t20240305_1.html"]
    assert pages is None


def test_list_with_no_article_is_empty():
    entries, pages = parse_trs_list("<html><body><p>系统维护中</p></body></html>", COLUMN + "index.html")
    assert entries == [] and pages is None


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPage(34, 0, "index", "html");', 34),
        ("createPage(3,1,'index','html')", 3),
        ('createPageHTML(12, 0, "index", "shtml");', 12),
        ("createPageHTML('page_div', 7, 1, 'newschild', 'shtml', 98);", 7),
        ("var pagination_script_config = {total:'5', current: 0};", 5),
        ("no pager here", None),
    ],
)
def test_total_pages(script, expected):
    assert total_pages(f"<script>{script}</script>") == expected


def test_trs_page_urls():
    assert trs_page_urls(COLUMN + "index.html", 3) == [
        COLUMN + "index.html",
        COLUMN + "index_1.html",
        COLUMN + "index_2.html",
    ]
    assert trs_page_urls(COLUMN, 2) == [COLUMN + "index.html", COLUMN + "index_1.html"]
    assert trs_page_urls(COLUMN + "index.shtml", 2) == [COLUMN + "index.shtml", COLUMN + "index_1.shtml"]
    assert trs_page_urls(COLUMN + "index.html", None) == [COLUMN + "index.html"]
    assert len(trs_page_urls(COLUMN + "index.html", 34, limit=5)) == 5


# ------------------------------------------------------------------ article pages (inline)
def test_detail_meta_first():
    article = parse_trs_detail(DETAIL_HTML, URL)
    # ArticleTitle kept as is (escaping is the digest's job)
    assert article.title == "关于X的通知<script>alert(1)</script>"
    assert article.published_at == datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    assert article.extra["date_source"] == "meta:PubDate"
    # empty ContentSource meta -> the visible 来自:
    assert article.source_office == "市科技局高新处"
    assert article.extra["source_office_source"] == "header"
    assert article.extra["keywords"] == ["科技", "项目", "申报"]
    assert article.extra["column_name"] == "通知公告"
    assert article.extra["rule"] == "div.trs_editor_view"


def test_detail_body_excludes_chrome_and_normalises_whitespace():
    body = parse_trs_detail(DETAIL_HTML, URL).body
    assert body.splitlines()[0] == "各有关单位："
    assert "申报日期：2024-04-01 至 2024-04-30。" in body.splitlines()
    assert "等次 数量" in body and "优秀 32" in body
    for chrome in ("您当前的位置", "字体", "打印本页", "科学技术部", "主办单位", "var x", "\xa0", "&nbsp;"):
        assert chrome not in body
    assert "\n\n" not in body and body == body.strip()


def test_detail_attachments():
    attachments = parse_trs_detail(DETAIL_HTML, URL).extra["attachments"]
    assert attachments == [
        {"name": "1.申报指南.pdf", "url": "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/P020240305123456789012.pdf"},
        {"name": "2.申报书.docx", "url": "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/P020240305123456789013.docx"},
    ]


def test_detail_date_fallbacks():
    no_meta = DETAIL_HTML.replace('<meta name="PubDate" content="2024-03-05 10:30">', "")
    article = parse_trs_detail(no_meta, URL)
    # the header's 日期:, not the breadcrumb/script dates and not the body's 申报日期
    assert article.published_at == datetime(2024, 3, 6, tzinfo=SH)
    assert article.extra["date_source"] == "header"
    no_header = no_meta.replace("<span>日期:2024-03-06</span>", "")
    article = parse_trs_detail(no_header, URL)
    assert article.published_at == datetime(2024, 3, 5, tzinfo=SH)
    assert article.extra["date_source"] == "url"


def test_detail_fallback_selectors_and_trafilatura():
    zoom = "<html><head><title>T_局</title></head><body><h1>标题</h1><div id='Zoom'><p>正文一。</p><p>正文二。</p></div></body></html>"
    article = parse_trs_detail(zoom, URL)
    assert (article.title, article.body, article.extra["rule"]) == ("标题", "正文一。\n正文二。", "#Zoom")
    unknown = (
        "<html><head><title>T</title></head><body><article><h1>标题</h1>"
        + "".join(
            f"<p>这是第{i}段正文，内容足够长，可以被通用正文抽取识别出来。这里再多写一些文字。</p>" for i in range(8)
        )
        + "</article></body></html>"
    )
    article = parse_trs_detail(unknown, URL)
    assert article.extra["rule"] == "trafilatura" and "第3段正文" in article.body


def test_detail_selector_override():
    html = DETAIL_HTML.replace('class="trs_editor_view', 'class="custom-body').replace("TRS_UEDITOR", "x")
    article = parse_trs_detail(html, URL, selectors={"body": ".custom-body"})
    assert article.extra["rule"] == ".custom-body" and article.body.startswith("各有关单位")


# ------------------------------------------------------------------ the replay fixture site
needs_site = pytest.mark.skipif(not (SITE / "zwxx_176").is_dir(), reason="kjj.cq.gov.cn fixture site not built")


def _site_url(path: Path) -> str:
    return "https://kjj.cq.gov.cn/" + path.relative_to(SITE).as_posix()


@needs_site
def test_fixture_list_pages():
    seen = []
    for name, count in (("index.html", 10), ("index_1.html", 10), ("index_2.html", 5)):
        entries, pages = parse_trs_list((SITE / "zwxx_176/tzgg" / name).read_bytes(), COLUMN + name)
        assert (len(entries), pages) == (count, 3), name
        assert all(e.url.startswith(COLUMN) and e.date is not None and e.title for e in entries)
        seen += entries
    assert len({e.url for e in seen}) == 25
    no_span = next(e for e in seen if e.url.endswith("t20240129_12743302.html"))
    assert no_span.date == datetime(2024, 1, 29, tzinfo=SH)
    assert any(e.title == "关于做好2023年度全市研究与试验发展（R&D）投入统计工作的通知" for e in seen)


@needs_site
def test_fixture_articles_match_the_data():
    data = json.loads((SITE / "_build" / "articles.json").read_text(encoding="utf-8"))["articles"]
    assert len(data) == 25
    for entry in data:
        path = (
            SITE
            / "zwxx_176/tzgg"
            / f"{entry['date'][:7].replace('-', '')}"
            / f"t{entry['date'].replace('-', '')}_{entry['id']}.html"
        )
        article = parse_trs_detail(path.read_bytes(), _site_url(path))
        assert article.title.startswith(entry["title"]), entry["id"]
        assert article.published_at.date().isoformat() == entry["date"]
        if entry.get("time") and entry["id"] != 12690317:
            assert article.published_at.strftime("%H:%M") == entry["time"]
        assert article.source_office == (entry["source"] or entry.get("header_source")), entry["id"]
        assert article.extra["rule"] == "div.trs_editor_view"
        assert [a["url"].rsplit("/", 1)[-1] for a in article.extra["attachments"]] == [
            a["file"] for a in entry.get("attachments", [])
        ]
        body = article.body
        for paragraph in entry["paragraphs"]:
            if isinstance(paragraph, str):
                assert paragraph in body, (entry["id"], paragraph[:20])
        for chrome in ("您当前的位置", "打印本页", "相关链接", "扫一扫", "主办单位"):
            assert chrome not in body


@needs_site
def test_fixture_traps():
    def parse(rel: str):
        path = SITE / "zwxx_176/tzgg" / rel
        return parse_trs_detail(path.read_bytes(), _site_url(path))

    no_pubdate = parse("202401/t20240115_12690317.html")
    assert no_pubdate.published_at == datetime(2024, 1, 15, tzinfo=SH)
    assert no_pubdate.extra["date_source"] == "header"
    script_title = parse("202403/t20240301_12859317.html")
    assert script_title.title.endswith("<script>alert(1)</script>")
    empty_source = parse("202402/t20240223_12817955.html")
    assert empty_source.source_office == "市科技局高新处"
    assert empty_source.extra["attachments"] == [
        {
            "name": "2024年度“揭榜挂帅”榜单需求表.docx",
            "url": "https://kjj.cq.gov.cn/zwxx_176/tzgg/202402/P020240223571904836215.docx",
        }
    ]
