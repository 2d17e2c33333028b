"""The lead-k baseline: an article's first k sentences, as every evaluation reports it.

No model. With a length budget (``max_chars``, ``max_words``, ``max_ratio``:
:mod:`summarizer.length`) the first k sentences are cut to it the way every backend's are, and an
article already within it is shown as itself: "lead-k at the same length budget". Sentences come from :func:`summarizer.sentences.split_sentences` (fragments too short to
be a sentence dropped, datelines and photo credits trimmed), so "lead-3" here is exactly what the
evaluation compares the other backends against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from summarizer.base import Document, Summarizer, Summary, normalize_language
from summarizer.length import ARTICLE_TEXT, LENGTH_OPTIONS, SUMMARY_OPTIONS, LengthOptions, article_text, fit, render
from summarizer.sentences import split_sentences

__all__ = ["LeadSummarizer", "lead_sentences"]

MAX_K = 10


def lead_sentences(doc: Document, k: int) -> list[str]:
    """The first ``k`` sentences of the body (whatever fragments there are when none is long
    enough to count as a sentence)."""
    sentences = split_sentences(doc.body, doc.language) or split_sentences(doc.body, doc.language, min_length=False)
    return sentences[:k]


class LeadSummarizer(LengthOptions, Summarizer):
    """First ``max_sentences`` sentences of each article."""

    backend = "lead"
    summary_options = SUMMARY_OPTIONS
    model_id = ""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        max_sentences: int = 3,
        max_chars: int | None = None,
        max_words: int | None = None,
        max_ratio: float | None = None,
        lengths: dict[str, dict[str, Any]] | None = None,
        trim: bool = False,
    ) -> None:
        if model not in (None, ""):
            raise ValueError("the lead backend uses no model: leave the model setting empty")
        if not 1 <= int(max_sentences) <= MAX_K:
            raise ValueError(f"max_sentences={max_sentences} is outside 1..{MAX_K}")
        self.max_sentences = int(max_sentences)
        self._init_length(lengths, max_chars, max_words, max_ratio)
        self.parameters = {"max_sentences": self.max_sentences}
        # ``trim`` (the extractive backend's headline trimming) is accepted and ignored: lead-k is
        # the article's first sentences as written
        if self.lengths or any(getattr(self, key) is not None for key in LENGTH_OPTIONS):
            self.parameters.update(self.length_parameters())

    def _compute_model_version(self) -> str:
        return "lead;v1"

    def summarize_batch(self, docs: list[Document]) -> list[Summary]:
        out = []
        for doc in docs:
            language = normalize_language(doc.language, doc.body)
            out_language = (doc.language or "").strip() or language
            whole = article_text(doc.body)
            policy = self.length_policy(language)
            if policy.is_short(whole):
                out.append(Summary(whole, [whole], out_language, kind=ARTICLE_TEXT))
                continue
            picked = lead_sentences(doc, self.max_sentences)
            picked, was_cut = fit(picked, policy.limits(whole, language), language)
            out.append(Summary(render(picked, was_cut, language), picked, out_language))
        return out
