"""Crawl throughput against the replay server's own capacity, and the cost of the real politeness.

    PYTHONPATH=. .venv/bin/python bench/crawl_throughput.py [--repeat 2] [--skip-polite] [--profile FILE] [--json]

All on loopback: the replay of tests/fixtures/sites (devtools/replay.py) is served by this process
(a ThreadingHTTPServer, as in the demo and the tests). Each measurement in one run, ``--repeat``
times:

1. **capacity**: `wrk` (Debian's package; `apt-get install -y wrk`) asks the replay for the very
   URLs the crawl asks for (found by a first, unmeasured crawl), round-robin, 16 connections,
   for ``--seconds``: requests per second.
2. **bare Scrapy**: the same URLs (``--bare-repeat`` times over, for a steady state) fetched by a
   spider that does nothing with its responses, in one Scrapy process with the crawl's
   concurrency: what any Scrapy crawl can reach on this machine, before it parses or stores
   anything. The ceiling against which the capacity target has to be read.
3. **crawl as ``policywatch run``**: the crawl stage of the daily run, as shipped against a
   replay (crawlers.settings.REPLAY_OVERRIDES: no delay, 4 requests at once per host): every
   enabled source in a process of its own forked from the fork server, POLICYWATCH_CRAWL_PARALLEL
   at once, empty SQLite database; pages/s = the crawl reports' pages over the stage's wall time
   (fork server start included, schema migration not).
4. **crawl, politeness off, one process**: every enabled source at once in ONE Scrapy process
   (one crawler per source), no download delay, AutoThrottle off, 64 requests at once and 16 per
   host: responses per second over the crawl itself (Scrapy's stats, first spider opened to last
   closed; the process start-up and the schema migration are outside it).
5. **crawl, shipped politeness**: that crawl with crawlers/settings.py as shipped (one request
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


def daily_crawl_child() -> dict[str, Any]:
    """The crawl stage of ``policywatch run`` (policywatch.pipeline.crawl_day), nothing after it."""
    from datetime import date

    from config import get_settings
    from policywatch.pipeline import crawl_day, prepare_database, registry, selected_sources

    settings = get_settings()
    day = date.fromisoformat(DAY)
    reg = registry(settings)
    prepare_database(settings, reg=reg)  # before the clock, as in the other crawls
    started = time.perf_counter()
    reports = crawl_day(selected_sources(None, reg=reg), day, "bench", since=None, until=day, settings=settings)
    seconds = time.perf_counter() - started
    pages = sum(r.pages for r in reports)
    return {
        "mode": "daily",
        "parallel": settings.crawl_parallel,
        "responses": pages,
        "new": sum(r.new for r in reports),
        "failed": [r.source_id for r in reports if not r.ok],
        "crawl_seconds": seconds,
        "pages_per_s": pages / seconds,
    }


def bare_child(urls_file: str) -> dict[str, Any]:
    """Scrapy alone: the URLs fetched by a spider that drops every response, same concurrency."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawlers import settings as project

    requests = json.loads(Path(urls_file).read_text(encoding="utf-8"))

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            for url, headers in requests:
                yield scrapy.Request(url, headers=headers, dont_filter=True)

        def parse(self, response):
            return None

    process = CrawlerProcess(
        {
            **OFF_SETTINGS,
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": False,
            "HTTPERROR_ALLOW_ALL": True,  # the crawl also gets the replay's 404s
            "TELNETCONSOLE_ENABLED": False,
            "TWISTED_REACTOR": project.TWISTED_REACTOR,
            "CONCURRENT_ITEMS": project.CONCURRENT_ITEMS,
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    seconds = (stats["finish_time"] - stats["start_time"]).total_seconds()
    responses = stats.get("downloader/response_count", 0)
    return {"mode": "bare", "responses": responses, "crawl_seconds": seconds, "pages_per_s": responses / seconds}


def bare(replay: ReplayServer, paths: list[str], repeat: int) -> dict[str, Any]:
    requests = [[replay.url + path, _site_headers(replay, path)] for path in paths] * repeat
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as urls:
        json.dump(requests, urls)
    try:
        return crawl("bare", replay.url, extra=["--urls", urls.name])
    finally:
        os.unlink(urls.name)


def crawl(mode: str, replay_url: str, profile: str | None = None, extra: list[str] | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="policywatch-bench-") as tmp:
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            POLICYWATCH_REPLAY_URL=replay_url,
            POLICYWATCH_VAR_DIR=tmp,
            POLICYWATCH_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
        )
        command = [sys.executable, __file__, "--child", mode, *(extra or [])]
        command += ["--profile", profile] if profile else []
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


def _site_headers(replay: ReplayServer, path: str) -> dict[str, str]:
    """The headers the replay of ``path``'s site requires (a WAF's Referer: without it the replay
    answers 403, which the crawl, sending it, never gets)."""
    return replay.site_config(path.lstrip("/").split("/", 1)[0]).get("require_headers", {})


def _wrk_request(replay: ReplayServer, path: str) -> str:
    """The Lua ``wrk.format`` call for ``path``, with the headers its site requires."""
    headers = _site_headers(replay, path)
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
    parser.add_argument("--bare-repeat", type=int, default=5, help="times the bare Scrapy crawl asks for each URL")
    parser.add_argument("--skip-polite", action="store_true", help="leave out the crawl with the shipped settings")
    parser.add_argument("--profile", help="profile one more politeness-off crawl into this text file")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["off", "shipped", "daily", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.child:
        if args.child == "daily":
            figures = daily_crawl_child()
        elif args.child == "bare":
            figures = bare_child(args.urls)
        else:
            figures = crawl_child(args.child, args.profile)
        print(json.dumps(figures, default=str))
        return 0
    from devtools.replay import ReplayServer

    results: dict[str, Any] = {"capacity": [], "bare": [], "daily": [], "off": [], "shipped": []}
    with ReplayServer(SITES) as replay:
        crawl("off", replay.url)  # which URLs a crawl asks for
        paths = sorted(set(replay.requests))
        results["paths"] = len(paths)
        for _ in range(args.repeat):
            results["capacity"].append(capacity(replay, paths, args.seconds))
            results["bare"].append(bare(replay, paths, args.bare_repeat))
            results["daily"].append(crawl("daily", replay.url))
            results["off"].append(crawl("off", replay.url))
            print(
                f"capacity {results['capacity'][-1]['requests_per_s']:.0f}/s; "
                + "; ".join(f"{mode} {results[mode][-1]['pages_per_s']:.1f}/s" for mode in ("bare", "daily", "off")),
                file=sys.stderr,
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
        "| run | replay capacity (wrk, req/s) | bare Scrapy: pages/s (ratio) | crawl as `policywatch run`: "
        "pages/s (ratio) | one-process crawl, politeness off: pages/s (ratio) | crawl s (run / one process) "
        "| load (1/5/15 min) at wrk / at the one-process crawl |",
        "|---|---|---|---|---|---|---|",
    ]
    runs = zip(results["capacity"], results["bare"], results["daily"], results["off"])
    for i, (cap, bare_run, daily, off) in enumerate(runs, 1):
        served = cap["requests_per_s"]
        lines.append(
            f"| {i} | {served:.0f} | {bare_run['pages_per_s']:.0f} ({bare_run['pages_per_s'] / served:.0%}) | "
            f"{daily['pages_per_s']:.1f} ({daily['pages_per_s'] / served:.0%}) | "
            f"{off['pages_per_s']:.1f} ({off['pages_per_s'] / served:.0%}) | "
            f"{daily['crawl_seconds']:.1f} / {off['crawl_seconds']:.1f} | {cap['load']} / {off['load']} |"
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
