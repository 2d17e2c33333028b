"""The interface every summarization backend implements.

A backend is built once per run (it may load a model) and then summarizes many articles through
:meth:`Summarizer.summarize_batch`. What identifies its output for storage is the triple
``backend`` / ``model_id`` / ``model_version`` plus the JSON-serialisable ``parameters``:
``storage.articles_to_summarize`` re-summarizes an article when any of them changes.

This module imports nothing heavy: ``import summarizer`` must stay cheap (Airflow parses DAGs that
import it).
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Document:
    """One article to summarize. ``language`` is a BCP-47-ish tag ("zh", "zh-CN", "en"...)."""

    title: str
    body: str
    language: str


@dataclass(frozen=True)
class Summary:
    """A summary: ``text`` is ``sentences`` joined for display ("" for Chinese, " " otherwise).

    ``guard``: the faithfulness guard's decision (:meth:`summarizer.guard.GuardResult.to_dict`,
    plus ``fallback`` when a rejected generated summary was replaced), stored with the summary;
    None when no guard ran. ``kind``: "summary", or "article_text" when the article was already
    within the length budget and ``text`` is the article's own text (shown as such, never as a
    summary)."""

    text: str
    sentences: list[str] = field(default_factory=list)
    language: str = ""
    guard: dict | None = None
    kind: str = "summary"


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def cjk_ratio(text: str) -> float:
    """Share of CJK ideographs among the letters (CJK + Latin) of ``text``; 0.0 when it has none."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def normalize_language(language: str | None, text: str = "") -> str:
    """Map a language tag to "zh" or "en" (the two the summarizers handle specially).

    Any "zh*" tag (zh, zh-CN, zh-Hans, zh_TW...) is "zh"; any other non-empty tag is returned
    lower-cased in its primary subtag ("en-US" -> "en"); an empty tag is guessed from the script of
    ``text``.
    """
    tag = (language or "").strip().lower().replace("_", "-")
    if tag:
        primary = tag.split("-", 1)[0]
        return "zh" if primary in {"zh", "cmn", "chi", "zho"} else primary
    return "zh" if cjk_ratio(text) >= 0.3 else "en"


def join_sentences(sentences: list[str], language: str) -> str:
    """Join extracted sentences the way the language writes them."""
    return ("" if normalize_language(language) == "zh" else " ").join(sentences)


def word_table(words: str) -> frozenset[str]:
    """A table of words written as one whitespace-separated string (easier to read and diff than
    one list item per line)."""
    return frozenset(words.split())


def weights_fingerprint(path: str | Path) -> str:
    """First 16 hex digits of the sha256 of a weights file (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


class Summarizer(ABC):
    """A summarization backend.

    Subclasses set ``backend`` (e.g. "extractive", later "generative", "lead"), ``model_id`` (what
    was loaded: a hub id or a path; "" for model-free backends) and ``parameters`` (a JSON-
    serialisable dict of everything that changes the output), and implement
    :meth:`summarize_batch` and :meth:`_compute_model_version`.
    """

    backend: str = ""
    model_id: str = ""
    parameters: dict
    # the summary options (summarizer.length.SUMMARY_OPTIONS) it takes: a source's length settings
    # are applied through :meth:`configured` with these only
    summary_options: tuple[str, ...] = ("max_sentences",)

    _model_version: str | None = None

    @property
    def model_version(self) -> str:
        """Identifies the weights: computed once (it may hash a file), then cached."""
        if self._model_version is None:
            self._model_version = self._compute_model_version()
        return self._model_version

    def _compute_model_version(self) -> str:
        return ""

    @abstractmethod
    def summarize_batch(self, docs: list[Document]) -> list[Summary]:
        """One summary per document, in the same order."""

    def summarize(self, doc: Document) -> Summary:
        return self.summarize_batch([doc])[0]

    def configured(self, **overrides: Any) -> Summarizer:
        """A copy with some parameters changed (summary length per source or per dataset),
        sharing the loaded model. Backends without a model build a new instance."""
        options = {k: v for k, v in self.parameters.items() if k != "algorithm"}
        options.update(overrides)
        return type(self)(self.model_id or None, **options)

    def describe(self) -> dict:
        """What storage records next to a summary."""
        return {
            "backend": self.backend,
            "model_id": self.model_id,
            "model_version": self.model_version,
            "parameters": dict(self.parameters),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self.backend!r}, model_id={self.model_id!r})"
