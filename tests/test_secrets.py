"""No database password in any message or log line (issue 13, finding 1): a crawl, a failed crawl
and the CLI run with a password in POLICYWATCH_DATABASE_URL, and all their output and logs are
searched for it."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import uuid

import pytest
from typer.testing import CliRunner

from config import redact, safe_url
from policywatch.cli import app
from tests.conftest import ROOT

PASSWORD = "S3cretPW"


def test_safe_url_and_redact_mask_the_password():
    url = f"postgresql+psycopg://pwuser:{PASSWORD}@127.0.0.1:5432/x"
    assert safe_url(url) == "postgresql+psycopg://pwuser:***@127.0.0.1:5432/x"
    assert PASSWORD not in safe_url("postgresql://pwuser:S3cretPW@[bad")
    assert safe_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    text = f"cannot connect to postgresql://pwuser:{PASSWORD}@db/x; password was {PASSWORD}"
    assert redact(text, url) == "cannot connect to postgresql://pwuser:***@db/x; password was ***"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def secret_postgres_url(postgres_admin_engine):
    """A fresh schema of the test PostgreSQL, reached with a password (trust auth ignores it)."""
    from sqlalchemy import text

    schema = f"pwtest_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.commit()
    url = postgres_admin_engine.url.set(password=PASSWORD).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with postgres_admin_engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.commit()


def _crawl_process(database_url: str, replay_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        POLICYWATCH_DATABASE_URL=database_url,
        POLICYWATCH_REPLAY_URL=replay_url,
        POLICYWATCH_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, "-m", "crawlers.run", "--source", "en_cppcc", "--run-id", "r1"]
    command += ["--logical-date", "2024-03-05", "--log-level", "DEBUG"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.mark.postgres
def test_no_password_in_crawl_failed_crawl_and_cli_output(
    secret_postgres_url, replay_server, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    # a crawl that stores (Scrapy's whole DEBUG log)
    ok = _crawl_process(secret_postgres_url, replay_server.url, tmp_path)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "en_cppcc: pages=" in ok.stdout and "status=success" in ok.stdout
    seen += [ok.stdout, ok.stderr]
    # a crawl that cannot write: the database is not there
    unreachable = f"postgresql+psycopg://pwuser:{PASSWORD}@127.0.0.1:{_free_port()}/x"
    failed = _crawl_process(unreachable, replay_server.url, tmp_path)
    assert failed.returncode == 1
    assert "cannot start the crawl run in postgresql+psycopg://pwuser:***@127.0.0.1" in failed.stderr
    seen += [failed.stdout, failed.stderr]
    # the CLI: db upgrade, crawl, and both against the unreachable database
    monkeypatch.setenv("POLICYWATCH_REPLAY_URL", replay_server.url)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    for url, args, code in (
        (secret_postgres_url, ["-v", "db", "upgrade"], 0),
        (secret_postgres_url, ["-v", "crawl", "en_cppcc", "--date", "2024-03-05"], 0),
        (unreachable, ["-v", "db", "upgrade"], 2),
        (unreachable, ["-v", "crawl", "en_cppcc", "--date", "2024-03-05"], 2),
    ):
        monkeypatch.setenv("POLICYWATCH_DATABASE_URL", url)
        result = runner.invoke(app, args)
        assert result.exit_code == code, (args, result.output)
        seen.append(result.output)
    assert "database at postgresql+psycopg://postgres:***@127.0.0.1:5432/test" in seen[4]
    seen += [record.getMessage() for record in caplog.records]
    seen += [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    leaks = [text for text in seen if PASSWORD in text]
    assert not leaks, leaks[0][:3000]
