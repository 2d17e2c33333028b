"""The full daily run over every replay source, first and unchanged second run (what `make demo` does).

    PYTHONPATH=. .venv/bin/python bench/daily_run.py [--before REV [--only-before]] [--repeat 2] [--json]

Each run is ``python -m policywatch.cli demo`` (the replay of tests/fixtures/sites served by the
command itself, SQLite under a fresh POLICYWATCH_VAR_DIR): the first run on an empty database,
then the second, unchanged, into the same one. Reported per run: wall time, the pages the crawls
fetched (the sum of the report's ``pages=``; robots.txt included), new articles, summaries made,
and the peak RSS of the largest process the command waited for (``wait4``'s ``ru_maxrss``: the
command itself or a crawl subprocess; processes forked by multiprocessing's fork server are
waited for by that server, not by the command).

``--before REV`` measures the tree of git revision REV too (exported with ``git archive`` into a
temporary folder, run with the same interpreter), interleaved with this checkout's runs so that
both see the same load.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_PAGES = re.compile(r"\bpages=(\d+)")
_NEW = re.compile(r"\bnew=(\d+)")
_SUMMARIZED = re.compile(r"(\d+) summarized")


def demo(tree: Path, var_dir: Path) -> dict[str, Any]:
    env = dict(
        os.environ,
        PYTHONPATH=str(tree),
        POLICYWATCH_HOME=str(tree),
        POLICYWATCH_VAR_DIR=str(var_dir),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("POLICYWATCH_DATABASE_URL", None)
    load = os.getloadavg()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "policywatch.cli", "demo"], cwd=tree, env=env, stdout=out, stderr=err
        )
        _, status, rusage = os.wait4(proc.pid, 0)  # this child's own rusage (and that of what it waited for)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"demo in {tree} failed, exit {proc.returncode}:\n{stderr[-3000:]}")
    source_lines = [line for line in stdout.splitlines() if ": success," in line or ": failed," in line]
    return {
        "wall_s": wall,
        "pages": sum(int(m) for line in source_lines for m in _PAGES.findall(line)),
        "new": sum(int(m) for line in source_lines for m in _NEW.findall(line)),
        "summarized": int(_SUMMARIZED.search(stdout).group(1)) if _SUMMARIZED.search(stdout) else None,
        "sources": len(source_lines),
        "peak_rss_mib": rusage.ru_maxrss / 1024,
        "load_before": [round(x, 2) for x in load],
    }


def day(tree: Path, label: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="policywatch-daily-") as tmp:
        runs = {run: demo(tree, Path(tmp)) for run in ("first", "second")}
    result = {"tree": label, **runs, "ratio": runs["second"]["wall_s"] / runs["first"]["wall_s"]}
    print(json.dumps(result), file=sys.stderr)
    return result


def export(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| tree | 1st: s | 1st: pages | 1st: new | 1st: summarized | 1st: peak MiB | 2nd: s | 2nd: pages | 2nd: new "
        "| 2nd: peak MiB | 2nd / 1st | load before 1st (1/5/15) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        first, second = r["first"], r["second"]
        lines.append(
            f"| {r['tree']} | {first['wall_s']:.1f} | {first['pages']} | {first['new']} | {first['summarized']} | "
            f"{first['peak_rss_mib']:.0f} | {second['wall_s']:.1f} | {second['pages']} | {second['new']} | "
            f"{second['peak_rss_mib']:.0f} | **{r['ratio']:.0%}** | "
            f"{', '.join(str(x) for x in first['load_before'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="also measure this git revision's tree (e.g. main)")
    parser.add_argument("--only-before", action="store_true", help="with --before: measure only that tree")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="policywatch-before-") as tmp:
        before = export(args.before, Path(tmp)) if args.before else None
        for _ in range(args.repeat):
            if before is not None:
                results.append(day(before, f"before ({args.before})"))
            if not args.only_before:
                results.append(day(ROOT, "this checkout"))
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
