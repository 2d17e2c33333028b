"""Key facts: per-field precision and recall on the labelled notices, tune and held-out halves.

    .venv/bin/python bench/key_facts.py            # the table (Markdown)
    .venv/bin/python bench/key_facts.py --errors   # and each wrong field of the tune half
    .venv/bin/python bench/key_facts.py --errors --split held_out

The labelled set is tests/fixtures/key_facts/notices.json (its README says how it was labelled
and split). The rules (summarizer/key_facts/rules.toml) were written looking at the tune half only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.key_facts import FIELDS  # noqa: E402
from summarizer.key_facts.scoring import errors, load_notices, score  # noqa: E402

NOTICES = ROOT / "tests" / "fixtures" / "key_facts" / "notices.json"


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the wrong fields of --split")
    parser.add_argument("--split", default="tune", choices=["tune", "held_out"])
    args = parser.parse_args()
    notices = load_notices(NOTICES)
    started = time.perf_counter()
    halves = {split: [n for n in notices if n["split"] == split] for split in ("tune", "held_out")}
    results = {split: score(half) for split, half in halves.items()}
    seconds = time.perf_counter() - started
    print(f"{len(notices)} notices: {len(halves['tune'])} tune, {len(halves['held_out'])} held_out\n")
    print(
        "| field | tune P | tune R | tune right/pred/labelled | held-out P | held-out R | held-out right/pred/labelled |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in FIELDS:
        t, h = results["tune"][name], results["held_out"][name]
        print(
            f"| {name} | {fmt(t.precision)} | {fmt(t.recall)} | {t.right}/{t.predicted}/{t.labelled} "
            f"| {fmt(h.precision)} | {fmt(h.recall)} | {h.right}/{h.predicted}/{h.labelled} |"
        )
    load = os.getloadavg()[0]
    print(
        f"\n{len(notices)} notices extracted in {seconds:.1f} s (jieba's dictionary load included), load average {load:.2f}"
    )
    if args.errors:
        print()
        for notice in halves[args.split]:
            for line in errors(notice):
                print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
