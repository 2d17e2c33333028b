"""The ``summaries`` table: which articles need a summary, their text, and the summary upsert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from storage.common import dialect_insert, utcnow
from storage.models import Article, Summary
from storage.types import canonical_json

# parameters["output"] of a row whose text is the article's own (it was already within the length
# budget of a summary): the digest shows it as "article text", never as a summary
ARTICLE_TEXT = "article_text"


def is_article_text(summary: Summary) -> bool:
    """The row holds the article's own text, not a summary of it."""
    return (summary.parameters or {}).get("output") == ARTICLE_TEXT


def _stored_parameters(parameters: dict[str, Any] | None, article_text: bool) -> dict[str, Any]:
    stored = dict(parameters or {})
    if article_text:
        stored["output"] = ARTICLE_TEXT
    return canonical_json(stored)


@dataclass(frozen=True)
class ArticleText:
    """What a summarizer reads of an article, and the content hash its summary is saved with."""

    id: int
    url: str
    title: str
    body: str
    language: str
    content_hash: str


def articles_to_summarize(
    session: Session,
    *,
    backend: str,
    model_id: str,
    model_version: str,
    parameters: dict[str, Any] | None,
    source_ids: Iterable[str] | None = None,
    limit: int | None = None,
    outdated: bool = True,
    ids_only: bool = False,
    except_source_ids: Iterable[str] | None = None,
) -> list[Article] | list[int]:
    """Articles that need a (new) summary from this backend + model: no summary yet, or one made
    from another content hash, another model_version or other parameters (compared as JSON
    values, key order ignored). Newest articles (highest id) first.

    ``outdated=False`` leaves out articles that already have a summary of their current content
    from any backend, model or configuration: only new and changed articles (a daily run after a
    model change does not redo the archive; re-summarizing is asked for explicitly).

    ``ids_only``: their ids, not the rows (a day of thousands of articles is not held in memory,
    bodies and all, while :func:`articles_for_summary` reads them batch by batch)."""
    # a row of this configuration holds these parameters, plus the article-text flag on some rows
    params = _stored_parameters(parameters, False)
    params_as_article = _stored_parameters(parameters, True)
    stmt = (
        select(Article.id if ids_only else Article)
        .outerjoin(
            Summary,
            and_(
                Summary.article_id == Article.id,
                Summary.backend == backend,
                Summary.model_id == model_id,
            ),
        )
        .where(
            or_(
                Summary.id.is_(None),
                Summary.content_hash != Article.content_hash,
                Summary.model_version != model_version,
                and_(Summary.parameters != params, Summary.parameters != params_as_article),
            )
        )
        .order_by(Article.id.desc())
    )
    if not outdated:
        current = aliased(Summary)
        stmt = stmt.where(
            ~select(current.id)
            .where(current.article_id == Article.id, current.content_hash == Article.content_hash)
            .exists()
        )
    if source_ids is not None:
        stmt = stmt.where(Article.source_id.in_(list(source_ids)))
    if except_source_ids:  # the articles of every other source
        stmt = stmt.where(Article.source_id.not_in(list(except_source_ids)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def any_article_without_current_summary(session: Session, *, source_ids: Iterable[str] | None = None) -> bool:
    """Whether some article has no summary of its current content from any backend: whether
    :func:`articles_to_summarize` with ``outdated=False`` finds anything, whatever the backend
    (answered without knowing it, so without loading a model)."""
    stmt = select(Article.id).where(
        ~select(Summary.id)
        .where(Summary.article_id == Article.id, Summary.content_hash == Article.content_hash)
        .exists()
    )
    if source_ids is not None:
        stmt = stmt.where(Article.source_id.in_(list(source_ids)))
    return session.execute(stmt.limit(1)).first() is not None


def articles_for_summary(session: Session, article_ids: Sequence[int]) -> list[ArticleText]:
    """The articles of ``article_ids`` in that order (ids no longer stored are left out)."""
    rows = session.execute(select(Article).where(Article.id.in_(list(article_ids)))).scalars()
    by_id = {row.id: ArticleText(row.id, row.url, row.title, row.body, row.language, row.content_hash) for row in rows}
    return [by_id[article_id] for article_id in article_ids if article_id in by_id]


def save_summary(
    session: Session,
    article: Article | ArticleText,
    *,
    text: str,
    language: str,
    backend: str,
    model_id: str,
    model_version: str,
    parameters: dict[str, Any] | None,
    guard: dict[str, Any] | None = None,
    article_text: bool = False,
) -> tuple[Summary, bool]:
    """Insert or update in place the one summary of ``article`` for (backend, model_id).

    Records ``article.content_hash`` (the content the text was made from) and ``guard``, the
    faithfulness guard's decision (JSON; None when no guard ran). ``article_text``: ``text`` is
    the article's own text (already within the length budget), recorded as
    ``parameters["output"] = "article_text"`` (:func:`is_article_text`). Returns the summary
    and whether it was created or changed; saving the same text, language, model_version,
    parameters and content hash again changes nothing (not even ``updated_at``).
    """
    if model_version is None:
        raise ValueError("save_summary needs a model_version (a revision or a weights-file hash)")
    now = utcnow()
    table = Summary.__table__
    fields = {
        "text": text,
        "language": language,
        "model_version": model_version,
        "parameters": _stored_parameters(parameters, article_text),
        "content_hash": article.content_hash,
        "guard": None if guard is None else canonical_json(guard),
    }
    stmt = dialect_insert(session, table).values(
        article_id=article.id, backend=backend, model_id=model_id, created_at=now, updated_at=now, **fields
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.article_id, table.c.backend, table.c.model_id],
        set_={**{key: stmt.excluded[key] for key in fields}, "updated_at": stmt.excluded.updated_at},
        where=or_(*(table.c[key].is_distinct_from(stmt.excluded[key]) for key in fields)),
    ).returning(table.c.id)
    changed = session.execute(stmt).first() is not None
    summary = session.execute(
        select(Summary)
        .where(Summary.article_id == article.id, Summary.backend == backend, Summary.model_id == model_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return summary, changed
