"""Shared test set-up. Sections are owned by the modules named in their comments."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "tests" / "fixtures" / "sites"

# Airflow reads its configuration at import time: give the whole session its own AIRFLOW_HOME
# (never ~/airflow) before any test imports airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="policywatch-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(_AIRFLOW_HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# --- replay sites (policywatch/replay.py) -------------------------------------------------


@pytest.fixture(scope="session")
def replay_server():
    """The replay of every fixture site, on a free port on 127.0.0.1, for the whole session."""
    from policywatch.replay import ReplayServer

    with ReplayServer(SITES) as server:
        yield server


@pytest.fixture
def pipeline_env(tmp_path, monkeypatch, replay_server):
    """Environment of one pipeline run: a fresh SQLite database and var dir, the replay URL."""
    from policywatch.config import get_settings

    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}")
    monkeypatch.setenv("POLICYWATCH_REPLAY_URL", replay_server.url)
    return get_settings()
