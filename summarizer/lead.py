"""The lead-k baseline: an article's first k sentences, as every evaluation reports it.

No model. Sentences come from :func:`summarizer.sentences.split_sentences` (fragments too short to
be a sentence dropped, datelines and photo credits trimmed), so "lead-3" here is exactly what the
evaluation compares the other backends against.
"""

from __future__ import annotations

from pathlib import Path

from summarizer.base import Document, Summarizer, Summary, join_sentences, normalize_language
from summarizer.sentences import split_sentences

__all__ = ["LeadSummarizer", "lead_sentences"]

MAX_K = 10


def lead_sentences(doc: Document, k: int) -> list[str]:
    """The first ``k`` sentences of the body (whatever fragments there are when none is long
    enough to count as a sentence)."""
    sentences = split_sentences(doc.body, doc.language) or split_sentences(doc.body, doc.language, min_length=False)
    return sentences[:k]


class LeadSummarizer(Summarizer):
    """First ``max_sentences`` sentences of each article."""

    backend = "lead"
    model_id = ""

    def __init__(self, model: str | Path | None = None, *, max_sentences: int = 3) -> None:
        if model not in (None, ""):
            raise ValueError("the lead backend uses no model: leave the model setting empty")
        if not 1 <= int(max_sentences) <= MAX_K:
            raise ValueError(f"max_sentences={max_sentences} is outside 1..{MAX_K}")
        self.max_sentences = int(max_sentences)
        self.parameters = {"max_sentences": self.max_sentences}

    def _compute_model_version(self) -> str:
        return "lead;v1"

    def summarize_batch(self, docs: list[Document]) -> list[Summary]:
        out = []
        for doc in docs:
            language = normalize_language(doc.language, doc.body)
            picked = lead_sentences(doc, self.max_sentences)
            out.append(Summary(join_sentences(picked, language), picked, (doc.language or "").strip() or language))
        return out
