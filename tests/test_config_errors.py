"""Configuration errors through the CLI (issue 13, finding 2): one line
``configuration error: NAME: cause``, exit status 2, no traceback, no secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from config import PACKAGE_DIR
from policywatch.cli import app
from tests.conftest import ROOT

PASSWORD = "S3cretPW"
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'pw.db'}")
    for name in ("POLICYWATCH_SUMMARIZER_MODEL", "POLICYWATCH_SUMMARIZER_CONFIG", "POLICYWATCH_SOURCES_FILE"):
        monkeypatch.delenv(name, raising=False)


def _registry(tmp_path, text: str) -> str:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


TYPO = """
[[sources]]
id = "kjj_cq"
name = "x"
host = "kjj.cq.gov.cn"
language = "zh"
family = "trs"
enabeld = true
[[sources.sections]]
name = "s"
url = "https://kjj.cq.gov.cn/a/"
"""


def _one_config_error(result, name: str, *causes: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"configuration error: {name}: "), lines[0]
    for cause in causes:
        assert cause in lines[0], lines[0]
    assert "Traceback" not in result.output and PASSWORD not in result.output
    return lines[0]


@pytest.mark.parametrize("command", [["db", "upgrade"], ["sources", "list"], ["crawl", "kjj_cq"]])
def test_unparsable_database_url(monkeypatch, command):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"postgresql://pwuser:{PASSWORD}@[::1:notaport/x")
    _one_config_error(runner.invoke(app, command), "POLICYWATCH_DATABASE_URL", "not a database URL")
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"nonsense{PASSWORD}")
    _one_config_error(runner.invoke(app, command), "POLICYWATCH_DATABASE_URL", "not a database URL")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "counts"], ["crawl", "kjj_cq"], ["digest"]])
def test_unreachable_postgresql(monkeypatch, command):
    port = _free_port()
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"postgresql+psycopg://pwuser:{PASSWORD}@127.0.0.1:{port}/x")
    _one_config_error(
        runner.invoke(app, command),
        "POLICYWATCH_DATABASE_URL",
        f"cannot use the database postgresql+psycopg://pwuser:***@127.0.0.1:{port}/x",
        "Connection refused",
    )


def test_registry_with_a_typo_or_a_duplicate_id(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_SOURCES_FILE", _registry(tmp_path, TYPO))
    _one_config_error(
        runner.invoke(app, ["crawl"]), "POLICYWATCH_SOURCES_FILE", "source 'kjj_cq', field 'enabeld'", "Extra inputs"
    )
    duplicate = TYPO.replace("enabeld", "enabled") * 2
    monkeypatch.setenv("POLICYWATCH_SOURCES_FILE", _registry(tmp_path, duplicate))
    _one_config_error(runner.invoke(app, ["sources", "list"]), "POLICYWATCH_SOURCES_FILE", "'kjj_cq' is declared twice")
    monkeypatch.setenv("POLICYWATCH_SOURCES_FILE", _registry(tmp_path, "[[sources]\nid ="))
    _one_config_error(runner.invoke(app, ["db", "upgrade"]), "POLICYWATCH_SOURCES_FILE", "not valid TOML")


def test_missing_summarizer_model_path(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("POLICYWATCH_SUMMARIZER_MODEL", str(missing))
    _one_config_error(runner.invoke(app, ["summarize"]), "POLICYWATCH_SUMMARIZER_MODEL", str(missing))
    monkeypatch.delenv("POLICYWATCH_SUMMARIZER_MODEL")
    config = tmp_path / "summarizer.toml"
    config.write_text(f'[summarizer]\nmodel = "{missing}"\n', encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUMMARIZER_CONFIG", str(config))
    _one_config_error(runner.invoke(app, ["summarize"]), "POLICYWATCH_SUMMARIZER_CONFIG", str(missing))


def test_a_bad_review_switch_is_one_line(monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DIGEST_REQUIRE_REVIEW", "sometimes")
    _one_config_error(runner.invoke(app, ["digest"]), "POLICYWATCH_DIGEST_REQUIRE_REVIEW", "'sometimes' is not true")


def test_an_unknown_source_is_a_usage_error_not_a_configuration_error():
    result = runner.invoke(app, ["crawl", "no_such_source"])
    assert result.exit_code == 2 and "unknown source 'no_such_source'" in result.output
    assert "configuration error" not in result.output and "Traceback" not in result.output


def test_the_installed_command_prints_one_line(tmp_path):
    """The real entry point (not CliRunner): stderr is the one line, stdout empty."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        POLICYWATCH_VAR_DIR=str(tmp_path / "var"),
        POLICYWATCH_SOURCES_FILE=str(PACKAGE_DIR / "sources.toml"),
        POLICYWATCH_DATABASE_URL=f"postgresql://pwuser:{PASSWORD}@127.0.0.1:{_free_port()}/x",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "policywatch.cli", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("configuration error: POLICYWATCH_DATABASE_URL: ")
    assert PASSWORD not in proc.stderr
