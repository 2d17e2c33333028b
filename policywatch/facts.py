"""The key-facts stage: read each article's key facts (summarizer/key_facts/) and store them in
``articles.extra["key_facts"]``. The summarize stage runs it on the articles it summarizes (new
and changed ones); ``policywatch facts`` runs it on the stored ones (``--rebuild``: all of them,
else those without facts of the current rules' version). One article that cannot be read is
reported and skipped; the others are stored."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from config import Settings, get_settings

log = logging.getLogger(__name__)

BATCH_SIZE = 200
NOTICE_ZONE = ZoneInfo("Asia/Shanghai")  # the sources' zone: the year of a deadline written without one


@dataclass
class FactsReport:
    read: int = 0  # articles read
    stored: int = 0  # articles whose stored facts were written or changed
    with_facts: int = 0  # articles with at least one key fact
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        failed = f"; {len(self.errors)} failed" if self.errors else ""
        return f"key facts: {self.read} articles read, {self.with_facts} with key facts, {self.stored} stored{failed}"


def store_key_facts(settings: Settings, article_ids: Sequence[int], *, only_outdated: bool = False) -> FactsReport:
    """Read and store the key facts of ``article_ids`` (``only_outdated``: skip those whose stored
    facts are of the current rules' version and content), one transaction per batch."""
    from storage import articles_for_key_facts, save_key_facts, session_scope
    from summarizer.key_facts import KEY_FACTS_VERSION, extract_key_facts

    report = FactsReport()
    for start in range(0, len(article_ids), BATCH_SIZE):
        with session_scope(settings.database_url) as session:
            for article in articles_for_key_facts(session, article_ids[start : start + BATCH_SIZE]):
                if only_outdated and article.stored_version == KEY_FACTS_VERSION:
                    continue
                report.read += 1
                year = article.published_at.astimezone(NOTICE_ZONE).year if article.published_at else None
                try:
                    facts = extract_key_facts(
                        article.title,
                        article.body,
                        language=article.language,
                        published_year=year,
                        metadata=article.metadata,
                    )
                except Exception as exc:  # noqa: BLE001 - one unreadable article never stops the others
                    message = f"article {article.id}: key facts failed: {type(exc).__name__}: {exc}"
                    log.warning("%s", message)
                    report.errors.append(message)
                    continue
                report.with_facts += bool(facts.facts)
                report.stored += save_key_facts(session, article, facts.to_dict())
    return report


def rebuild_key_facts(
    settings: Settings | None = None, *, source_ids: list[str] | None = None, rebuild: bool = False
) -> FactsReport:
    """The key facts of every stored article (of ``source_ids``): all recomputed with ``rebuild``,
    else only those missing or of an older rules' version."""
    from storage import article_ids, session_scope

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        ids = article_ids(session, source_ids=source_ids)
    return store_key_facts(settings, ids, only_outdated=not rebuild)
