"""digest/stories.py, dedup.py, crosslang.py, themes.py: articles become stories (reposts and URL
variants merged, zh/en versions linked), new today or also found, themed, with the sources'
crawl in the header."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from digest import DigestItem, DigestSection, SourceCheck, build_digest_model
from digest.dedup import url_key
from digest.render import render_html, render_markdown
from digest.themes import ThemeError, load_themes

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 3, 5)
NOW = datetime(2024, 3, 5, 7, 30, tzinfo=UTC)

XINHUA = [
    "新华社北京3月5日电（记者刘军、王琳）十四届全国人大二次会议5日上午在人民大会堂开幕，出席全国政协十四届二次会议的委员列席大会。",
    "政府工作报告显示，2023年全社会研发经费投入达3.3万亿元。报告提出，2024年中央本级科技支出增长10%，全社会研发经费投入增长要高于8%。",
    "列席会议的全国政协委员表示，报告释放出坚定推进高水平科技自立自强的鲜明信号，要进一步强化企业科技创新主体地位。",
    "委员们纷纷表示，将围绕科技创新、人才培养、成果转化等议题深入调研，提出高质量提案，为加快建设科技强国凝心聚力。",
]
ENGLISH = (
    "BEIJING, March 5 (Xinhua) -- Members of the CPPCC National Committee attended the opening meeting of the "
    "second session of the 14th National People's Congress. The government work report said spending on research "
    "and development across society reached 3.3 trillion yuan in 2023. Central government spending on science and "
    "technology will rise by 10 percent, and research and development spending is to grow by more than 8 percent."
)


def item(title, url, when, body="", summary=None, language="zh", office=None):
    return DigestItem(
        title=title,
        url=url,
        published_at=when,
        source_office=office,
        summary=summary,
        language=language,
        body=body,
    )


def test_two_reposts_from_different_sources_are_one_story_with_both_links():
    people = item(
        "全国政协委员列席十四届全国人大二次会议开幕会",
        "http://cppcc.people.com.cn/n1/2024/0305/c34948-40189510.html",
        datetime(2024, 3, 5, 12, 40, tzinfo=SH),
        "\n".join(XINHUA),
        summary="人民网的摘要。",
    )
    edited = [*XINHUA[:3], XINHUA[3].replace("委员们纷纷表示", "委员们表示")]
    rmzxw = item(
        "全国政协委员列席十四届全国人大二次会议开幕会",
        "https://www.rmzxw.com.cn/c/2024-03-05/3512790.shtml",
        datetime(2024, 3, 5, 13, 15, tzinfo=SH),
        "\n".join(edited),
        summary="人民政协网的摘要。",
    )
    other = item(
        "重庆市科学技术局关于公布科技特派员名单的通知",
        "https://kjj.cq.gov.cn/a.html",
        datetime(2024, 3, 5, tzinfo=SH),
        "另一篇。",
    )
    digest = build_digest_model(
        DAY,
        [
            DigestSection("rmzxw", "人民政协网", [rmzxw]),
            DigestSection("cppcc_people", "中国政协新闻网", [people, other]),
        ],
        NOW,
    )
    (story,) = digest.clustered
    assert [link.url for link in story.links] == [people.url, rmzxw.url]  # earliest first
    assert story.published_at == people.published_at and story.summary == "人民网的摘要。"
    assert story.source_ids == ("cppcc_people", "rmzxw")
    assert len(digest.stories) == 2 and digest.articles == 3
    assert {line.source_id: (line.articles, line.stories) for line in digest.sources} == {
        "rmzxw": (1, 1),
        "cppcc_people": (2, 2),
    }


def test_url_variants_are_one_link():
    assert url_key("http://m.example.gov.cn/a/b.html?utm_source=x#top") == url_key(
        "https://www.example.gov.cn/a/b.html"
    )
    assert url_key("https://example.gov.cn/list/index.html") == url_key("https://example.gov.cn/list/")
    assert url_key("https://example.gov.cn/a?id=1") != url_key("https://example.gov.cn/a?id=2")
    when = datetime(2024, 3, 5, 9, tzinfo=SH)
    a = item("同一篇文章", "http://www.example.gov.cn/a.html", when, "短正文")
    b = item("同一篇文章", "https://m.example.gov.cn/a.html", when, "短正文。")
    (story,) = build_digest_model(DAY, [DigestSection("s", "S", [a, b])], NOW).stories
    assert [link.url for link in story.links] == ["https://m.example.gov.cn/a.html"]  # the https variant kept


def test_story_ids_are_stable_and_depend_on_the_earliest_article():
    a = item("甲", "https://a.gov.cn/1.html", datetime(2024, 3, 5, 9, tzinfo=SH), "\n".join(XINHUA))
    b = item("甲", "https://b.gov.cn/2.html", datetime(2024, 3, 5, 11, tzinfo=SH), "\n".join(XINHUA))
    one = build_digest_model(DAY, [DigestSection("a", "A", [a]), DigestSection("b", "B", [b])], NOW)
    two = build_digest_model(DAY, [DigestSection("b", "B", [b]), DigestSection("a", "A", [a])], NOW)
    assert [s.id for s in one.stories] == [s.id for s in two.stories] and len(one.stories) == 1
    alone = build_digest_model(DAY, [DigestSection("a", "A", [a])], NOW)
    assert alone.stories[0].id == one.stories[0].id  # a repost found later does not change the id


def test_chinese_and_english_versions_are_linked_and_unrelated_ones_are_not():
    zh = item(
        "全国政协委员列席十四届全国人大二次会议开幕会",
        "https://a.gov.cn/zh.html",
        datetime(2024, 3, 5, 12, tzinfo=SH),
        "\n".join(XINHUA),
    )
    en = item(
        "Political advisers attend opening",
        "https://en.a.gov.cn/en.html",
        datetime(2024, 3, 5, 15, tzinfo=SH),
        ENGLISH,
        language="en",
    )
    # the demo's near miss: a Chinese list notice and an English story sharing only "23", March 5 and Chongqing
    notice = item(
        "重庆市科学技术局关于公布2024年度重庆市科技特派员选派名单的通知",
        "https://kjj.cq.gov.cn/t.html",
        datetime(2024, 3, 5, 8, tzinfo=SH),
        "本年度共选派个人科技特派员1236名、团队科技特派员86个，覆盖全市38个区县。请于2024年3月20日前完成备案，共23项。",
    )
    sandbox = item(
        "Chongqing Opens R&D Sandbox",
        "https://www.ichongqing.info/sandbox/",
        datetime(2024, 3, 5, 11, tzinfo=SH),
        "Chongqing – the science city opened a sandbox on March 5. The first batch of 23 start-ups moved in.",
        language="en",
    )
    digest = build_digest_model(
        DAY, [DigestSection("zh", "ZH", [zh, notice]), DigestSection("en", "EN", [en, sandbox])], NOW
    )
    (linked,) = digest.clustered
    assert [link.language for link in linked.links] == ["zh", "en"] and linked.title == zh.title
    assert linked.languages == ("zh", "en")
    assert len(digest.stories) == 3


def test_new_today_and_also_found():
    new = item("今天发布", "https://a.gov.cn/1.html", datetime(2024, 3, 5, 9, tzinfo=SH), "甲乙丙丁")
    yesterday = item("昨天发布", "https://a.gov.cn/2.html", datetime(2024, 3, 4, 18, tzinfo=SH), "戊己庚辛")
    old = item("上月发布", "https://a.gov.cn/3.html", datetime(2024, 2, 10, tzinfo=SH), "壬癸子丑")
    undated = item("日期不明", "https://a.gov.cn/4.html", None, "寅卯辰巳")
    digest = build_digest_model(DAY, [DigestSection("a", "A", [old, undated, yesterday, new])], NOW)
    # the day's data interval starts the day before (the daily run at 07:00 collects the 24 hours before)
    assert [s.title for s in digest.new_stories] == ["今天发布", "昨天发布"]
    assert [s.title for s in digest.also_found] == ["上月发布", "日期不明"]
    html = render_html(digest)
    assert (
        html.index("New today (2)") < html.index("今天发布") < html.index("Also found: older") < html.index("上月发布")
    )
    narrow = build_digest_model(DAY, [DigestSection("a", "A", [old, yesterday, new])], NOW, new_since=DAY)
    assert [s.title for s in narrow.new_stories] == ["今天发布"]


def test_quiet_day_says_no_new_items_and_lists_the_sources_checked():
    checks = [
        SourceCheck("kjj_cq", "重庆市科学技术局", "success", "ok"),
        SourceCheck("ichongqing", "iChongqing", "success", "ok"),
    ]
    digest = build_digest_model(date(2024, 3, 9), [], NOW, checks=checks)
    assert digest.stories == () and [line.articles for line in digest.sources] == [0, 0]
    for text in (render_html(digest), render_markdown(digest)):
        assert "No new items" in text
        assert "sources checked: 重庆市科学技术局, iChongqing" in text


def test_degraded_and_broken_sources_are_in_the_header_with_their_reasons():
    checks = [
        SourceCheck("kjj_cq", "重庆市科学技术局", "success", "ok"),
        SourceCheck("most", "科学技术部", "partial", "degraded", ("3 of 10 pages had no date (layout changed?)",)),
        SourceCheck("kjt_sc", "四川省科学技术厅", "failed", "broken", ("list page answered HTTP 500",)),
    ]
    a = item("一篇", "https://kjj.cq.gov.cn/1.html", datetime(2024, 3, 5, 9, tzinfo=SH), "甲乙丙丁")
    digest = build_digest_model(DAY, [DigestSection("kjj_cq", "重庆市科学技术局", [a])], NOW, checks=checks)
    assert [line.source_id for line in digest.troubled_sources] == ["most", "kjt_sc"]
    html, markdown = render_html(digest), render_markdown(digest)
    for text in (html, markdown):
        assert "Sources with problems" in text
        assert "degraded: 3 of 10 pages had no date (layout changed?)" in text
        assert "broken: list page answered HTTP 500" in text
    assert html.index("Sources with problems") < html.index("New today")


def test_previous_and_next_digest_links():
    digest = build_digest_model(DAY, [], NOW, previous=date(2024, 3, 4), following=date(2024, 3, 6))
    html, markdown = render_html(digest), render_markdown(digest)
    assert 'href="2024-03-04.html"' in html and 'href="2024-03-06.html"' in html
    assert "(2024-03-04.md)" in markdown and "(2024-03-06.md)" in markdown
    assert "no earlier digest" in render_html(build_digest_model(DAY, [], NOW))


def test_themes_from_the_taxonomy_and_other_never_dropped(tmp_path):
    talent = item(
        "关于开展2024年度青年科技人才评价的通知", "https://a.gov.cn/1.html", datetime(2024, 3, 5, tzinfo=SH), "人才"
    )
    funding = item(
        "Call for proposals: 2024 research grants",
        "https://b.gov.cn/2.html",
        datetime(2024, 3, 5, tzinfo=SH),
        "Applications for funding open.",
        language="en",
    )
    plain = item("春节放假安排", "https://a.gov.cn/3.html", datetime(2024, 3, 5, tzinfo=SH), "放假时间")
    digest = build_digest_model(DAY, [DigestSection("a", "A", [talent, funding, plain])], NOW)
    themes = {s.title: s.themes[0] for s in digest.stories}
    assert themes == {talent.title: "talent", funding.title: "funding", plain.title: "other"}
    assert [t.id for t, _ in digest.by_theme(digest.new_stories)] == ["talent", "funding", "other"]
    assert sum(len(stories) for _, stories in digest.by_theme(digest.stories)) == 3

    custom = tmp_path / "themes.toml"
    custom.write_text(
        '[[theme]]\nid = "holidays"\nname = "Holidays"\nname_zh = "放假"\nkeywords_zh = ["放假"]\n', encoding="utf-8"
    )
    mine = build_digest_model(DAY, [DigestSection("a", "A", [talent, plain])], NOW, themes=load_themes(custom))
    assert {s.title: s.themes for s in mine.stories} == {talent.title: ("other",), plain.title: ("holidays",)}
    custom.write_text('[[theme]]\nid = "other"\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ThemeError, match="'other' is taken"):
        load_themes(custom)
