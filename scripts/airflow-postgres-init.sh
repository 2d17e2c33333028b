#!/usr/bin/env bash
# docker-compose.yml: run by the postgres image on its first start (an empty data volume), as the
# superuser. Airflow's metadata database comes from POSTGRES_DB; this adds policywatch's summary
# database with its own role, so the pipeline never holds rights on Airflow's tables.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v password="$POLICYWATCH_DB_PASSWORD" <<'SQL'
CREATE ROLE policywatch LOGIN PASSWORD :'password';
CREATE DATABASE policywatch OWNER policywatch;
SQL
