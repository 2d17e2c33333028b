"""What the extractors hand to the spiders: an article page's parse, list and feed entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ExtractedArticle:
    """What a detail-page parser found; the spider adds source, section and language."""

    url: str
    title: str | None = None
    published_at: datetime | None = None
    body: str = ""
    source_office: str | None = None
    author: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.title and self.body)


@dataclass(frozen=True)
class ListEntry:
    """One article link on a list page: URL (canonical, absolute), title, date (None if unknown).

    ``pinned``: the item sits at the top of the list out of date order (a "置顶" notice), so its
    date says nothing about how old the rest of the list is.
    """

    url: str
    title: str
    date: datetime | None
    pinned: bool = False


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: canonical article URL, title, date, author (dc:creator), plain-text excerpt."""

    url: str
    title: str
    published_at: datetime | None
    author: str | None
    summary: str
    guid: str | None = None
