"""digest/render.py, feeds.py: the four formats (HTML, Markdown, JSON Feed 1.1, Atom) hold the
same stories, links and summaries; scraped text and non-http(s) URLs stay inert in each; the
Atom output has RFC 4287's required elements and the JSON validates as JSON Feed 1.1."""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lxml import etree
from lxml import html as lxml_html

from digest import DigestItem, DigestSection, SourceCheck, build_digest_model, write_digest_files
from digest.model import Digest
from digest.render import markdown_escape, render_format

SH = ZoneInfo("Asia/Shanghai")
ATOM = "{http://www.w3.org/2005/Atom}"
XSS_TITLE = '关于申报的通知<script>alert("x")</script><img src=x onerror=alert(1)>'
XSS_SUMMARY = '摘要 <b onmouseover="alert(2)">粗</b> [link](javascript:alert(3)) ]]> &lt;'
JS_URL = "javascript:alert(document.cookie)"


def sample_digest() -> Digest:
    when = datetime(2024, 3, 5, 10, 30, tzinfo=SH)
    body = "十四届全国人大二次会议5日上午在人民大会堂开幕，出席全国政协十四届二次会议的委员列席大会。" * 3
    return build_digest_model(
        date(2024, 3, 5),
        [
            DigestSection(
                "kjj_cq",
                "重庆市科学技术局 <i>",
                [
                    DigestItem(
                        XSS_TITLE, "https://kjj.cq.gov.cn/a.html", when, "office <b>", XSS_SUMMARY, "zh", "甲乙"
                    ),
                    DigestItem("不是网页链接的文章", JS_URL, when, None, "摘要二", "zh", "丙丁戊己"),
                    DigestItem("列席大会", "https://kjj.cq.gov.cn/b.html", when, None, "第一个摘要", "zh", body),
                ],
            ),
            DigestSection(
                "rmzxw",
                "人民政协网",
                [
                    DigestItem("列席大会", "https://www.rmzxw.com.cn/c/b.shtml", when, None, "另一个", "zh", body),
                    DigestItem(
                        "Older find",
                        "https://www.rmzxw.com.cn/c/old.shtml",
                        datetime(2024, 2, 1, tzinfo=SH),
                        None,
                        None,
                        "en",
                        "x",
                    ),
                ],
            ),
        ],
        datetime(2024, 3, 5, 7, 30, tzinfo=UTC),
        checks=[SourceCheck("rmzxw", "人民政协网", "partial", "degraded", ("2 pages <without> a date",))],
    )


# ------------------------------------------------------------------ each format read back


def stories_of_html(text: str) -> dict[str, dict]:
    tree = lxml_html.fromstring(text)
    found = {}
    for node in tree.xpath('//*[starts-with(@id, "s-")]'):
        summary = node.xpath('.//*[@class="summary"]')
        found[node.get("id")[2:]] = {
            "links": sorted({a.get("href") for a in node.xpath(".//a[@href]") if a.get("href").startswith("http")}),
            "summary": summary[0].text_content()
            if summary and "No summary yet." not in summary[0].text_content()
            else None,
        }
    return found


def stories_of_json(text: str) -> dict[str, dict]:
    feed = json.loads(text)
    return {
        item["_policywatch"]["story_id"]: {
            "links": sorted(link["url"] for link in item["_policywatch"]["links"] if "url" in link),
            "summary": item.get("summary"),
        }
        for item in feed["items"]
    }


def stories_of_atom(text: str) -> dict[str, dict]:
    root = etree.fromstring(text.encode("utf-8"))
    found = {}
    for entry in root.iter(f"{ATOM}entry"):
        summary = entry.find(f"{ATOM}summary")
        found[entry.findtext(f"{ATOM}id").rsplit(":", 1)[1]] = {
            "links": sorted(link.get("href") for link in entry.iter(f"{ATOM}link")),
            "summary": summary.text if summary is not None else None,
        }
    return found


def story_links_of_markdown(text: str) -> list[list[str]]:
    """The http(s) links of each story item of the New today / Also found sections."""
    body = text.split("\n## New today", 1)[1].split("\n## By source", 1)[0]
    items = re.split(r"\n- ", body)[1:]
    return [sorted(set(re.findall(r"\]\((https?://[^)]+)\)", chunk))) for chunk in items]


def test_the_four_formats_hold_the_same_stories_links_and_summaries():
    digest = sample_digest()
    expected = {
        s.id: {"links": sorted(link.href for link in s.links if link.href), "summary": s.summary}
        for s in digest.stories
    }
    assert len(expected) == 4 and any(len(v["links"]) == 2 for v in expected.values())
    html_stories = stories_of_html(render_format(digest, "html"))
    assert {k: v["links"] for k, v in html_stories.items()} == {k: v["links"] for k, v in expected.items()}
    assert {k: v["summary"] for k, v in html_stories.items()} == {k: v["summary"] for k, v in expected.items()}
    assert stories_of_json(render_format(digest, "json")) == expected
    assert stories_of_atom(render_format(digest, "atom")) == expected
    markdown = render_format(digest, "md")
    assert sorted(map(tuple, story_links_of_markdown(markdown))) == sorted(tuple(v["links"]) for v in expected.values())
    for story in digest.stories:
        if story.summary:  # the summary, escaped (the also-found section shows its first 90 characters)
            assert markdown_escape(story.summary)[:40] in markdown


def assert_formats_agree(digest: Digest) -> None:
    """For other tests (the demo's digest): the same story ids and links in every format."""
    ids = {s.id: sorted(link.href for link in s.links if link.href) for s in digest.stories}
    assert {k: v["links"] for k, v in stories_of_html(render_format(digest, "html")).items()} == ids
    assert {k: v["links"] for k, v in stories_of_json(render_format(digest, "json")).items()} == ids
    assert {k: v["links"] for k, v in stories_of_atom(render_format(digest, "atom")).items()} == ids
    assert sorted(map(tuple, story_links_of_markdown(render_format(digest, "md")))) == sorted(map(tuple, ids.values()))


def test_xss_payload_and_javascript_url_stay_inert_in_every_format():
    digest = sample_digest()
    html = render_format(digest, "html")
    assert "<script>" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    tree = lxml_html.fromstring(html)
    hrefs = [a.get("href") for a in tree.xpath("//a[@href]")]
    assert hrefs and all(h.startswith(("https://", "#", "2024-")) for h in hrefs), hrefs
    assert not tree.xpath("//script") and not tree.xpath("//img") and not tree.xpath("//@*[starts-with(name(), 'on')]")
    assert JS_URL in tree.text_content()  # shown as text

    markdown = render_format(digest, "md")
    assert "<script>" not in markdown and "<img" not in markdown and "<b " not in markdown
    # a backslash-escaped bracket is a literal bracket: no link syntax is left unescaped
    assert not re.search(r"(?<!\\)\]\(javascript", markdown) and not re.search(r"(?<!\\)\[link", markdown)
    assert "\\[link\\](javascript:alert(3))" in markdown
    targets = re.findall(r"(?<!\\)\]\(([^)]*)\)", markdown)
    assert targets and all(u.startswith(("https://", "2024-")) for u in targets), targets
    assert "javascript:alert(document.cookie)" in markdown  # as text

    feed = json.loads(render_format(digest, "json"))
    urls = [i.get("url") for i in feed["items"]] + [
        link.get("url") for i in feed["items"] for link in i["_policywatch"]["links"]
    ]
    assert all(u is None or u.startswith("https://") for u in urls)
    assert any(link.get("url_text") == JS_URL for i in feed["items"] for link in i["_policywatch"]["links"])
    for entry in feed["items"]:
        fragment = lxml_html.fragment_fromstring(entry["content_html"], create_parent="div")
        assert not fragment.xpath("//script|//img|//@*[starts-with(name(), 'on')]")
        assert all(a.get("href").startswith("https://") for a in fragment.xpath("//a"))
    assert XSS_TITLE in [i["title"] for i in feed["items"]]  # the data itself, JSON-escaped

    atom = render_format(digest, "atom")
    root = etree.fromstring(atom.encode("utf-8"))  # well-formed despite "]]>", "<" and "&"
    assert all(link.get("href").startswith(("https://", "2024-")) for link in root.iter(f"{ATOM}link"))
    assert XSS_TITLE in [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert all(e.get("type") in (None, "text") for e in root.iter(f"{ATOM}title", f"{ATOM}summary", f"{ATOM}content"))
    assert "<script>" not in atom


def test_atom_has_the_required_elements_of_rfc_4287():
    root = etree.fromstring(render_format(sample_digest(), "atom").encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    # atom:feed: exactly one id, title, updated; an author (or one in every entry); one self link
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert [link.get("rel") for link in root.findall(f"{ATOM}link")].count("self") == 1
    updated = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")  # RFC 3339
    assert updated.match(root.findtext(f"{ATOM}updated"))
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert updated.match(entry.findtext(f"{ATOM}updated"))
        assert entry.findtext(f"{ATOM}id").startswith("tag:")  # an IRI
        links = entry.findall(f"{ATOM}link")
        # no content with src => an alternate link is needed, unless there is content (there always is)
        assert entry.find(f"{ATOM}content") is not None or any(link.get("rel") in (None, "alternate") for link in links)
        alternates = [
            (link.get("type"), link.get("hreflang")) for link in links if link.get("rel") in (None, "alternate")
        ]
        assert len(alternates) == len(set(alternates))  # at most one alternate per type and hreflang
        assert all(link.get("href") for link in links)
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)) == 4


JSON_FEED_11 = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "language": {"type": "string"},
        "authors": {"type": "array", "items": {"$ref": "#/$defs/author"}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "external_url": {"type": "string", "pattern": "^https?://"},
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "date_published": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"},
                    "date_modified": {"type": "string"},
                    "authors": {"type": "array", "items": {"$ref": "#/$defs/author"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                },
                # keys of the spec are typed above; anything else must be an extension ("_name")
                "patternProperties": {"^_": {"type": "object"}},
                "additionalProperties": False,
            },
        },
    },
    "patternProperties": {"^_": {"type": "object"}},
    "additionalProperties": False,
    "$defs": {
        "author": {
            "type": "object",
            "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}, "avatar": {"type": "string"}},
        }
    },
}


def test_json_feed_validates_against_json_feed_1_1():
    import jsonschema

    feed = json.loads(render_format(sample_digest(), "json"))
    jsonschema.validate(feed, JSON_FEED_11)
    assert len({item["id"] for item in feed["items"]}) == len(feed["items"]) == 4
    # the check is not vacuous
    broken = {**feed, "items": [{**feed["items"][0], "url": JS_URL}]}
    try:
        jsonschema.validate(broken, JSON_FEED_11)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a javascript: url passed the schema")


def test_write_every_format(tmp_path):
    files = write_digest_files(tmp_path, sample_digest())
    assert [p.name for p in files.paths] == ["2024-03-05.html", "2024-03-05.md", "2024-03-05.json", "2024-03-05.atom"]
    assert (files.articles, files.stories, files.clustered) == (5, 4, 1)
    only = write_digest_files(tmp_path / "json", sample_digest(), ["json"])
    assert [p.name for p in only.paths] == ["2024-03-05.json"]
    assert htmllib.unescape("&amp;") == "&"


def test_a_hostile_language_value_stays_inside_its_attribute():
    hostile = "en onmouseover=alert(1)"
    digest = build_digest_model(
        date(2024, 3, 5),
        [DigestSection("s", "S", [DigestItem("t", "https://a.gov.cn/1.html", None, None, "s", hostile, "b")])],
        datetime(2024, 3, 5, tzinfo=UTC),
    )
    html = lxml_html.fromstring(render_format(digest, "html"))
    assert not html.xpath("//@onmouseover") and html.xpath(f'//*[@lang="{hostile}"]')
    (item,) = json.loads(render_format(digest, "json"))["items"]
    fragment = lxml_html.fragment_fromstring(item["content_html"], create_parent="div")
    assert not fragment.xpath("//@onmouseover") and fragment.xpath(f'//li[@lang="{hostile}"]')
    atom = etree.fromstring(render_format(digest, "atom").encode("utf-8"))
    assert [link.get("hreflang") for link in atom.iter(f"{ATOM}link") if link.get("rel") == "alternate"][-1] == hostile
