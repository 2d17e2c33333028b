"""crawlers.extract.hanweb: Hanweb JCMS column pages (<record> CDATA, dataproxy paging) and articles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract.hanweb import (
    dataproxy_url,
    is_hanweb_article_url,
    parse_hanweb_detail,
    parse_hanweb_list,
)

SH = ZoneInfo("Asia/Shanghai")
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
ZJ = SITES / "kjt.zj.gov.cn"
JS = SITES / "kxjst.jiangsu.gov.cn"
COLUMN = "https://kjt.zj.gov.cn/col/col1228971345/index.html"

COLUMN_PAGE = """<html><head><title>科技动态 浙江省科学技术厅</title></head><body>
<div class="side"><ul class="hot"><li><a href="/art/2024/1/2/art_1228971345_1.html">热点：侧栏链接不是本栏目记录</a></li></ul></div>
<div id="5760290"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3387&path=/&columnid=1228971345&unitid=5760290&webname=%E6%B5%99%E6%B1%9F&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[
<li><a href="//kjt.zj.gov.cn/art/2024/3/4/art_1228971345_58908052.html" title="我省召开2024年全省科技工作会议" target="_blank">我省召开…</a><span>2024-03-05</span></li>]]></record>
<record><![CDATA[
<li><a href="/module/download/downfile.jsp?classid=0&filename=1.pdf" title="问答.pdf">问答.pdf</a><span>2024-03-02</span></li>]]></record>
<record><![CDATA[
<li><a href="https://www.zj.gov.cn/art/2024/3/2/art_1229019364_2512345.html" title="省政府新闻">省政府新闻</a><span>2024-03-02</span></li>]]></record>
<record><![CDATA[
<li><a href="/art/2024/2/5/art_1228971345_58889012.html" title="没有日期的记录">没有日期的记录</a></li>]]></record>
<record><![CDATA[
<li><a href="http://kjt.zj.gov.cn/art/2024/2/1/art_1228971345_58884426.html" title="跨行日期">跨行日期</a><span>2024-
02-01</span></li>]]></record>
</recordset></datastore></script>
<script>$('#5760290').jpage({ perPage: 2, groupSize: 3, totalRecord: 8, proxyUrl: '/module/web/jpage/dataproxy.jsp' });</script>
</div></body></html>"""


# --------------------------------------------------------------------------- list records
def test_records_are_read_from_the_cdata_datastore_only():
    page = parse_hanweb_list(COLUMN_PAGE, COLUMN)
    assert [e.url for e in page.entries] == [
        "https://kjt.zj.gov.cn/art/2024/3/4/art_1228971345_58908052.html",  # protocol-relative href
        "https://www.zj.gov.cn/art/2024/3/2/art_1229019364_2512345.html",  # off-site: the spider drops it
        "https://kjt.zj.gov.cn/art/2024/2/5/art_1228971345_58889012.html",
        "https://kjt.zj.gov.cn/art/2024/2/1/art_1228971345_58884426.html",  # http → https for this host
    ]
    assert page.records == 5  # the attachment record counts for paging, it is just not an article
    assert page.entries[0].title == "我省召开2024年全省科技工作会议"  # from a[title], the text is cut
    assert "侧栏" not in " ".join(e.title for e in page.entries)  # sidebar links are not records


def test_list_dates_span_split_over_lines_and_non_padded_url_fallback():
    entries = parse_hanweb_list(COLUMN_PAGE, COLUMN).entries
    assert entries[0].date == datetime(2024, 3, 5, tzinfo=SH)  # the list's date, not the URL's 2024/3/4
    assert entries[2].date == datetime(2024, 2, 5, tzinfo=SH)  # no <span>: /art/2024/2/5/ (not zero-padded)
    assert entries[3].date == datetime(2024, 2, 1, tzinfo=SH)  # "2024-\n02-01"


def test_paging_hints_and_dataproxy_form_from_the_nextgroup_link():
    page = parse_hanweb_list(COLUMN_PAGE, COLUMN)
    assert (page.total_records, page.per_page, page.group_size, page.records_per_group) == (8, 2, 3, 6)
    assert page.proxy_form == (
        ("col", "1"),
        ("sourceContentType", "1"),
        ("appid", "1"),
        ("webid", "3387"),
        ("path", "/"),
        ("columnid", "1228971345"),
        ("unitid", "5760290"),
        ("webname", "浙江"),
        ("permissiontype", "0"),
    )
    assert dataproxy_url(COLUMN, 7, 12, 2) == (
        "https://kjt.zj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=12&perpage=2"
    )


def test_missing_or_incomplete_nextgroup_is_reported_not_guessed():
    without = parse_hanweb_list(COLUMN_PAGE.replace("<nextgroup>", "<x>").replace("</nextgroup>", "</x>"), COLUMN)
    assert without.proxy_form is None and without.proxy_problem == "no <nextgroup> dataproxy link on the page"
    no_unit = parse_hanweb_list(COLUMN_PAGE.replace("&unitid=5760290", ""), COLUMN)
    assert no_unit.proxy_form is None and no_unit.proxy_problem == "the <nextgroup> link has no unitid"


def test_records_with_escaped_html_instead_of_cdata():
    xml = (
        '<datastore><recordset><record>&lt;li&gt;&lt;a href="/art/2024/3/5/art_82540_11218431.html" '
        'title="转义的记录"&gt;转义的记录&lt;/a&gt;&lt;span&gt;2024-03-05&lt;/span&gt;&lt;/li&gt;</record>'
        "</recordset></datastore>"
    )
    (entry,) = parse_hanweb_list(xml, "https://kxjst.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp").entries
    assert entry.url == "https://kxjst.jiangsu.gov.cn/art/2024/3/5/art_82540_11218431.html"
    assert entry.title == "转义的记录" and entry.date == datetime(2024, 3, 5, tzinfo=SH)


def test_rendered_list_without_records_uses_the_list_item_rules():
    html = """<div class="default_pgContainer"><ul>
      <li><a href="/art/2024/3/5/art_82540_11218431.html" title="渲染后的列表">渲染后的列表</a><span>2024-03-05</span></li>
    </ul></div><div class="nav"><a href="/col/col82571/index.html">政策文件</a></div>"""
    page = parse_hanweb_list(html, "https://kxjst.jiangsu.gov.cn/col/col82540/index.html")
    assert [e.title for e in page.entries] == ["渲染后的列表"] and page.records == 1
    assert page.total_records is None and page.proxy_form is None


def test_dataproxy_answer_of_the_replay():
    answer = ZJ / "module" / "web" / "jpage" / "dataproxy.startrecord=7&endrecord=12&perpage=2.jsp"
    page = parse_hanweb_list(answer.read_bytes(), "https://kjt.zj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7")
    assert [e.url.rsplit("/", 1)[-1] for e in page.entries] == [
        "art_1228971345_58889012.html",
        "art_1228971345_58884426.html",
    ]
    assert (page.records, page.total_records) == (2, 8)


def test_table_row_records_of_the_jiangsu_policy_column():
    page = parse_hanweb_list(
        (JS / "col" / "col82571" / "index.html").read_bytes(), "https://kxjst.jiangsu.gov.cn/col/col82571/index.html"
    )
    assert [(e.url.rsplit("/", 1)[-1], e.date.date().isoformat()) for e in page.entries] == [
        ("art_82571_11216388.html", "2024-03-04"),  # the 科技部 notice the digest's stories mirror
        ("art_82571_11214586.html", "2024-03-01"),
        ("art_82571_11207731.html", "2024-02-22"),
        ("art_82571_11200395.html", "2024-02-05"),
    ]
    assert page.records == 5 and page.total_records == 5  # one record is a /module/download attachment


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://kjt.zj.gov.cn/art/2024/3/5/art_1229225203_58907311.html", True),
        ("https://kjt.zj.gov.cn/col/col1229225203/art/2024/art_0c7b3e2a9f.html", True),
        ("https://kjt.zj.gov.cn/col/col1229225203/index.html", False),
        ("https://kjt.zj.gov.cn/module/download/downfile.jsp?classid=0&filename=1.pdf", False),
    ],
)
def test_article_url_shapes(url, expected):
    assert is_hanweb_article_url(url) is expected


# --------------------------------------------------------------------------- article pages
def _detail(site: Path, path: str):
    return parse_hanweb_detail((site / path).read_bytes(), f"https://{site.name}/{path}")


def test_detail_meta_tags_body_and_attachments():
    article = _detail(ZJ, "art/2024/3/5/art_1229225203_58907311.html")
    assert article.title == "浙江省科学技术厅关于组织申报2024年度浙江省“尖兵”“领雁”研发攻关计划项目的通知"
    assert article.published_at == datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    assert article.source_office == "浙江省科学技术厅"
    assert article.extra["keywords"] == ["尖兵", "领雁", "研发攻关", "项目申报"]
    assert article.extra["column_name"] == "通知通告" and article.extra["rule"] == "div#zoom"
    assert article.body.startswith("各市、县（市、区）科技局，省级有关单位，各有关高校、科研院所、企业：\n")
    assert "一、申报要求" in article.body.splitlines()
    for chrome in ("分享到", "打印本页", "相关文章", "版权所有", "字号", "附件1"):
        assert chrome not in article.body
    assert article.extra["attachments"] == [
        {
            "name": "2024年度浙江省“尖兵”“领雁”研发攻关计划项目申报指南.pdf",
            "url": "https://kjt.zj.gov.cn/module/download/downfile.jsp?classid=0&filename=2403051030125.pdf",
        },
        {
            "name": "项目申报书（模板）.docx",
            "url": "https://kjt.zj.gov.cn/module/download/downfile.jsp?classid=0&filename=2403051030126.docx",
        },
    ]


def test_detail_date_from_fbrq_then_from_the_non_padded_url():
    fbrq = _detail(ZJ, "art/2024/2/29/art_1229225203_58903264.html")
    assert (fbrq.published_at, fbrq.extra["date_source"]) == (datetime(2024, 2, 29, tzinfo=SH), "span.fbrq")
    url_only = _detail(ZJ, "art/2024/2/1/art_1228971345_58884426.html")
    assert (url_only.published_at, url_only.extra["date_source"]) == (datetime(2024, 2, 1, tzinfo=SH), "url")
    assert url_only.source_office is None
    created_earlier = _detail(ZJ, "art/2024/3/4/art_1228971345_58908052.html")
    assert created_earlier.published_at == datetime(2024, 3, 5, 8, 40, tzinfo=SH)  # PubDate beats /2024/3/4/


def test_xxgk_table_label_and_value_cells_and_empty_content_source():
    article = _detail(ZJ, "art/2024/2/23/art_1229225203_58897245.html")
    assert article.source_office == "省科技厅" and article.extra["source_office_source"] == "xxgk:发布机构"
    assert {k: article.extra[k] for k in ("document_number", "index_number", "category", "validity")} == {
        "document_number": "浙科发高〔2024〕6号",
        "index_number": "002482365/2024-00031",
        "category": "行政规范性文件",
        "validity": "有效",
    }
    assert "索引号" not in article.body  # the table sits outside the body


def test_xxgk_single_cells_joint_office_and_art_con_body():
    article = _detail(JS, "art/2024/3/1/art_82571_11214586.html")
    assert article.source_office == "省科技厅 省财政厅"
    assert article.extra["document_number"] == "苏财教〔2024〕12号"
    assert article.extra["rule"] == ".art_con"
    assert article.body.splitlines()[0] == "各设区市、县（市）科技局、财政局，省各有关部门和单位："


def test_title_from_the_page_heading_without_article_title_meta():
    article = _detail(JS, "art/2024/2/21/art_82540_11206651.html")
    assert article.title == "关于征集2024年度江苏省创新能力建设计划（科技公共服务平台）项目的通知"
    assert article.extra["title_source"] == ".article h1"


def test_utf8_without_charset_header_or_meta_and_a_stray_latin1_byte():
    path = ZJ / "art/2024/3/4/art_1228971345_58908052.html"
    raw = path.read_bytes()
    assert b"charset" not in raw and b"\xa9" in raw  # no declaration anywhere; one invalid UTF-8 byte
    from scrapy.http import HtmlResponse

    response = HtmlResponse(url="https://kjt.zj.gov.cn/x.html", body=raw, headers={"Content-Type": "text/html"})
    assert "全省科技工作会议" not in response.text  # Scrapy's own guess: the Chinese is lost
    article = parse_hanweb_detail(raw, "https://kjt.zj.gov.cn/art/2024/3/4/art_1228971345_58908052.html")
    assert article.title == "我省召开2024年全省科技工作会议"
    assert "\ufffd" not in article.body and "研发投入强度" in article.body


def test_the_spider_forces_the_registry_charset(tmp_path):
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.hanweb import HanwebSpider

    crawler = get_crawler(
        HanwebSpider, {"POLICYWATCH_SOURCES_FILE": str(Path(__file__).resolve().parents[1] / "config" / "sources.toml")}
    )
    spider = HanwebSpider.from_crawler(crawler, source="kjt_zj")
    assert spider.source.charset == "utf-8"
    raw = (ZJ / "col" / "col1229225203" / "index.html").read_bytes()
    assert b"\xa9" in raw  # the column page has the stray byte too
    response = HtmlResponse(
        url="https://kjt.zj.gov.cn/col/col1229225203/index.html", body=raw, headers={"Content-Type": "text/html"}
    )
    text = spider.response_text(response)
    assert "关于公布2023年度浙江省企业研究开发中心认定名单的通知" in text
    assert len(parse_hanweb_list(text, response.url).entries) == 5  # 4, and the mirrored 科技部 notice
