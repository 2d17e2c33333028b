"""Key facts of an article (deadline, funding, who may apply, 文号, issuing offices, the CPPCC
proposal a reply answers), stored in ``articles.extra["key_facts"]`` (no table of their own: they
are derived from the article's text, replaced with it, and read with it).

The crawler's upsert rewrites ``extra`` when the content changes, so facts never outlive the text
they were read from; :func:`save_key_facts` writes only onto the content they were computed from
(the content hash is checked in the UPDATE). :func:`key_facts` is the read model: a frozen view
with :meth:`KeyFactsView.line`, the one line the digest and the review page show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.common import expire_if_loaded
from storage.models import Article
from storage.types import canonical_json

EXTRA_KEY = "key_facts"
# the crawler's metadata the extractor reads (the page's 文号 cell, its issuing office)
METADATA_KEYS = ("document_number", "issuing_office")


@dataclass(frozen=True)
class Amount:
    yuan: int
    text: str  # as written: "不超过200万元"
    low: int | None = None  # the lower end of a range ("100-200万元")


@dataclass(frozen=True)
class KeyFactsView:
    """The stored key facts of one article; every value as the extractor normalised it."""

    deadline: str | None  # ISO 8601: 2024-03-20 or 2024-03-20T17:00
    funding: tuple[Amount, ...]
    eligibility: str | None
    document_number: str | None
    issuers: tuple[str, ...]
    proposal_number: str | None
    version: int

    @property
    def empty(self) -> bool:
        return not (
            self.deadline
            or self.funding
            or self.eligibility
            or self.document_number
            or self.issuers
            or self.proposal_number
        )

    def line(self, language: str = "zh") -> str:
        """One line of what an analyst acts on ("" when there is nothing):
        ``截止 2024-03-20 17:00 · 资助 不超过200万元 · 渝科局发〔2024〕12号``."""
        english = language.startswith("en")
        parts = []
        if self.deadline:
            parts.append(("Deadline " if english else "截止 ") + self.deadline.replace("T", " "))
        if self.funding:
            parts.append(("Funding " if english else "资助 ") + "、".join(a.text for a in self.funding))
        if self.document_number:
            parts.append(self.document_number)
        if self.proposal_number:
            parts.append(
                f"Reply to proposal {self.proposal_number}" if english else f"答复第{self.proposal_number}号提案"
            )
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The values only (no sentences): the JSON Feed's ``_policywatch.key_facts``."""
        return {
            "deadline": self.deadline,
            "funding": [
                {"yuan": a.yuan, "text": a.text, **({"low": a.low} if a.low is not None else {})} for a in self.funding
            ],
            "eligibility": self.eligibility,
            "document_number": self.document_number,
            "issuers": list(self.issuers),
            "proposal_number": self.proposal_number,
        }


def _value(record: dict[str, Any], name: str) -> Any:
    fact = record.get(name)
    return fact.get("value") if isinstance(fact, dict) else None


def key_facts(article: Article | dict[str, Any] | None) -> KeyFactsView | None:
    """The key facts stored with ``article`` (an Article, or its ``extra`` dict); None when none
    were computed, or they were computed from other content than the article's current one."""
    if article is None:
        return None
    extra = article if isinstance(article, dict) else (article.extra or {})
    record = extra.get(EXTRA_KEY)
    if not isinstance(record, dict):
        return None
    if not isinstance(article, dict) and record.get("content_hash") not in (None, article.content_hash):
        return None
    return KeyFactsView(
        deadline=_value(record, "deadline"),
        funding=tuple(
            Amount(int(item["value"]), str(item["text"]), item.get("low"))
            for item in record.get("funding") or ()
            if isinstance(item, dict)
        ),
        eligibility=_value(record, "eligibility"),
        document_number=_value(record, "document_number"),
        issuers=tuple(str(item["value"]) for item in record.get("issuers") or () if isinstance(item, dict)),
        proposal_number=_value(record, "proposal_number"),
        version=int(record.get("version") or 0),
    )


def key_facts_record(article: Article | dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored key facts of ``article`` as downstream jobs read them: the values
    (:meth:`KeyFactsView.to_dict`) and their ``line``; None when there is no key fact."""
    return _record(key_facts(article), article.language if isinstance(article, Article) else "zh")


def stored_key_facts_record(stored: Any, language: str) -> dict[str, Any] | None:
    """:func:`key_facts_record` of a stored record already known to be the article's current
    one (``summary_feed.key_facts``), with the line in the article's ``language``."""
    if not isinstance(stored, dict):
        return None
    return _record(key_facts({EXTRA_KEY: stored}), language)


def _record(view: KeyFactsView | None, language: str) -> dict[str, Any] | None:
    if view is None or view.empty:
        return None
    return {**view.to_dict(), "line": view.line(language)}


@dataclass(frozen=True)
class KeyFactsInput:
    """What the key-fact extractor reads of an article."""

    id: int
    title: str
    body: str
    language: str
    published_at: datetime | None
    metadata: dict[str, Any]
    content_hash: str
    stored_version: int | None  # the rules' version of the stored facts (None: none stored)


def _input(row: Article) -> KeyFactsInput:
    extra = row.extra or {}
    record = extra.get(EXTRA_KEY)
    current = isinstance(record, dict) and record.get("content_hash") == row.content_hash
    return KeyFactsInput(
        id=row.id,
        title=row.title,
        body=row.body,
        language=row.language,
        published_at=row.published_at,
        metadata={key: extra[key] for key in METADATA_KEYS if extra.get(key)},
        content_hash=row.content_hash,
        stored_version=int(record.get("version") or 0) if current else None,
    )


def articles_for_key_facts(session: Session, article_ids: Sequence[int]) -> list[KeyFactsInput]:
    """The articles of ``article_ids`` in that order (ids no longer stored are left out)."""
    rows = session.execute(select(Article).where(Article.id.in_(list(article_ids)))).scalars()
    by_id = {row.id: _input(row) for row in rows}
    return [by_id[article_id] for article_id in article_ids if article_id in by_id]


def article_ids(session: Session, *, source_ids: Iterable[str] | None = None) -> list[int]:
    """Ids of the stored articles (of ``source_ids``), oldest first: what a rebuild walks."""
    stmt = select(Article.id).order_by(Article.id)
    if source_ids is not None:
        stmt = stmt.where(Article.source_id.in_(list(source_ids)))
    return list(session.execute(stmt).scalars())


def save_key_facts(session: Session, article: KeyFactsInput, facts: dict[str, Any]) -> bool:
    """Store ``facts`` (the extractor's JSON) as ``extra["key_facts"]`` of ``article``, tagged
    with the content hash they were read from; the rest of ``extra`` is kept. Nothing is written
    when the article's content changed meanwhile (a crawl stored a new version: its facts are
    computed from it) or when the same facts are stored already. True when written."""
    row = session.execute(
        select(Article.extra).where(Article.id == article.id, Article.content_hash == article.content_hash)
    ).first()
    if row is None:
        return False
    extra = dict(row.extra or {})
    record = canonical_json({**facts, "content_hash": article.content_hash})
    if extra.get(EXTRA_KEY) == record:
        return False
    extra[EXTRA_KEY] = record
    written = session.execute(
        update(Article.__table__)
        .where(Article.__table__.c.id == article.id, Article.__table__.c.content_hash == article.content_hash)
        .values(extra=extra)
        .returning(Article.__table__.c.id)
    ).first()
    if written is not None:
        expire_if_loaded(session, Article, article.id)
    return written is not None
