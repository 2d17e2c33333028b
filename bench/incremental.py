"""Incremental crawling benchmark: a first and a second daily run over the unchanged replays.

    .venv/bin/python bench/incremental.py [--source ID]... [--json]

For every enabled source of the registry (or the named ones): ``python -m crawlers.run`` for
logical day 2024-03-05 on an empty SQLite database, then again for 2024-03-06, both against the
local replay of tests/fixtures/sites (no network). Reported per run: HTTP requests (counted by the
replay server, robots.txt included), answers 304, article pages parsed (the crawler's
``policywatch/articles_parsed`` stat), articles new, and the wall time of the crawl process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "tests" / "fixtures" / "sites"
DAYS = ("2024-03-05", "2024-03-06")
_STAT = re.compile(r"'policywatch/(articles_parsed|not_modified|items_new)': (\d+)")


@dataclass
class RunFigures:
    source_id: str
    run: str
    requests: int
    not_modified: int
    parsed: int
    new: int
    seconds: float
    status: str


def crawl(source_id: str, day: str, run: str, replay, database_url: str) -> RunFigures:
    env = dict(os.environ, POLICYWATCH_DATABASE_URL=database_url, POLICYWATCH_REPLAY_URL=replay.url)
    start = len(replay.requests)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "crawlers.run", "--source", source_id, "--run-id", run, "--logical-date", day],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    stats = {name: int(value) for name, value in _STAT.findall(proc.stderr)}
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    status = summary.rsplit("status=", 1)[-1] if "status=" in summary else f"exit {proc.returncode}"
    return RunFigures(
        source_id,
        run,
        len(replay.requests) - start,
        stats.get("not_modified", 0),
        stats.get("articles_parsed", 0),
        stats.get("items_new", 0),
        seconds,
        status,
    )


def table(rows: list[tuple[RunFigures, RunFigures]]) -> str:
    lines = [
        "| source | 1st: requests | 1st: parsed | 1st: new | 1st: s | 2nd: requests | 2nd: 304 | 2nd: parsed | 2nd: new | 2nd: s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    total = [0] * 9
    for first, second in rows:
        values = [
            first.requests,
            first.parsed,
            first.new,
            first.seconds,
            second.requests,
            second.not_modified,
            second.parsed,
            second.new,
            second.seconds,
        ]
        total = [t + v for t, v in zip(total, values)]
        flag = "" if first.status == second.status == "success" else f" ({first.status} / {second.status})"
        lines.append(
            f"| {first.source_id}{flag} | "
            + " | ".join(f"{v:.1f}" if isinstance(v, float) else str(v) for v in values)
            + " |"
        )
    lines.append(
        "| **all** | " + " | ".join(f"**{v:.1f}**" if isinstance(v, float) else f"**{v}**" for v in total) + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", action="append", help="only this source (repeatable); default every enabled one")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from config import load_registry
    from devtools.replay import ReplayServer

    registry = load_registry(os.environ.get("POLICYWATCH_SOURCES_FILE") or ROOT / "config" / "sources.toml")
    sources = args.source or [s.id for s in registry.enabled()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="policywatch-bench-") as tmp, ReplayServer(SITES) as replay:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        for source_id in sources:
            first = crawl(source_id, DAYS[0], "bench-day-1", replay, database_url)
            second = crawl(source_id, DAYS[1], "bench-day-2", replay, database_url)
            rows.append((first, second))
            print(f"{source_id}: {first.requests} → {second.requests} requests", file=sys.stderr)
    if args.json:
        print(json.dumps([[asdict(first), asdict(second)] for first, second in rows], indent=2))
    else:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
