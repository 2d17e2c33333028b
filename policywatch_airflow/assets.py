"""The assets the daily DAG updates, for data-aware scheduling of downstream DAGs, and what their
events carry. Each event's extra starts with ``summary``, one readable line (the Assets list shows
the extra), then the data: the logical date, the counts, the digest's path."""

from __future__ import annotations

from datetime import date
from typing import Any

from airflow.sdk import Asset

ARTICLES_ASSET = Asset(name="policywatch_articles", uri="x-policywatch://articles", group="policywatch")
SUMMARIES_ASSET = Asset(name="policywatch_summaries", uri="x-policywatch://summaries", group="policywatch")
DIGEST_ASSET = Asset(name="policywatch_digest", uri="x-policywatch://digest", group="policywatch")


def articles_event_extra(report: Any, day: date) -> dict[str, Any]:
    """The extra of one source's ``policywatch_articles`` event (``report``: a CrawlReport)."""
    return {
        "summary": (
            f"{report.source_id} {day}: {report.new} new, {report.updated} updated, {report.unchanged} unchanged"
            f" (health {report.health or 'unknown'})"
        ),
        "date": day.isoformat(),
        "source": report.source_id,
        "pages": report.pages,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": len(report.errors),
        "health": report.health,
    }


def digest_event_extra(report: Any, new_per_source: dict[str, int], link: str) -> dict[str, Any]:
    """The extra of the ``policywatch_digest`` event (``report``: the digest's ``DigestFiles``): its
    files and link, and the articles each source added that day."""
    return {
        "summary": (
            f"digest {report.logical_date}: {report.stories} stories ({report.new_stories} new) from "
            f"{report.articles} articles of {report.sources} sources at {report.html}"
        ),
        "date": report.logical_date.isoformat(),
        "path": str(report.html),
        "markdown": str(report.markdown),
        "json_feed": str(report.json),
        "atom": str(report.atom),
        "stories": report.stories,
        "link": link,
        "articles": report.articles,
        "sources": report.sources,
        "new_per_source": new_per_source,
    }
