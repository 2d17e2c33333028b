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

# The quality floor of issue 15 for the shipped configuration (what `policywatch run` uses), on
# the same slices: ROUGE-1 above these lead baselines cut to the same length budget, in the same
# run. Measured when the budgets shipped; never lowered.
SHIPPED_FLOOR = {
    "FinNA": "lead-1",
    "CSL": "lead-1",
}
# the shipped budgets (summarizer/length.toml): medians on the slices must keep within them
SHIPPED_MEDIAN = {"zh": ("chars", 100), "en": ("words", 60)}

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
    """The per-dataset profiles (``--profile dataset``) against untruncated lead-k: issue 4's floors."""
    sliced = _slice(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["eval", "summarizer", "--set", str(sliced), "--json", "--profile", "dataset"])
    assert result.exit_code == 0, result.output
    rows = {row["dataset"]: row for row in json.loads(result.stdout)}
    assert {row["configuration"] for row in rows.values()} == {"dataset"}
    checked = 0
    for prefix, baseline in QUALITY_FLOOR.items():
        (row,) = [r for name, r in rows.items() if name.startswith(prefix)]
        assert row["backend"] == "extractive" and row["pairs"] == SLICE
        assert row["baseline"] == baseline
        assert row["rouge"]["r1"] > row["leads"][baseline]["r1"], (prefix, row["rouge"], row["leads"])
        assert row["guard_rejection_rate"] == 0.0  # extracted sentences state only the article
        checked += 1
    assert checked == 4


def _slice(tmp_path, monkeypatch) -> Path:
    """The first SLICE pairs of every dataset of both dev files, as one JSONL file."""
    monkeypatch.delenv("POLICYWATCH_SUMMARIZER", raising=False)
    monkeypatch.delenv("POLICYWATCH_SUMMARIZER_CONFIG", raising=False)
    monkeypatch.delenv("POLICYWATCH_SUMMARY_SENTENCES", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    sliced = tmp_path / "slice.jsonl"
    with sliced.open("w", encoding="utf-8") as out:
        for name in ("en.dev.jsonl", "zh.dev.jsonl"):
            for pair in load_pairs(EVAL_DIR / name, limit=SLICE):
                row = {
                    "id": pair.id,
                    "dataset": pair.dataset,
                    "lang": pair.language,
                    "title": pair.title,
                    "text": pair.text,
                    "reference": pair.reference,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return sliced


@pytest.mark.slow
@pytest.mark.skipif(
    not EVAL_DIR.is_dir(), reason=f"no evaluation data at {EVAL_DIR} (CI has ../shared/eval beside the checkout)"
)
def test_shipped_configuration_is_short_faithful_and_above_lead_at_the_same_budget(tmp_path, monkeypatch):
    """What `policywatch eval summarizer` measures by default: the configuration `policywatch run`
    ships, with lead-k cut to the same length budget."""
    sliced = _slice(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["eval", "summarizer", "--set", str(sliced), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["dataset"]: row for row in json.loads(result.stdout)}
    for row in rows.values():
        assert row["configuration"] == "shipped" and row["backend"] == "extractive"
        assert row["parameters"]["lengths"]["zh"]["max_chars"] == 100
        unit, budget = SHIPPED_MEDIAN["zh" if row["language"].startswith("zh") else "en"]
        assert row["length"]["unit"] == unit and row["length"]["median"] <= budget, (row["dataset"], row["length"])
        assert row["length"]["ratio_max"] <= 1.0 and row["length"]["ratio_median"] <= 0.5
        assert row["guard_rejection_rate"] == 0.0
        # the lead baselines are at the same budget: no longer than it either
        assert all(median <= budget for median in row["lead_length"].values())
    for prefix, baseline in SHIPPED_FLOOR.items():
        (row,) = [r for name, r in rows.items() if name.startswith(prefix)]
        assert row["rouge"]["r1"] > row["leads"][baseline]["r1"], (prefix, row["rouge"], row["leads"])


def test_eval_command_runs_the_shipped_configuration_by_default(pairs_file):
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "lead", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["dataset"]: row for row in json.loads(result.stdout)}
    en, zh = rows["tiny-en"], rows["tiny-zh"]
    assert en["configuration"] == "shipped" and en["parameters"]["lengths"]["en"]["max_words"] == 60
    # both tiny articles are within the budget: shown as themselves, by the backend and by lead-k alike
    assert zh["length"] == {
        "unit": "chars",
        "median": 31,
        "max": 31,
        "article_median": 31,
        "ratio_median": 1.0,
        "ratio_max": 1.0,
        "article_text_share": 1.0,
    }
    assert zh["lead_length"] == {"lead-1": 31, "lead-2": 31, "lead-3": 31}
    assert en["length"]["unit"] == "words" and en["length"]["article_text_share"] == 1.0
    table = runner.invoke(app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "lead"]).output
    assert "configuration: shipped" in table and "31ch / 31" in table
    dataset = runner.invoke(
        app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "lead", "--json", "--profile", "dataset"]
    )
    assert {row["configuration"] for row in json.loads(dataset.stdout)} == {"dataset"}
    halves = runner.invoke(
        app, ["eval", "summarizer", "--set", str(pairs_file), "--backend", "lead", "--json", "--half", "held-out"]
    )
    assert [row["pairs"] for row in json.loads(halves.stdout)] == [1]  # the odd-numbered pair of tiny-en
    assert runner.invoke(app, ["eval", "summarizer", "--set", str(pairs_file), "--profile", "nope"]).exit_code == 2
