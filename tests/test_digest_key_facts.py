"""The key facts in the digest: one line per notice in HTML, Markdown, plain text, JSON Feed
(``_policywatch.key_facts``) and Atom, escaped like every scraped text, read from the articles'
stored facts (storage.key_facts) by sections_from_entries."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from conftest import crawl_kjj_cq
from lxml import etree
from lxml import html as lxml_html

from digest import DigestItem, DigestSection, build_digest_model
from digest.render import render_format, render_text, sections_from_entries
from storage import (
    articles_for_key_facts,
    digest_entries,
    get_article,
    save_key_facts,
)
from summarizer.key_facts import extract_key_facts

SH = ZoneInfo("Asia/Shanghai")
ATOM = "{http://www.w3.org/2005/Atom}"
LINE = "截止 2024-03-20 17:00 · 资助 不超过200万元 · 渝科局发〔2024〕12号"
# a document number is scraped text: markup in it must stay text
XSS_LINE = '截止 2024-03-20 · <script>alert("k")</script>[x](javascript:alert(1))'
FACTS = {"deadline": "2024-03-20T17:00", "funding": [{"yuan": 2_000_000, "text": "不超过200万元"}]}


def _digest(line: str = LINE, *, old: bool = False):
    when = datetime(2024, 2, 1, 9, tzinfo=SH) if old else datetime(2024, 3, 5, 9, tzinfo=SH)
    item = DigestItem(
        "关于组织申报2024年度项目的通知",
        "https://kjj.cq.gov.cn/a.html",
        when,
        None,
        "摘要。",
        "zh",
        "正文",
        key_facts_line=line,
        key_facts=FACTS,
    )
    plain = DigestItem("全省科技工作会议召开", "https://kjj.cq.gov.cn/b.html", when, None, "会议。", "zh", "会议正文")
    sections = [DigestSection("kjj_cq", "重庆市科学技术局", [item, plain])]
    return build_digest_model(date(2024, 3, 5), sections, datetime(2024, 3, 5, 18, tzinfo=SH))


def test_every_format_shows_the_line_of_a_notice_and_none_for_other_stories():
    digest = _digest()
    notice, news = sorted(digest.stories, key=lambda s: s.title != "关于组织申报2024年度项目的通知")
    assert (notice.key_facts_line, news.key_facts_line) == (LINE, "")
    page = lxml_html.fromstring(render_format(digest, "html"))
    assert [e.text_content() for e in page.find_class("key-facts")] == [LINE]
    assert LINE in render_format(digest, "md")
    assert LINE in render_text(digest)
    feed = json.loads(render_format(digest, "json"))
    extensions = {item["title"]: item["_policywatch"]["key_facts"] for item in feed["items"]}
    assert extensions["全省科技工作会议召开"] is None
    assert extensions["关于组织申报2024年度项目的通知"] == {**FACTS, "line": LINE}
    notice_item = next(i for i in feed["items"] if i["title"].startswith("关于"))
    assert notice_item["content_text"].startswith(LINE)
    atom = etree.fromstring(render_format(digest, "atom").encode())
    contents = [entry.findtext(f"{ATOM}content") for entry in atom.iter(f"{ATOM}entry")]
    assert sum(LINE in (c or "") for c in contents) == 1


def test_the_line_of_an_older_find_too():
    digest = _digest(old=True)
    assert LINE in render_format(digest, "md")
    page = lxml_html.fromstring(render_format(digest, "html"))
    assert [e.text_content() for e in page.find_class("key-facts")] == [LINE]


def test_the_line_is_escaped_like_scraped_text():
    digest = _digest(XSS_LINE)
    html = render_format(digest, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    page = lxml_html.fromstring(html)
    assert not page.xpath("//script") and [e.text_content() for e in page.find_class("key-facts")] == [XSS_LINE]
    markdown = render_format(digest, "md")
    assert "<script>" not in markdown and r"\[x\](javascript:alert(1))" in markdown
    feed = json.loads(render_format(digest, "json"))
    notice_item = next(i for i in feed["items"] if i["title"].startswith("关于"))
    assert "<script>" not in notice_item["content_html"] and "&lt;script&gt;" in notice_item["content_html"]
    atom = etree.fromstring(render_format(digest, "atom").encode())
    assert any(XSS_LINE in (e.findtext(f"{ATOM}content") or "") for e in atom.iter(f"{ATOM}entry"))


def test_sections_from_entries_read_the_stored_facts(storage_session):
    session = storage_session
    bodies = ["每项资助不超过200万元。请于2024年3月20日17:00前提交。", "会议在重庆召开。"]
    extras = [{"document_number": "渝科局发〔2024〕12号"}, {}]
    crawl_kjj_cq(session, [(f"https://kjj.cq.gov.cn/t{i}.html", f"通知{i}", bodies[i], extras[i]) for i in range(2)])
    for item in articles_for_key_facts(
        session, [get_article(session, f"https://kjj.cq.gov.cn/t{i}.html").id for i in range(2)]
    ):
        facts = extract_key_facts(item.title, item.body, published_year=2024, metadata=item.metadata)
        save_key_facts(session, item, facts.to_dict())
    session.expire_all()
    (section,) = sections_from_entries(digest_entries(session, "2024-03-05"), SH)
    by_title = {item.title: item for item in section.items}
    assert by_title["通知0"].key_facts_line == LINE
    assert by_title["通知0"].key_facts["document_number"] == "渝科局发〔2024〕12号"
    assert (by_title["通知1"].key_facts_line, by_title["通知1"].key_facts) == ("", None)
