"""`make airflow` (scripts/airflow-standalone.sh) as an operator runs it: the api-server answers on
loopback only, the plugin's pages are mounted (the review app behind its own login), the replay
server takes the FAIL faults, and a SIGTERM stops every process the script started within 10 s."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

FAULT = "kjj.cq.gov.cn/zwxx_176/tzgg/index.html"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _other_address() -> str | None:
    """A non-loopback IPv4 address of this machine, if it has one."""
    import psutil

    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                return address.address
    return None


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _redirect(url: str) -> tuple[int, str | None]:
    """The status and Location of ``url``'s answer, the redirect not followed."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=5) as response:
            return response.status, response.headers.get("location")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("location")


def _tree(pid: int) -> list:
    import psutil

    try:
        top = psutil.Process(pid)
        return [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def test_make_airflow_binds_loopback_injects_faults_and_stops_everything_on_sigterm(tmp_path):
    import psutil

    port, replay_port = _free_port(), _free_port()
    env = dict(os.environ)
    env.update(
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        AIRFLOW_HOME=str(tmp_path / "airflow"),
        AIRFLOW_PORT=str(port),
        POLICYWATCH_REPLAY_PORT=str(replay_port),
        POLICYWATCH_VAR_DIR=str(tmp_path / "var"),
        POLICYWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}",
        FAIL=f"{FAULT}=404",
        # the scheduler must start no run of its own meanwhile
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(_free_port()),
    )
    for name in list(env):  # the session's Airflow settings are not the script's
        if name.startswith("AIRFLOW__") and name not in (
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
        ):
            del env[name]
    log = (tmp_path / "make-airflow.log").open("wb")
    script = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "airflow-standalone.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives `make airflow`
    )
    seen: dict[int, psutil.Process] = {}
    try:
        deadline = time.monotonic() + 300
        while True:
            assert script.poll() is None, (tmp_path / "make-airflow.log").read_text()[-4000:]
            seen.update({p.pid: p for p in _tree(script.pid)})
            try:
                health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health").read())
                if (health.get("scheduler") or {}).get("status") == "healthy":
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "make-airflow.log").read_text()[-4000:]
            time.sleep(1)
        time.sleep(3)  # every component up, the LocalExecutor's workers included
        seen.update({p.pid: p for p in _tree(script.pid)})

        # The api-server listens on loopback only.
        listening = [
            c.laddr
            for p in seen.values()
            for c in _connections(p)
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port
        ]
        assert listening and all(addr.ip == "127.0.0.1" for addr in listening), listening
        other = _other_address()
        if other:
            with pytest.raises(OSError), socket.create_connection((other, port), timeout=3):
                pass
        # The plugin's Sources page is mounted (it wants the UI's login).
        assert _get(f"http://127.0.0.1:{port}/policywatch/sources") == 401
        # The review app is mounted too, behind its own login (Airflow logs nobody in to it).
        assert _redirect(f"http://127.0.0.1:{port}/review/") == (303, "/review/login")
        assert _get(f"http://127.0.0.1:{port}/review/login") == 200
        # The replay server answers the FAIL fault, and the rest as usual.
        assert _get(f"http://127.0.0.1:{replay_port}/{FAULT}") == 404
        assert _get(f"http://127.0.0.1:{replay_port}/www.ichongqing.info/feed/") == 200
        # A small executor: AIRFLOW_PARALLELISM (4) LocalExecutor workers, not 32.
        workers = [p for p in seen.values() if _alive(p) and "LocalExecutor" in " ".join(_cmdline(p))]
        assert len(workers) <= 4, [_cmdline(p) for p in workers]
    finally:
        seen.update({p.pid: p for p in _tree(script.pid)})
        started = time.monotonic()
        script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        while time.monotonic() - started < 30 and (_group_alive(script.pid) or any(_alive(p) for p in seen.values())):
            time.sleep(0.1)
        stopped_in = time.monotonic() - started
        left = [(p.pid, _cmdline(p)) for p in seen.values() if _alive(p)]
        group_left = _group_alive(script.pid)
        for pid, _ in left:  # never leave them behind, whatever the assertions say
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    print(f"make airflow: {len(seen)} processes, all stopped {stopped_in:.1f} s after SIGTERM")
    assert not left and not group_left, left
    assert stopped_in <= 10, f"stopped in {stopped_in:.1f} s"
    assert len(seen) > 5  # the replay, standalone and its components were all seen (and stopped)


def _alive(process) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _cmdline(process) -> list[str]:
    try:
        return process.cmdline()
    except Exception:
        return []


def _connections(process) -> list:
    try:
        return process.net_connections(kind="inet")
    except Exception:
        return []


def _group_alive(pgid: int) -> bool:
    """Whether any process of the script's process group is still running (zombies aside)."""
    import psutil

    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.NoSuchProcess, PermissionError):
            continue
    return False
