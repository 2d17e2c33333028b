"""The summary configuration that ships: what `policywatch run` summarizes each source with, and
what `policywatch eval summarizer` measures by default (the same function, so the figures describe
the summaries users get).

Options, each layer over the one before: the shipped defaults (``summarizer/length.toml``: a
length budget per language, Chinese headline trimming), then POLICYWATCH_SUMMARIZER_CONFIG's
``[summarizer]`` table and POLICYWATCH_SUMMARY_SENTENCES, then the source's ``[sources.summary]``
table in the registry. A backend gets only the options it takes (``Summarizer.summary_options``:
the generative one takes ``max_sentences``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from config import Settings, SourceConfig

if TYPE_CHECKING:
    from summarizer import Summarizer

__all__ = ["configured_for", "summary_options"]


def summary_options(settings: Settings, source: SourceConfig | None = None) -> dict[str, Any]:
    """The summary options of ``source`` (None: of any article, as the evaluation runs it)."""
    from summarizer.length import SUMMARY_OPTIONS, shipped_options

    options = shipped_options()
    configured = {key: value for key, value in settings.summarizer_options.items() if key in SUMMARY_OPTIONS}
    # a language's table in the configuration file changes that language's budget, not the others'
    lengths = options["lengths"]
    for language, table in (configured.pop("lengths", None) or {}).items():
        lengths[language] = {**lengths.get(language, {}), **table}
    options.update(configured)
    explicit = "max_sentences" in configured or bool(os.environ.get("POLICYWATCH_SUMMARY_SENTENCES"))
    options.setdefault("max_sentences", settings.summary_sentences)
    if source is not None:
        explicit |= source.summary.max_sentences is not None
        options.update(source.summary.options())
    if explicit:  # a count set by the user or the source wins over a language's own
        for table in lengths.values():
            table.pop("max_sentences", None)
    return options


def configured_for(summarizer: Summarizer, settings: Settings, source: SourceConfig | None = None) -> Summarizer:
    """``summarizer`` (its model shared) with the shipped summary options of ``source``."""
    options = summary_options(settings, source)
    return summarizer.configured(**{k: v for k, v in options.items() if k in summarizer.summary_options})
