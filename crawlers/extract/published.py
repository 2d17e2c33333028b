"""The date stage: the first of the family's date sources that parses, read in the page's zone."""

from __future__ import annotations

from typing import Any

from crawlers.extract.dates import parse_date
from crawlers.extract.family import Source
from crawlers.extract.fields import first
from crawlers.extract.page import Page


def read_published(page: Page) -> None:
    """``article.published_at`` and ``extra["date_source"]`` from ``page.family.published``."""

    def accept(_source: Source, value: Any) -> Any:
        return parse_date(value, default_tz=page.default_tz)

    found = first(page, page.family.published, accept)
    if found:
        page.article.published_at, page.extra["date_source"] = found
