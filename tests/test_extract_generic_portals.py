"""The generic fallback on Chinese news-portal layouts (issue 16): small pages written for the test in
tests/fixtures/generic/portal_*.html, one failure kind each; the labelled real pages are in bench/."""

from __future__ import annotations

from pathlib import Path

from crawlers.extract.body import clean_body
from crawlers.extract.generic import parse_generic
from crawlers.extract.trs import parse_trs_detail

PAGES = Path(__file__).resolve().parent / "fixtures" / "generic"
URL = "https://news.example.cn/tech/2025/0305/a1.html"


def _parse(name: str):
    return parse_generic((PAGES / name).read_bytes(), URL, default_tz="Asia/Shanghai")


def test_related_lists_share_bar_disclaimer_and_editor_lines_are_dropped():
    article = _parse("portal_related_tail.html")
    lines = article.body.split("\n")
    assert len(lines) == 3 and lines[0].startswith("记者从市科技局获悉") and lines[-1].endswith("全程网上办理。")
    for furniture in ("相关文章", "点击排行", "分享到", "责任编辑", "未经允许不得转载", "声明：", "地铁五号线"):
        assert furniture not in article.body
    assert article.extra["confidence"]["score"] == 1.0 and article.extra["confidence"]["link_density"] == 0.0


def test_title_badge_and_site_suffix_are_dropped_and_candidates_agree():
    article = _parse("portal_related_tail.html")
    assert article.title == "市科技局启动2025年度科技创新券申领工作"  # not "原创 | …", not "…_示例门户网"
    assert article.extra["confidence"]["title_agreement"] == "3/3"


def test_a_gallery_page_keeps_its_caption_not_the_related_gallery_headlines():
    article = _parse("portal_gallery_related.html")
    assert article.body.startswith("3月8日，小学生在市科技馆") and "相关图集" not in article.body
    assert "航天主题展览" not in article.body
    assert article.title == "春日科技馆迎来研学高峰"


def test_menu_only_extraction_falls_back_to_the_densest_block():
    article = _parse("portal_menu_only.html")  # trafilatura finds only the top menu (简 | 繁 | EN)
    assert article.body.startswith("各区县科协，各有关单位：") and "登录" not in article.body
    assert article.title == "关于开展2025年度科普示范基地认定工作的通知"


def test_short_lines_that_are_link_texts_of_the_page_are_dropped():
    body = clean_body(
        "正文第一段，讲述了政策的主要内容。\n首页\n- 下一篇：某某新闻", links=frozenset({"首页", "下一篇：某某新闻"})
    )
    assert body == "正文第一段，讲述了政策的主要内容。"
    # a tail heading in the first third of the text is the page's own index, not a tail
    assert clean_body("相关文章\n" + "很长的正文。" * 20) == "相关文章\n" + "很长的正文。" * 20


def test_confidence_of_a_link_dense_fallback_names_the_reason():
    html = (
        "<html><head><title>某某新闻</title></head><body><div class='x'><p>市科技局召开会议。</p><ul>"
        + "".join(
            f"<li><a href='/n/{i}.html'>第{i}条新闻：市科技局召开全市科技创新大会部署本年度重点工作任务并发布多项政策措施</a></li>"
            for i in range(12)
        )
        + "</ul></div></body></html>"
    )
    article = parse_trs_detail(html, "https://kjj.example.gov.cn/a/t20250305_1.html")  # no TRS body: fallback
    confidence = article.extra["confidence"]
    assert article.extra["rule"] in ("trafilatura", "generic")
    assert confidence["score"] < 0.5 and any(r.startswith("link-dense body") for r in confidence["reasons"])
