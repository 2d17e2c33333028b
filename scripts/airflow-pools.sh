#!/usr/bin/env bash
# Create (or resize) the pools policywatch_daily needs, idempotently. Run it once after
# `airflow db migrate` in every deployment (make airflow, the compose init service, the tests):
# Airflow 3 never schedules a task whose pool does not exist ("Tasks using non-existent pool ...
# will not be scheduled"), so without them the crawl and summarize tasks would wait forever.
#   POLICYWATCH_CRAWL_POOL_SLOTS      concurrent source crawls, one Scrapy process each (default 4)
#   POLICYWATCH_SUMMARIZE_POOL_SLOTS  concurrent summarizer tasks, each loads the model (default 1)
set -euo pipefail
pools="$(mktemp --suffix=.json)"
trap 'rm -f "$pools"' EXIT
cat >"$pools" <<JSON
{
  "policywatch_crawl": {"slots": ${POLICYWATCH_CRAWL_POOL_SLOTS:-4}, "description": "policywatch: concurrent source crawls (one Scrapy process each)", "include_deferred": false},
  "policywatch_summarize": {"slots": ${POLICYWATCH_SUMMARIZE_POOL_SLOTS:-1}, "description": "policywatch: summarizer tasks (each loads the model)", "include_deferred": false}
}
JSON
airflow pools import "$pools"
