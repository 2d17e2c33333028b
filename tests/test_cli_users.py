"""`policywatch users add|list|passwd` and `policywatch serve` (policywatch/review_commands.py):
passwords are prompted for or read from standard input, never arguments, and stored as argon2
hashes; serve refuses to start without POLICYWATCH_REVIEW_SECRET."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from policywatch.cli import app

runner = CliRunner()


@pytest.fixture
def db_env(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    return database_url


def _user(url: str, name: str):
    from storage import find_user, session_scope

    with session_scope(url) as session:
        return find_user(session, name)


def test_add_list_and_passwd_with_password_stdin(db_env):
    from review import verify_password

    added = runner.invoke(app, ["users", "add", "ana", "--role", "analyst", "--password-stdin"], input="first secret\n")
    assert added.exit_code == 0, added.output
    assert "added analyst ana" in added.output and "first secret" not in added.output
    assert runner.invoke(app, ["users", "add", "vic", "--password-stdin"], input="viewer pass\n").exit_code == 0
    stored = _user(db_env, "ana")
    assert stored.role == "analyst" and stored.password_hash.startswith("$argon2id$")
    assert verify_password("first secret", stored.password_hash)

    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and listed.output.splitlines() == ["ana\tanalyst", "vic\tviewer"]

    changed = runner.invoke(app, ["users", "passwd", "ana", "--password-stdin"], input="second secret\n")
    assert changed.exit_code == 0, changed.output
    assert verify_password("second secret", _user(db_env, "ana").password_hash)
    assert not verify_password("first secret", _user(db_env, "ana").password_hash)


def test_the_password_is_prompted_twice_without_stdin(db_env, monkeypatch):
    answers = iter(["typed secret", "typed secret", "one thing", "another"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert runner.invoke(app, ["users", "add", "ana", "--role", "analyst"]).exit_code == 0
    differ = runner.invoke(app, ["users", "passwd", "ana"])
    assert differ.exit_code == 2 and "the two passwords differ" in differ.output
    from review import verify_password

    assert verify_password("typed secret", _user(db_env, "ana").password_hash)


def test_bad_input_gets_a_clear_error(db_env):
    def run(*args: str, stdin: str = "long enough\n"):
        return runner.invoke(app, ["users", *args], input=stdin)

    assert "--role 'admin': expected one of analyst, viewer" in run("add", "x", "--role", "admin").output
    short = run("add", "ana", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output and _user(db_env, "ana") is None
    assert run("add", "ana", "--password-stdin").exit_code == 0
    again = run("add", "ana", "--password-stdin")
    assert again.exit_code == 1 and "exists already" in again.output
    assert "no user 'bob'" in run("passwd", "bob", "--password-stdin").output
    spaced = run("add", "two words", "--password-stdin")
    assert spaced.exit_code == 2 and "users add:" in spaced.output
    # a password is no argument
    assert run("add", "eve", "--password", "x").exit_code == 2 and _user(db_env, "eve") is None


def test_serve_without_a_secret_is_one_configuration_line(db_env, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_REVIEW_SECRET", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("configuration error: POLICYWATCH_REVIEW_SECRET is not set")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_loopback_with_its_login(tmp_path):
    import os

    port = _free_port()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        POLICYWATCH_VAR_DIR=str(tmp_path / "var"),
        POLICYWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}",
        POLICYWATCH_REVIEW_SECRET="t" * 40,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "policywatch.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    assert response.status == 200 and b'name="csrf_token"' in response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "serve did not answer in 60 s"
                time.sleep(0.5)
        # a page redirects to the login (urllib follows it)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.url.endswith("/login")
    finally:
        server.terminate()
        server.wait(timeout=20)
