"""A synthetic day of 1,000 / 5,000 / 10,000 articles through storage, summarizer and digest.

    PYTHONPATH=. .venv/bin/python bench/scale_day.py [--sizes 1000 5000 10000] [--repeat 2] [--sample 200]
        [--stages storage summarize-lead summarize-extractive digest] [--json]

The articles are bench/digest_synthetic.py's day (seeded; Chinese and English, with planted
reposts and translations), spread over 10 sources. Each stage of each size runs in a fresh
interpreter, so that its peak memory (``ru_maxrss``) is its own:

* **storage**: every article upserted (``storage.upsert_article``, one transaction per 50 as the
  crawl's pipeline commits per item batch) into an empty SQLite database, under one crawl run
  per source of the day; the articles are read one at a time from a JSON-lines file the parent
  wrote, so the stage's memory is storage's own, not the input's;
* **summarize, lead** and **summarize, extractive**: ``policywatch.pipeline.summarize_pending``
  with the model-free lead backend, and with the shipped extractive summarizer (MiniLM) on a copy
  of the database, each on the newest ``--sample`` articles of the day (``limit``): time per
  article. Not the whole day: most of a summary's time is the faithfulness guard's jieba tagging
  of the article (bench/README.md), 10,000 articles take most of an hour on 2 shared cores;
* **digest**: ``build_digest`` of the day (stories, themes, the four formats) from the database.

Reported per stage: wall seconds, CPU seconds (user + system: what load on a shared machine
changes least) and per item, the process's peak RSS and its peak above the RSS after the stage's
imports (the data's share).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2024, 3, 5)
SOURCES = [f"bench_{i}" for i in range(10)]
BATCH = 50
STAGES = ("storage", "summarize-lead", "summarize-extractive", "digest")
INPUT = "input.jsonl"  # the synthetic day, one article a line (write_input)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


# --- the stages, each in its own process ---------------------------------------------------------


def synthetic_items(size: int) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from digest_synthetic import synthetic_day

    return synthetic_day(seed=7, size=size)[0]


def write_input(path: Path, size: int) -> None:
    """The synthetic day as JSON lines, written by the parent before the storage stage: the stage
    reads one line at a time, so that its peak memory is storage's, not the input's."""
    with path.open("w", encoding="utf-8") as out:
        for item in synthetic_items(size):
            row = {
                "url": item.url,
                "title": item.title,
                "published_at": item.published_at.isoformat(),
                "language": item.language,
                "body": item.body,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_input(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def stage_storage(items: Iterable[dict[str, Any]]) -> int:
    from config import get_settings
    from storage import ArticleRecord, session_scope, start_crawl_run, upgrade_database, upsert_article, upsert_source
    from storage.models import CrawlRun

    settings = get_settings()
    upgrade_database(settings.database_url)
    with session_scope(settings.database_url) as session:
        for source_id in SOURCES:
            upsert_source(
                session,
                id=source_id,
                name=source_id,
                host=f"{source_id}.test",
                language="zh",
                family="trs",
                enabled=True,
            )
    runs = {}
    for source_id in SOURCES:
        with session_scope(settings.database_url) as session:
            runs[source_id] = start_crawl_run(session, source_id=source_id, run_id="bench", logical_date=DAY).id
    stored = 0
    rows = iter(items)
    while batch := list(islice(rows, BATCH)):
        with session_scope(settings.database_url) as session:
            for item in batch:
                source_id = SOURCES[stored % len(SOURCES)]
                record = ArticleRecord(
                    url=item["url"] + f"#{stored}",  # the synthetic day's URL variants are distinct rows here
                    source_id=source_id,
                    section="bench",
                    title=item["title"],
                    published_at=datetime.fromisoformat(item["published_at"]).astimezone(UTC),
                    language=item["language"],
                    body=item["body"],
                )
                upsert_article(session, record, session.get(CrawlRun, runs[source_id]))
                stored += 1
    return stored


def stage_summarize(backend: str, limit: int | None) -> int:
    from policywatch.pipeline import summarize_pending

    return summarize_pending(backend=backend, limit=limit).summarized


def stage_digest() -> int:
    from policywatch.pipeline import build_digest

    return build_digest(DAY).articles


def child(stage: str, size: int, sample: int) -> dict[str, Any]:
    # the stage's imports first, so that the baseline RSS holds the libraries
    items: Iterator[dict[str, Any]] = iter(())
    if stage == "storage":
        import storage  # noqa: F401

        # the benchmark's input, read as it is stored (written by the parent: write_input)
        items = read_input(Path(os.environ["POLICYWATCH_VAR_DIR"]) / INPUT)
    elif stage.startswith("summarize"):
        import policywatch.pipeline  # noqa: F401
        import summarizer.lead  # noqa: F401

        if stage == "summarize-extractive":
            import torch  # noqa: F401
            import transformers  # noqa: F401

            import summarizer.extractive  # noqa: F401
    else:
        import digest  # noqa: F401
        import policywatch.pipeline  # noqa: F401
        import storage  # noqa: F401
    baseline = _rss_mib()
    cpu = _cpu_s()
    started = time.perf_counter()
    if stage == "storage":
        count = stage_storage(items)
    elif stage == "summarize-lead":
        count = stage_summarize("lead", sample)
    elif stage == "summarize-extractive":
        count = stage_summarize("extractive", sample)
    else:
        count = stage_digest()
    seconds = time.perf_counter() - started
    cpu = _cpu_s() - cpu
    peak = _rss_mib()
    return {
        "stage": stage,
        "size": size,
        "count": count,
        "seconds": seconds,
        "cpu_s": cpu,
        "peak_mib": peak,
        "data_mib": peak - baseline,
    }


def run_stage(stage: str, size: int, sample: int, var_dir: Path) -> dict[str, Any]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        POLICYWATCH_VAR_DIR=str(var_dir),
        POLICYWATCH_DATABASE_URL=f"sqlite:///{var_dir / 'bench.db'}",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    command = [sys.executable, __file__, "--child", stage, "--sizes", str(size), "--sample", str(sample)]
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=7200)
    if proc.returncode != 0:
        raise RuntimeError(f"{stage} ({size}) failed, exit {proc.returncode}:\n{proc.stderr[-3000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["load"] = _load()
    return figures


def measure(size: int, sample: int, stages: list[str]) -> list[dict[str, Any]]:
    """The stages of one size, on one database (the extractive sample on a copy of it); storage
    always runs (the others need its database) but is reported only when asked for."""
    with tempfile.TemporaryDirectory(prefix="policywatch-scale-") as tmp:
        main, copy = Path(tmp) / "main", Path(tmp) / "copy"
        main.mkdir()
        write_input(main / INPUT, size)
        rows = [run_stage("storage", size, sample, main)]
        shutil.copytree(main, copy)
        if "summarize-lead" in stages:
            rows.append(run_stage("summarize-lead", size, sample, main))
        if "summarize-extractive" in stages:
            rows.append(run_stage("summarize-extractive", size, sample, copy))
        if "digest" in stages:
            rows.append(run_stage("digest", size, sample, main))
        rows = [row for row in rows if row["stage"] in stages]
    for row in rows:
        print(f"{size}: {row}", file=sys.stderr)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| articles | stage | items | s | CPU s | CPU ms per item | peak RSS MiB | above imports MiB | load (1/5/15) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (STAGES.index(r["stage"]), r["size"])):
        per = row["cpu_s"] / row["count"] * 1000 if row["count"] else 0.0
        load = ", ".join(f"{x:.1f}" for x in row["load"])
        lines.append(
            f"| {row['size']} | {row['stage']} | {row['count']} | {row['seconds']:.1f} | {row['cpu_s']:.1f} | {per:.1f} | "
            f"{row['peak_mib']:.0f} | {row['data_mib']:.0f} | {load} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sample", type=int, default=200, help="articles the summarize stages are timed on")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(args.child, args.sizes[0], args.sample)))
        return 0
    rows = [row for _ in range(args.repeat) for size in args.sizes for row in measure(size, args.sample, args.stages)]
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    print(f"finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
