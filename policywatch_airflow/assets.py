"""The assets the daily DAG updates, for data-aware scheduling of downstream DAGs. Each event's
extra says what changed: the logical date and the counts (see dags/policywatch_daily.py)."""

from __future__ import annotations

from airflow.sdk import Asset

ARTICLES_ASSET = Asset(name="policywatch_articles", uri="x-policywatch://articles", group="policywatch")
SUMMARIES_ASSET = Asset(name="policywatch_summaries", uri="x-policywatch://summaries", group="policywatch")
