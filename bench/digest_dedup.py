"""How well the digest merges articles into stories, and how fast (results in bench/README.md).

Two sets:

* a synthetic day of 2,000 articles (seeded, deterministic) with planted duplicates: reposts with
  small edits (a sentence dropped, characters changed, a source line added, another host), URL
  variants (http/https, m./www.), and zh/en pairs (the English written from the same facts:
  numbers, dates, places), among notices that share boilerplate (hard negatives). The thresholds
  of digest/dedup.py and digest/crosslang.py were tuned on this set (``--sweep``).
* the replay corpus of the demo day (152 articles), hand-labelled in
  tests/fixtures/digest/story_labels.json, never used for tuning: reported separately.

For each: pair precision, recall and F1 of same-language and of cross-language pairs, B-cubed F1
(per language, and over everything), the clustering time, the time of the whole digest (model
and four formats), and memory (tracemalloc peak of the clustering, the process's max RSS).

    PYTHONPATH=. .venv/bin/python bench/digest_dedup.py [--replay-db URL] [--sweep] [--json]

Without --replay-db the demo is run first into a temporary folder (about a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from digest_synthetic import synthetic_day  # noqa: E402  (bench/ is on sys.path when run as a script)

from digest import DigestItem, DigestSection, build_digest_model  # noqa: E402
from digest.crosslang import CrossLanguageConfig  # noqa: E402
from digest.dedup import DedupConfig  # noqa: E402
from digest.render import render_format  # noqa: E402
from digest.stories import cluster_items  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 3, 5)
LABELS = ROOT / "tests" / "fixtures" / "digest" / "story_labels.json"

# ------------------------------------------------------------------------------------- metrics


def _pairs(groups: list[int], languages: list[str], cross: bool) -> set[tuple[int, int]]:
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    return {
        (i, j)
        for ids in members.values()
        for i, j in combinations(ids, 2)
        if (languages[i][:2] != languages[j][:2]) == cross
    }


def _prf(predicted: set, gold: set) -> dict:
    hit = len(predicted & gold)
    p = hit / len(predicted) if predicted else 1.0
    r = hit / len(gold) if gold else 1.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "gold_pairs": len(gold),
        "predicted_pairs": len(predicted),
    }


def _bcubed_fast(predicted: list[int], gold: list[int], languages: list[str] | None) -> float:
    # B-cubed from the sizes of the (predicted, gold) intersections, per language when given
    from collections import Counter

    key = (lambda i: languages[i][:2]) if languages else (lambda i: "")
    both = Counter((predicted[i], gold[i], key(i)) for i in range(len(gold)))
    pred_size = Counter((predicted[i], key(i)) for i in range(len(gold)))
    gold_size = Counter((gold[i], key(i)) for i in range(len(gold)))
    p = sum(n * n / pred_size[(pg, k)] for (pg, _, k), n in both.items()) / len(gold)
    r = sum(n * n / gold_size[(g, k)] for (_, g, k), n in both.items()) / len(gold)
    return 2 * p * r / (p + r)


def evaluate(
    items: list[DigestItem],
    gold: list[int],
    dedup: DedupConfig | None = None,
    crosslang: CrossLanguageConfig | None = None,
) -> dict:
    languages = [i.language for i in items]
    started = time.perf_counter()
    groups = cluster_items(items, dedup, crosslang)
    seconds = time.perf_counter() - started
    # memory in a second run: tracemalloc slows the code it watches (about 2.5x here)
    tracemalloc.start()
    cluster_items(items, dedup, crosslang)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    predicted = [0] * len(items)
    for number, members in enumerate(groups):
        for i in members:
            predicted[i] = number
    return {
        "articles": len(items),
        "gold_stories": len(set(gold)),
        "predicted_stories": len(groups),
        "same_language": _prf(_pairs(predicted, languages, False), _pairs(gold, languages, False)),
        "cross_language": _prf(_pairs(predicted, languages, True), _pairs(gold, languages, True)),
        "bcubed_f1_same_language": _bcubed_fast(predicted, gold, languages),
        "bcubed_f1_all": _bcubed_fast(predicted, gold, None),
        "cluster_seconds": seconds,
        "cluster_peak_mib": peak / 2**20,
    }


def whole_digest_seconds(items: list[DigestItem]) -> float:
    """The digest of the day: model (stories, themes) and the four formats."""
    started = time.perf_counter()
    sections = [DigestSection("s", "Source", items)]
    digest = build_digest_model(DAY, sections, datetime(2024, 3, 5, 7, tzinfo=UTC))
    for name in ("html", "md", "json", "atom"):
        render_format(digest, name)
    return time.perf_counter() - started


def replay_corpus(database_url: str | None) -> tuple[list[DigestItem], list[int]]:
    if database_url is None:
        var = tempfile.mkdtemp(prefix="policywatch-bench-")
        env = dict(
            os.environ, POLICYWATCH_VAR_DIR=var, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1"
        )
        subprocess.run([sys.executable, "-m", "policywatch.cli", "demo"], env=env, check=True, capture_output=True)
        database_url = f"sqlite:///{var}/policywatch.db"
    from digest.render import sections_from_entries
    from storage import digest_entries, session_scope

    with session_scope(database_url) as session:
        sections = sections_from_entries(digest_entries(session, DAY), SH)
    items = [item for section in sections for item in section.items]
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    story_of = {url: n for n, urls in enumerate(labels["stories"]) for url in urls}
    urls = {i.url for i in items}
    missing = [u for u in story_of if u not in urls]
    if missing:
        raise SystemExit(f"labelled URLs not in the corpus: {missing}")
    gold = [story_of.get(item.url, len(story_of) + i + 1000) for i, item in enumerate(items)]
    return items, gold


def sweep(items: list[DigestItem], gold: list[int]) -> list[dict]:
    rows = []
    for size in (3, 4, 5):
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            result = evaluate(items, gold, DedupConfig(shingle=size, threshold=threshold))
            rows.append(
                {
                    "shingle": size,
                    "threshold": threshold,
                    "f1": result["same_language"]["f1"],
                    "precision": result["same_language"]["precision"],
                    "recall": result["same_language"]["recall"],
                }
            )
    for min_facts, min_shared in ((2, 3), (3, 4), (3, 5), (4, 5)):
        result = evaluate(items, gold, crosslang=CrossLanguageConfig(min_facts=min_facts, min_shared=min_shared))
        rows.append(
            {
                "min_facts": min_facts,
                "min_shared": min_shared,
                **{k: result["cross_language"][k] for k in ("precision", "recall", "f1")},
            }
        )
    return rows


def _line(name: str, r: dict) -> str:
    s, c = r["same_language"], r["cross_language"]
    return (
        f"| {name} | {r['articles']} | {s['gold_pairs']} | {s['precision']:.3f} | {s['recall']:.3f} | **{s['f1']:.3f}** | "
        f"{c['gold_pairs']} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {r['bcubed_f1_same_language']:.3f} | "
        f"{r['bcubed_f1_all']:.3f} | {r['cluster_seconds']:.2f} s | {r['cluster_peak_mib']:.0f} MiB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replay-db", help="database of a demo run (default: run the demo first)")
    parser.add_argument("--sweep", action="store_true", help="also the threshold sweep on the synthetic set")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items, gold = synthetic_day()
    synthetic = evaluate(items, gold)
    synthetic["whole_digest_seconds"] = whole_digest_seconds(items)
    replay_items, replay_gold = replay_corpus(args.replay_db)
    replay = evaluate(replay_items, replay_gold)
    results = {
        "synthetic": synthetic,
        "replay": replay,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if args.sweep:
        results["sweep"] = sweep(items, gold)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        "| set | articles | same-lang gold pairs | P | R | F1 | cross-lang gold pairs | P | R | F1 | B³ F1 same-lang | B³ F1 all | clustering | peak |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(_line("synthetic day (tuning set)", synthetic))
    print(_line("replay corpus, hand-labelled (held out)", replay))
    print(
        f"\nwhole synthetic day, model and four formats: {synthetic['whole_digest_seconds']:.2f} s; process max RSS {results['max_rss_mib']:.0f} MiB"
    )
    for row in results.get("sweep", []):
        print(row)


if __name__ == "__main__":
    main()
