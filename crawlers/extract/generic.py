"""The generic fallback extractor: any article page, no family rule needed.

Used for pages no family rule matches (``policywatch extract`` on an unknown site); its body,
:func:`crawlers.extract.body.generic_body`, is also the body fallback of every family parser.

Order, per field (rules as data in :mod:`crawlers.extract.rules_generic`):

* title: the headline most of the page's candidates agree on (``<title>``, og:title, title metas,
  JSON-LD ``headline``, ``<h1>``, headings; site suffixes and badges dropped unless confirmed:
  :mod:`crawlers.extract.generic_title`) → meta tags (``ArticleTitle``,
  ``og:title``…) → trafilatura's metadata → ``<h1>`` → ``<title>``;
* date: meta tags (``PubDate``, ``publishdate``, ``article:published_time``…) → JSON-LD
  ``datePublished`` → a labelled visible date ("发布时间：", "日期:", "发布时间：18-03-08") →
  htmldate on the page without its related/recommended blocks (``<time>``, visible dates), unless
  it contradicts the date in the URL → the URL's date (:mod:`crawlers.extract.generic_dates`);
  read in ``default_tz`` (the source's zone) unless stated;
* source office: meta ``ContentSource`` / ``source`` → a visible "来源：/来自：" label;
* body: trafilatura (options tuned on the fundus pages, see bench/README.md), then without lines
  that repeat (page furniture), photo/agency credit lines and a repeat of the title;
* language: ``<html lang>`` / meta → the script of the body (CJK, kana, Hangul, else ``en``);
* attachments: document links (pdf, doc, xls...) outside the page chrome.

``extra`` records where each field came from (``title_source``, ``date_source``,
``source_office_source``), the ``language`` and ``rule`` = ``"generic"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml.etree import ParserError
from parsel import Selector

from crawlers.extract.article import ArticleParser
from crawlers.extract.body import generic_body
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.fields import Candidate
from crawlers.extract.generic_dates import htmldate, jsonld_date, short_year_byline
from crawlers.extract.generic_title import voted_title
from crawlers.extract.html import meta_content, normalize_space
from crawlers.extract.page import Page
from crawlers.extract.rules_generic import (
    CJK_LANGUAGE_SHARE,
    GENERIC_META,
    RULES,
)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def parse_generic(
    html: str | bytes,
    url: str,
    *,
    default_tz: str = DEFAULT_TZ,
    selectors: Any = None,  # accepted for the family-parser signature; the generic rules are fixed
) -> ExtractedArticle:
    """Title, date, source office, author, language, body and attachments of any article page."""
    return PARSER.parse(html, url, default_tz=default_tz)


def detect_language(sel: Selector, body: str) -> str:
    """``zh``/``ja``/``ko``/``en``/…: the page's declaration, else the script of its text."""
    declared = sel.xpath("/html/@lang").get() or sel.xpath("/html/@xml:lang").get()
    if not declared:
        found = meta_content(sel, GENERIC_META["language"])
        declared = found[1] if found else None
    if declared:
        code = re.split(r"[-_]", declared.strip().lower())[0]
        if re.fullmatch(r"[a-z]{2,3}", code):
            return code
    letters = len(_LETTER.findall(body)) or 1
    if len(_KANA.findall(body)) / letters > 0.05:
        return "ja"
    if len(_HANGUL.findall(body)) / letters > CJK_LANGUAGE_SHARE:
        return "ko"
    if len(_HAN.findall(body)) / letters > CJK_LANGUAGE_SHARE:
        return "zh"
    return "en"


# ----------------------------------------------------------------------------- hooks of RULES
def _headings(page: Page) -> list[str]:
    return page.once(
        "h1", lambda: [h for h in (normalize_space(t) for t in page.sel.xpath("//h1").xpath("string()").getall()) if h]
    )


def _lone_h1(page: Page) -> Iterator[Candidate]:
    """One ``<h1>`` that the page ``<title>`` repeats ("H1--时政--人民网") is the article's title."""
    headings = _headings(page)
    if len(headings) == 1 and normalize_space(page.sel.xpath("string(//title)").get()).startswith(headings[0]):
        yield headings[0], "h1"


def _trafilatura_title(page: Page) -> Iterator[Candidate]:
    try:
        import trafilatura

        metadata = trafilatura.extract_metadata(page.text)
    except (ValueError, ParserError, TypeError):
        metadata = None
    if metadata is not None and metadata.title:
        yield normalize_space(metadata.title), "trafilatura"


def _first_h1(page: Page) -> Iterator[Candidate]:
    if _headings(page):
        yield _headings(page)[0], "h1"


def _author(page: Page) -> Iterator[Candidate]:
    found = meta_content(page.sel, GENERIC_META["author"])
    if found and not found[1].startswith("http") and not found[1].isdigit():  # people.cn: an editor id
        yield found[1], None


def _keywords(page: Page) -> Iterator[Candidate]:
    found = meta_content(page.sel, GENERIC_META["keywords"])
    if found:
        # "a, b; c" — or, in Chinese pages, "深空探测 探月工程" (space separated)
        separators = r"[;；,，、]+" if re.search(r"[;；,，、]", found[1]) or not _HAN.search(found[1]) else r"\s+"
        yield [k for k in (normalize_space(p) for p in re.split(separators, found[1])) if k], None


def _language(page: Page) -> None:
    page.extra["language"] = detect_language(page.sel, page.article.body or page.article.title or "")


def _body(page: Page) -> tuple[str, str]:
    from crawlers.extract.confidence import title_candidates

    headings = title_candidates(page)
    return generic_body(page.text, page.url or None, page.article.title, link_lines=True, headings=headings), "generic"


HOOKS = {
    "voted_title": voted_title,
    "lone_h1": _lone_h1,
    "trafilatura_title": _trafilatura_title,
    "first_h1": _first_h1,
    "jsonld_date": jsonld_date,
    "short_year_byline": short_year_byline,
    "htmldate": htmldate,
    "author": _author,
    "keywords": _keywords,
    "language": _language,
    "generic_body": _body,
}
PARSER = ArticleParser(RULES, HOOKS)
