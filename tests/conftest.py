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


# --- storage databases (storage/, tests/test_storage*.py) --------------------------------
# `database_url` runs a test on SQLite (a temporary file) and on PostgreSQL. The PostgreSQL URL
# comes from `--postgres-url URL` or POLICYWATCH_TEST_POSTGRES_URL (for example
# postgresql+psycopg://postgres@127.0.0.1:5432/test); without one the postgresql variant is
# skipped. Each PostgreSQL test gets its own freshly created schema (the URL given to the test
# sets search_path to it), dropped with everything in it (tables, alembic_version) afterwards,
# so the shared database is never left with tables; schemas left by a killed run are dropped at
# the next run.

import re  # noqa: E402
import uuid  # noqa: E402

POSTGRES_URL_ENV = "POLICYWATCH_TEST_POSTGRES_URL"
_TEST_SCHEMA_PREFIX = "pwtest_"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres-url",
        default=None,
        help=f"PostgreSQL URL for the postgresql variant of storage tests (else ${POSTGRES_URL_ENV})",
    )


def _postgres_base_url(config: pytest.Config) -> str | None:
    return config.getoption("--postgres-url") or os.environ.get(POSTGRES_URL_ENV) or None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_stale_test_schemas(engine) -> None:
    """Drop pwtest_<pid>_* schemas whose pytest process is gone (a killed run)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
            {"pattern": _TEST_SCHEMA_PREFIX + "%"},
        ).scalars().all()
        for name in names:
            match = re.fullmatch(_TEST_SCHEMA_PREFIX + r"(\d+)_[0-9a-f]+", name)
            if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.commit()


@pytest.fixture(scope="session")
def postgres_admin_engine(pytestconfig: pytest.Config):
    """An engine on the test PostgreSQL database (skips when none is configured)."""
    base = _postgres_base_url(pytestconfig)
    if not base:
        pytest.skip(
            f"PostgreSQL variant skipped: set {POSTGRES_URL_ENV} or pass --postgres-url "
            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    from storage.db import make_engine

    engine = make_engine(base)
    try:
        _drop_stale_test_schemas(engine)
    except Exception as exc:  # unreachable server, bad credentials...
        engine.dispose()
        pytest.fail(f"cannot use the PostgreSQL test database {base!r}: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        # A folder that does not exist yet: make_engine must create it.
        yield f"sqlite:///{tmp_path / 'db' / 'policywatch.db'}"
        return

    from sqlalchemy import text

    admin = request.getfixturevalue("postgres_admin_engine")
    schema = f"{_TEST_SCHEMA_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.commit()
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.commit()


# --- Airflow alerting (policywatch/airflow_support.py, tests/test_dag_e2e.py, tests/test_airflow_*.py)


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (the standard library's smtpd, in a thread) that keeps
    every message it receives: where alert e-mails are sent in tests."""

    def __init__(self) -> None:
        import asyncore
        import smtpd
        import threading

        sink = self
        self.messages: list[dict] = []

        class _Server(smtpd.SMTPServer):
            def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
                import email
                from email import policy

                message = email.message_from_bytes(data, policy=policy.default)
                text = "\n".join(part.get_content() for part in message.walk()
                                 if part.get_content_maintype() == "text")
                sink.messages.append({"from": mailfrom, "to": list(rcpttos),
                                      "subject": str(message["subject"]), "text": text})

        self._server = _Server(("127.0.0.1", 0), None, decode_data=False)
        self.port = self._server.socket.getsockname()[1]
        self._asyncore = asyncore
        self._thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.2, "use_poll": True},
                                        name="smtp-sink", daemon=True)
        self._thread.start()

    @property
    def connection_uri(self) -> str:
        """An Airflow connection URI (AIRFLOW_CONN_<ID>) for this server, plain SMTP."""
        return (f"smtp://127.0.0.1:{self.port}?from_email=airflow%40policywatch.test"
                "&disable_tls=true&disable_ssl=true&timeout=10&retry_limit=0")

    def close(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.close()


# --- copies of the replay sites (tests that change a site: health, incremental, registry, extract) ---


def copy_sites(dest: Path, hosts: list[str] | None = None) -> Path:
    """A copy of tests/fixtures/sites (or of the named hosts only) under ``dest``, to change freely."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for site in sorted(SITES.iterdir()):
        if site.is_dir() and (hosts is None or site.name in hosts):
            shutil.copytree(site, dest / site.name)
    return dest


def serve_with_status(site: Path, path: str, status: int, body: Path | None = None) -> None:
    """Make the replay of ``site`` answer ``path`` with ``status`` (and ``body``'s bytes, if given)."""
    config = site / "_replay.toml"
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    if "[statuses]" not in text:
        text += "\n[statuses]\n"
    text = text.replace("[statuses]\n", f'[statuses]\n"{path}" = {status}\n', 1)
    config.write_text(text, encoding="utf-8")
    if body is not None:
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.read_bytes())
