"""digest/safety.py end to end: article URLs with a javascript:, data:, vbscript: or otherwise
non-http(s) scheme, once in the database, are never a link in any digest format (HTML, Markdown,
JSON Feed, Atom) nor in the e-mail; each is still shown, as text."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from lxml import html as lxml_html

from digest.mail import Recipient, digest_message
from policywatch.digests import build_digest, load_digest
from storage import (
    ArticleRecord,
    finish_crawl_run,
    save_summary,
    session_scope,
    start_crawl_run,
    upgrade_database,
    upsert_article,
    upsert_source,
)

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 3, 5)
ATOM = "{http://www.w3.org/2005/Atom}"
SAFE = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html"
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "javascript://kjj.cq.gov.cn/%0Aalert(3)",  # a host, yet a script
    "java\tscript:alert(4)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==",
    "vbscript:msgbox(6)",
    "//evil.example/7",  # protocol-relative: takes the page's scheme, another host
    "https:javascript:alert(8)",  # an http(s) scheme without a host
    'https://kjj.cq.gov.cn/9"onmouseover="alert(9)',
]
LINKABLE = re.compile(r"^(https?://[^\s\"'<>]+|#[\w-]*|\d{4}-\d{2}-\d{2}\.(html|md|json|atom))$")


def _store(url: str) -> None:
    upgrade_database(url)
    with session_scope(url) as session:
        upsert_source(
            session,
            id="kjj_cq",
            name="重庆市科学技术局",
            host="kjj.cq.gov.cn",
            language="zh",
            family="trs",
            enabled=True,
        )
        run = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date=DAY)
        for n, article_url in enumerate([SAFE, *HOSTILE]):
            upsert_article(
                session,
                ArticleRecord(
                    url=article_url,
                    source_id="kjj_cq",
                    section="通知公告",
                    title=f"第{n}号通知：科技项目申报{'甲乙丙丁戊己庚辛壬癸'[n]}",
                    published_at=datetime(2024, 3, 5, 9, n, tzinfo=SH),
                    language="zh",
                    # distinct bodies: no two articles become one story
                    body=f"第{n}批{n * 7 + 3}个项目申报工作通知如下，截止日期为3月{n + 10}日。" * 2,
                ),
                run,
            )
        finish_crawl_run(
            session,
            run,
            status="success",
            pages_fetched=1,
            items_found=len(HOSTILE) + 1,
            items_new=len(HOSTILE) + 1,
            items_updated=0,
            items_unchanged=0,
            error_messages=[],
        )
    with session_scope(url) as session:
        from storage import articles_for_summary, articles_to_summarize

        pending = articles_to_summarize(session, backend="lead", model_id="lead-3", model_version="1", parameters={})
        for article in articles_for_summary(session, [a.id for a in pending]):
            save_summary(
                session,
                article,
                text=f"摘要：{article.title}",
                language="zh",
                guard={"passed": True},
                backend="lead",
                model_id="lead-3",
                model_version="1",
                parameters={},
            )


@pytest.fixture
def digest_env(tmp_path, monkeypatch, database_url):
    from config import get_settings

    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    _store(database_url)
    return get_settings()


def _html_targets(text: str) -> list[str]:
    tree = lxml_html.fromstring(text)
    return [str(v) for v in tree.xpath("//@href|//@src|//@action|//@formaction|//@srcset")]


def _json_urls(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in ("url", "external_url", "home_page_url", "feed_url") and v]
        return found + [u for v in value.values() for u in _json_urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _json_urls(v)]
    return []


def _assert_linkable(targets: list[str], where: str) -> None:
    assert targets, f"{where}: no links at all"
    bad = [t for t in targets if not LINKABLE.match(t)]
    assert not bad, f"{where} links a non-http(s) URL: {bad}"


def test_non_http_article_urls_are_never_links_in_any_format_nor_the_email(digest_env):
    files = build_digest(DAY, digest_env)
    assert [p.suffix for p in files.paths] == [".html", ".md", ".json", ".atom"]
    digest = load_digest(DAY, digest_env)
    assert digest.articles == len(HOSTILE) + 1 and len(digest.stories) == len(HOSTILE) + 1

    html = files.html.read_text(encoding="utf-8")
    _assert_linkable(_html_targets(html), "HTML")
    assert SAFE in _html_targets(html)
    shown = lxml_html.fromstring(html).text_content()
    assert "javascript:alert(1)" in shown and "vbscript:msgbox(6)" in shown  # as text

    markdown = files.markdown.read_text(encoding="utf-8")
    # inline links, reference definitions and autolinks that are not backslash-escaped
    targets = re.findall(r"(?<!\\)\]\(([^)\s]*)", markdown) + re.findall(
        r"(?<!\\)<([a-zA-Z][\w+.-]*:[^>\s]*)>", markdown
    )
    _assert_linkable(targets, "Markdown")
    assert not re.search(r"^\s*\[[^\]]+\]:\s*\S", markdown, re.M)
    assert "javascript:alert(1)" in markdown

    feed = json.loads(files.json.read_text(encoding="utf-8"))
    _assert_linkable([u for u in _json_urls(feed) if u != feed.get("feed_url")], "JSON Feed")
    for item in feed["items"]:
        _assert_linkable(_html_targets(f"<div>{item['content_html']}</div>") or [SAFE], "JSON Feed content_html")
    texts = {link.get("url_text") for item in feed["items"] for link in item["_policywatch"]["links"]}
    assert set(HOSTILE) <= texts

    atom = etree.fromstring(files.atom.read_bytes())
    _assert_linkable([link.get("href") for link in atom.iter(f"{ATOM}link")], "Atom")
    assert all(e.get("type") in (None, "text") for e in atom.iter(f"{ATOM}content", f"{ATOM}summary"))
    assert not [e.text for e in atom.iter(f"{ATOM}id") if e.text and e.text.lower().startswith(("javascript", "data"))]

    message = digest_message(digest, Recipient("analyst@example.org"), "policywatch@example.org")
    plain = message.get_body(("plain",)).get_content()
    mail_html = message.get_body(("html",)).get_content()
    _assert_linkable(_html_targets(mail_html), "e-mail HTML")
    assert "(not a web link) javascript:alert(1)" in plain and f" {SAFE}" in plain
