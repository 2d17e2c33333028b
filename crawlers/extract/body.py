"""The body stage: the family's body rule, one line per block, else the generic extractor.

The generic extractor (:func:`generic_body`: trafilatura with the options and line filters
measured by bench/extraction.py) is the fallback of every family and the body of the generic parser.
"""

from __future__ import annotations

from collections import Counter

from lxml.etree import ParserError

from crawlers.extract.html import block_text, copy_element, drop_elements, first_element, normalize_space
from crawlers.extract.page import Page
from crawlers.extract.rules_generic import CREDIT_LINE_RES, REPEATED_LINE_MAX_CHARS, TRAFILATURA_OPTIONS


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


def fallback_body(html: str, url: str | None = None) -> str:
    """The body of a page no family rule matched: :func:`generic_body` (so every family falls back the same way)."""
    return generic_body(html, url)


def generic_body(html: str, url: str | None = None, title: str | None = None) -> str:
    """The article text of any page: trafilatura, then :func:`clean_body`."""
    return clean_body(trafilatura_body(html, url), title)
