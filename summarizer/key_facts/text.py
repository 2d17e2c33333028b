"""The text a notice's key facts are read from, cut into sentences that are verbatim substrings
of it (so each fact can quote the sentence it came from)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.key_facts.rules import RULES

# what ends a sentence; a line end ends one too
_END = re.compile(r"[。！？!?]+|\n")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fffA-Za-z]")

# metadata keys of ``articles.extra`` that the crawler read from the page, and how the notice labels them
METADATA_LABELS = {"document_number": "文号", "issuing_office": "发布机构"}


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    line: int  # the number of the line it is on (0: the title)


@dataclass(frozen=True)
class NoticeText:
    """Title, body and metadata lines ("文号：渝科局函〔2023〕97号") as one text."""

    title: str
    body: str
    metadata_lines: tuple[str, ...]
    language: str
    default_year: int | None

    @property
    def text(self) -> str:
        return "\n".join((self.title, self.body, *self.metadata_lines))

    @property
    def body_lines(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


def notice_text(
    title: str, body: str, *, language: str, metadata: dict | None = None, default_year: int | None = None
) -> NoticeText:
    lines = tuple(
        f"{label}：{metadata[key]}" for key, label in METADATA_LABELS.items() if metadata and metadata.get(key)
    )
    return NoticeText(title or "", body or "", lines, language, default_year)


def _is_heading(segment: str) -> bool:
    return 0 < len(_IDEOGRAPH.findall(segment)) <= RULES.heading_max_chars


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text``; a short heading ("三、申报时间。") stays with the sentence after it
    on its line, so the date keeps its cue."""
    found: list[Sentence] = []
    line = 0
    start = 0
    pending: int | None = None  # start of a heading waiting for its sentence
    for match in _END.finditer(text + "\n"):
        end = match.end() if match.group(0) != "\n" else match.start()
        segment = text[start:end]
        newline = match.group(0) == "\n"
        if segment.strip():
            if pending is None and not newline and _is_heading(segment.rstrip("。！？!?")):
                pending = start
            else:
                begin = pending if pending is not None else start
                piece = text[begin:end]
                offset = len(piece) - len(piece.lstrip())
                found.append(Sentence(piece.strip(), begin + offset, line))
                pending = None
        if newline:
            if pending is not None:  # a heading alone on its line is a sentence of its own
                piece = text[pending:end]
                offset = len(piece) - len(piece.lstrip())
                found.append(Sentence(piece.strip(), pending + offset, line))
                pending = None
            line += 1
        start = match.end()
    return found
