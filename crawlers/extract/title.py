"""The title stage: the first of the family's title sources, without the site name where one says so."""

from __future__ import annotations

from typing import Any

from crawlers.extract.family import Meta, Source, TitleTag
from crawlers.extract.fields import first, text_value
from crawlers.extract.page import Page


def read_title(page: Page) -> None:
    """``article.title`` and ``extra["title_source"]`` from ``page.family.title``."""
    found = first(page, page.family.title, _title)
    if found:
        page.article.title, page.extra["title_source"] = found


def _title(source: Source, value: Any) -> Any:
    text = text_value(source, value)
    cut = source.cut if isinstance(source, Meta | TitleTag) else None
    if cut is not None and isinstance(text, str):
        return cut.sub("", text) or text  # a title that is all site name stays as it is
    return text
