"""The top layer: policywatch's Airflow integration, the only code that imports Airflow.

The DAG files in ``dags/`` wire tasks from what this package gives (assets and their events' extra,
the run window, the alerts, how a crawl task ends and is retried) and call ``policywatch.pipeline``
inside the tasks. ``plugin.py`` is the Airflow plugin (the Sources page, the runs' digest notes),
loaded by Airflow itself, not by the DAG files.
"""

from config import SUMMARIZER_BACKENDS  # standard library only: cheap at parse time
from policywatch_airflow.alerts import FailureAlert, report_late_run
from policywatch_airflow.assets import (
    ARTICLES_ASSET,
    DIGEST_ASSET,
    SUMMARIES_ASSET,
    articles_event_extra,
    digest_event_extra,
)
from policywatch_airflow.runs import DEFAULT_LOOKBACK_DAYS, RunWindow, env_bool, env_date, env_int, run_window
from policywatch_airflow.source_failures import SourceFailure, SourceRetryPolicy, end_crawl_task, say

__all__ = [
    "ARTICLES_ASSET",
    "DEFAULT_LOOKBACK_DAYS",
    "DIGEST_ASSET",
    "SUMMARIES_ASSET",
    "SUMMARIZER_BACKENDS",
    "FailureAlert",
    "RunWindow",
    "SourceFailure",
    "SourceRetryPolicy",
    "articles_event_extra",
    "digest_event_extra",
    "end_crawl_task",
    "env_date",
    "env_bool",
    "env_int",
    "report_late_run",
    "run_window",
    "say",
]
