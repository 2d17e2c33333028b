"""The generic fallback extractor: any article page, no family rule needed.

Used for pages no family rule matches: ``policywatch extract`` on an unknown site, and the body
fallback of every family parser (``crawlers.extract.common.trafilatura_text`` delegates here).

Order, per field (rules as data in :mod:`crawlers.extract.rules_generic`):

* title: meta tags (``ArticleTitle``, ``og:title``…) → trafilatura's metadata → ``<h1>`` → ``<title>``;
* date: meta tags (``PubDate``, ``publishdate``, ``article:published_time``…) → a labelled visible
  date ("发布时间：", "日期:") → htmldate (JSON-LD, ``<time>``, visible dates), unless it contradicts
  the date in the URL → the URL's date; read in ``default_tz`` unless stated;
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
from collections import Counter
from typing import Any

from lxml.etree import ParserError
from parsel import Selector

from crawlers.extract.common import (
    ExtractedArticle,
    block_text,
    copy_element,
    drop_elements,
    find_attachments,
    meta_content,
    normalize_space,
    selector_for,
)
from crawlers.extract.dates import DEFAULT_TZ, date_from_url, parse_date
from crawlers.extract.rules import TRS_HEADER_DATE_RE, TRS_HEADER_SOURCE_RE
from crawlers.extract.rules_generic import (
    CHROME_CSS,
    CJK_LANGUAGE_SHARE,
    CREDIT_LINE_RES,
    GENERIC_META,
    REPEATED_LINE_MAX_CHARS,
    SOURCE_LABEL_RE,
    TRAFILATURA_OPTIONS,
)
from crawlers.extract.urls import canonical_url

_TITLE_SUFFIX = re.compile(r"\s*[-_|｜–—]\s*[^-_|｜–—]{1,40}$")  # "Title - Site name"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def clean_body(text: str, title: str | None = None) -> str:
    """Extracted text without empty lines, repeated short lines, credit lines and the title again."""
    lines = [normalize_space(line) for line in (text or "").split("\n")]
    lines = [line for line in lines if line]
    counts = Counter(lines)
    heading = normalize_space(title) if title else None
    kept = []
    for line in lines:
        if counts[line] > 1 and len(line) <= REPEATED_LINE_MAX_CHARS:
            continue
        if heading and line == heading:
            continue
        if any(pattern.search(line) for pattern in CREDIT_LINE_RES):
            continue
        kept.append(line)
    return "\n".join(kept)


def trafilatura_body(html: str, url: str | None = None) -> str:
    """The main text by trafilatura with the fallback's options ('' when it finds none)."""
    import trafilatura

    try:
        text = trafilatura.extract(html, url=url, **TRAFILATURA_OPTIONS)
    except (ValueError, ParserError, TypeError):
        return ""
    return text or ""


def generic_body(html: str, url: str | None = None, title: str | None = None) -> str:
    """The article text of any page: trafilatura, then :func:`clean_body`."""
    return clean_body(trafilatura_body(html, url), title)


def detect_language(sel, body: str) -> str:
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


def _title(sel, html: str) -> tuple[str | None, str | None]:
    found = meta_content(sel, GENERIC_META["title"][:-1])
    if found:
        return found[1], f"meta:{found[0]}"
    page_title = normalize_space(sel.xpath("string(//title)").get())
    headings = [h for h in (normalize_space(t) for t in sel.xpath("//h1").xpath("string()").getall()) if h]
    # one <h1> that the page <title> repeats ("H1--时政--人民网") is the article's title
    if len(headings) == 1 and page_title.startswith(headings[0]):
        return headings[0], "h1"
    try:
        import trafilatura

        metadata = trafilatura.extract_metadata(html)
    except (ValueError, ParserError, TypeError):
        metadata = None
    if metadata is not None and metadata.title:
        return normalize_space(metadata.title), "trafilatura"
    if headings:
        return headings[0], "h1"
    if page_title:
        return _TITLE_SUFFIX.sub("", page_title) or page_title, "title"
    return None, None


def _date(sel, html: str, page_text: str, url: str, default_tz: str):
    found = meta_content(sel, GENERIC_META["date"])
    if found:
        when = parse_date(found[1], default_tz=default_tz)
        if when is not None:
            return when, f"meta:{found[0]}"
    match = TRS_HEADER_DATE_RE.search(page_text)  # "发布时间：2024年03月05日 14:35", "日期:2025-09-19"
    when = parse_date(match.group("value"), default_tz=default_tz) if match else None
    if when is not None:
        return when, "header"
    in_url = date_from_url(url, default_tz=default_tz) if url else None
    try:
        from htmldate import find_date

        text = find_date(html, url=url or None, original_date=True, outputformat="%Y-%m-%d %H:%M:%S")
    except (ValueError, TypeError, ParserError):
        text = None
    when = parse_date(text, default_tz=default_tz) if text else None
    if when is not None and (in_url is None or when.date() == in_url.date()):
        return when, "htmldate"
    # htmldate guessed another day than the URL states (a year alone, a date in the text): the URL wins
    return in_url, "url" if in_url else None


def parse_generic(
    html: str | bytes,
    url: str,
    *,
    default_tz: str = DEFAULT_TZ,
    selectors: Any = None,  # accepted for the family-parser signature; the generic rules are fixed
) -> ExtractedArticle:
    """Title, date, source office, author, language, body and attachments of any article page."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    url = canonical_url(url) if url else ""
    sel = selector_for(text, url)
    article = ExtractedArticle(url=url)
    extra = article.extra
    extra["rule"] = "generic"

    page = copy_element(sel.root)
    drop_elements(page, ("script", "style", "noscript"))
    page_text = block_text(page)
    article.title, extra["title_source"] = _title(sel, text)
    article.published_at, extra["date_source"] = _date(sel, text, page_text, url, default_tz)

    found = meta_content(sel, GENERIC_META["source_office"])
    if found and SOURCE_LABEL_RE.sub("", found[1]):
        article.source_office, extra["source_office_source"] = SOURCE_LABEL_RE.sub("", found[1]), f"meta:{found[0]}"
    else:
        match = TRS_HEADER_SOURCE_RE.search(page_text)
        if match and normalize_space(match.group("value")):
            article.source_office, extra["source_office_source"] = normalize_space(match.group("value")), "header"

    found = meta_content(sel, GENERIC_META["author"])
    if found and not found[1].startswith("http") and not found[1].isdigit():  # people.cn: an editor id
        article.author = found[1]
    found = meta_content(sel, GENERIC_META["keywords"])
    if found:
        # "a, b; c" — or, in Chinese pages, "深空探测 探月工程" (space separated)
        separators = r"[;；,，、]+" if re.search(r"[;；,，、]", found[1]) or not _HAN.search(found[1]) else r"\s+"
        extra["keywords"] = [k for k in (normalize_space(p) for p in re.split(separators, found[1])) if k]
    found = meta_content(sel, GENERIC_META["column"])
    if found:
        extra["column_name"] = found[1]

    article.body = generic_body(text, url or None, article.title)
    extra["language"] = detect_language(sel, article.body or article.title or "")

    page = copy_element(sel.root)
    drop_elements(page, CHROME_CSS)
    extra["attachments"] = find_attachments([Selector(root=page, type="html")], url)
    return article
