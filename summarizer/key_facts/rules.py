"""The key-fact rules of ``rules.toml`` beside this module, loaded once and checked: a rule file
with a missing key or a pattern that does not compile is refused with the key it concerns."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("rules.toml")


class RulesError(ValueError):
    """The key-fact rule file is not usable (the message names the file and the key)."""


@dataclass(frozen=True)
class Rules:
    version: int
    heading_max_chars: int
    en_months: tuple[str, ...]
    window_cues: tuple[str, ...]
    cutoff_before: re.Pattern[str]
    cutoff_until: re.Pattern[str]
    before_after: re.Pattern[str]
    due_verbs: tuple[str, ...]
    not_before_date: tuple[str, ...]
    event_words: tuple[str, ...]
    en_deadline_cues: re.Pattern[str]
    funding_cues: tuple[str, ...]
    funding_not_cues: tuple[str, ...]
    bounds: tuple[str, ...]
    units: dict[str, int]
    en_funding_cues: tuple[str, ...]
    eligibility_cues: tuple[str, ...]
    eligibility_headings: tuple[str, ...]
    eligibility_not_after: tuple[str, ...]
    en_eligibility_cues: tuple[str, ...]
    document_number: re.Pattern[str]
    document_labels: tuple[str, ...]
    office_suffixes: tuple[str, ...]
    signature_max_chars: int
    proposal_title: re.Pattern[str]
    proposal_body: re.Pattern[str]


def _get(raw: dict[str, Any], path: str, source: Path) -> Any:
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise RulesError(f"{source}: missing key {path}")
        node = node[part]
    return node


def _pattern(raw: dict[str, Any], path: str, source: Path, flags: int = 0) -> re.Pattern[str]:
    text = _get(raw, path, source)
    try:
        return re.compile(text, flags)
    except re.error as exc:
        raise RulesError(f"{source}: {path} is not a valid regular expression: {exc}") from exc


def load_rules(path: Path = RULES_FILE) -> Rules:
    """The rules of ``path`` (default: rules.toml beside this module)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: {exc}") from exc

    def words(key: str) -> tuple[str, ...]:
        return tuple(_get(raw, key, path))

    return Rules(
        version=int(_get(raw, "version", path)),
        heading_max_chars=int(_get(raw, "sentences.heading_max_chars", path)),
        en_months=words("dates.en_months"),
        window_cues=words("deadline.window_cues"),
        cutoff_before=_pattern(raw, "deadline.cutoff_before", path),
        cutoff_until=_pattern(raw, "deadline.cutoff_until", path),
        before_after=_pattern(raw, "deadline.before_after", path),
        due_verbs=words("deadline.due_verbs"),
        not_before_date=words("deadline.not_before_date"),
        event_words=words("deadline.event_words"),
        en_deadline_cues=_pattern(raw, "deadline.en_cues", path, re.IGNORECASE),
        funding_cues=words("funding.cues"),
        funding_not_cues=words("funding.not_cues"),
        bounds=words("funding.bounds"),
        units={str(k): int(v) for k, v in _get(raw, "funding.units", path).items()},
        en_funding_cues=words("funding.en_cues"),
        eligibility_cues=words("eligibility.cues"),
        eligibility_headings=words("eligibility.headings"),
        eligibility_not_after=words("eligibility.not_after_cue"),
        en_eligibility_cues=words("eligibility.en_cues"),
        document_number=_pattern(raw, "document_number.pattern", path),
        document_labels=words("document_number.labels"),
        office_suffixes=words("issuers.suffixes"),
        signature_max_chars=int(_get(raw, "issuers.max_chars", path)),
        proposal_title=_pattern(raw, "proposal_number.title", path),
        proposal_body=_pattern(raw, "proposal_number.body", path),
    )


RULES = load_rules()
