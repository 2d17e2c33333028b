"""Guangdong gkmlpt sites (stic.sz.gov.cn): the index config, the JSON list API, article pages.

* ``/gkmlpt/index``: ``window._CONFIG = {SID:'755031', TREE:[{id:2917, name:'通知公告', children:[…]}…]}``,
  a JavaScript object literal (bare keys, single quotes), read by :func:`parse_gkmlpt_config`;
* ``/gkmlpt/api/all/{category}?page=N&sid=SID``: JSON ``{total, articles: [{id, title, url,
  publisher, document_number, identifier, keywords, date (epoch SECONDS), display_publish_time,
  abstract, attachment: [...], classify_*_name}]}``, read by :func:`parse_gkmlpt_api`;
* ``/gkmlpt/content/<a>/<b>/post_<id>.html``: the body is escaped HTML in a ``"content":"…"``
  JSON string of the page (JSON escapes such as ``\\u003c`` and ``<\\/p>``, sometimes HTML-escaped
  on top: ``&lt;p&gt;``), read by :func:`parse_gkmlpt_detail`.

These sites work over plain HTTP only (CATALOGUE §0.5): every on-site link is given the scheme of
the index URL, so an ``https://`` link in the API is fetched and stored as ``http://``.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawlers.extract.article import ArticleParser, run
from crawlers.extract.attachments import find_attachments
from crawlers.extract.dates import DEFAULT_TZ, parse_date
from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.family import Selectors
from crawlers.extract.fields import json_field
from crawlers.extract.html import as_text, block_text, normalize_space, selector_for
from crawlers.extract.page import Page
from crawlers.extract.rules import KEYWORDS_SPLIT_RE
from crawlers.extract.rules_gkmlpt import (
    GKMLPT_API_PATH,
    GKMLPT_ARTICLE_RE,
    GKMLPT_CONFIG_RE,
    GKMLPT_EXTRA_FIELDS,
    GKMLPT_RULES,
    GKMLPT_SID_RE,
    GKMLPT_TREE_RE,
    GKMLPT_URL_FIELDS,
    RULES,
)
from crawlers.extract.urls import canonical_url


class GkmlptError(ValueError):
    """A gkmlpt page or answer that cannot be read; the message says what is missing."""


# --------------------------------------------------------------------------- URLs
def gkmlpt_url(href: str, index_url: str) -> str:
    """The canonical URL of a link, with the scheme of ``index_url`` for the same host (http stays http)."""
    url = canonical_url(href, base=index_url)
    parts, index = urlsplit(url), urlsplit(index_url)
    if parts.hostname and parts.hostname == index.hostname and parts.scheme != index.scheme:
        url = urlunsplit((index.scheme, parts.netloc, parts.path, parts.query, ""))
    return url


def is_gkmlpt_article_url(url: str) -> bool:
    return bool(GKMLPT_ARTICLE_RE.match(urlsplit(url).path))


def gkmlpt_api_url(index_url: str, category: int | str, page: int, sid: str) -> str:
    """``http://HOST/gkmlpt/api/all/{category}?page={page}&sid={sid}`` on the index page's host and scheme."""
    parts = urlsplit(index_url)
    return f"{parts.scheme}://{parts.netloc}" + GKMLPT_API_PATH.format(category=category, page=page, sid=sid)


# --------------------------------------------------------------------------- JavaScript literals
_JS_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*|/\*.*?\*/)
      |(?P<dq>"(?:[^"\\]|\\.)*")
      |(?P<sq>'(?:[^'\\]|\\.)*')
      |(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<word>[A-Za-z_$][\w$]*)
      |(?P<punct>[\[\]{},:])""",
    re.X | re.S,
)


def js_literal(text: str, start: int) -> tuple[Any, int]:
    """The JavaScript object/array literal starting at ``text[start]`` (``{`` or ``[``), and its end.

    Accepts what JSON does plus bare keys, single-quoted strings, comments, trailing commas and
    ``undefined``; anything else (a function call, an expression) raises :class:`GkmlptError`.
    """
    out: list[str] = []
    depth, pos = 0, start
    while pos < len(text):
        match = _JS_TOKEN.match(text, pos)
        if not match:
            raise GkmlptError(f"unexpected {text[pos : pos + 20]!r} in a JavaScript literal")
        pos, kind, token = match.end(), match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "sq":
            body = token[1:-1].replace("\\'", "'").replace('"', '\\"')
            token = json.dumps(json.loads(f'"{body}"'), ensure_ascii=False)
        elif kind == "word":
            token = (
                "null" if token == "undefined" else token if token in ("true", "false", "null") else json.dumps(token)
            )
        elif kind == "punct":
            if token in "]}" and out and out[-1] == ",":
                out.pop()  # trailing comma
            depth += 1 if token in "[{" else -1 if token in "]}" else 0
        out.append(token)
        if depth == 0:
            break
    if depth != 0:
        raise GkmlptError("unterminated JavaScript literal")
    try:
        return json.loads("".join(out)), pos
    except ValueError as exc:
        raise GkmlptError(f"not a JavaScript literal: {exc}") from None


# --------------------------------------------------------------------------- index page
@dataclass(frozen=True)
class GkmlptCategory:
    id: int
    name: str
    path: tuple[str, ...]  # names from the tree's root down to this category


@dataclass(frozen=True)
class GkmlptConfig:
    sid: str
    categories: tuple[GkmlptCategory, ...]  # the whole TREE, flattened depth first

    def select(self, wanted: list[str]) -> list[GkmlptCategory]:
        """The categories named by id or name (``["2917", "政策法规"]``); unknown ones raise GkmlptError."""
        chosen: list[GkmlptCategory] = []
        for token in wanted:
            match = [c for c in self.categories if (token.isdigit() and c.id == int(token)) or c.name == token]
            if not match:
                known = ", ".join(f"{c.id} {c.name}" for c in self.categories) or "none"
                raise GkmlptError(f"category {token!r} is not in the TREE (known: {known})")
            chosen.extend(c for c in match if c not in chosen)
        return chosen


def parse_gkmlpt_config(page: str | bytes) -> GkmlptConfig:
    """SID and category TREE of ``window._CONFIG`` on ``/gkmlpt/index``; GkmlptError says what is missing."""
    text = as_text(page)
    config = GKMLPT_CONFIG_RE.search(text)
    if not config:
        raise GkmlptError("no window._CONFIG on the page")
    sid = GKMLPT_SID_RE.search(text, config.start())
    if not sid:
        raise GkmlptError("window._CONFIG has no SID")
    tree = GKMLPT_TREE_RE.search(text, config.start())
    nodes = js_literal(text, tree.end())[0] if tree else []
    categories: list[GkmlptCategory] = []

    def walk(items: Any, path: tuple[str, ...]) -> None:
        for node in items if isinstance(items, list) else []:
            if not isinstance(node, dict) or node.get("id") is None:
                continue
            name = normalize_space(str(node.get("name") or node.get("title") or ""))
            categories.append(GkmlptCategory(int(node["id"]), name, (*path, name)))
            walk(node.get("children"), (*path, name))

    walk(nodes, ())
    return GkmlptConfig(sid=sid.group("sid"), categories=tuple(categories))


def wanted_categories(rules: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The ``categories`` rule (registry ``selectors.categories``) split on commas."""
    return [
        t
        for value in rules.get("categories", ())
        for t in (normalize_space(p) for p in re.split(r"[,，;；]", value))
        if t
    ]


# --------------------------------------------------------------------------- list API
@dataclass
class GkmlptEntry:
    """One article of an API page: canonical URL, title, date and the metadata the API gives."""

    id: str
    url: str
    title: str
    date: datetime | None
    source_office: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GkmlptApiPage:
    total: int | None
    entries: list[GkmlptEntry]
    count: int  # articles on the page, kept or not (the page size when the page is full)


def _first_field(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, "", 0, "0"):
            return value
    return None


def parse_gkmlpt_api(page: str | bytes, index_url: str, *, default_tz: str = DEFAULT_TZ) -> GkmlptApiPage:
    """Articles of one ``/gkmlpt/api/all/{category}`` answer; GkmlptError when it is not that JSON."""
    text = as_text(page)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise GkmlptError(f"the answer is not JSON ({exc}): {normalize_space(text[:80])!r}") from None
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise GkmlptError("the JSON has no articles list")
    entries: list[GkmlptEntry] = []
    for record in data["articles"]:
        if not isinstance(record, dict):
            continue
        href = _first_field(record, GKMLPT_URL_FIELDS)
        if not href:
            continue
        url = gkmlpt_url(str(href), index_url)
        date = parse_date(_first_field(record, GKMLPT_RULES["date_field"]), default_tz=default_tz)
        extra: dict[str, Any] = {"gkmlpt_id": record.get("id")}
        for name, key in GKMLPT_EXTRA_FIELDS.items():
            value = normalize_space(str(record.get(name) or ""))
            if value:
                extra[key] = value
        keywords = record.get("keywords")
        if isinstance(keywords, str):
            keywords = KEYWORDS_SPLIT_RE.split(keywords)
        if keywords:
            extra["keywords"] = [k for k in (normalize_space(str(k)) for k in keywords) if k]
        extra["attachments"] = _api_attachments(record.get("attachment"), index_url)
        source = _first_field(record, GKMLPT_RULES["source_field"])
        entries.append(
            GkmlptEntry(
                id=str(record.get("id") or ""),
                url=url,
                title=normalize_space(str(record.get("title") or "")),
                date=date,
                source_office=normalize_space(str(source)) if source else None,
                extra=extra,
            )
        )
    total = data.get("total")
    if total is None and isinstance(data.get("classify"), dict):
        total = data["classify"].get("post_count")
    return GkmlptApiPage(
        total=int(total) if str(total or "").isdigit() else None, entries=entries, count=len(data["articles"])
    )


def _api_attachments(items: Any, index_url: str) -> list[dict[str, str]]:
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("url"):
            url = gkmlpt_url(str(item["url"]), index_url)
            name = normalize_space(str(item.get("name") or "")) or url.rsplit("/", 1)[-1]
            found.append({"name": name, "url": url})
    return found


# --------------------------------------------------------------------------- article pages
def content_html(value: str) -> str:
    """The HTML of a decoded ``content`` string; HTML-escaped HTML (``&lt;p&gt;``) is unescaped first."""
    if "<" not in value and "&lt;" in value:
        return html_lib.unescape(value)
    return value


def parse_gkmlpt_detail(
    page: str | bytes,
    url: str,
    *,
    index_url: str | None = None,
    selectors: Selectors = None,
    default_tz: str = DEFAULT_TZ,
) -> ExtractedArticle:
    """Body (from the ``"content"`` JSON field), title, date, publisher and attachments of a gkmlpt page.

    The JSON of the page first (``content``, ``title``, ``date`` epoch seconds, ``publisher``), then
    meta tags and rendered markup for a server-rendered page (:data:`RULES`). ``extra["rule"]`` says
    which gave the body (``json:content`` or a CSS rule); links in the body to documents are attachments.
    """
    index_url = index_url or url
    doc = PARSER.open(page, gkmlpt_url(url, index_url), selectors=selectors, default_tz=default_tz)
    doc.memo["index_url"] = index_url
    return run(doc)


def _json_content(page: Page) -> tuple[str, str] | None:
    found = json_field(page.text, page.rules["content_field"])
    if not (found and isinstance(found[1], str)):
        return None  # a server-rendered page: the body rules
    fragment = selector_for(f"<div>{content_html(found[1])}</div>", page.url)
    page.memo["fragment"] = fragment
    return block_text(fragment.css("div")[0].root), f"json:{found[0]}"


def _json_extras(page: Page) -> None:
    for name, key in GKMLPT_EXTRA_FIELDS.items():
        found = json_field(page.text, (name,))
        if found and isinstance(found[1], str) and normalize_space(found[1]):
            page.extra[key] = normalize_space(found[1])


def _attachments(page: Page) -> None:
    """The JSON's ``attachment`` list, then document links in the body; every URL on the index's scheme."""
    index_url = page.memo["index_url"]
    found = json_field(page.text, ("attachment",))
    attachments = _api_attachments(found[1], index_url) if found else []
    known = {a["url"] for a in attachments}
    fragment = page.memo.get("fragment")
    containers = (
        [fragment] if fragment is not None else list(page.sel.css(page.body_match[0])) if page.body_match else []
    )
    attachments += [a for a in find_attachments(containers, page.url) if a["url"] not in known]
    page.extra["attachments"] = [{**a, "url": gkmlpt_url(a["url"], index_url)} for a in attachments]


HOOKS = {"json_content": _json_content, "json_extras": _json_extras, "attachments": _attachments}
PARSER = ArticleParser(RULES, HOOKS)
