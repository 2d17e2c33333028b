"""`policywatch eval summarizer` and summarizer.evaluation.

* Always: the evaluation runner on a few pairs written here (the lead backend, no model): the
  table, the JSON, lead baselines in the same run, the guard's rejection rate, the slicing options.
* Where ``../shared/eval`` sits beside the checkout (CI has it; a fresh clone skips with a message):
  the default backend on the first pairs of every dataset of ``en.dev.jsonl`` and ``zh.dev.jsonl``
  (one model load), failing if it scores below the lead baseline named for the dataset.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from summarizer import load_summarizer
from summarizer.base import Summary
from summarizer.evaluation import evaluate, format_table, load_pairs, profile_for

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"

# The quality floor of issue 4: the default backend's ROUGE-1 must be above this lead baseline,
# computed in the same run on the same pairs. Pinned: change it only with the targets,
# never to make a failing run pass.
QUALITY_FLOOR = {
    "CNN/DailyMail": "lead-3",
    "XSum": "lead-1",
    "FinNA": "lead-1",
    "CSL": "lead-1",
}
SLICE = 20  # the first pairs of each dataset (the full files are measured by bench/summarizer.py)

PAIRS = [
    {
        "id": "a",
        "dataset": "tiny-en",
        "lang": "en",
        "title": "",
        "text": "The city opened a lab on Monday. It cost 5 million yuan. The mayor was there. "
        "Researchers will study robots.",
        "reference": "The city opened a robotics lab on Monday.",
    },
    {
        "id": "b",
        "dataset": "tiny-en",
        "lang": "en",
        "title": "",
        "text": "Rain fell across the region. Farmers welcomed it. Rivers rose by 2 metres.",
        "reference": "Farmers welcomed rain as rivers rose.",
    },
    {
        "id": "c",
        "dataset": "tiny-zh",
        "lang": "zh",
        "title": "",
        "text": "市科技局发布年度工作计划。计划包括五个部分。各区县要认真落实。",
        "reference": "市科技局发布年度计划",
    },
]


@pytest.fixture
def pairs_file(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PAIRS) + "\n", encoding="utf-8")
    return path


def test_load_pairs_slices_per_dataset(pairs_file, tmp_path):
    assert [p.id for p in load_pairs(pairs_file)] == ["a", "b", "c"]
    assert [p.id for p in load_pairs(pairs_file, limit=1)] == ["a", "c"]
    assert [p.id for p in load_pairs(pairs_file, every=2, offset=1)] == ["b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no reference"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1: not an evaluation pair"):
        load_pairs(bad)


def test_lead_backend_equals_its_own_baseline_and_the_table(pairs_file):
    results = evaluate(load_pairs(pairs_file), load_summarizer("lead", max_sentences=3))
    by_name = {r.dataset: r for r in results}
    en, zh = by_name["tiny-en"], by_name["tiny-zh"]
    assert en.pairs == 2 and zh.pairs == 1 and en.backend == "lead"
    # an unknown dataset: three sentences, lead-3 as baseline, which is what the backend does
    assert en.baseline == "lead-3" and en.rouge == en.leads["lead-3"] and not en.beats_baseline
    assert en.leads["lead-1"]["r1"] != en.leads["lead-3"]["r1"]
    assert en.guard_rejection_rate == 0.0 and en.ms_per_article >= 0 and en.peak_rss_mb > 10
    # lead-1 of the Chinese pair: 市科技局发布年度工作计划 vs 市科技局发布年度计划 (10 of 12 / 10)
    assert zh.leads["lead-1"]["r1"] == pytest.approx(100 * 2 * (10 / 12) / (10 / 12 + 1.0), abs=0.01)
    table = format_table(results)
    assert "tiny-en" in table and "lead-3" in table and "Chinese character-level" in table


def test_guard_rejections_are_counted(pairs_file):
    class Inventing(type(load_summarizer("lead"))):
        """Writes a number the article does not have."""

        def summarize_batch(self, docs):
            return [Summary("It cost 7 million yuan.", ["It cost 7 million yuan."], "en") for _ in docs]

    results = evaluate(load_pairs(pairs_file, limit=1), Inventing(max_sentences=1), use_profiles=False)
    assert [r.guard_rejection_rate for r in results] == [1.0, 1.0]


def test_profiles_name_the_baseline_of_each_reference_kind():
    assert profile_for("CNN/DailyMail test (via FRANK)").baseline_k == 3
    assert profile_for("XSum test (via FRANK)").baseline_k == 1
    assert profile_for("FinNA (CFLEB/BBT-FinCUGE) eval").options["max_chars"] == 80
    assert profile_for("something else").baseline_k == 3


def test_eval_command_json_and_table(pairs_file):
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "lead", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["dataset"] for r in rows] == ["tiny-en", "tiny-zh"]
    assert set(rows[0]) >= {
        "rouge",
        "leads",
        "baseline",
        "beats_baseline",
        "guard_rejection_rate",
        "ms_per_article",
        "peak_rss_mb",
        "parameters",
        "model_id",
    }
    result = runner.invoke(app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "lead", "--limit", "1"])
    assert result.exit_code == 0 and "tiny-zh" in result.output and " 1 " in result.output
    result = runner.invoke(app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "nope"])
    assert result.exit_code == 2


@pytest.mark.slow
@pytest.mark.skipif(
    not EVAL_DIR.is_dir(), reason=f"no evaluation data at {EVAL_DIR} (CI has ../shared/eval beside the checkout)"
)
def test_default_backend_is_above_the_lead_baseline_of_each_dataset(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_SUMMARIZER", raising=False)
    monkeypatch.delenv("POLICYWATCH_SUMMARIZER_CONFIG", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    sliced = tmp_path / "slice.jsonl"
    with sliced.open("w", encoding="utf-8") as out:
        for name in ("en.dev.jsonl", "zh.dev.jsonl"):
            for pair in load_pairs(EVAL_DIR / name, limit=SLICE):
                out.write(
                    json.dumps(
                        {
                            "id": pair.id,
                            "dataset": pair.dataset,
                            "lang": pair.language,
                            "title": pair.title,
                            "text": pair.text,
                            "reference": pair.reference,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    result = CliRunner().invoke(app, ["eval", "summarizer", "--set", str(sliced), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["dataset"]: row for row in json.loads(result.stdout)}
    checked = 0
    for prefix, baseline in QUALITY_FLOOR.items():
        (row,) = [r for name, r in rows.items() if name.startswith(prefix)]
        assert row["backend"] == "extractive" and row["pairs"] == SLICE
        assert row["baseline"] == baseline
        assert row["rouge"]["r1"] > row["leads"][baseline]["r1"], (prefix, row["rouge"], row["leads"])
        assert row["guard_rejection_rate"] == 0.0  # extracted sentences state only the article
        checked += 1
    assert checked == 4
