"""How far to trust one extraction: ``extra["confidence"]`` of every article.

Factors (floors as data in :mod:`crawlers.extract.rules_generic`):

* ``body_chars`` — the body's length without spaces; under the floor the score falls in proportion;
* ``link_density`` — the share of the body's characters in lines that are the text of a link of the
  page (a menu, a "recent articles" box, a ranking list the extractor kept); over the ceiling the
  score is multiplied by ``1 - link_density``;
* ``page_share`` — the body's share of the page's visible text (a body of 1 % of a page is
  probably a caption or a teaser);
* ``title_agreement`` — how many of the other title candidates (``og:title``, ``<h1>``, ``<title>``,
  JSON-LD ``headline``) contain the title or are contained in it.

``score`` is in [0, 1]; ``reasons`` name the factors that lowered it, for the source's health.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crawlers.extract.html import normalize_space
from crawlers.extract.page import Page
from crawlers.extract.rules_generic import (
    CONFIDENCE_MAX_LINK_DENSITY,
    CONFIDENCE_MIN_BODY_CHARS,
    CONFIDENCE_MIN_PAGE_SHARE,
    CONFIDENCE_TITLE_DISAGREES,
)

_SPACE = re.compile(r"\s+")
LIST_MARK = re.compile(r"^[-•·*]\s*")


def chars(text: str) -> int:
    """Characters of ``text`` without whitespace."""
    return len(_SPACE.sub("", text))


def link_texts(page: Page) -> frozenset[str]:
    """Normalised texts of the page's links (two characters or more)."""
    return page.once(
        "link_texts",
        lambda: frozenset(
            t for t in (normalize_space(x) for x in page.sel.xpath("//a").xpath("string()").getall()) if len(t) >= 2
        ),
    )


def link_density(body: str, links: frozenset[str]) -> float:
    """Share of ``body``'s characters in lines that are a link text of the page."""
    total = linked = 0
    for raw in body.split("\n"):
        line = normalize_space(LIST_MARK.sub("", raw))
        size = chars(line)
        total += size
        if line in links:
            linked += size
    return linked / total if total else 0.0


def title_candidates(page: Page) -> list[str]:
    """og:title, every ``<h1>``, ``<title>`` and the JSON-LD headlines of the page (normalised, non-empty)."""
    sel = page.sel
    found = sel.xpath("//meta[@property='og:title' or @name='og:title']/@content").getall()
    found += sel.xpath("//h1").xpath("string()").getall()
    found += sel.xpath("//title").xpath("string()").getall()
    found += jsonld_headlines(page)
    return [t for t in (normalize_space(x) for x in found) if t]


def jsonld_headlines(page: Page) -> list[str]:
    """The ``headline`` of each JSON-LD object of the page."""
    found = []
    for script in page.sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("headline"), str):
                found.append(normalize_space(item["headline"]))
    return [t for t in found if t]


def assess_extraction(page: Page) -> dict[str, Any]:
    """The confidence record of ``page.article`` (see the module doc)."""
    body, title = page.article.body or "", normalize_space(page.article.title or "")
    body_chars = chars(body)
    page_chars = chars(
        " ".join(page.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
    )
    density = link_density(body, link_texts(page))
    share = body_chars / page_chars if page_chars else 0.0
    others = title_candidates(page)
    agreeing = sum(1 for c in others if title and (title in c or c in title))
    score, reasons = 1.0, []
    if body_chars < CONFIDENCE_MIN_BODY_CHARS:
        score *= body_chars / CONFIDENCE_MIN_BODY_CHARS
        reasons.append(f"short body ({body_chars} characters)")
    if density > CONFIDENCE_MAX_LINK_DENSITY:
        score *= 1 - density
        reasons.append(f"link-dense body ({density:.0%} of its text is link text)")
    if body_chars and share < CONFIDENCE_MIN_PAGE_SHARE:
        score *= share / CONFIDENCE_MIN_PAGE_SHARE
        reasons.append(f"body is {share:.1%} of the page's text")
    if others and not agreeing:
        score *= CONFIDENCE_TITLE_DISAGREES
        reasons.append("no other title candidate agrees with the title")
    return {
        "score": round(score, 3),
        "body_chars": body_chars,
        "link_density": round(density, 3),
        "page_share": round(min(share, 1.0), 3),
        "title_agreement": f"{agreeing}/{len(others)}",
        "reasons": reasons,
    }


def read_confidence(page: Page) -> None:
    """The last stage: ``extra["confidence"]``."""
    page.extra["confidence"] = assess_extraction(page)
