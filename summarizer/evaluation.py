"""Evaluation of a summarization backend on reference summaries (``policywatch eval summarizer``).

Input: a JSONL file, one pair per line with ``text``, ``reference``, ``lang`` (``zh``/``en``),
``dataset`` and optionally ``title`` and ``id`` (the format of ``../shared/eval/*.dev.jsonl``).
For every dataset in the file it reports, computed in the same run:

* ROUGE F1 x 100 of the backend (:mod:`summarizer.metrics`: English ROUGE-1/2/Lsum with the Porter
  stemmer, Chinese character-level ROUGE-1/2/L),
* the lead-1, lead-2 and lead-3 baselines (:class:`summarizer.lead.LeadSummarizer`), and the one
  named for the dataset (lead-3 for CNN/DailyMail's multi-sentence highlights, lead-1 for the
  one-sentence XSum, FinNA and CSL references, lead-2 for CLTS),
* the faithfulness guard's rejection rate (the share of the backend's own summaries whose numbers
  or names the article does not support; after a generative fallback the stored summary passes),
* milliseconds per article (batches of 16, model loaded before the clock starts) and the process's
  peak resident memory.

* the summaries' length (median and largest, in characters for Chinese and words otherwise,
  whitespace not counted; the median compression ratio, summary over article; the share shown as
  the article's own text) beside the lead baselines' median length.

Which configuration runs: given ``configure`` (the CLI passes the one `policywatch run` uses,
policywatch/summary_config.py), every dataset is summarized with it and the lead-k baselines get
the same length budget (lead-k cut to it the same way). Else, with ``use_profiles``, each dataset
gets its profile (:data:`DATASET_PROFILES`: a headline-like reference wants one short sentence,
news highlights three) and untruncated lead-k baselines.
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from summarizer.base import Document, Summarizer
from summarizer.guard import check as guard_check
from summarizer.length import ARTICLE_TEXT, LENGTH_OPTIONS, article_text, size
from summarizer.metrics import ROUGE_KEYS, rouge

__all__ = [
    "DATASET_PROFILES",
    "DatasetProfile",
    "DatasetResult",
    "EvalPair",
    "evaluate",
    "format_table",
    "load_pairs",
    "profile_for",
]

BATCH_SIZE = 16


@dataclass(frozen=True)
class DatasetProfile:
    """How a dataset's references look: which lead-k is its baseline, and the summary length
    options per backend (``options`` for the extractive one; ``max_sentences`` also tells the
    generative one how many sentences to write)."""

    baseline_k: int
    options: dict = field(default_factory=dict)


# Keys are prefixes of the ``dataset`` field. Tuned on the even-numbered pairs of each dev file
# and reported on the odd-numbered ones too (bench/summarizer.py); see bench/README.md.
DATASET_PROFILES: dict[str, DatasetProfile] = {
    # multi-sentence highlights drawn from the first sentences
    "CNN/DailyMail": DatasetProfile(3, {"max_sentences": 3}),
    # one abstractive sentence: the most central sentence, wherever it is
    "XSum": DatasetProfile(
        1,
        {
            "max_sentences": 1,
            "position_weight": 0.0,
            "length_penalty": 0.0,
            "quote_penalty": 0.0,
            "centrality_weight": 1.0,
        },
    ),
    # a headline-like sentence: the lead sentence without its date/attribution, <= 80 characters
    "FinNA": DatasetProfile(1, {"max_sentences": 1, "trim": True, "max_chars": 80, "short_as_article": False}),
    # a paper title: the abstract's most central clauses, <= 25 characters
    "CSL": DatasetProfile(
        1,
        {
            "max_sentences": 3,
            "unit": "clause",
            "max_chars": 25,
            "position_weight": 0.5,
            "centrality_weight": 2.0,
            "max_candidates": None,
            "short_as_article": False,
        },
    ),  # a title can come from any clause
    # an editor's two- or three-sentence summary
    "CLTS": DatasetProfile(2, {"max_sentences": 2}),
}
DEFAULT_PROFILE = DatasetProfile(3, {})


def profile_for(dataset: str) -> DatasetProfile:
    for prefix, profile in DATASET_PROFILES.items():
        if dataset.startswith(prefix):
            return profile
    return DEFAULT_PROFILE


@dataclass(frozen=True)
class EvalPair:
    id: str
    dataset: str
    language: str
    title: str
    text: str
    reference: str

    def document(self) -> Document:
        return Document(self.title, self.text, self.language)


def load_pairs(path: str | Path, *, limit: int | None = None, every: int = 1, offset: int = 0) -> list[EvalPair]:
    """Pairs of a JSONL file; ``limit`` keeps the first N of each dataset; ``every``/``offset``
    keep every n-th pair of each dataset starting at ``offset`` (a tuning/report split)."""
    seen: dict[str, int] = {}
    kept: dict[str, int] = {}
    pairs: list[EvalPair] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                dataset = str(row.get("dataset") or Path(path).stem)
                pair = EvalPair(
                    id=str(row.get("id") or f"{Path(path).name}:{number}"),
                    dataset=dataset,
                    language=str(row.get("lang") or row.get("language") or ""),
                    title=str(row.get("title") or ""),
                    text=str(row["text"]),
                    reference=str(row["reference"]),
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not an evaluation pair ({exc})") from None
            index = seen.get(dataset, 0)
            seen[dataset] = index + 1
            if index % every != offset:
                continue
            if limit is not None and kept.get(dataset, 0) >= limit:
                continue
            kept[dataset] = kept.get(dataset, 0) + 1
            pairs.append(pair)
    return pairs


@dataclass
class DatasetResult:
    dataset: str
    language: str
    pairs: int
    backend: str
    model_id: str
    parameters: dict
    rouge: dict[str, float]  # r1, r2, rl of the backend
    leads: dict[str, dict[str, float]]  # "lead-1".. -> r1, r2, rl
    baseline: str  # the lead-k named for this dataset
    guard_rejection_rate: float
    fallbacks: int
    ms_per_article: float
    peak_rss_mb: float
    configuration: str = "dataset"  # "shipped", "dataset" (the profiles) or "as given"
    length: dict = field(default_factory=dict)  # of the backend's summaries (see length_stats)
    lead_length: dict[str, float] = field(default_factory=dict)  # "lead-1".. -> median length

    @property
    def beats_baseline(self) -> bool:
        return self.rouge["r1"] > self.leads[self.baseline]["r1"]

    def to_dict(self) -> dict:
        out = asdict(self)
        out["beats_baseline"] = self.beats_baseline
        return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _mean_scores(scores: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.fmean(s[key] for s in scores), 2) if scores else 0.0 for key in ROUGE_KEYS}


def _options_for(summarizer: Summarizer, profile: DatasetProfile) -> dict:
    if summarizer.backend == "extractive":
        return dict(profile.options)
    if summarizer.backend == "lead":
        return {"max_sentences": profile.baseline_k}
    if "max_sentences" in summarizer.parameters:
        return {"max_sentences": profile.options.get("max_sentences", profile.baseline_k)}
    return {}


def length_unit(language: str) -> str:
    return "chars" if language.lower().startswith("zh") else "words"


def length_stats(summaries: list, items: list[EvalPair]) -> dict:
    """Median and largest size of the summaries, the median and largest compression ratio (summary
    over article, same unit), and the share shown as the article's own text."""
    if not items:
        return {}
    unit = length_unit(items[0].language)
    sizes = [size(s.text, unit) for s in summaries]
    articles = [max(1, size(article_text(p.text), unit)) for p in items]
    ratios = [s / a for s, a in zip(sizes, articles)]
    return {
        "unit": unit,
        "median": statistics.median(sizes),
        "max": max(sizes),
        "article_median": statistics.median(articles),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "article_text_share": round(sum(s.kind == ARTICLE_TEXT for s in summaries) / len(items), 4),
    }


def _lead_length_options(system: Summarizer) -> dict:
    """The length budget of ``system``, for lead-k baselines at the same budget."""
    keys = ("lengths", *LENGTH_OPTIONS)
    options = {k: system.parameters[k] for k in keys if system.parameters.get(k) is not None}
    if "lengths" in options:  # lead-k takes k sentences, whatever a language's table says
        options["lengths"] = {
            lang: {k: v for k, v in table.items() if k != "max_sentences"} for lang, table in options["lengths"].items()
        }
    return options


def evaluate(
    pairs: Iterable[EvalPair],
    summarizer: Summarizer,
    *,
    use_profiles: bool = True,
    configure: Callable[[Summarizer], Summarizer] | None = None,
) -> list[DatasetResult]:
    """Score ``summarizer`` and the lead baselines on each dataset of ``pairs``: with ``configure``
    (the shipped configuration) every dataset as ``configure(summarizer)``, the lead baselines at
    its length budget; else each dataset with its profile (``use_profiles``) or as given."""
    from summarizer.lead import LeadSummarizer

    by_dataset: dict[str, list[EvalPair]] = {}
    for pair in pairs:
        by_dataset.setdefault(pair.dataset, []).append(pair)
    shipped = configure(summarizer) if configure else None
    lead_options = _lead_length_options(shipped) if shipped else {}
    leads = {k: LeadSummarizer(max_sentences=k, **lead_options) for k in (1, 2, 3)}
    configuration = "shipped" if shipped else ("dataset" if use_profiles else "as given")
    results = []
    for dataset, items in by_dataset.items():
        profile = profile_for(dataset)
        system = shipped or summarizer
        if use_profiles and not shipped:
            options = _options_for(summarizer, profile)
            if options:
                system = summarizer.configured(**options)
        docs = [pair.document() for pair in items]
        started = time.perf_counter()
        outputs = []
        for start in range(0, len(docs), BATCH_SIZE):
            outputs.extend(system.summarize_batch(docs[start : start + BATCH_SIZE]))
        elapsed = time.perf_counter() - started

        scores, rejected, fallbacks = [], 0, 0
        for pair, summary in zip(items, outputs, strict=True):
            scores.append(rouge(summary.text, pair.reference, pair.language))
            decision = summary.guard or guard_check(summary.text, f"{pair.title}\n{pair.text}").to_dict()
            if not decision.get("passed", True):
                rejected += 1
            elif decision.get("fallback"):
                rejected += 1  # the backend's own summary was rejected, then replaced
            fallbacks += bool(decision.get("fallback"))
        lead_scores, lead_length = {}, {}
        for k, lead in leads.items():
            lead_out = lead.summarize_batch(docs)
            lead_scores[f"lead-{k}"] = _mean_scores(
                [rouge(s.text, p.reference, p.language) for s, p in zip(lead_out, items)]
            )
            lead_length[f"lead-{k}"] = length_stats(lead_out, items)["median"]
        results.append(
            DatasetResult(
                dataset=dataset,
                language=items[0].language,
                pairs=len(items),
                backend=system.backend,
                model_id=system.model_id,
                parameters=dict(system.parameters),
                rouge=_mean_scores(scores),
                leads=lead_scores,
                baseline=f"lead-{profile.baseline_k}",
                guard_rejection_rate=round(rejected / len(items), 4) if items else 0.0,
                fallbacks=fallbacks,
                ms_per_article=round(1000.0 * elapsed / max(1, len(items)), 1),
                peak_rss_mb=round(_peak_rss_mb(), 1),
                configuration=configuration,
                length=length_stats(outputs, items),
                lead_length=lead_length,
            )
        )
    return results


def format_table(results: list[DatasetResult]) -> str:
    """A plain-text table: one row per dataset."""
    header = (
        "dataset",
        "n",
        "backend R1/R2/RL",
        "lead-1",
        "lead-2",
        "lead-3",
        "baseline",
        "beats",
        "length",
        "ratio",
        "guard rej.",
        "ms/art",
        "peak MB",
    )
    rows = [header]
    for r in results:
        fmt = lambda s: "/".join(f"{s[k]:.2f}" for k in ROUGE_KEYS)  # noqa: E731
        rows.append(
            (
                r.dataset,
                str(r.pairs),
                fmt(r.rouge),
                fmt(r.leads["lead-1"]),
                fmt(r.leads["lead-2"]),
                fmt(r.leads["lead-3"]),
                r.baseline,
                "yes" if r.beats_baseline else "NO",
                _length_cell(r),
                f"{r.length.get('ratio_median', 0):.2f}",
                f"{100 * r.guard_rejection_rate:.1f}%",
                f"{r.ms_per_article:.1f}",
                f"{r.peak_rss_mb:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("ROUGE F1 x100: English R1/R2/RLsum (Porter stemmer); Chinese character-level R1/R2/RL")
    lines.append(
        "length: median of the backend's summaries (chars for Chinese, words otherwise) / of lead-1; "
        "ratio: median summary/article"
    )
    configurations = sorted({r.configuration for r in results})
    lines.append("configuration: " + ", ".join(configurations) + _CONFIGURATION_NOTE.get(configurations[0], ""))
    return "\n".join(lines)


_CONFIGURATION_NOTE = {
    "shipped": " (what `policywatch run` uses; lead-k cut to the same length budget)",
    "dataset": " (the per-dataset profiles; lead-k untruncated)",
}


def _length_cell(result: DatasetResult) -> str:
    if not result.length:
        return "-"
    unit = "ch" if result.length["unit"] == "chars" else "w"
    return f"{result.length['median']:g}{unit} / {result.lead_length.get('lead-1', 0):g}"
