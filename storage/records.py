"""Plain data exchanged with storage: what a crawler hands over, and what an upsert did."""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.types import ensure_aware_utc


class UpsertOutcome(str, enum.Enum):
    """What :func:`storage.upsert_article` did with a record."""

    NEW = "new"  # first time this canonical URL is stored
    UPDATED = "updated"  # known URL, title/body changed: the row was rewritten
    UNCHANGED = "unchanged"  # known URL, same content hash: only last_seen_at moved


class CrawlStatus(str, enum.Enum):
    """Values of ``crawl_runs.status``."""

    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILED = "failed"


CRAWL_STATUSES: tuple[str, ...] = tuple(s.value for s in CrawlStatus)


def normalise_text(text: str | None) -> str:
    """The form of a title or body that the content hash is computed from.

    Unicode NFC; every line stripped and its runs of whitespace (including the ideographic
    space U+3000 and no-break spaces) collapsed to one space; empty lines dropped. So
    re-extracting the same page with different blank lines or indentation gives the same hash.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(title: str | None, body: str | None) -> str:
    """sha256 hex digest of ``normalise_text(title) + "\\n" + normalise_text(body)`` (UTF-8)."""
    payload = normalise_text(title) + "\n" + normalise_text(body)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class ArticleRecord:
    """One article as a crawler hands it to storage.

    ``url`` is the canonical real-site URL (the upsert key); ``published_at`` an aware datetime
    or None (a naive one raises ``ValueError`` here); ``extra`` JSON-serialisable extraction
    metadata (keywords, column, attachments ``[{name, url}]``, the rule that matched...).
    """

    url: str
    source_id: str
    section: str | None
    title: str
    published_at: datetime | None
    language: str
    body: str
    source_office: str | None = None
    author: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.url:
            raise ValueError("ArticleRecord.url is empty")
        if self.published_at is not None:
            ensure_aware_utc(self.published_at, what=f"published_at of {self.url}")
        if self.extra is None:
            self.extra = {}

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body)
