"""The generic body's precision rules (crawlers/extract/body.py, rules as data in rules_generic.py):
list-shaped tails and furniture lines go, the article's own lines stay. Small texts and pages written
for the test (tests/fixtures/generic/portal_column_lists.html), one failure kind each."""

from __future__ import annotations

from pathlib import Path

from crawlers.extract.body import clean_body, generic_body, is_dateline
from crawlers.extract.generic import parse_generic

PAGES = Path(__file__).resolve().parent / "fixtures" / "generic"
TEXT = (
    "市科协公布第三十九届青少年科技创新大赛获奖名单，全市共有二百一十六个项目获奖，其中一等奖二十个，评审历时两个月。"
)


def test_a_short_article_loses_its_column_list_recommendations_vote_and_account_blurb():
    html = (PAGES / "portal_column_lists.html").read_bytes()
    article = parse_generic(html, "https://news.example.cn/kx/2025/0305/a1.html", default_tz="Asia/Shanghai")
    lines = article.body.split("\n")
    assert len(lines) == 3 and lines[0].startswith("3月5日，市科协公布") and lines[-1].endswith("孵化支持。")
    for furniture in ("作者：", "相关阅读", "投票", "本栏目最新", "2025-03-04", "评论 12", "公众号"):
        assert furniture not in article.body
    assert article.extra["confidence"]["score"] == 1.0


def test_headline_list_entries_with_their_date_or_comment_count_are_link_lines():
    links = frozenset({"市科协召开工作会议", "科普讲解大赛报名启动", "某某新闻"})
    text = f"{TEXT}\n- 市科协召开工作会议2025-03-04\n科普讲解大赛报名启动 (03-03)\n- 某某新闻 评论 12"
    assert clean_body(text, links=links) == TEXT
    # ...but a list page (entries most of the text) keeps them, dates and all
    listing = "\n".join(f"- 某某新闻第{i}期2025-03-0{i}" for i in range(1, 8))
    assert clean_body(listing, links=frozenset(f"某某新闻第{i}期" for i in range(1, 8))) == listing


def test_an_inline_read_also_line_goes_but_an_attachment_line_stays():
    links = frozenset({"Tone Damli ofret musikkarrieren for barna", "申报指南.pdf"})
    for line in (
        "Les også: Tone Damli ofret musikkarrieren for barna",
        "ALSO READ | Tone Damli ofret musikkarrieren for barna",
    ):
        assert clean_body(f"{TEXT}\n{line}\n{TEXT}。", links=links) == f"{TEXT}\n{TEXT}。"
    assert clean_body(f"{TEXT}\n附件：申报指南.pdf", links=links) == f"{TEXT}\n附件：申报指南.pdf"


def test_bylines_and_datelines_go_but_a_bare_date_stays():
    lines = ["Von Nina Magoley", "By Jane Doe and John Roe", "作者：李明", "Stand: 22.04.2024, 06:00 Uhr"]
    lines += ["发布时间： 2019-09-26 10:09:11", "2025年1月14日 01時28分 (1月14日 01時40分更新)"]
    assert clean_body("\n".join([TEXT, *lines])) == TEXT
    assert is_dateline("Freitag, 28.04.2023, 19:25")
    assert not is_dateline("2024年3月5日")  # a notice's signature date, a list entry's date
    assert not is_dateline("11月17日开港，可停靠目前世界上最大邮轮")  # a day without year: a sentence about it
    assert not is_dateline("Am 24.04.2024 kam der Minister nach Essen.")  # a sentence
    assert clean_body(f"{TEXT}\n上海市科学技术委员会\n2024年3月5日").endswith("上海市科学技术委员会\n2024年3月5日")


def test_a_paywall_notice_ends_the_text_and_disclosures_go():
    text = f"{TEXT}\nこの記事は会員限定です。\n紙の新聞の定期購読者の方は、無料で会員登録できます。\n- 会員向け記事が読み放題"
    assert clean_body(text) == TEXT
    disclosures = [
        "Reviews and recommendations are unbiased. Postmedia may earn an affiliate commission from purchases.",
        "Copyright © AFP 2017-2026. Für die kommerzielle Nutzung ist ein Abonnement erforderlich.",
        "—Associated Press writer John Leicester in Paris contributed to this report.",
        "- showPaywall:",
    ]
    assert clean_body("\n".join([TEXT, *disclosures])) == TEXT


def test_a_repeat_of_the_pages_h1_goes_even_when_it_is_not_the_title():
    text = f"今日股市行情_明日大盘 - 明日大盘网\n{TEXT}"
    assert clean_body(text, title="联合国报告", headings=["今日股市行情_明日大盘 - 明日大盘网"]) == TEXT


def test_repeated_code_lines_stay_where_repeated_furniture_goes():
    code = "<pre><code>import json<br>def parse():<br>    return json.loads(data)</code></pre>"
    prose = "".join(f"<p>{TEXT}第{i}段。</p>" for i in range(3))
    html = (
        f"<html><body><article>{prose}{code}<p>Read more</p><p>{TEXT}</p>{code}<p>Read more</p></article></body></html>"
    )
    body = generic_body(html, "https://blog.example.cn/a.html")
    assert body.count("import json") == 2 and body.count("def parse():") == 2
    assert "Read more" not in body
