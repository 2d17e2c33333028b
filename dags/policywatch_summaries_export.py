"""policywatch_summaries_export: an example downstream job, run whenever new summaries land.

Scheduled on the ``policywatch_summaries`` asset that ``policywatch_daily``'s summarize task
emits (data-aware scheduling: no clock, no sensor). It reads the downstream contract, the
``summary_feed`` view (docs/summary_feed.md), through ``storage.summary_feed_since``: each
article's effective summary (an analyst's edit, else the approved or unreviewed model summary,
never a rejected one; with POLICYWATCH_DIGEST_REQUIRE_REVIEW only reviewed ones), and writes the
rows changed since the triggering event as JSON Lines to
``$POLICYWATCH_VAR_DIR/exports/summaries-<date>-<run>.jsonl``, withdrawn ones (every summary
rejected) as ``"review_status": "rejected"`` with no summary.

Started by hand (no triggering event), it exports the summaries of the last ``hours`` hours.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from policywatch_airflow import SUMMARIES_ASSET, FailureAlert


@dag(
    dag_id="policywatch_summaries_export",
    description="Export the summaries policywatch_daily just made (example downstream job)",
    schedule=[SUMMARIES_ASSET],
    catchup=False,
    max_active_runs=1,
    tags=["policywatch", "downstream"],
    default_args={
        "owner": "policywatch",
        "retries": 2,
        "retry_exponential_backoff": 2.0,
        "execution_timeout": timedelta(minutes=30),
        "on_failure_callback": FailureAlert(),
    },
    params={
        "hours": Param(24, type="integer", minimum=1, description="Look-back of a run without a triggering event.")
    },
    doc_md=__doc__,
)
def policywatch_summaries_export() -> None:
    @task
    def export_summaries() -> dict:
        import json
        from datetime import datetime

        from config import get_settings
        from storage import session_scope, summary_feed_since

        context = get_current_context()
        events = context["triggering_asset_events"].get(SUMMARIES_ASSET, [])
        marks = [datetime.fromisoformat(e.extra["updated_since"]) for e in events if e.extra.get("updated_since")]
        if marks:
            since = min(marks)
        else:
            since = datetime.now(UTC) - timedelta(hours=context["params"]["hours"])
        day = max((e.extra.get("date", "") for e in events), default="") or since.date().isoformat()

        settings = get_settings()
        with session_scope(settings.database_url) as session:
            rows = summary_feed_since(
                session, since, require_review=settings.digest_require_review, include_withdrawn=True
            )
        target = settings.var_dir / "exports" / f"summaries-{day}-{context['run_id'].replace(':', '_')}.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(
                    json.dumps(
                        {
                            "article_id": row.article_id,
                            "url": row.canonical_url,
                            "source_id": row.source_id,
                            "title": row.title,
                            "published_at": row.published_at.isoformat() if row.published_at else None,
                            "summary": row.summary_text,
                            "language": row.language,
                            "origin": row.summary_origin,
                            "review_status": row.review_status,
                            "reviewer": row.reviewer,
                            "updated_at": row.updated_at.isoformat(),
                            "contract_version": row.contract_version,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        print(f"export: {len(rows)} summaries since {since.isoformat()} ({len(events)} triggering events) to {target}")
        return {"summaries": len(rows), "path": str(target), "events": len(events)}

    export_summaries()


policywatch_summaries_export()
