"""The faithfulness guard of key facts: a fact is kept only when its sentence is in the article,
its text is in its sentence, the summary guard (:func:`summarizer.guard.check`) finds every number
and name of its text in that sentence, and its value is what its text normalises to."""

from __future__ import annotations

from summarizer.guard import check as guard_check
from summarizer.key_facts.fields import Fact
from summarizer.key_facts.normalise import amount_text_value, parse_date
from summarizer.key_facts.text import NoticeText


def unsupported_reason(fact: Fact, notice: NoticeText) -> str | None:
    """Why ``fact`` is not supported by ``notice`` (None: it is)."""
    if fact.sentence not in notice.text:
        return "its sentence is not in the article"
    if fact.text not in fact.sentence:
        return "its text is not in its sentence"
    result = guard_check(fact.text, fact.sentence)
    if not result.passed:
        return f"its text states what its sentence does not ({result.reason})"
    if fact.field == "deadline":
        year = notice.default_year if not fact.details.get("year_given", True) else None
        parsed = parse_date(fact.text, year)
        if parsed is None or parsed.iso != fact.value:
            return f"{fact.text!r} does not normalise to {fact.value}"
    elif fact.field == "funding":
        if amount_text_value(fact.text) != fact.value:
            return f"{fact.text!r} is not {fact.value} yuan"
    elif str(fact.value) not in fact.text and fact.field != "eligibility":
        return f"{fact.value!r} is not in its text"
    return None
