"""The article pipeline: a detail page through every stage, with its family's rules.

URL (a family may store the article under another URL) → title → body → date → office → author
and other metadata → attachments → confidence (``extra["confidence"]``, :mod:`crawlers.extract.confidence`). Each stage reads its part of the :class:`FamilyRules`; the
family's :class:`ArticleParser` adds only its hooks (:class:`~crawlers.extract.family.Hook`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crawlers.extract.attachments import read_attachments
from crawlers.extract.body import read_body
from crawlers.extract.confidence import read_confidence
from crawlers.extract.dates import DEFAULT_TZ
from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.family import FamilyRules, Selectors
from crawlers.extract.html import as_text, selector_for
from crawlers.extract.metadata import read_metadata
from crawlers.extract.office import read_office
from crawlers.extract.page import Page
from crawlers.extract.published import read_published
from crawlers.extract.rules import with_overrides
from crawlers.extract.title import read_title
from crawlers.extract.urls import canonical_url

STAGES: tuple[Callable[[Page], None], ...] = (
    read_title,
    read_body,
    read_published,
    read_office,
    read_metadata,
    read_attachments,
    read_confidence,
)


@dataclass(frozen=True)
class ArticleParser:
    """One family's article parser: its rules through every stage, with the family's own hooks."""

    rules: FamilyRules
    hooks: Mapping[str, Callable[[Page], Any]] = field(default_factory=dict)

    def parse(
        self, html: str | bytes, url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
    ) -> ExtractedArticle:
        """The article of a page (text, or UTF-8 bytes) at ``url`` (canonicalised)."""
        page = self.open(html, canonical_url(url), selectors=selectors, default_tz=default_tz)
        page.requested = url
        return run(page)

    def open(
        self, html: str | bytes, page_url: str, *, selectors: Selectors = None, default_tz: str = DEFAULT_TZ
    ) -> Page:
        """The :class:`Page` of ``html`` at ``page_url`` (already canonical), before any stage ran."""
        text = as_text(html)
        return Page(
            text=text,
            url=page_url,
            requested=page_url,
            sel=selector_for(text, page_url),
            family=self.rules,
            rules=with_overrides(self.rules.selectors, selectors),
            default_tz=default_tz,
            article=ExtractedArticle(url=page_url),
            hooks=self.hooks,
        )


def run(page: Page) -> ExtractedArticle:
    """Every stage on ``page``, in order; the article they filled."""
    if page.family.url:
        page.hook(page.family.url.name)(page)
    for stage in STAGES:
        stage(page)
    return page.article
