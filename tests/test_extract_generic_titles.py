"""The generic parser's title (crawlers/extract/generic_title.py): the headline the page's candidates
agree on. Small pages written for the test, one failure kind each (seen on real portal and news pages)."""

from __future__ import annotations

from crawlers.extract.generic import parse_generic
from crawlers.extract.generic_title import segment_runs

URL = "https://news.example.cn/tech/2025/0305/a1.html"
BODY = "<p>" + "市科技局有关负责人介绍了今年科技创新工作的主要安排和重点任务。" * 4 + "</p>"


def _title(head: str, body: str = "") -> tuple[str | None, str | None]:
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{body}<div class='content'>{BODY}</div></body></html>"
    article = parse_generic(html, URL, default_tz="Asia/Shanghai")
    return article.title, article.extra.get("title_source")


def test_an_og_title_cut_at_an_unescaped_quote_gives_way_to_the_whole_h1():
    # content="…开展"…"…" ends the attribute at the page's own quote: og:title is the headline's start
    whole = '常德市金融系统开展"金融知识进万家"活动'
    og = f'<meta property="og:title" content="{whole}">'
    for page_title in (f"{whole}_当代商报", "金融系统"):  # with the <title> agreeing, and alone with the <h1>
        assert _title(f"<title>{page_title}</title>{og}", f"<h1>{whole}</h1>") == (whole, "h1")


def test_a_social_teaser_loses_to_the_headline_h1_json_ld_and_title_state():
    head = (
        "<title>Lego feiert Star-Wars-Tag: Alle Angebote im Überblick</title>"
        '<meta property="og:title" content="Lego feiert Star-Wars-Tag: Viele neue Sets">'
        '<meta name="twitter:title" content="Lego feiert Star-Wars-Tag: Viele neue Sets">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Lego feiert Star-Wars-Tag: Alle Angebote im Überblick"}</script>'
    )
    assert _title(head, "<h1>Lego feiert Star-Wars-Tag: Alle Angebote im Überblick</h1>") == (
        "Lego feiert Star-Wars-Tag: Alle Angebote im Überblick",
        "h1",
    )


def test_a_tie_goes_to_the_visible_h1():
    head = (
        "<title>100 years at the Coliseum: More than a venue - Los Angeles Times</title>"
        '<meta property="og:title" content="One hundred years at the Coliseum">'
        '<script type="application/ld+json">{"headline": "100 years at the Coliseum: More than a venue"}</script>'
    )
    assert _title(head, "<h1>One hundred years at the Coliseum</h1>")[0] == "One hundred years at the Coliseum"


def test_site_and_section_suffixes_go_unless_another_candidate_states_them():
    # og:title with the site name after a bar; <title> with column and site after underscores
    head = '<title>暴雨来袭 市民注意防范_本地新闻_示例网</title><meta property="og:title" content="暴雨来袭 市民注意防范 | 示例网">'
    assert _title(head, "<h1>暴雨来袭 市民注意防范</h1>")[0] == "暴雨来袭 市民注意防范"
    # a suffix every candidate states is part of the headline ("…feststehen – das erwarten wir")
    head = "<title>Galaxy Unpacked soll feststehen – das erwarten wir</title>"
    head += '<meta property="og:title" content="Galaxy Unpacked soll feststehen – das erwarten wir">'
    assert _title(head, "<h1>Galaxy Unpacked soll feststehen – das erwarten wir</h1>")[0] == (
        "Galaxy Unpacked soll feststehen – das erwarten wir"
    )
    # only the <title>: its last segment is the site name ("…_中国载人航天官方网站")
    assert (
        _title("<title>天舟九号货运飞船发射圆满成功_中国载人航天官方网站</title>")[0] == "天舟九号货运飞船发射圆满成功"
    )


def test_a_site_name_after_a_space_or_before_the_headline_is_dropped_by_the_page_heading():
    # Chinese writes no space between words: "标题 某某医院" is headline and site name
    head = "<title>【不忘初心 牢记使命】我院举办中药理论知识大赛 湖南省某中医医院</title>"
    assert _title(head, "<div class='title'>【不忘初心 牢记使命】我院举办中药理论知识大赛</div>") == (
        "【不忘初心 牢记使命】我院举办中药理论知识大赛",
        "heading",
    )
    head = "<title>明日股市预测--联合国报告：全球经济增长率降至2.3%</title>"
    body = "<h1>今日股市行情_明日大盘 - 明日大盘网</h1><div class='title-text'>联合国报告：全球经济增长率降至2.3%</div>"
    assert _title(head, body)[0] == "联合国报告：全球经济增长率降至2.3%"
    # a heading that is a menu link (a column name) votes for nothing
    head = "<title>科技新闻--示例网</title>"
    assert _title(head, "<h3 class='title'><a href='/kj/'>科技新闻</a></h3>")[0] == "科技新闻"  # the <title> cut


def test_badges_go_and_a_layout_space_after_a_number_is_closed():
    head = "<title>原创 | 市科技局启动创新券申领_示例门户网</title>"
    assert _title(head, "<h1>【独家】市科技局启动创新券申领</h1>")[0] == "市科技局启动创新券申领"
    # "调整2007\u3000年末": a headline set on two lines, the second indented
    head = "<title>关于调整2007\u3000年末国债余额限额的决议__国务院公报_中国政府网</title>"
    body = "<div class='share-title' style='display:none'>关于调整2007<br>\u3000年末国债余额限额的决议</div>"
    assert _title(head, body)[0] == "关于调整2007年末国债余额限额的决议"
    # between two words (Japanese) the full-width space is a word space and stays
    head = "<title>警察無線「不感地帯」解消\u3000住民から安堵の声</title>"
    assert (
        _title(head, "<h1>警察無線「不感地帯」解消\u3000住民から安堵の声</h1>")[0]
        == "警察無線「不感地帯」解消 住民から安堵の声"
    )


def test_segment_runs_split_at_separators_and_between_han_characters_only():
    assert set(segment_runs("标题甲乙 东区办事处_中山网站")) == {
        "标题甲乙 东区办事处_中山网站",
        "标题甲乙 东区办事处",
        "标题甲乙",
        "东区办事处_中山网站",
        "东区办事处",
        "中山网站",
    }
    assert "中山网" not in segment_runs("标题甲乙_中山网")  # under TITLE_MIN_CHARS: no candidate
    assert segment_runs("Star-Wars-Tag bei Lego") == ["Star-Wars-Tag bei Lego"]  # a hyphen inside words
    assert "Headline" in segment_runs("Headline | The Citizen", prefixes_only=True)
    assert "The Citizen" not in segment_runs("Headline | The Citizen", prefixes_only=True)
