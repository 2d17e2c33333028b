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


# --- replay sites (devtools/replay.py) -------------------------------------------------


@pytest.fixture(scope="session")
def replay_server():
    """The replay of every fixture site, on a free port on 127.0.0.1, for the whole session."""
    from devtools.replay import ReplayServer

    with ReplayServer(SITES) as server:
        yield server


@pytest.fixture
def pipeline_env(tmp_path, monkeypatch, replay_server):
    """Environment of one pipeline run: a fresh SQLite database and var dir, the replay URL."""
    from config import get_settings

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
        names = (
            connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
                {"pattern": _TEST_SCHEMA_PREFIX + "%"},
            )
            .scalars()
            .all()
        )
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


@pytest.fixture
def postgres_cluster():
    """A throwaway PostgreSQL cluster of the test's own (tests/pg_cluster.py), to stop and restart."""
    from pg_cluster import Cluster

    server = Cluster()
    try:
        yield server
    finally:
        server.destroy()


def add_kjj_cq(session) -> None:
    """Record the source kjj_cq (重庆市科学技术局), the one storage and pipeline tests store under."""
    from storage import upsert_source

    upsert_source(
        session, id="kjj_cq", name="重庆市科学技术局", host="kjj.cq.gov.cn", language="zh", family="trs", enabled=True
    )


def crawl_kjj_cq(session, articles: list[tuple[str, str, str, dict]], day: str = "2024-03-05") -> None:
    """Store (url, title, body, extra) articles of kjj_cq as a crawl of ``day`` stores them
    (section 通知公告, published that day at 09:00 Asia/Shanghai)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from storage import ArticleRecord, start_crawl_run, upsert_article

    run = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date=day)
    published = datetime.combine(
        date.fromisoformat(day), datetime.min.time().replace(hour=9), ZoneInfo("Asia/Shanghai")
    )
    for url, title, body, extra in articles:
        record = ArticleRecord(
            url=url,
            source_id="kjj_cq",
            section="通知公告",
            title=title,
            published_at=published,
            language="zh",
            body=body,
            extra=extra,
        )
        upsert_article(session, record, run)
    session.flush()


def store_kjj_cq_day(tmp_path, monkeypatch, articles: list[tuple[str, str]], *, spaced: bool = False) -> None:
    """A SQLite database under ``tmp_path`` (POLICYWATCH_DATABASE_URL, no summarizer variables
    inherited) holding kjj_cq and a crawl of 2024-03-05 of (body, language) articles: t0.html,
    t1.html... titled 标题0, 标题1..., published at 09:00 Asia/Shanghai (``spaced``: an hour apart)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from config import get_settings
    from storage import ArticleRecord, session_scope, start_crawl_run, upgrade_database, upsert_article

    for name in (
        "POLICYWATCH_SUMMARIZER",
        "POLICYWATCH_SUMMARIZER_CONFIG",
        "POLICYWATCH_SUMMARIZER_MODEL",
        "POLICYWATCH_SUMMARY_SENTENCES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}")
    url = get_settings().database_url
    upgrade_database(url)
    with session_scope(url) as session:
        add_kjj_cq(session)
        run = start_crawl_run(session, source_id="kjj_cq", run_id="r1", logical_date="2024-03-05")
        for i, (body, language) in enumerate(articles):
            record = ArticleRecord(
                url=f"https://kjj.cq.gov.cn/t{i}.html",
                source_id="kjj_cq",
                section="通知公告",
                title=f"标题{i}",
                published_at=datetime(2024, 3, 5, 9 + (i if spaced else 0), tzinfo=ZoneInfo("Asia/Shanghai")),
                language=language,
                body=body,
            )
            upsert_article(session, record, run)


@pytest.fixture
def storage_session(migrated_session):
    """A session on a migrated ``database_url`` with the source kjj_cq, rolled back afterwards."""
    add_kjj_cq(migrated_session)
    return migrated_session


@pytest.fixture
def migrated_session(database_url):
    """A session on ``database_url`` upgraded to head; rolled back afterwards."""
    from sqlalchemy.orm import Session

    from storage import make_engine, upgrade_database

    upgrade_database(database_url)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()
    engine.dispose()


# --- Airflow alerting (policywatch_airflow/, tests/test_dag_e2e.py, tests/test_airflow_*.py)


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (the standard library's smtpd, in a thread) that keeps
    every message it receives: where alert e-mails are sent in tests."""

    def __init__(self) -> None:
        import asyncore
        import smtpd
        import threading

        sink = self
        self.messages: list[dict] = []
        self._map: dict = {}  # its own socket map: sinks living at the same time never share a loop

        class _Server(smtpd.SMTPServer):
            def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
                import email
                from email import policy

                message = email.message_from_bytes(data, policy=policy.default)
                text = "\n".join(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")
                # "parts": each text part as (content type, content), for tests of multipart mail
                parts = [
                    (part.get_content_type(), part.get_content())
                    for part in message.walk()
                    if part.get_content_maintype() == "text"
                ]
                sink.messages.append(
                    {
                        "from": mailfrom,
                        "to": list(rcpttos),
                        "subject": str(message["subject"]),
                        "text": text,
                        "parts": parts,
                        "content_type": message.get_content_type(),
                    }
                )

        self._server = _Server(("127.0.0.1", 0), None, decode_data=False, map=self._map)
        self.port = self._server.socket.getsockname()[1]
        self._asyncore = asyncore
        self._thread = threading.Thread(
            target=asyncore.loop,
            kwargs={"timeout": 0.2, "use_poll": True, "map": self._map},
            name="smtp-sink",
            daemon=True,
        )
        self._thread.start()

    @property
    def connection_uri(self) -> str:
        """An Airflow connection URI (AIRFLOW_CONN_<ID>) for this server, plain SMTP."""
        return (
            f"smtp://127.0.0.1:{self.port}?from_email=airflow%40policywatch.test"
            "&disable_tls=true&disable_ssl=true&timeout=10&retry_limit=0"
        )

    def close(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.close()


# --- A real Airflow deployment on the CeleryExecutor (tests/test_airflow_celery.py, tests/test_airflow_ui.py)
# Scheduler, dag-processor, api-server, triggerer and a Celery worker, each its own process group,
# with Redis (an empty DB number) as broker and fresh PostgreSQL databases for Airflow's metadata
# and for policywatch's data, dropped afterwards. One cluster serves the whole session.

import json as _json  # noqa: E402
import secrets as _secrets  # noqa: E402
import signal as _signal  # noqa: E402
import socket as _socket  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import sys as _sys  # noqa: E402
import time as _time  # noqa: E402
import urllib.request as _urlrequest  # noqa: E402

_CLUSTER_POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _free_port() -> int:
    with _socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AirflowCluster:
    """Airflow components started as separate processes over one AIRFLOW_HOME and environment."""

    COMPONENTS = {
        "scheduler": ["scheduler"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer"],
        "worker": ["celery", "worker", "--concurrency", "4"],
    }

    def __init__(self, home: Path, pg_base: str, replay_url: str, **extra_env: str) -> None:
        from sqlalchemy.engine import make_url

        self.home = home
        self.bin = Path(_sys.executable).parent
        self.port = _free_port()
        self.password = _secrets.token_hex(8)
        self.processes: dict[str, _subprocess.Popen] = {}
        # <pid>_<random>: databases left by a killed test run are dropped by the next one.
        suffix = f"{os.getpid()}_{uuid.uuid4().hex[:10]}"
        self.meta_db, self.data_db = f"policywatch_af_{suffix}", f"policywatch_data_{suffix}"
        base = make_url(pg_base)
        self._admin_url = base.render_as_string(hide_password=False)
        self.meta_url = base.set(database=self.meta_db).render_as_string(hide_password=False)
        self.data_url = base.set(database=self.data_db).render_as_string(hide_password=False)
        self.redis_db = self._empty_redis_db()
        passwords = home / "passwords.json"
        home.mkdir(parents=True, exist_ok=True)
        passwords.write_text(_json.dumps({"admin": self.password}))
        self.env = dict(os.environ)
        self.env.update(
            PATH=f"{self.bin}:{os.environ.get('PATH', '')}",
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
            # policywatch's plugin (the Sources page, the runs' digest notes)
            AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__UNIT_TEST_MODE="False",
            AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{self.port}/execution/",
            AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{self.port}",
            AIRFLOW__API_AUTH__JWT_SECRET=_secrets.token_hex(32),
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=self.meta_url,
            AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:6379/{self.redis_db}",
            AIRFLOW__CELERY__RESULT_BACKEND=f"redis://127.0.0.1:6379/{self.redis_db}",
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(_free_port()),
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="30",
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="5",
            # a task a dead worker had taken but not started goes back to the queue quickly
            AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT="90",
            POLICYWATCH_DATABASE_URL=self.data_url,
            POLICYWATCH_VAR_DIR=str(home / "var"),
            POLICYWATCH_REPLAY_URL=replay_url,
            POLICYWATCH_DAG_RETRY_DELAY_S="2",
            **extra_env,
        )

    # -- set-up -----------------------------------------------------------------------------

    @staticmethod
    def _empty_redis_db() -> int:
        import redis

        for number in range(15, 0, -1):
            if redis.Redis(host="127.0.0.1", port=6379, db=number).dbsize() == 0:
                return number
        raise RuntimeError("no empty Redis database among 1..15")

    def _admin(self, statement: str) -> None:
        import psycopg

        url = self._admin_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(statement)

    def airflow(self, *args: str, timeout: float = 300) -> _subprocess.CompletedProcess:
        proc = _subprocess.run(
            [str(self.bin / "airflow"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def _drop_stale_databases(self) -> None:
        import psycopg

        url = self._admin_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT datname FROM pg_database WHERE datname ~ '^policywatch_(af|data)_[0-9]+_[0-9a-f]+$'"
                )
            ]
        for name in names:
            pid = int(name.split("_")[2])
            if pid != os.getpid() and not _pid_alive(pid):
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def start(self) -> AirflowCluster:
        self._drop_stale_databases()
        self._admin(f'CREATE DATABASE "{self.meta_db}"')
        self._admin(f'CREATE DATABASE "{self.data_db}"')
        self.airflow("db", "migrate", timeout=600)
        _subprocess.run(
            ["bash", str(ROOT / "scripts" / "airflow-pools.sh")],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        # The api-server first: workers report every task's start to its execution API, and a
        # task queued before it answers fails at once.
        self.spawn("api-server", ["api-server", "--port", str(self.port), "--workers", "1"])
        self.wait_until(self._api_up, 180, "the api-server to answer")
        for name, args in self.COMPONENTS.items():
            self.spawn(name, args)
        self.wait_until(self._healthy, 240, "the scheduler to be healthy")
        return self

    def spawn(self, name: str, args: list[str]) -> None:
        log = (self.home / f"{name}.log").open("ab")
        self.processes[name] = _subprocess.Popen(
            [str(self.bin / "airflow"), *args],
            env=self.env,
            stdout=log,
            stderr=_subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with all its children
        )

    def kill(self, name: str, sig: int = _signal.SIGKILL, grace_s: float = 30) -> None:
        """Signal a component and every process below it. Airflow's task supervisor puts each
        task in a session of its own, so the component's process group alone would leave its
        running tasks (and their Scrapy subprocesses) behind: a SIGKILL here is a machine dying."""
        import psutil

        proc = self.processes.pop(name)
        try:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        for member in tree:
            try:
                member.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        try:
            proc.wait(timeout=grace_s)
        except _subprocess.TimeoutExpired:
            for member in tree:
                try:
                    member.kill()
                except psutil.NoSuchProcess:
                    pass
            proc.wait(timeout=30)
        _, alive = psutil.wait_procs(tree, timeout=grace_s)
        for member in alive:
            try:
                member.kill()
            except psutil.NoSuchProcess:
                pass

    def log(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, _signal.SIGTERM, grace_s=10)
        try:
            import redis

            redis.Redis(host="127.0.0.1", port=6379, db=self.redis_db).flushdb()
        except Exception:
            pass
        for db in (self.meta_db, self.data_db):
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Exception:
                pass

    # -- use --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _health(self) -> dict | None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {proc.returncode}:\n{self.log(name)[-4000:]}")
        try:
            return self.request("GET", "/api/v2/monitor/health", auth=False)
        except OSError:
            return None

    def _api_up(self) -> bool:
        return self._health() is not None

    def _healthy(self) -> bool:
        return ((self._health() or {}).get("scheduler") or {}).get("status") == "healthy"

    def wait_until(self, condition, timeout_s: float, what: str, interval_s: float = 1.0):
        deadline = _time.monotonic() + timeout_s
        while _time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            _time.sleep(interval_s)
        tails = "\n".join(
            f"--- {name}.log\n{self.log(name)[-2500:]}"
            for name in ("scheduler", "dag-processor", "worker", "api-server")
        )
        raise TimeoutError(f"waited {timeout_s:.0f} s for {what}\n{tails}")

    def token(self) -> str:
        body = _json.dumps({"username": "admin", "password": self.password}).encode()
        req = _urlrequest.Request(
            f"{self.url}/auth/token", data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with _urlrequest.urlopen(req, timeout=30) as response:
            return _json.loads(response.read())["access_token"]

    def request(self, method: str, path: str, payload: dict | None = None, auth: bool = True) -> dict:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        data = _json.dumps(payload).encode() if payload is not None else None
        req = _urlrequest.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        with _urlrequest.urlopen(req, timeout=30) as response:
            return _json.loads(response.read() or b"{}")

    def trigger(self, dag_id: str, *, logical_date: str | None = None, conf: dict | None = None) -> str:
        run = self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": logical_date, "conf": conf or {}})
        return run["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        from urllib.parse import quote

        return self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")["state"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout_s: float = 300) -> str:
        return self.wait_until(
            lambda: (s := self.run_state(dag_id, run_id)) in ("success", "failed") and s,
            timeout_s,
            f"{dag_id} run {run_id} to finish",
            interval_s=2,
        )

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        from urllib.parse import quote

        return self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances")[
            "task_instances"
        ]


@pytest.fixture(scope="session")
def airflow_cluster(tmp_path_factory, replay_server):
    """A running CeleryExecutor deployment of dags/ over the replay sites (skips when PostgreSQL
    or Redis is not reachable)."""
    import psycopg
    import redis

    pg_base = os.environ.get(POSTGRES_URL_ENV) or _CLUSTER_POSTGRES_DEFAULT
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=3).ping()
        psycopg.connect(pg_base.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except Exception as exc:
        pytest.skip(f"the Celery deployment needs Redis on 127.0.0.1:6379 and PostgreSQL ({pg_base}): {exc}")
    smtp = SmtpSink()  # alerts (failed task, late run) are e-mailed here: `cluster.smtp.messages`
    cluster = AirflowCluster(
        tmp_path_factory.mktemp("airflow-cluster"),
        pg_base,
        replay_server.url,
        # A run still going 3 s after it was queued is "late": every run here is (a backfilled
        # day takes ~15 s on a fast machine, where 15 s was not always late), so the Deadline
        # Alert fires for each.
        POLICYWATCH_DAG_DEADLINE_S="3",
        POLICYWATCH_DAG_MAX_ACTIVE_RUNS="2",
        # The production schedule (07:00 Asia/Shanghai, catchup off), so `airflow backfill create`
        # works; the schedule ends with the replayed month, so the scheduler starts no run of its
        # own (today's) racing the runs a test triggers.
        POLICYWATCH_DAG_SCHEDULE="0 7 * * *",
        POLICYWATCH_DAG_END_DATE="2024-03-31",
        AIRFLOW_CONN_SMTP_DEFAULT=smtp.connection_uri,
        POLICYWATCH_ALERT_EMAIL="ops@policywatch.test",
    )
    cluster.smtp = smtp
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        smtp.close()


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
