"""policywatch_summaries_export: an example downstream job, run whenever new summaries land.

Scheduled on the ``policywatch_summaries`` asset that ``policywatch_daily``'s summarize task
emits (data-aware scheduling: no clock, no sensor). It reads the summary table only through the
project's read API (``storage.read.summaries_since``) and writes the summaries made since the
triggering event as JSON Lines to ``$POLICYWATCH_VAR_DIR/exports/summaries-<date>-<run>.jsonl``.

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
        from storage import session_scope, summaries_since

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
            rows = summaries_since(session, since)
        target = settings.var_dir / "exports" / f"summaries-{day}-{context['run_id'].replace(':', '_')}.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(
                    json.dumps(
                        {
                            "url": row.url,
                            "source_id": row.source_id,
                            "title": row.title,
                            "published_at": row.published_at.isoformat() if row.published_at else None,
                            "summary": row.text,
                            "language": row.language,
                            "model_id": row.model_id,
                            # deadline, funding, 文号... of a notice and their one line (None: none)
                            "key_facts": row.key_facts,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        print(f"export: {len(rows)} summaries since {since.isoformat()} ({len(events)} triggering events) to {target}")
        return {"summaries": len(rows), "path": str(target), "events": len(events)}

    export_summaries()


policywatch_summaries_export()
