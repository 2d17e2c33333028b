"""Chinese and English versions of one story, linked where the evidence is strong.

No translation model: the evidence is what survives translation unchanged or nearly so, numbers
(``5亿`` = ``500 million``, ``12.5%``), dates (``3月5日`` = ``March 5``), and names from a small
glossary or written in Latin letters in the Chinese text (``AI``, ``5G``). A zh and an en story
are linked when they share at least ``min_shared`` such facts, at least ``min_facts`` of them
numbers or dates, cover ``min_overlap`` of the smaller story's facts, were published within
``max_days`` of each other, and are each other's best match. bench/digest_dedup.py measures how
often that is right (precision and recall of the cross-language pairs).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

_ZH_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|亿|万)?")
_EN_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent|billion|million|thousand)?", re.I)
_ZH_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_EN_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})\b|\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.I,
)
_LATIN_IN_ZH = re.compile(r"[A-Za-z][A-Za-z0-9]+|\d+[A-Za-z]+")
_SCALE = {"亿": 1e8, "万": 1e4, "billion": 1e9, "million": 1e6, "thousand": 1e3}
# names as the two languages write them; a name counts once whichever form was found
GLOSSARY = {
    "重庆": "chongqing",
    "两江新区": "liangjiang",
    "西部（重庆）科学城": "western (chongqing) science city",
    "西部科学城": "western science city",
    "成渝": "chengdu-chongqing",
    "成都": "chengdu",
    "四川": "sichuan",
    "北京": "beijing",
    "上海": "shanghai",
    "深圳": "shenzhen",
    "江苏": "jiangsu",
    "浙江": "zhejiang",
    "全国政协": "cppcc national committee",
    "政协": "cppcc",
    "科技部": "ministry of science and technology",
    "科学技术局": "science and technology bureau",
    "人工智能": "artificial intelligence",
    "数字经济": "digital economy",
    "博士后": "postdoctoral",
    "专精特新": "specialized and sophisticated",
    "高新技术企业": "high-tech enterprise",
}


@dataclass(frozen=True, slots=True)  # slots: the digest keeps the facts of every article of the day
class Facts:
    """What an article states that a translation keeps."""

    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]

    @property
    def checkable(self) -> frozenset[str]:
        return self.numbers | self.dates

    def __or__(self, other: Facts) -> Facts:
        return Facts(self.numbers | other.numbers, self.dates | other.dates, self.names | other.names)


@dataclass(frozen=True)
class CrossLanguageConfig:
    min_shared: int = 4
    min_facts: int = 3
    min_overlap: float = 0.5
    max_days: int = 3


def _number(value: str, unit: str | None) -> str | None:
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return None
    unit = (unit or "").lower()
    if unit in ("%", "％", "percent", "per cent"):
        return f"{number:g}%"
    number *= _SCALE.get(unit, 1)
    # small counts ("3 measures") and years are in every story: no evidence of this one
    if number < 10 or (1900 <= number <= 2100 and not unit):
        return None
    return f"{number:g}"


def facts(title: str, body: str, language: str) -> Facts:
    text = f"{title}\n{body}"
    numbers: set[str] = set()
    dates: set[str] = set()
    names: set[str] = set()
    if language.startswith("zh"):
        for match in _ZH_DATE.finditer(text):
            dates.add(f"{int(match[1])}-{int(match[2])}")
        for match in _ZH_NUMBER.finditer(_ZH_DATE.sub(" ", text)):
            if (number := _number(match[1], match[2])) is not None:
                numbers.add(number)
        names.update(en for zh, en in GLOSSARY.items() if zh in text)
        names.update(token.lower() for token in _LATIN_IN_ZH.findall(text))
    else:
        lowered = text.lower()
        for match in _EN_DATE.finditer(lowered):
            month, day = (match[1], match[2]) if match[1] else (match[4], match[3])
            index = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(month[:3]))
            dates.add(f"{index}-{int(day)}")
        for match in _EN_NUMBER.finditer(_EN_DATE.sub(" ", lowered)):
            if (number := _number(match[1], match[2])) is not None:
                numbers.add(number)
        names.update(en for en in GLOSSARY.values() if en in lowered)
        names.update(re.findall(r"\b(?:[a-z]+\d+[a-z0-9]*|\d+[a-z]+|ai|cppcc)\b", lowered))
    return Facts(_compact(numbers), _compact(dates), _compact(names))


_NONE: frozenset[str] = frozenset()


def _compact(values: set[str]) -> frozenset[str]:
    """The same values in less memory: one empty set for all, and each value string once (the
    digest holds every article's facts, and numbers, dates and names recur across them)."""
    return frozenset(sys.intern(value) for value in values) if values else _NONE


def _score(a: Facts, b: Facts, config: CrossLanguageConfig) -> float:
    checkable = a.checkable & b.checkable
    shared = len(checkable) + len(a.names & b.names)
    smaller = min(len(a.checkable), len(b.checkable))
    if len(checkable) < config.min_facts or shared < config.min_shared or not smaller:
        return 0.0
    overlap = len(checkable) / smaller
    return overlap + shared / 100 if overlap >= config.min_overlap else 0.0


def translation_pairs(
    languages: Sequence[str],
    facts_of: Sequence[Facts],
    published: Sequence[datetime | None],
    config: CrossLanguageConfig | None = None,
) -> list[tuple[int, int]]:
    """(zh index, en index) of the stories that are each other's best cross-language match."""
    config = config or CrossLanguageConfig()
    zh = [i for i, lang in enumerate(languages) if lang.startswith("zh")]
    en = [i for i, lang in enumerate(languages) if lang.startswith("en")]
    # only pairs sharing a number or a date can score: an index of the Chinese stories by fact
    by_fact: dict[str, list[int]] = {}
    for i in zh:
        for fact in facts_of[i].checkable:
            by_fact.setdefault(fact, []).append(i)
    best_zh: dict[int, tuple[float, int]] = {}
    best_en: dict[int, tuple[float, int]] = {}
    for j in en:
        shared: dict[int, int] = {}
        for fact in facts_of[j].checkable:
            for i in by_fact.get(fact, ()):
                shared[i] = shared.get(i, 0) + 1
        for i, count in shared.items():
            if count < config.min_facts:
                continue
            if published[i] and published[j] and abs((published[i] - published[j]).days) > config.max_days:
                continue
            score = _score(facts_of[i], facts_of[j], config)
            if score <= 0:
                continue
            if score > best_zh.get(i, (0.0, -1))[0]:
                best_zh[i] = (score, j)
            if score > best_en.get(j, (0.0, -1))[0]:
                best_en[j] = (score, i)
    return sorted((i, j) for i, (_, j) in best_zh.items() if best_en.get(j, (0.0, -1))[1] == i)
