"""The review queue: a day's summaries, filtered and paged, each with what the page shows beside it
(a link only for http and https URLs, the digest themes it falls under, the guard's decision)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from digest.model import Theme
from digest.themes import ThemeMatcher, load_themes

STATUSES = ("unreviewed", "approved", "edited", "rejected")
GUARD_DECISIONS = ("passed", "failed", "unchecked")  # storage.GUARD_DECISIONS: the verdict on the model text
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
FILTER_KEYS = ("day", "source", "language", "theme", "status", "guard", "page", "size")


@cache
def themes(path: Path | None) -> tuple[Theme, ...]:
    return load_themes(path)


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (shown as text, never as a link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class Filters:
    day: date
    source: str | None = None
    language: str | None = None
    theme: str | None = None
    status: str | None = None
    guard: str | None = None
    page: int = 1
    size: int = PAGE_SIZE

    @classmethod
    def parse(cls, params: dict[str, str], *, today: date, theme_ids: set[str]) -> Filters:
        """The filters of a query string; an unknown value is dropped rather than refused (an
        old bookmark still opens the queue)."""

        def choice(key: str, allowed: set[str] | tuple[str, ...] | None = None) -> str | None:
            value = (params.get(key) or "").strip()
            if not value or (allowed is not None and value not in allowed):
                return None
            return value[:100]

        try:
            day = date.fromisoformat(params.get("day") or "")
        except ValueError:
            day = today

        def number(key: str, default: int, high: int) -> int:
            raw = params.get(key) or ""
            return min(max(int(raw), 1), high) if raw.isdigit() else default

        return cls(
            day=day,
            source=choice("source"),
            language=choice("language"),
            theme=choice("theme", theme_ids),
            status=choice("status", STATUSES),
            guard=choice("guard", GUARD_DECISIONS),
            page=number("page", 1, 10**6),
            size=number("size", PAGE_SIZE, MAX_PAGE_SIZE),
        )

    def storage_filters(self, tz: ZoneInfo) -> dict[str, Any]:
        """These filters as storage.review_queue's keyword arguments (the theme aside)."""
        return {
            "day": self.day,
            "tz": tz,
            "source_id": self.source,
            "language": self.language,
            "status": self.status,
            "guard_decision": self.guard,
        }

    def query(self, **changes: Any) -> str:
        """The query string of these filters with ``changes`` ("?day=...&page=2")."""
        values = {
            "day": self.day.isoformat(),
            "source": self.source,
            "language": self.language,
            "theme": self.theme,
            "status": self.status,
            "guard": self.guard,
            "page": self.page if self.page > 1 else None,
            "size": self.size if self.size != PAGE_SIZE else None,
        }
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def queue_query(raw: str) -> str:
    """A query string from a form's ``next`` field, kept to the queue's own keys (never a URL: no
    redirect elsewhere)."""
    from urllib.parse import parse_qsl

    pairs = [(k, v) for k, v in parse_qsl(raw.lstrip("?"), keep_blank_values=False) if k in FILTER_KEYS]
    return "?" + urlencode(pairs) if pairs else ""


@dataclass(frozen=True)
class Row:
    """A queue item and what the page shows beside it."""

    item: Any  # storage.QueueItem
    link: str | None
    themes: tuple[Theme, ...]
    guard: dict | None  # None: the summary predates the guard
    review_guard: dict | None


@dataclass(frozen=True)
class Page:
    filters: Filters
    rows: list[Row]
    total: int
    themes: tuple[Theme, ...]
    sources: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.size))

    @property
    def first(self) -> int:
        return (self.filters.page - 1) * self.filters.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _theme_of(matcher: ThemeMatcher, title: str | None, text: str | None) -> tuple[str, ...]:
    return matcher.match([title or ""], [text or ""])


def theme_article_ids(session: Session, filters: Filters, *, tz: ZoneInfo, theme_set: tuple[Theme, ...]) -> list[int]:
    """The articles of the day (and the other filters) whose title and summary fall under the
    filter's theme, matched as the digest matches a story (digest.themes.ThemeMatcher)."""
    from storage import review_queue_texts

    matcher = ThemeMatcher(theme_set)
    rows = review_queue_texts(session, **filters.storage_filters(tz))
    return [row.article_id for row in rows if filters.theme in _theme_of(matcher, row.title, row.text)]


def load_page(
    session: Session, filters: Filters, *, tz: ZoneInfo, themes_file: Path | None, sources: list[tuple[str, str]]
) -> Page:
    from storage import review_queue

    theme_set = themes(themes_file)
    article_ids = None
    if filters.theme:
        article_ids = theme_article_ids(session, filters, tz=tz, theme_set=theme_set)
    result = review_queue(
        session,
        **filters.storage_filters(tz),
        article_ids=article_ids,
        offset=(filters.page - 1) * filters.size,
        limit=filters.size,
    )
    matcher = ThemeMatcher(theme_set)
    by_id = {t.id: t for t in theme_set}
    rows = []
    for item in result.items:
        review = item.latest_review
        rows.append(
            Row(
                item=item,
                link=safe_link(item.url),
                themes=tuple(by_id[t] for t in _theme_of(matcher, item.title, item.summary_text) if t in by_id),
                guard=item.guard,
                review_guard=(review.guard if review is not None else None),
            )
        )
    return Page(filters=filters, rows=rows, total=result.total, themes=theme_set, sources=sources)


def local_time(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "–"
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
