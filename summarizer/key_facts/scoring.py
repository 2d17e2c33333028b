"""Precision and recall of each key fact against a labelled set of notices
(tests/fixtures/key_facts/notices.json: each notice's text, its labels and its split), for
bench/key_facts.py and the CI gate (tests/test_key_facts_quality.py).

A predicted fact counts as right when: deadline, document number, proposal number — equal to the
label (the ISO date with its time, if the label has one); funding — a labelled amount of the same
yuan (each label matched once); issuers — a labelled office; eligibility — its text contains the
labelled phrase. Precision = right / predicted, recall = right / labelled (None when there are none).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.key_facts import FIELDS, KeyFacts, extract_key_facts


@dataclass
class FieldScore:
    right: int = 0
    predicted: int = 0
    labelled: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.right / self.labelled if self.labelled else None


def load_notices(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def facts_of(notice: dict[str, Any]) -> KeyFacts:
    year = int(notice["published_at"][:4]) if notice.get("published_at") else None
    return extract_key_facts(
        notice["title"],
        notice["body"],
        language=notice.get("language", "zh"),
        published_year=year,
        metadata=notice.get("metadata"),
    )


def _match(name: str, predicted: list[Any], labels: Any) -> tuple[int, int, int]:
    """(right, predicted, labelled) of one field of one notice."""
    if name == "funding":
        wanted = Counter(label["yuan"] for label in labels)
        right = sum((Counter(predicted) & wanted).values())
        return right, len(predicted), sum(wanted.values())
    if name == "issuers":
        return len(set(predicted) & set(labels)), len(set(predicted)), len(set(labels))
    if name == "eligibility":
        right = sum(1 for value in predicted if any(phrase in value for phrase in labels))
        return right, len(predicted), 1 if labels else 0
    wanted = [] if labels is None else [labels]
    return sum(1 for value in predicted if value in wanted), len(predicted), len(wanted)


def score(notices: Iterable[dict[str, Any]]) -> dict[str, FieldScore]:
    """Per field, the counts over ``notices``."""
    scores = {name: FieldScore() for name in FIELDS}
    for notice in notices:
        facts = facts_of(notice)
        for name in FIELDS:
            right, predicted, labelled = _match(name, facts.values(name), notice["labels"][name])
            scores[name].right += right
            scores[name].predicted += predicted
            scores[name].labelled += labelled
    return scores


def errors(notice: dict[str, Any]) -> list[str]:
    """What the extractor got wrong on one notice, one line per field (for --errors)."""
    facts = facts_of(notice)
    out = []
    for name in FIELDS:
        right, predicted, labelled = _match(name, facts.values(name), notice["labels"][name])
        if right != predicted or right != labelled:
            out.append(f"{notice['id']}: {name}: got {facts.values(name)!r}, labelled {notice['labels'][name]!r}")
    return out
