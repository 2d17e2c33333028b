"""Crawl throughput against the replay server's own capacity, and the cost of the real politeness.

    PYTHONPATH=. .venv/bin/python bench/crawl_throughput.py [--repeat 2] [--skip-polite] [--profile FILE] [--json]

All on loopback: the replay of tests/fixtures/sites (devtools/replay.py) is served by this process
(a ThreadingHTTPServer, as in the demo and the tests). Three measurements, in one run:

1. **capacity**: `wrk` (Debian's package; `apt-get install -y wrk`) asks the replay for the very
   URLs the crawl asks for (found by a first, unmeasured crawl), round-robin, 16 connections,
   for ``--seconds``: requests per second.
2. **crawl, politeness off**: every enabled source crawled at once in ONE Scrapy process (one
   crawler per source, as the spiders run in production), empty SQLite database, no download
   delay, AutoThrottle off, 64 requests at once and 16 per host: responses per second over the
   crawl itself (Scrapy's stats, first spider opened to last closed; the process start-up and the
   schema migration are outside it) and the wall time of the process.
3. **crawl, shipped politeness**: the same crawl with crawlers/settings.py as shipped (one request
   at a time per host, DOWNLOAD_DELAY 1 s ± 50 %, AutoThrottle): what the politeness costs.

``--profile FILE`` profiles one more politeness-off crawl with pyinstrument (text report).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devtools.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
# bench/incremental.py would shadow the `incremental` package Twisted imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
SITES = ROOT / "tests" / "fixtures" / "sites"
DAY = "2024-03-05"
OFF_SETTINGS = {"CONCURRENT_REQUESTS": 64, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
WRK_CONNECTIONS = 16


def load() -> str:
    return os.popen("uptime").read().strip().split("load average:")[-1].strip()


# --- the crawl, in a child process ---------------------------------------------------------------


def crawl_child(mode: str, profile: str | None) -> dict[str, Any]:
    """Every enabled source in one CrawlerProcess (run in a fresh interpreter by :func:`crawl`)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from config import get_settings, load_registry
    from crawlers.run import apply_run_options
    from storage import upgrade_database

    config = get_settings()
    upgrade_database(config.database_url)  # before the clock: not part of the crawl
    settings = get_project_settings()
    apply_run_options(settings, run_id="bench", logical_date=DAY, log_level="WARNING", replay_overrides=mode == "off")
    if mode == "off":
        for name, value in OFF_SETTINGS.items():
            settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for source in load_registry(config.sources_file).enabled():
        crawler = process.create_crawler(source.family)
        process.crawl(crawler, source=source, until=DAY)
        crawlers.append((source.id, crawler))
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started = time.perf_counter()
    process.start()
    wall = time.perf_counter() - started
    if profiler:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    per_source = {}
    opened, closed = [], []
    for source_id, crawler in crawlers:
        stats = crawler.stats.get_stats()
        per_source[source_id] = {
            "responses": stats.get("downloader/response_count", 0),
            "parsed": stats.get("policywatch/articles_parsed", 0),
            "seconds": stats.get("elapsed_time_seconds", 0.0),
        }
        opened.append(stats["start_time"])
        closed.append(stats["finish_time"])
    crawl_seconds = (max(closed) - min(opened)).total_seconds()
    responses = sum(s["responses"] for s in per_source.values())
    return {
        "mode": mode,
        "responses": responses,
        "parsed": sum(s["parsed"] for s in per_source.values()),
        "crawl_seconds": crawl_seconds,
        "reactor_seconds": wall,
        "pages_per_s": responses / crawl_seconds if crawl_seconds else 0.0,
        "sources": per_source,
    }


def crawl(mode: str, replay_url: str, profile: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="policywatch-bench-") as tmp:
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            POLICYWATCH_REPLAY_URL=replay_url,
            POLICYWATCH_VAR_DIR=tmp,
            POLICYWATCH_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
        )
        command = [sys.executable, __file__, "--child", mode] + (["--profile", profile] if profile else [])
        started = time.perf_counter()
        proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"crawl ({mode}) failed, exit {proc.returncode}:\n{proc.stderr[-3000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = wall
    figures["load"] = load()
    return figures


# --- the replay's capacity -----------------------------------------------------------------------

_WRK_SCRIPT = """
local requests = {%s}
local i = 0
request = function()
  i = i %% #requests + 1
  return requests[i]
end
"""


def _wrk_request(replay: ReplayServer, path: str) -> str:
    """The Lua ``wrk.format`` call for ``path``, with the headers its site's replay requires (a WAF's
    Referer: without it the replay answers 403, which the crawl, sending it, never gets)."""
    host = path.lstrip("/").split("/", 1)[0]
    headers = replay.site_config(host).get("require_headers", {})
    lua_headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    return f'wrk.format("GET", {json.dumps(path)}, {{{lua_headers}}})'


def capacity(replay: ReplayServer, paths: list[str], seconds: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % ", ".join(_wrk_request(replay, p) for p in paths))
    try:
        proc = subprocess.run(
            [wrk, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "-s", script.name, replay.url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"Requests/sec:\s*([\d.]+)", proc.stdout)
    if not match:
        raise RuntimeError(f"wrk output not understood:\n{proc.stdout}\n{proc.stderr}")
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", proc.stdout)
    return {
        "requests_per_s": float(match.group(1)),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "load": load(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="times each measurement is taken")
    parser.add_argument("--seconds", type=int, default=8, help="duration of each wrk run")
    parser.add_argument("--skip-polite", action="store_true", help="leave out the crawl with the shipped settings")
    parser.add_argument("--profile", help="profile one more politeness-off crawl into this text file")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["off", "shipped"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(crawl_child(args.child, args.profile), default=str))
        return 0
    from devtools.replay import ReplayServer

    results: dict[str, Any] = {"capacity": [], "off": [], "shipped": []}
    with ReplayServer(SITES) as replay:
        crawl("off", replay.url)  # which URLs a crawl asks for
        paths = sorted(set(replay.requests))
        results["paths"] = len(paths)
        for _ in range(args.repeat):
            results["capacity"].append(capacity(replay, paths, args.seconds))
            results["off"].append(crawl("off", replay.url))
            print(
                f"capacity {results['capacity'][-1]}; crawl {results['off'][-1]['pages_per_s']:.1f}/s", file=sys.stderr
            )
        if not args.skip_polite:
            for _ in range(args.repeat):
                results["shipped"].append(crawl("shipped", replay.url))
        if args.profile:
            crawl("off", replay.url, profile=args.profile)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        print(report(results))
    return 0


def report(results: dict[str, Any]) -> str:
    lines = [
        f"{results['paths']} distinct URLs per crawl",
        "| run | replay capacity (wrk, req/s) | crawl, politeness off: pages/s | ratio | responses | crawl s | process s | load (1/5/15 min) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, (cap, off) in enumerate(zip(results["capacity"], results["off"]), 1):
        lines.append(
            f"| {i} | {cap['requests_per_s']:.0f} | {off['pages_per_s']:.1f} | "
            f"{off['pages_per_s'] / cap['requests_per_s']:.0%} | {off['responses']} | {off['crawl_seconds']:.1f} | "
            f"{off['process_seconds']:.1f} | {cap['load']} / {off['load']} |"
        )
    if results["shipped"]:
        lines += [
            "",
            "| run | shipped politeness: pages/s | responses | crawl s | process s | slowest source (s) | load |",
            "|---|---|---|---|---|---|---|",
        ]
        for i, run in enumerate(results["shipped"], 1):
            slowest = max(run["sources"].items(), key=lambda item: item[1]["seconds"])
            lines.append(
                f"| {i} | {run['pages_per_s']:.1f} | {run['responses']} | {run['crawl_seconds']:.1f} | "
                f"{run['process_seconds']:.1f} | {slowest[0]} {slowest[1]['seconds']:.1f} | {run['load']} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
