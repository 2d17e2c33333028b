"""The office stage: who issued the article (``source_office``), the first of the family's sources."""

from __future__ import annotations

from crawlers.extract.fields import first_text
from crawlers.extract.page import Page


def read_office(page: Page) -> None:
    """``article.source_office`` (and ``extra["source_office_source"]``) from ``page.family.office``."""
    found = first_text(page, page.family.office)
    if found:
        page.article.source_office = found[0]
        if page.family.office_source:
            page.extra["source_office_source"] = found[1]
