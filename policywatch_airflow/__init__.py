"""The top layer: policywatch's Airflow integration, the only code that imports Airflow.

The DAG files in ``dags/`` wire tasks from what this package gives (assets, the run window, the
alerts) and call ``policywatch.pipeline`` inside the tasks.
"""

from config import SUMMARIZER_BACKENDS  # standard library only: cheap at parse time
from policywatch_airflow.alerts import FailureAlert, report_late_run
from policywatch_airflow.assets import ARTICLES_ASSET, SUMMARIES_ASSET
from policywatch_airflow.runs import DEFAULT_LOOKBACK_DAYS, RunWindow, env_date, env_int, run_window

__all__ = [
    "ARTICLES_ASSET",
    "DEFAULT_LOOKBACK_DAYS",
    "SUMMARIES_ASSET",
    "SUMMARIZER_BACKENDS",
    "FailureAlert",
    "RunWindow",
    "env_date",
    "env_int",
    "report_late_run",
    "run_window",
]
