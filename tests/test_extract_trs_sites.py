"""crawlers.extract (TRS family) on the replay pages of its other sites: kjj.cq.gov.cn's 政协提案
column, www.most.gov.cn and kw.beijing.gov.cn — lists, pagination, links, dates, charset, metadata."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.charset import decode_html
from crawlers.extract.labels import label_value_pairs, labelled_fields
from crawlers.extract.trs import parse_trs_detail, parse_trs_list, trs_page_urls
from crawlers.extract.urls import canonical_url

SH = ZoneInfo("Asia/Shanghai")
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
ZXTABL = "https://kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/"
MOST = "https://www.most.gov.cn/"
KW = "https://kw.beijing.gov.cn/xwdt/"
KW_SELECTORS = {"list_date": "span:last-of-type"}  # kw_beijing's registry override


def page(url: str) -> str:
    """The replay file of a real URL, decoded as UTF-8."""
    return page_bytes(url).decode("utf-8")


def page_bytes(url: str) -> bytes:
    relative = url.split("://", 1)[1]
    if relative.endswith("/"):
        relative += "index.html"
    return (SITES / relative).read_bytes()


def day(value: datetime | None) -> date | None:
    return value.astimezone(SH).date() if value else None


# ------------------------------------------------------------------ kjj.cq.gov.cn 政协提案办理情况公开
def test_zxtabl_lists_keep_the_cross_listed_tzgg_article_and_page_like_trs():
    entries, total = parse_trs_list(page(ZXTABL + "index.html"), ZXTABL + "index.html")
    assert total == 2
    assert trs_page_urls(ZXTABL + "index.html", total) == [ZXTABL + "index.html", ZXTABL + "index_1.html"]
    assert [e.url.rsplit("/", 1)[-1] for e in entries] == [
        "t20240305_12877655.html",
        "t20240304_12872310.html",
        "t20240229_12851926.html",
        "t20240226_12830412.html",
        "t20240222_12812774.html",
    ]
    # the relative link into the 通知公告 column resolves against the list page
    assert entries[3].url == "https://kjj.cq.gov.cn/zwxx_176/tzgg/202402/t20240226_12830412.html"
    second, _ = parse_trs_list(page(ZXTABL + "index_1.html"), ZXTABL + "index_1.html")
    assert [day(e.date) for e in second] == [date(2024, 2, 5), date(2024, 1, 30), date(2024, 1, 23), date(2024, 1, 16)]


def test_zxtabl_detail_reads_the_metadata_table_into_extra():
    url = ZXTABL + "202403/t20240305_12877655.html"
    article = parse_trs_detail(page(url), url)
    assert article.title == "重庆市科学技术局关于市政协六届二次会议第0031号提案办理情况的复函"
    assert article.published_at == datetime(2024, 3, 5, 17, 20, tzinfo=SH)
    assert article.source_office == "重庆市科学技术局"
    assert article.extra["document_number"] == "渝科局函〔2024〕21号"
    assert article.extra["index_number"] == "11500000009275780L/2024-00031"
    assert article.extra["written_date"] == "2024-03-01"
    assert article.extra["column_name"] == "政协提案办理情况公开"
    # the table and the title block are chrome, not body
    assert article.body.startswith("王立新委员：") and article.body.endswith("2024年3月1日")
    assert "索引号" not in article.body and "文号" not in article.body


def test_zxtabl_empty_document_number_is_not_stored():
    url = ZXTABL + "202402/t20240229_12851926.html"
    article = parse_trs_detail(page(url), url)
    assert "document_number" not in article.extra
    assert article.extra["index_number"] == "11500000009275780L/2024-00024"


def test_zxtabl_without_pubdate_takes_the_header_date_not_the_written_date():
    url = ZXTABL + "202402/t20240205_12767541.html"
    article = parse_trs_detail(page(url), url)
    assert (day(article.published_at), article.extra["date_source"]) == (date(2024, 2, 5), "header")
    assert article.extra["written_date"] == "2023-07-20"


def test_labelled_values_pair_label_cells_with_their_value_cells():
    assert label_value_pairs(
        ["索引号：", "1151/2024-00012", "文号：", "川科政〔2024〕2号", "发布日期：2024-03-01 10:30:00"]
    ) == [("索引号", "1151/2024-00012"), ("文号", "川科政〔2024〕2号"), ("发布日期", "2024-03-01 10:30:00")]
    # spaced-out labels, an empty value followed by another label, a time is not a label
    assert label_value_pairs(["文\xa0\xa0号：", "发布机构：", "10:30"]) == [("文号", ""), ("发布机构", "10:30")]
    assert labelled_fields(["文  号：", "发文字号：国科发〔2024〕5号", "主题分类：科技"]) == {
        "document_number": "国科发〔2024〕5号",
        "topic": "科技",
    }


# ------------------------------------------------------------------ www.most.gov.cn
def test_most_lists_both_pager_styles_and_only_the_column_items():
    kjbgz, total = parse_trs_list(page(MOST + "kjbgz/index.html"), MOST + "kjbgz/index.html")
    assert total == 2  # pagination_script_config = { pageNumber:'0', total:'2' }
    tztg, total = parse_trs_list(page(MOST + "tztg/index.html"), MOST + "tztg/index.html")
    assert total == 2  # createPageHTML(2, 0, "index", "html")
    # the 图片新闻 sidebar links t-date articles of /tpxw/: not entries of the column
    assert all("/tpxw/" not in e.url for e in kjbgz + tztg)
    assert [(e.url, day(e.date)) for e in kjbgz] == [
        (MOST + "kjbgz/202403/t20240305_189902.html", date(2024, 3, 5)),
        (MOST + "kjbgz/202403/t20240301_189871.html", date(2024, 3, 1)),
        (MOST + "kjbgz/202402/t20240227_189644.html", date(2024, 2, 27)),  # href had /xxgk/xinxifenlei/
    ]
    assert kjbgz[0].title == "科技部召开国家重点研发计划重点专项管理工作推进会"


def test_most_spurious_xxgk_prefix_is_canonicalised_on_both_link_forms():
    entries, _ = parse_trs_list(page(MOST + "tztg/index_1.html"), MOST + "tztg/index_1.html")
    assert [e.url for e in entries] == [
        MOST + "tztg/202402/t20240205_189388.html",  # absolute https://…/xxgk/xinxifenlei/tztg/… on the page
        MOST + "tztg/200803/t20080305_59844.htm",
    ]
    assert canonical_url("/xxgk/xinxifenlei/kjbgz/202402/t20240227_189644.html", base=MOST + "kjbgz/") == (
        MOST + "kjbgz/202402/t20240227_189644.html"
    )
    # the real open-government paths under /xxgk/xinxifenlei/ are left alone
    real = MOST + "xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202402/t20240201_189300.html"
    assert canonical_url(real) == real


@pytest.mark.parametrize(
    ("path", "rule", "source"),
    [
        ("kjbgz/202403/t20240305_189902.html", "div.trs_editor_view", "科技部"),
        ("kjbgz/202403/t20240301_189871.html", "#Zoom", "科技部"),
        ("tztg/202402/t20240219_189517.html", "#Zoom", "国家科学技术奖励工作办公室"),
    ],
)
def test_most_detail_metas_and_both_body_templates(path, rule, source):
    url = MOST + path
    article = parse_trs_detail(page(url), url)
    assert article.extra["rule"] == rule
    assert article.extra["title_source"] == "meta:ArticleTitle" and article.extra["date_source"] == "meta:PubDate"
    assert article.source_office == source
    assert article.extra["column_name"] in ("科技部工作", "通知通告") and article.extra["keywords"]
    # chrome is not body: the date/source line, the QR block, the print bar
    for chrome in ("扫一扫", "打印本页", "来源：", "字体"):
        assert chrome not in article.body


def test_most_detail_attachments_are_recorded():
    url = MOST + "tztg/202403/t20240305_189899.html"
    article = parse_trs_detail(page(url), url)
    assert article.published_at == datetime(2024, 3, 5, 16, 0, tzinfo=SH)
    assert article.extra["attachments"] == [
        {
            "name": "“先进结构与复合材料”重点专项2024年度项目申报指南.pdf",
            "url": MOST + "tztg/202403/P020240305611120048571.pdf",
        },
        {"name": "形式审查条件要求.doc", "url": MOST + "tztg/202403/P020240305611120048572.doc"},
    ]


def test_old_most_page_gb2312_under_a_wrong_latin1_header_is_decoded():
    url = MOST + "tztg/200803/t20080305_59844.htm"
    raw = page_bytes(url)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the trap is real: these are GB2312 bytes
    text, charset = decode_html(raw, "text/html; charset=ISO-8859-1")
    assert charset == "gb18030"
    article = parse_trs_detail(text, url)
    assert article.title == "关于组织申报2008年度国家科技支撑计划项目的通知"
    assert (day(article.published_at), article.extra["date_source"]) == (date(2008, 3, 5), "header")
    assert article.source_office == "科学技术部"
    assert article.extra["rule"] == "#Zoom"
    assert article.body.startswith("各省、自治区、直辖市科技厅（委、局）") and "\ufffd" not in article.body


def test_charset_detection_keeps_honest_headers_and_falls_back_without_meta():
    chinese = "<html><body><p>科学技术部</p></body></html>"
    # no meta, a Western header: the first charset that decodes cleanly wins
    assert decode_html(chinese.encode("gb2312"), "text/html; charset=ISO-8859-1") == (chinese, "gb18030")
    assert decode_html(chinese.encode("utf-8"), "text/html; charset=ISO-8859-1") == (chinese, "utf-8")
    assert decode_html(chinese.encode("utf-8"), None) == (chinese, "utf-8")
    # a declared Chinese charset is believed (GB2312 read as its superset)
    assert decode_html(chinese.encode("gbk"), "text/html; charset=GB2312") == (chinese, "gb18030")


# ------------------------------------------------------------------ kw.beijing.gov.cn
def test_kw_hot_news_list_is_not_date_sorted_and_keeps_only_t_date_links():
    pages = [
        parse_trs_list(page(KW + name), KW + name, selectors=KW_SELECTORS)
        for name in ("index.html", "index_1.html", "index_2.html")
    ]
    assert {total for _, total in pages} == {3}
    dates = [[day(e.date) for e in entries] for entries, _ in pages]
    assert dates == [
        [date(2024, 3, 4), date(2024, 2, 26), date(2024, 3, 1)],
        [date(2024, 2, 5), date(2024, 1, 31), date(2024, 2, 7), date(2024, 2, 1)],
        [date(2024, 3, 5), date(2024, 2, 20)],
    ]
    # page 2 is entirely older than a page-3 item: a list that must not stop paging early
    assert max(dates[1]) < max(dates[2])
    urls = [e.url for entries, _ in pages for e in entries]
    assert not any("/art/" in u for u in urls)  # the legacy Hanweb link is not an article
    assert "https://www.beijing.gov.cn/ywdt/gzdt/202402/t20240201_3570000.html" in urls  # off-site: the spider drops it


def test_kw_list_date_is_the_last_span_with_the_registry_override():
    entries, _ = parse_trs_list(page(KW + "index.html"), KW + "index.html")
    assert day(entries[1].date) == date(2024, 3, 15)  # the family default reads the event date first
    entries, _ = parse_trs_list(page(KW + "index.html"), KW + "index.html", selectors=KW_SELECTORS)
    assert (entries[1].title, day(entries[1].date)) == ("2024中关村前沿科技成果发布会预告", date(2024, 2, 26))


def test_kw_detail_pubdate_source_and_body_fallbacks():
    url = KW + "202403/t20240304_3585512.html"
    article = parse_trs_detail(page(url), url)
    assert article.published_at == datetime(2024, 3, 4, 17, 21, 37, tzinfo=SH)
    assert (article.source_office, article.extra["rule"]) == ("中关村科技园区管理委员会", "#zoom")
    assert "相关新闻" not in article.body and "发布时间" not in article.body

    url = KW + "202402/t20240220_3579107.html"
    article = parse_trs_detail(page(url), url)
    assert article.extra["rule"] == "#mainText"
    assert article.body.startswith("2月20日，北京市科委、中关村管委会有关负责同志赴海淀区")

    url = KW + "202402/t20240207_3574960.html"  # no ArticleTitle meta
    article = parse_trs_detail(page(url), url)
    assert (article.title, article.extra["title_source"]) == (
        "北京市科委、中关村管委会开展节前安全检查",
        ".article-title",
    )
