"""Evaluation gate of the generic fallback extractor (bench/extraction.py on the shared fundus pages).

Runs when ``../shared/eval/extraction/fundus.dev.jsonl.gz`` exists beside the checkout (CI has it);
skipped with a message otherwise. About 20 s.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "eval" / "extraction" / "fundus.dev.jsonl.gz"

# Floors of the generic fallback on the 59 dev pages, measured 2026-11-29 (bench/README.md:
# P 0.900, R 0.990, F1 0.937), minus a small margin for library noise. Never lower them silently:
# a change that needs a lower floor must say why in its commit and in bench/README.md.
MIN_F1 = 0.93
MIN_PRECISION = 0.89
MIN_RECALL = 0.98
MIN_TITLE_EXACT = 0.70
MIN_DATE_DAY = 0.90


def _benchmark():
    spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_metric_counts_cjk_characters_and_words():
    bench = _benchmark()
    assert bench.tokens("重庆 Science-City 2024年") == {"重": 1, "庆": 1, "science": 1, "city": 1, "2024": 1, "年": 1}
    p, r, f = bench.precision_recall_f1("科技局 通知 extra", "科技局通知")
    assert (round(p, 3), r) == (0.833, 1.0) and round(f, 3) == 0.909
    assert bench.precision_recall_f1("", "正文") == (0.0, 0.0, 0.0)


@pytest.mark.skipif(
    not CASES.is_file(), reason=f"evaluation pages not found at {CASES} (../shared is not beside this checkout)"
)
def test_generic_fallback_meets_its_floors_and_beats_plain_trafilatura():
    ours, plain = _benchmark().run_benchmark(CASES)
    assert ours.system == "policywatch generic" and ours.pages == plain.pages >= 50
    summary = f"generic P {ours.precision:.3f} R {ours.recall:.3f} F1 {ours.f1:.3f}; trafilatura F1 {plain.f1:.3f}"
    assert ours.f1 >= MIN_F1, summary
    assert ours.precision >= MIN_PRECISION, summary
    assert ours.recall >= MIN_RECALL, summary
    assert ours.f1 >= plain.f1, summary  # at least as good as plain trafilatura on the same pages
    assert ours.title_ok >= MIN_TITLE_EXACT and ours.date_ok >= MIN_DATE_DAY, (ours.title_ok, ours.date_ok)
