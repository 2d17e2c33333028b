"""One reader per key fact; each returns :class:`Fact` objects with the sentence they quote, or
nothing (a field is left empty rather than guessed). The cues are those of ``rules.toml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from summarizer.key_facts.normalise import DATE, EN_DATE, RANGE, amounts, date_of, en_date, range_end
from summarizer.key_facts.rules import RULES
from summarizer.key_facts.text import NoticeText, Sentence, sentences

# a clause ends at a comma, semicolon or colon, but not at one inside a number ("150,000", "17:00")
_CLAUSE = re.compile(r"(?:[^，,；;。：:]|(?<=[0-9])[,:](?=[0-9]))+")
_DATE_LINE = re.compile(
    r"^\s*(?:(?:19|20)[0-9]{2}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日|(?:19|20)[0-9]{2}[-./][0-9]{1,2}[-./][0-9]{1,2})\s*$"
)
_ATTACHMENT = re.compile(r"^\s*(?:附件|附：)|\.(?:pdf|docx?|xlsx?|wps|zip|rar)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Fact:
    """One key fact: ``value`` normalised, ``text`` as written, ``sentence`` where it was read."""

    field: str
    value: Any
    text: str
    sentence: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "text": self.text, "sentence": self.sentence, **self.details}


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


# ---------------------------------------------------------------------------------- deadline


def _deadline_in(sentence: Sentence, default_year: int | None) -> Fact | None:
    text = sentence.text
    eventful = _has(text, RULES.event_words) and "截止" not in text and "截至" not in text
    window = _has(text, RULES.window_cues)
    for match in DATE.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        if any(before.rstrip().endswith(word) or before[-8:].find(word) >= 0 for word in RULES.not_before_date):
            continue
        ranged = RANGE.match(text, match.start())
        if ranged is not None and (window or RULES.cutoff_before.search(before)) and not eventful:
            value = range_end(ranged, default_year)
            if value is not None:
                return Fact("deadline", value.iso, ranged.group(0).strip(), text, {"year_given": value.year_given})
        value = date_of(match, "a", default_year)
        if value is None:
            continue
        cutoff = RULES.cutoff_before.search(before) is not None
        until = before.rstrip().endswith("截至") and RULES.cutoff_until.match(after) is not None
        due = RULES.before_after.match(after) is not None and _has(text, RULES.due_verbs)
        if (cutoff or until or due or (window and not eventful)) and not (eventful and not (cutoff or until)):
            span_end = match.end()
            tail = RULES.before_after.match(after) or (RULES.cutoff_until.match(after) if until else None)
            if tail is not None:
                span_end += tail.end()
            span_start = match.start() - 2 if until else match.start()
            return Fact(
                "deadline", value.iso, text[span_start:span_end].strip(), text, {"year_given": value.year_given}
            )
        if ranged is not None:
            break  # the start of a range that is no deadline: its end is neither
    return None


def _en_deadline_in(sentence: Sentence) -> Fact | None:
    for match in EN_DATE.finditer(sentence.text):
        if RULES.en_deadline_cues.search(sentence.text[: match.start()]):
            value = en_date(match)
            if value is not None:
                return Fact("deadline", value.iso, match.group(0), sentence.text, {"year_given": True})
    return None


def deadline(notice: NoticeText) -> list[Fact]:
    """The first deadline of the body (the end of an application window, a date before 前 with
    something due, a 截止 date, 截至…止); a date a condition or an event has is none."""
    for sentence in sentences(notice.body):
        fact = _en_deadline_in(sentence) if notice.language == "en" else _deadline_in(sentence, notice.default_year)
        if fact is not None:
            return [fact]
    return []


# ----------------------------------------------------------------------------------- funding


def funding(notice: NoticeText) -> list[Fact]:
    """Amounts an applicant may get: an amount in a clause with a funding word and no word of a
    requirement, a total or a past figure."""
    facts: list[Fact] = []
    for sentence in sentences(notice.body):
        for clause in _CLAUSE.finditer(sentence.text):
            words = clause.group(0)
            english = notice.language == "en"
            cues = RULES.en_funding_cues if english else RULES.funding_cues
            if not _has(words.lower() if english else words, cues) or _has(words, RULES.funding_not_cues):
                continue
            for amount in amounts(words):
                details = {"yuan": amount.yuan} if amount.low is None else {"yuan": amount.yuan, "low": amount.low}
                facts.append(Fact("funding", amount.yuan, amount.text, sentence.text, details))
    unique: dict[tuple[int, str], Fact] = {}
    for fact in facts:
        unique.setdefault((fact.value, fact.text), fact)
    return list(unique.values())


# ------------------------------------------------------------------------------- eligibility


def eligibility(notice: NoticeText) -> list[Fact]:
    """The first sentence that says who may apply ("申报单位应为…"), without its heading."""
    listed = sentences(notice.body)
    for i, sentence in enumerate(listed):
        text = sentence.text
        if notice.language == "en":
            if _has(text.lower(), RULES.en_eligibility_cues):
                return [Fact("eligibility", text, text, text)]
            continue
        heading = re.match(r"^[一二三四五六七八九十0-9]+[、.．]\s*(?P<h>[^。：:]{1,12})[。：:]?\s*$", text)
        if heading and _has(heading["h"], RULES.eligibility_headings) and i + 1 < len(listed):
            following = listed[i + 1].text
            return [Fact("eligibility", following, following, following)]
        # the earliest cue, the longest there ("项目申报单位应" before "申报单位应"); not one that
        # says when or how ("申报单位应于活动举办前…")
        at = [
            (text.index(c), -len(c), c)
            for c in RULES.eligibility_cues
            if c in text and not text[text.index(c) + len(c) :].startswith(RULES.eligibility_not_after)
        ]
        if not at:
            continue
        start, _, cue = min(at)
        # the condition starts at its cue, or after a heading ("一、入库条件。在重庆市内…")
        if cue in RULES.eligibility_headings:
            rest = re.match(r"[^。：:]*[。：:]\s*", text[start:])
            if rest is None or not text[start + rest.end() :].strip():
                continue
            start += rest.end()
        value = text[start:].strip()
        return [Fact("eligibility", value, value, text)]
    return []


# --------------------------------------------------------------------------- document number


def document_number(notice: NoticeText) -> list[Fact]:
    """The notice's own 文号: the crawler's metadata (the page's 文号 cell), else a body line that
    is a 文号 or follows a 文号 label; a number cited in the text (《…》（渝科局发〔2024〕12号）) is
    another document's."""
    for line in notice.metadata_lines:
        label, _, value = line.partition("：")
        if label in RULES.document_labels:
            match = RULES.document_number.search(value)
            if match:
                return [Fact("document_number", match.group(0), match.group(0), line, {"source": "metadata"})]
    for line in notice.body_lines:
        match = RULES.document_number.search(line)
        if match is None:
            continue
        labelled = any(re.match(rf"^\s*{label}\s*[:：]?\s*$", line[: match.start()]) for label in RULES.document_labels)
        if labelled or line.strip() == match.group(0):
            return [Fact("document_number", match.group(0), match.group(0), line, {"source": "body"})]
    return []


# ----------------------------------------------------------------------------------- issuers


def _offices(line: str) -> list[str] | None:
    parts = [part for part in re.split(r"[\s　、]+", line.strip()) if part]
    if not parts or len(line.strip()) > RULES.signature_max_chars:
        return None
    if all(
        re.fullmatch(r"[\u4e00-\u9fff（）()]{3,30}", part) and part.endswith(RULES.office_suffixes) for part in parts
    ):
        return parts
    return None


def issuers(notice: NoticeText) -> list[Fact]:
    """The offices of the signature (the office lines above the closing date), else those named
    in the title before 关于."""
    lines = notice.body_lines
    end = len(lines)
    while end and (_DATE_LINE.match(lines[end - 1]) or _ATTACHMENT.search(lines[end - 1])):
        end -= 1
    found: list[tuple[str, str]] = []
    if end < len(lines) or end == len(lines):
        i = end
        while i and (offices := _offices(lines[i - 1])) is not None:
            found = [(office, lines[i - 1]) for office in offices] + found
            i -= 1
        if i == 0:  # the whole body is office names: not a signature
            found = []
    if not found and "关于" in notice.title:
        offices = _offices(notice.title.split("关于", 1)[0])
        found = [(office, notice.title) for office in offices or ()]
    seen: set[str] = set()
    return [
        Fact("issuers", office, office, sentence)
        for office, sentence in found
        if not (office in seen or seen.add(office))
    ]


# --------------------------------------------------------------------------- proposal number


def proposal_number(notice: NoticeText) -> list[Fact]:
    """The number of the CPPCC proposal a reply answers: 第0118号提案 in the title, or
    《…提案》（第0118号） in the body."""
    match = RULES.proposal_title.search(notice.title)
    if match is not None:
        return [Fact("proposal_number", match["number"], match["text"], notice.title)]
    for sentence in sentences(notice.body):
        match = RULES.proposal_body.search(sentence.text)
        if match is not None:
            return [Fact("proposal_number", match["number"], match.group(0), sentence.text)]
    return []


READERS = {
    "deadline": deadline,
    "funding": funding,
    "eligibility": eligibility,
    "document_number": document_number,
    "issuers": issuers,
    "proposal_number": proposal_number,
}
