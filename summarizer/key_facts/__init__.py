"""Key facts of a notice: deadline, funding amounts, who may apply, document number (文号),
issuing offices, the CPPCC proposal number a reply answers.

```python
from summarizer.key_facts import extract_key_facts

facts = extract_key_facts(title, body, language="zh", published_year=2024, metadata=article.extra)
facts.to_dict()   # what articles.extra["key_facts"] stores
```

Rules are data (``rules.toml``: cue words and patterns, read by :mod:`~summarizer.key_facts.fields`);
values are normalised by :mod:`~summarizer.key_facts.normalise` (dates to ISO 8601 with the time
when given, amounts to integer yuan beside the text as written, Chinese numerals through
``cn2an``; document numbers as written). Every fact quotes the sentence it came from and passes
the faithfulness guard (:mod:`~summarizer.key_facts.faithful`): one that does not is left out and
named in ``rejected``. A field without a fact is left empty rather than guessed. No model: the
dictionary of ``jieba`` (the summary guard's) is the heaviest thing loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from summarizer.key_facts.faithful import unsupported_reason
from summarizer.key_facts.fields import READERS, Fact
from summarizer.key_facts.rules import RULES
from summarizer.key_facts.text import notice_text

__all__ = ["FIELDS", "KEY_FACTS_VERSION", "KeyFacts", "extract_key_facts"]

KEY_FACTS_VERSION = RULES.version
FIELDS = tuple(READERS)
# one value per notice for these; lists for the others
SINGLE = ("deadline", "document_number", "eligibility", "proposal_number")


@dataclass(frozen=True)
class KeyFacts:
    facts: tuple[Fact, ...]
    rejected: tuple[dict[str, Any], ...]

    def values(self, name: str) -> list[Any]:
        return [fact.value for fact in self.facts if fact.field == name]

    def to_dict(self) -> dict[str, Any]:
        """JSON of ``articles.extra["key_facts"]``: one dict (or None) for the single fields, a
        list for funding and issuers, the rules' version and the rejected facts."""
        out: dict[str, Any] = {"version": KEY_FACTS_VERSION}
        for name in FIELDS:
            mine = [fact.to_dict() for fact in self.facts if fact.field == name]
            out[name] = (mine[0] if mine else None) if name in SINGLE else mine
        out["rejected"] = list(self.rejected)
        return out


def extract_key_facts(
    title: str,
    body: str,
    *,
    language: str = "zh",
    published_year: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> KeyFacts:
    """The key facts of one notice. ``published_year`` dates a deadline written without its year
    (3月20日); ``metadata`` is the crawler's ``extra`` (its ``document_number`` is the page's 文号)."""
    notice = notice_text(title, body, language=language, metadata=metadata, default_year=published_year)
    kept: list[Fact] = []
    rejected: list[dict[str, Any]] = []
    for name, read in READERS.items():
        for fact in read(notice):
            reason = unsupported_reason(fact, notice)
            if reason is None:
                kept.append(fact)
            else:
                rejected.append({"field": name, "text": fact.text, "reason": reason})
    return KeyFacts(tuple(kept), tuple(rejected))
