"""Parse time of every DAG file in dags/, as the dag-processor sees it.

Each measurement runs in a fresh interpreter (so nothing the DAG file imports is already
cached), imports Airflow first (the dag-processor has it loaded), then times one
``DagBag(dag_folder=<file>)``: Airflow's own per-file duration (the figure `airflow dags report`
shows) and the wall time, and lists the heavy modules the file pulled in.

    .venv/bin/python bench/dag_parse.py [--repeat 5] [--json]

Target: under 0.5 s per file on this machine (2 cores), and no heavy module.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
HEAVY_MODULES = ("torch", "transformers", "scrapy", "summarizer", "crawlers", "storage", "sqlalchemy.orm.decl_api")
TARGET_S = 0.5

PROBE = r"""
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
heavy = sys.argv[2].split(",")
before = set(sys.modules)
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
wall = time.perf_counter() - started
stats = bag.dagbag_stats
print("PROBE " + json.dumps({
    "airflow_s": sum(s.duration.total_seconds() for s in stats),
    "wall_s": wall,
    "dags": sorted(bag.dags),
    "errors": {k: str(v)[-500:] for k, v in bag.import_errors.items()},
    "heavy": sorted(m for m in heavy if m in sys.modules and m not in before),
}))
"""


def dag_files() -> list[Path]:
    return sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))


def measure(dag_file: Path) -> dict:
    env = dict(os.environ)
    # Never ~/airflow: a throw-away AIRFLOW_HOME unless the caller chose one.
    env.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="dag-parse-"))
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(dag_file), ",".join(HEAVY_MODULES)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("PROBE ")]
    if not lines:
        raise RuntimeError(f"{dag_file.name}: no measurement (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("PROBE ") :])


def run(repeat: int) -> list[dict]:
    results = []
    for dag_file in dag_files():
        samples = [measure(dag_file) for _ in range(repeat)]
        airflow_s = [s["airflow_s"] for s in samples]
        results.append(
            {
                "file": dag_file.name,
                "dags": samples[0]["dags"],
                "errors": samples[0]["errors"],
                "heavy": sorted({m for s in samples for m in s["heavy"]}),
                "median_s": statistics.median(airflow_s),
                "max_s": max(airflow_s),
                "wall_median_s": statistics.median(s["wall_s"] for s in samples),
                "repeat": repeat,
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = run(args.repeat)
    if args.json:
        print(json.dumps(results))
    else:
        print("| DAG file | DAGs | parse median (s) | parse max (s) | DagBag wall median (s) | heavy modules |")
        print("|---|---|---|---|---|---|")
        for r in results:
            print(
                f"| {r['file']} | {', '.join(r['dags'])} | {r['median_s']:.3f} | {r['max_s']:.3f} | "
                f"{r['wall_median_s']:.3f} | {', '.join(r['heavy']) or 'none'} |"
            )
    bad = [r for r in results if r["errors"] or r["heavy"] or r["max_s"] >= TARGET_S]
    for r in bad:
        print(f"{r['file']}: over target or broken: {r}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
