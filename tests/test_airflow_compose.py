"""docker-compose.yml, Dockerfile and .env.example: Docker cannot run here, so their structure is
checked: the services a CeleryExecutor deployment needs, health checks, one shared environment,
shared volumes, and every variable the compose file reads documented in .env.example."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def test_the_deployment_has_every_component(services):
    assert set(services) >= {"postgres", "redis", "airflow-init", *AIRFLOW_SERVICES}
    commands = {name: services[name]["command"] for name in AIRFLOW_SERVICES}
    assert commands["airflow-apiserver"][0] == "api-server"
    assert commands["airflow-scheduler"] == ["scheduler"]
    assert commands["airflow-dag-processor"] == ["dag-processor"]
    assert commands["airflow-triggerer"] == ["triggerer"]
    assert commands["airflow-worker"][:2] == ["celery", "worker"]


def test_every_long_running_service_has_a_health_check(services):
    for name, service in services.items():
        if name == "airflow-init":
            continue
        check = service.get("healthcheck")
        assert check and check["test"] and check["test"][0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
        assert check.get("interval") and check.get("retries"), name


def test_airflow_components_share_one_environment_and_image(services):
    first = services[AIRFLOW_SERVICES[0]]
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        service = services[name]
        assert service["image"] == first["image"] and service["build"] == "."
        env = service["environment"]
        # The settings Airflow 3 components must agree on, and the project's own.
        assert env == first["environment"], f"{name} has another environment"
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert env["POLICYWATCH_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/policywatch" in env["POLICYWATCH_DATABASE_URL"]
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert "AIRFLOW_JWT_SECRET" in env["AIRFLOW__API_AUTH__JWT_SECRET"]
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/policywatch/dags"


def test_shared_volumes_for_logs_and_digests(compose, services):
    assert set(compose["volumes"]) >= {"postgres-data", "airflow-logs", "policywatch-var"}
    for name in AIRFLOW_SERVICES:
        mounts = services[name]["volumes"]
        assert "airflow-logs:/opt/airflow/logs" in mounts and "policywatch-var:/opt/policywatch/var" in mounts
    assert any(m.startswith("postgres-data:") for m in services["postgres"]["volumes"])


def test_start_order_init_first_then_components(services):
    init = services["airflow-init"]
    command = " ".join(init["command"])
    assert "airflow db migrate" in command and "scripts/airflow-pools.sh" in command
    assert "policywatch db upgrade" in command
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert init["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in AIRFLOW_SERVICES:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    init_script = services["postgres"]["volumes"][1].split(":")[0]
    assert (ROOT / init_script).is_file()


def test_every_variable_the_compose_file_reads_is_in_env_example():
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}", COMPOSE.read_text(encoding="utf-8")))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.M))
    assert used and used <= documented, f"not in .env.example: {sorted(used - documented)}"
    # Secrets have no default in the example and are required by the compose file.
    secrets = (
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_FERNET_KEY",
        "POSTGRES_PASSWORD",
        "POLICYWATCH_DB_PASSWORD",
        "POLICYWATCH_REVIEW_SECRET",
    )
    for secret in secrets:
        assert re.search(rf"^{secret}=$", example, flags=re.M)
        assert re.search(rf"\$\{{{secret}:\?", COMPOSE.read_text(encoding="utf-8"))


def test_dockerfile_builds_the_project_with_its_dags():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11", dockerfile, flags=re.M)
    assert 'pip install -c constraints.txt ".[airflow]"' in dockerfile
    for folder in ("policywatch", "crawlers", "storage", "summarizer", "digest", "dags", "scripts"):
        assert re.search(rf"^COPY {folder}/ {folder}/$", dockerfile, flags=re.M), folder
        assert (ROOT / folder).is_dir()
    assert "AIRFLOW__CORE__DAGS_FOLDER=/opt/policywatch/dags" in dockerfile
    assert "HF_HUB_OFFLINE=1" in dockerfile  # the model comes from its PyPI package, never the hub
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", ".git"} <= set(ignored)
