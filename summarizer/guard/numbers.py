"""Numbers in a summary and in its article: Arabic digits, Chinese numerals with a counter, and
spelled-out English numbers normalised to digits (``text2num``), compared by value.

No heavy import: regular expressions, ``decimal`` and ``text2num``.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation

from text_to_num import alpha2digit

from summarizer.guard.latin_names import latin_in
from summarizer.guard.text import CJK, fold

__all__ = [
    "article_number_keys",
    "find_numbers",
    "number_in_article",
    "number_key",
    "spelled_to_digits",
    "written_numbers",
    "zh_numerals",
]

_NUMBER = re.compile(r"(?<![0-9A-Za-z.])\d+(?:[,，]\d{3})*(?:\.\d+)?")
_ZH_DIGITS = "〇零一二两三四五六七八九十百千万亿"
# a Chinese numeral is checked when a counter or unit follows it ("三项", "二十家", "五年")
_ZH_NUMERAL = re.compile(
    rf"(?<![0-9{_ZH_DIGITS}第])(?=[{_ZH_DIGITS}]*[〇零一二两三四五六七八九十])[{_ZH_DIGITS}]{{1,8}}(?=(?:个|项|家|名|位|人|条|件|批|次|年|月|日|天|倍|成|"
    rf"亿|万|元|所|座|台|套|类|种|期|届|轮|起|块|份|支|只|辆|架|艘|处|篇|本|部))"
)
# numerals inside fixed words that are not quantities
_ZH_NUMERAL_WORDS = re.compile(
    r"一些|一批|一项项|一次性|一体化|一流|一线|统一|唯一|一起|一道|一律|一般|一致|一直|一定|之一|一方面|"
    r"第[一二三四五六七八九十]+|十分|万一|千万(?!元)|一旦|一带一路|两会|两岸|三农|一系列"
)


def number_key(token: str) -> str:
    return token.replace(",", "").replace("，", "")


def find_numbers(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(fold(text))]


def zh_numerals(text: str) -> list[str]:
    cleaned = _ZH_NUMERAL_WORDS.sub(" ", text)
    return [m.group(0) for m in _ZH_NUMERAL.finditer(cleaned)]


# spelled-out English numbers ----------------------------------------------------------------

# alpha2digit converts an isolated number word from this value up: "two" and "second" are
# converted, "one" is not (a pronoun as often as a number: "one of the", "no one", "one day")
_SPELLED_THRESHOLD = 2
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# left as written: vague quantities ("hundreds", "tens of thousands", "several million") and
# "second(s)" (a unit of time as often as an ordinal: "a second later", "second-largest")
_VAGUE = re.compile(
    r"(?i)(?<![\w-])(?:(?:several|a\s+few|few|many|some|multiple|tens\s+of|dozens\s+of|scores\s+of|"
    r"hundreds\s+of|thousands\s+of|millions\s+of)\s+)?(?:tens|dozens|scores|hundreds|thousands|"
    r"millions|billions|trillions)(?![\w-])"
    r"|(?<![\w-])(?:several|a\s+few|few|many|some|multiple)\s+(?:dozen|hundred|thousand|million|"
    r"billion|trillion)(?![\w-])"
    r"|(?<![\w-])seconds?(?![\w-])"
)
_DOZEN = re.compile(r"(?i)(?<![\w-])(half\s+a|a|one)\s+dozen(?![\w-])")
_HALF_A = re.compile(r"(?i)(?<![\w-])half\s+an?\s+(thousand|million|billion|trillion)(?![\w-])")
_DIGITS_SCALE = re.compile(rf"(?i)(?<![0-9A-Za-z.,])({_NUM})\s*(thousand|million|billion|trillion)(?![\w-])")
# abbreviated and Chinese scales: only for the article's values ("$5m", "2.7bn", "500万", "2.7亿")
_ABBR_SCALE = re.compile(rf"(?i)(?<![0-9A-Za-z.,])({_NUM})\s*(万亿|亿|万|bn|mn|tn|[mkb])(?![A-Za-z])")
_ABBR_FACTOR = {
    "万亿": 10**12,
    "亿": 10**8,
    "万": 10**4,
    "bn": 10**9,
    "b": 10**9,
    "mn": 10**6,
    "m": 10**6,
    "tn": 10**12,
    "k": 10**3,
}
_LATIN_RUN = re.compile(rf"[^{CJK}]+")
_HAS_LETTER = re.compile(r"[A-Za-z]")


def _value_key(number: str, factor: int) -> str | None:
    try:
        value = Decimal(number.replace(",", "")) * factor
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def _scale_words(text: str) -> str:
    text = _DOZEN.sub(lambda m: "6" if m.group(1).lower().startswith("half") else "12", text)
    text = _HALF_A.sub(lambda m: _value_key("0.5", _SCALES[m.group(1).lower()]) or m.group(0), text)
    return _DIGITS_SCALE.sub(lambda m: _value_key(m.group(1), _SCALES[m.group(2).lower()]) or m.group(0), text)


def _convert_latin(run: str) -> str:
    if not _HAS_LETTER.search(run):
        return run
    out, last = [], 0
    for m in _VAGUE.finditer(run):
        out.append(alpha2digit(_scale_words(run[last : m.start()]), "en", threshold=_SPELLED_THRESHOLD))
        out.append(m.group(0))
        last = m.end()
    out.append(alpha2digit(_scale_words(run[last:]), "en", threshold=_SPELLED_THRESHOLD))
    return "".join(out)


def spelled_to_digits(text: str) -> str:
    """``text`` (folded) with its spelled-out English numbers as digits and "5 million" as
    5000000; Chinese text is left as it is."""
    return _LATIN_RUN.sub(lambda m: _convert_latin(m.group(0)), text)


def written_numbers(original: str, converted: str) -> dict[str, str]:
    """number key -> how the summary wrote it ("3" -> "three"), for the numbers the
    normalisation produced."""
    if original == converted:
        return {}
    before, after = original.split(), converted.split()
    written: dict[str, str] = {}
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            phrase = " ".join(before[i1:i2]).strip(".,;:!?\"'()")
            for number in find_numbers(" ".join(after[j1:j2])):
                written.setdefault(number_key(number), phrase)
    return written


def article_number_keys(body: str, normalised: str) -> set[str]:
    """Every number of the article as written and normalised, and the value of every number
    with a scale ("5 million", "$5m", "2.7亿" give 5000000 and 270000000 too)."""
    keys = {number_key(n) for n in find_numbers(body)} | {number_key(n) for n in find_numbers(normalised)}
    for m in _ABBR_SCALE.finditer(body):
        key = _value_key(m.group(1), _ABBR_FACTOR[m.group(2).lower()])
        if key:
            keys.add(key)
    for m in _DIGITS_SCALE.finditer(body):
        key = _value_key(m.group(1), _SCALES[m.group(2).lower()])
        if key:
            keys.add(key)
    return keys


def number_in_article(number: str, written: str, body: str, body_lower: str, keys: set[str]) -> bool:
    """Whether the article supports ``number`` (digits) of a summary: ``written`` is how the
    summary spelled it ("three"; "" when in digits), ``keys`` the article's
    :func:`article_number_keys`, ``body`` the folded article."""
    if number_key(number) in keys:
        return True
    if written:
        # the same words in the article ("three" where its context kept it a word)
        return latin_in(written, body_lower)
    # "2024" of "2024-03-05" found inside a longer number; "100,150,200" cut from the list
    # "100,150,200,250": each comma-separated part must be there
    parts = [number_key(number)] if len(number) < 2 else re.split(r"[,，]", number)
    return all(re.search(r"(?<![\d.])" + re.escape(part) + r"(?![\d])", body) for part in parts if part)
