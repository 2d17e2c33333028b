"""The body stage: the family's body rule, one line per block, else the generic extractor.

The generic extractor (:func:`generic_body`: trafilatura with the options and line filters
measured by bench/extraction.py) is the fallback of every family and the body of the generic parser.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

from lxml.etree import ParserError

from crawlers.extract.confidence import LIST_MARK, chars, link_density
from crawlers.extract.html import block_text, copy_element, drop_elements, first_element, normalize_space
from crawlers.extract.page import Page
from crawlers.extract.rules_generic import (
    BOILERPLATE_LINE_RES,
    BYLINE_LINE_RE,
    CREDIT_LINE_RES,
    DATELINE_DATE_RE,
    DATELINE_MAX_CHARS,
    DATELINE_MAX_LETTERS,
    DATELINE_PARTS_RE,
    DATELINE_TIME_RE,
    DOCUMENT_NAME_RE,
    INLINE_LINK_LINE_RE,
    LINK_LINE_MAX_CHARS,
    LINK_LINES_MAX_SHARE,
    LIST_ENTRY_TAIL_RE,
    PAYWALL_LINE_RE,
    POOR_BODY_CHARS,
    POOR_BODY_LINK_DENSITY,
    REPEATED_LINE_MAX_CHARS,
    TAIL_HEADING_MIN_SHARE,
    TAIL_HEADING_RE,
    TRAFILATURA_OPTIONS,
)

_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def read_body(page: Page) -> None:
    """``article.body`` and ``extra["rule"]`` (the rule that gave it, "trafilatura" or None)."""
    rules, extra = page.family.body, page.extra
    if rules.hook:
        found = page.hook(rules.hook.name)(page)
        if found is not None:
            page.article.body, extra["rule"] = found
            return
    rule, lines = None, []
    page.body_match = first_element(page.sel, page.rules[rules.key]) if rules.key else None
    if page.body_match:
        rule = page.body_match[0]
        root = copy_element(page.body_match[1].root)
        drop_elements(root, page.rules[rules.drop] if rules.drop else ())
        lines = [line for line in block_text(root).split("\n") if line]
    if rules.dropped_lines:
        kept = [line for line in lines if not rules.dropped_lines.search(line)]
        if rules.dropped_count and len(kept) < len(lines):
            extra[rules.dropped_count] = len(lines) - len(kept)
        lines = kept
    if rules.trailer and lines and (trailer := rules.trailer.match(lines[-1])):
        extra[rules.trailer_key] = normalize_space(trailer["value"])
        lines.pop()
    page.article.body, extra["rule"] = "\n".join(lines), rule
    if not page.article.body and rules.fallback:
        page.article.body = fallback_body(page.text, page.url)
        extra["rule"] = "trafilatura" if page.article.body else None


def clean_body(
    text: str,
    title: str | None = None,
    links: frozenset[str] = frozenset(),
    headings: Collection[str] = (),
    *,
    link_lines: bool = True,
    code: frozenset[str] = frozenset(),
) -> str:
    """Extracted text without empty lines, repeated short lines, credit and boilerplate lines, the
    title again (or another of the page's ``headings``: its ``<h1>``s and ``<title>``, a site
    name in an ``<h1>``; a repeated line of the page's ``code`` stays), the list-shaped tail, and — unless the text is a list (most of it lines
    that are texts of the page's ``links``: kept whole, the confidence flags it) — bylines,
    datelines and (with ``link_lines``) the short lines that are one of the page's ``links``."""
    lines = [normalize_space(line) for line in (text or "").split("\n")]
    lines = _without_tail([line for line in lines if line])
    lines = [line for line in lines if line]
    counts = Counter(lines)
    repeats = {normalize_space(t) for t in (title, *headings) if t}
    kept = [
        line
        for line in lines
        if not (counts[line] > 1 and len(line) <= REPEATED_LINE_MAX_CHARS and line not in code)
        and line not in repeats
        and not any(pattern.search(line) for pattern in CREDIT_LINE_RES + BOILERPLATE_LINE_RES)
    ]
    flagged = [_linked(line, links) for line in kept]
    total = sum(chars(line) for line in kept) or 1
    if sum(chars(line) for line, f in zip(kept, flagged, strict=True) if f) / total > LINK_LINES_MAX_SHARE:
        return "\n".join(kept)  # a list page: dropping its entries would leave orphan dates
    return "\n".join(
        line
        for line, f in zip(kept, flagged, strict=True)
        if not (f and link_lines) and not BYLINE_LINE_RE.match(line) and not is_dateline(line)
    )


def is_dateline(line: str) -> bool:
    """A short line that is a date (and time) and little else: a dateline, not the article's text."""
    if len(line) > DATELINE_MAX_CHARS or line.rstrip()[-1:] in ".!?。！？" or not DATELINE_DATE_RE.search(line):
        return False
    rest = DATELINE_PARTS_RE.sub(" ", line)
    if not DATELINE_TIME_RE.search(line) and not any(ch.isalpha() for ch in rest):
        return False  # a bare date: a list entry's, or a notice's signature date ("2024年3月5日")
    letters = sum(3 if _CJK_CHAR.match(ch) else 1 for ch in rest if ch.isalpha())
    return letters <= DATELINE_MAX_LETTERS


def _linked(line: str, links: frozenset[str]) -> bool:
    """A short line that is a link text of the page (a menu, a list entry), or "Read also: <link>"."""
    bare = LIST_MARK.sub("", line)
    for entry in (bare, LIST_ENTRY_TAIL_RE.sub("", bare)):  # with and without its date / comment count
        if entry in links and len(entry) <= LINK_LINE_MAX_CHARS:
            return True
    inline = INLINE_LINK_LINE_RE.match(bare)
    if not inline or len(inline["label"].split()) > 5 or DOCUMENT_NAME_RE.search(inline["link"]):
        return False  # "附件：申报指南.pdf" names the notice's attachment: part of it
    return normalize_space(inline["link"]) in links


def trafilatura_body(html: str, url: str | None = None) -> str:
    """The main text by trafilatura with the fallback's options ('' when it finds none)."""
    import trafilatura

    try:
        text = trafilatura.extract(html, url=url, **TRAFILATURA_OPTIONS)
    except (ValueError, ParserError, TypeError):
        return ""
    return text or ""


def fallback_body(html: str, url: str | None = None) -> str:
    """The body of a page no family rule matched: :func:`generic_body` (so every family falls back the same way)."""
    return generic_body(html, url)


def _without_tail(lines: list[str]) -> list[str]:
    """``lines`` up to a "related articles" / ranking heading past the first third of the text, or
    up to a paywall notice anywhere."""
    total = sum(len(line) for line in lines) or 1
    seen = 0
    for index, line in enumerate(lines):
        if index and PAYWALL_LINE_RE.search(line):
            return lines[:index]
        if seen / total >= TAIL_HEADING_MIN_SHARE and TAIL_HEADING_RE.match(line):
            return lines[:index]
        seen += len(line)
    return lines


def page_links_and_blocks(html: str) -> tuple[frozenset[str], str, frozenset[str]]:
    """The page's link texts, the text of its densest block (most text outside links) and the lines
    of its code (``<pre>``, ``<code>``: repeated by nature, not furniture)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, ParserError, TypeError):
        return frozenset(), "", frozenset()
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    links = frozenset(t for t in (normalize_space(a.text_content()) for a in root.iter("a")) if len(t) >= 2)
    code = frozenset(line for element in root.xpath("//pre|//code") for line in block_text(element).split("\n"))
    best, best_score = None, 0
    # xpath, not root.iter(): a page with a second <html> keeps its article outside the first root
    for element in root.xpath("//div|//article|//section|//td|//main"):
        text = chars(element.text_content())
        if text < POOR_BODY_CHARS:
            continue
        linked = sum(chars(a.text_content()) for a in element.iter("a"))
        score = text - 2 * linked
        if score > best_score:  # document order: ties keep the outer block
            best, best_score = element, score
    if best is None:
        return links, "", code
    # the deepest block inside the best that keeps 90 % of its score: the article, not its page
    while True:
        inner = [c for c in best if isinstance(c.tag, str) and c.tag in ("div", "article", "section", "td", "main")]
        scored = [(chars(c.text_content()) - 2 * sum(chars(a.text_content()) for a in c.iter("a")), c) for c in inner]
        good = [c for score, c in scored if score >= 0.9 * best_score]
        if not good:
            break
        best = good[0]
    return links, block_text(best), code


def generic_body(
    html: str,
    url: str | None = None,
    title: str | None = None,
    *,
    link_lines: bool = False,
    headings: Collection[str] = (),
) -> str:
    """The article text of any page: trafilatura, else the densest block when trafilatura's text is
    short or link-dense; then :func:`clean_body` (which drops short lines that are link texts of the
    page only with ``link_lines``: the generic parser's own pages, not a family's fallback, whose
    list pages keep their recorded text)."""
    text = trafilatura_body(html, url)
    links, dense, code = page_links_and_blocks(html)
    poor = chars(text) < POOR_BODY_CHARS or link_density(text, links) > POOR_BODY_LINK_DENSITY
    if poor and chars(dense) > chars(text):
        text = dense
    return clean_body(text, title, links, headings, link_lines=link_lines, code=code)
