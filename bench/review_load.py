"""The review app under a bounded local load: the queue page and the decision POST, with 10,000
summaries of one day, on SQLite and on PostgreSQL.

    .venv/bin/python bench/review_load.py [--backend sqlite|postgresql]... [--summaries 10000]
        [--seconds 15] [--connections 8] [--postgres-url URL] [--json]

For each backend: an empty database (a temporary SQLite file; a fresh PostgreSQL database,
dropped afterwards), the day stored as the pipeline stores it (devtools.review_sample: a crawl run
per source, articles, summaries with the guard's real decision), an analyst, then `policywatch
serve` (one uvicorn process) on a free loopback port. Debian's `wrk` (apt-get install wrk) sends,
logged in, for --seconds each:

* queue: GET /?day=... of pages 1..N in turn (20 summaries a page, to the last page: deep offsets too);
* decision: POST /summaries/ID/decision approve with the session's CSRF token, over every summary.

Reported: requests/s, p50, p95 and p99 latency (wrk's Lua `done` hook), non-3xx answers, and the load
average (`uptime`) before each run: the machine is shared. Target: queue page p95 < 200 ms.
Only 127.0.0.1 is ever contacted; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DAY = date(2024, 3, 5)
PASSWORD = "bench password"
PAGE_SIZE = 20

LUA_QUEUE = """
local page = 0
request = function()
  page = page % {pages} + 1
  return wrk.format("GET", "/?day={day}&page=" .. page)
end
"""
LUA_DECISION = """
local ids = {{{ids}}}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
request = function()
  i = i % #ids + 1
  return wrk.format("POST", "/summaries/" .. ids[i] .. "/decision", nil, "decision=approve&csrf_token={token}")
end
"""
LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.1f %.1f %.1f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()


def _seed(url: str, count: int) -> tuple[list[int], float]:
    from devtools.review_sample import store_sample_day, synthetic_articles
    from review import hash_password
    from storage import add_user, review_queue, session_scope

    started = time.perf_counter()
    articles = synthetic_articles(count)
    for number, article in enumerate(articles):
        object.__setattr__(article, "minute", number % 600)
    store_sample_day(url, DAY, articles)
    with session_scope(url) as session:
        add_user(session, "bench", "analyst", hash_password(PASSWORD))
        page = review_queue(session, day=DAY, tz="Asia/Shanghai", limit=count)
    return [item.summary_id for item in page.items], time.perf_counter() - started


def _login(base: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a logged-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"name": "bench", "password": PASSWORD, "csrf_token": token}).encode()
    page = opener.open(f"{base}/login", data=data, timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


def _wrk(base: str, cookie: str, script: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + LUA_DONE)
    load = _uptime()
    try:
        proc = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",  # wrk wants at least as many connections as threads
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-H",
                f"Cookie: {cookie}",
                "-s",
                handle.name,
                base + "/",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(handle.name)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed:\n{proc.stdout}\n{proc.stderr}")
    requests, micros, p50, p95, p99, errors = line.split()[1:]
    return {
        "requests": int(requests),
        "requests_per_s": round(int(requests) / (int(micros) / 1e6), 1),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "errors": int(errors),
        "load_before": load,
    }


def _serve(url: str, var: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        POLICYWATCH_DATABASE_URL=url,
        POLICYWATCH_VAR_DIR=str(var),
        POLICYWATCH_REVIEW_SECRET=uuid.uuid4().hex * 2,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "policywatch.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"policywatch serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(f"{base}/login", timeout=5).close()
            return proc, base
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _postgres_database(admin_url: str) -> tuple[str, callable]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"policywatch_bench_review_{os.getpid()}"
    base = make_url(admin_url)
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(hide_password=False), drop


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="review-bench-"))
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'policywatch.db'}"
    else:
        url, drop = _postgres_database(args.postgres_url)
    server = None
    try:
        ids, seed_s = _seed(url, args.summaries)
        server, base = _serve(url, workdir / "var")
        cookie, token = _login(base)
        pages = -(-len(ids) // PAGE_SIZE)
        queue = _wrk(base, cookie, LUA_QUEUE.format(pages=pages, day=DAY.isoformat()), args.seconds, args.connections)
        decision = _wrk(
            base, cookie, LUA_DECISION.format(ids=",".join(map(str, ids)), token=token), args.seconds, args.connections
        )
        return {
            "backend": backend,
            "summaries": len(ids),
            "seed_s": round(seed_s, 1),
            "queue": queue,
            "decision": decision,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if drop is not None:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--summaries", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    results = [run_backend(backend, args) for backend in args.backend or ["sqlite", "postgresql"]]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("| backend | summaries | request | req/s | p50 ms | p95 ms | p99 ms | errors | load before |")
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        for name in ("queue", "decision"):
            r = result[name]
            print(
                f"| {result['backend']} | {result['summaries']} | {name} | {r['requests_per_s']} | {r['p50_ms']} | "
                f"{r['p95_ms']} | {r['p99_ms']} | {r['errors']} | {r['load_before']} |"
            )


if __name__ == "__main__":
    main()
