"""Summary length: what fits a digest line, and cuts that never split a number, a date or a name.

A :class:`LengthPolicy` gives each article a budget: at most ``max_chars`` characters (whitespace
not counted) and/or ``max_words`` words (Latin words; a CJK ideograph counts as one), and at most
``max_ratio`` of the article's own size in the same unit. The shipped defaults per language are
data (``summarizer/length.toml``, :func:`shipped_options`); a source's registry entry may override
them (``[sources.summary]``). An article already within the absolute budget is not summarized: the
summary row holds the article's own text (:func:`article_text`), flagged as such
(:data:`ARTICLE_TEXT`), and the digest labels it "article text".

:func:`fit` makes picked sentences fit the budget: later sentences go first, then the last one left
is cut after a clause (Chinese ，；、：, English , ; : and dashes; never inside brackets, quotes or
a 《title》, never between digits), and only when its first clause alone is too long, between two
words (jieba's words for Chinese, spaces for English); no cut falls inside a number, a date, a Latin
word or a name the faithfulness guard would check. A cut is marked with "…".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarizer.base import join_sentences, normalize_language

__all__ = [
    "ARTICLE_TEXT",
    "ELLIPSIS",
    "LENGTH_OPTIONS",
    "SUMMARY_OPTIONS",
    "LengthPolicy",
    "article_text",
    "cut",
    "fit",
    "fits",
    "LengthOptions",
    "shipped_options",
    "render",
    "size",
]

ARTICLE_TEXT = "article_text"  # Summary.kind and the stored parameters' "output" of such a row
ELLIPSIS = "…"
LENGTH_OPTIONS = ("max_chars", "max_words", "max_ratio")
# what a source or the summarizer configuration may set about a summary's length
SUMMARY_OPTIONS = ("max_sentences", "trim", "lengths", *LENGTH_OPTIONS)
# what a language's table of ``lengths`` may set: the budget, and how many sentences the
# extractive backend picks (Chinese: one; lead-k baselines keep their k)
TABLE_OPTIONS = ("max_sentences", *LENGTH_OPTIONS)
DEFAULTS_FILE = Path(__file__).with_name("length.toml")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[A-Za-z0-9\u00c0-\u024f]+(?:['’.,-][A-Za-z0-9\u00c0-\u024f]+)*")

# a clause ends after one of these (ASCII ones only before a space or an ideograph: "1,000",
# "10:30" go on)
_CLAUSE_END = re.compile(rf"[，；、：](?:[”’」』]*)|[,;:](?=\s|[{_CJK}])|\s[—–-]{{1,2}}(?=\s)|——")
_TRAILING = "，；、：,;:—–- \t\n"

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_ZH_UNIT = "万亿千百元美元人个家项倍吨米亩户件台辆所名位年天小时%％"
# spans no cut may fall inside
_PROTECTED = re.compile(
    "|".join(
        (
            # (bounded: an unmatched quote or bracket must not protect the rest of the text)
            r"《[^》]{0,60}》|“[^”]{0,40}”|「[^」]{0,40}」|『[^』]{0,40}』|（[^）]{0,60}）|【[^】]{0,40}】"
            r"|\([^)]{0,60}\)|\"[^\"]{0,40}\"",
            # dates: 2024年3月5日, 3月5日, 2024-03-05, March 5, 2024, 5 March 2024
            r"\d{2,4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?",
            rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?",
            # numbers with their separators, currency and scale or unit
            rf"[$£€¥]?\s?\d+(?:[.,:/-]\d+)*(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand)"
            rf"|[{_ZH_UNIT}]+)?",
            # Latin words, and runs of capitalised words (names)
            r"[A-Z][A-Za-z0-9'’&.-]*(?:\s+(?:of|the|and|de|van|von|for)?\s*[A-Z][A-Za-z0-9'’&.-]*)*"
            r"|[A-Za-z][A-Za-z0-9'’&-]*",
        )
    )
)


@dataclass(frozen=True)
class LengthPolicy:
    """The length budget of a summary (see the module's docstring); all None: no budget."""

    max_chars: int | None = None
    max_words: int | None = None
    max_ratio: float | None = None
    max_sentences: int | None = None  # a language's own sentence count (extractive backend)

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_words"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                raise ValueError(f"{name}={value} must be positive")
        if self.max_ratio is not None and not 0 < float(self.max_ratio) <= 1:
            raise ValueError(f"max_ratio={self.max_ratio} must be in (0, 1]")

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> LengthPolicy:
        return cls(**{key: options.get(key) for key in LENGTH_OPTIONS})

    @property
    def active(self) -> bool:
        return any(getattr(self, key) is not None for key in LENGTH_OPTIONS)

    def _absolute(self) -> dict[str, int]:
        out = {}
        if self.max_chars is not None:
            out["chars"] = int(self.max_chars)
        if self.max_words is not None:
            out["words"] = int(self.max_words)
        return out

    def limits(self, article: str, language: str) -> dict[str, int]:
        """unit ("chars", "words") -> the most a summary of ``article`` may have."""
        out = self._absolute()
        if self.max_ratio is not None:
            units = list(out) or ["chars" if normalize_language(language, article) == "zh" else "words"]
            for unit in units:
                cap = max(1, int(float(self.max_ratio) * size(article, unit)))
                out[unit] = min(out.get(unit, cap), cap)
        return out

    def is_short(self, article: str) -> bool:
        """The article is within the absolute budget: shown as itself, not summarized."""
        absolute = self._absolute()
        return bool(absolute) and bool(article.strip()) and fits(article, absolute)


def size(text: str, unit: str) -> int:
    """Characters without whitespace ("chars"), or words ("words": a CJK ideograph is one)."""
    if unit == "chars":
        return len("".join(text.split()))
    return len(_WORD.findall(text))


def fits(text: str, limits: dict[str, int]) -> bool:
    return all(size(text, unit) <= limit for unit, limit in limits.items())


def article_text(body: str) -> str:
    """The article's own text on one line: its paragraphs, stripped, joined by a space."""
    return " ".join(line.strip() for line in (body or "").splitlines() if line.strip())


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    with DEFAULTS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def shipped_options() -> dict[str, Any]:
    """The shipped summary options (``length.toml``): ``lengths`` (a length budget per language,
    "default" for the others) and the ``[summary]`` keys (e.g. ``trim``)."""
    table = _shipped()
    return {**table.get("summary", {}), "lengths": {lang: dict(v) for lang, v in table["length"].items()}}


class LengthOptions:
    """The length options a backend takes: ``lengths`` (language -> budget keys, "default" for a
    language not named) and ``max_chars``/``max_words``/``max_ratio``, which win over it for every
    language (a source's or a user's override)."""

    lengths: dict[str, dict[str, Any]]
    max_chars: int | None
    max_words: int | None
    max_ratio: float | None

    def _init_length(
        self,
        lengths: dict[str, dict[str, Any]] | None,
        max_chars: int | None,
        max_words: int | None,
        max_ratio: float | None,
    ) -> None:
        self.lengths = {
            str(lang): {k: table[k] for k in TABLE_OPTIONS if table.get(k) is not None}
            for lang, table in (lengths or {}).items()
        }
        for lang, table in self.lengths.items():
            unknown = set((lengths or {})[lang]) - set(TABLE_OPTIONS)
            if unknown:
                raise ValueError(
                    f"lengths.{lang}: unknown option {sorted(unknown)[0]!r}; known: {', '.join(TABLE_OPTIONS)}"
                )
            LengthPolicy(**table)  # validates
        overrides = LengthPolicy(max_chars=max_chars, max_words=max_words, max_ratio=max_ratio)
        self.max_chars = None if max_chars is None else int(max_chars)
        self.max_words = None if max_words is None else int(max_words)
        self.max_ratio = None if max_ratio is None else float(max_ratio)
        self._policies: dict[str, LengthPolicy] = {"": overrides}

    def length_policy(self, language: str) -> LengthPolicy:
        """The budget of a summary in ``language`` ("zh", "en"...)."""
        policy = self._policies.get(language)
        if policy is None:
            base = self.lengths.get(language, self.lengths.get("default", {}))
            overrides = {k: getattr(self, k) for k in LENGTH_OPTIONS if getattr(self, k) is not None}
            policy = self._policies[language] = LengthPolicy(**{**base, **overrides})
        return policy

    def length_parameters(self) -> dict[str, Any]:
        return {"lengths": self.lengths, **{k: getattr(self, k) for k in LENGTH_OPTIONS}}


# ------------------------------------------------------------------------------------- cutting


def _protected(text: str) -> list[tuple[int, int]]:
    """Brackets, quotes, titles, dates, numbers and Latin words (rules): enough for clause
    boundaries, which no name crosses."""
    return [m.span() for m in _PROTECTED.finditer(text)]


def _claim_spans(text: str) -> list[tuple[int, int]]:
    """Where the numbers and names the faithfulness guard checks are (jieba's names included):
    what a cut between two words must not split."""
    from summarizer.guard import extract_claims
    from summarizer.guard.text import fold

    folded = fold(text)
    if len(folded) != len(text):  # positions in the folded text would not be positions in the text
        return []
    spans = []
    for _, claim in extract_claims(text):
        spans.extend(m.span() for m in re.finditer(re.escape(claim), folded))
    return spans


def _safe(position: int, spans: list[tuple[int, int]]) -> bool:
    return not any(start < position < end for start, end in spans)


def _word_ends(text: str, language: str) -> list[int]:
    if normalize_language(language, text) == "zh":
        from summarizer.guard.zh_tagger import word_ends

        return word_ends(text)
    return [m.start() for m in re.finditer(r"\s+", text)] + [len(text)]


def _head(sentence: str, end: int) -> str:
    return sentence[:end].rstrip(_TRAILING)


def cut(sentence: str, limits: dict[str, int], language: str) -> str:
    """The verbatim head of ``sentence`` that fits ``limits`` once "…" is added: up to its last
    clause that fits, else up to a word boundary; never inside a protected span. When not even
    its first word fits, that word (a name is never cut to meet a budget)."""
    spans = _protected(sentence)
    clause_ends = [m.end() for m in _CLAUSE_END.finditer(sentence) if _safe(m.end(), spans)]
    for end in reversed(clause_ends):
        head = _head(sentence, end)
        if head and fits(head + ELLIPSIS, limits):
            return head
    # only the head that could fit is read for names (jieba's tagger is the slow part)
    reach = max(limit * (4 if unit == "chars" else 12) for unit, limit in limits.items()) + 40
    window = sentence[:reach]
    spans += _claim_spans(window)
    ends = [e for e in _word_ends(window, language) if 0 < e < len(window) and _safe(e, spans)]
    ends = [e for e in ends if _head(sentence, e)]
    for end in reversed(ends):
        if fits(_head(sentence, end) + ELLIPSIS, limits):
            return _head(sentence, end)
    return _head(sentence, ends[0]) if ends else sentence


def fit(sentences: list[str], limits: dict[str, int], language: str) -> tuple[list[str], bool]:
    """The sentences within ``limits``: the last ones dropped, then the one left cut (see
    :func:`cut`); the flag says whether it was cut (:func:`render` then ends it with "…")."""
    picked = [s for s in sentences if s.strip()]
    if not limits or not picked:
        return picked, False
    while len(picked) > 1 and not fits(join_sentences(picked, language), limits):
        picked.pop()
    if fits(join_sentences(picked, language), limits):
        return picked, False
    head = cut(picked[0], limits, language)
    return [head], head != picked[0]


def render(sentences: list[str], was_cut: bool, language: str) -> str:
    """The summary's text: the sentences joined, "…" after a cut one."""
    text = join_sentences(sentences, language)
    return text + ELLIPSIS if was_cut and text else text
