"""The faithfulness guard: a summary may only state numbers and names that its article states.

:func:`check` pulls from a summary every

* **number** (Arabic digits, with decimals, thousands separators, a percent sign or a Chinese
  unit: "2.7亿元", "13%", "£22,100", "2024年3月5日" gives 2024, 3 and 5; full-width digits
  folded) and every Chinese numeral with a counter ("三项", "二十家"),
* **spelled-out English number**: the Latin text of summary and article is normalised with
  ``text2num`` (``alpha2digit``; Chinese text untouched), so "three people" states 3 and matches
  "3" or "three" in the article, while "four" against "three" is caught; "five million" and
  "5 million" both state 5000000 (and match "5m", "5,000,000", "500万" in the article), "a dozen"
  states 12, "half a million" 500000. Not checked: "one" (mostly a pronoun: "one of the", "no
  one"), the ordinals "first" and "second" ("the first time", "a second"; "third" and up are
  checked as 3, 4...), vague plurals ("hundreds", "tens of thousands", "several million"), and
  fractions ("two-thirds", "a quarter"),
* **Latin name**: capitalised words and acronyms ("Gary Locke", "CPPCC", "U.S."; month and
  weekday names, so the words of a date too), except a capitalised common word that merely
  starts a sentence ("The", "However"),
* **Chinese name**: 《book titles》 and “quoted” names, organisation and place names (a run of
  ideographs ending in 省/市/区/县/局/委/厅/部/院/所/大学/公司/集团/银行/中心/协会/委员会/政府
  /实验室…, cut after the verb or particle before it; common words such as 城市, 地区, 格局 are
  not names), person names next to a title or a speech verb ("局长张伟", "张伟表示"), and every
  person, place, organisation or other proper name that ``jieba``'s part-of-speech tagger finds
  (tags nr, ns, nt, nz; two ideographs or more, minus common words it mis-tags; a place named
  with its administrative suffix, "成都市", is supported by "成都"),

and requires each to occur in the article (numbers compared without separators, or by value
after the normalisation; names case-sensitively on word boundaries for Latin). The result says
what was checked and what is unsupported (a spelled-out number also says how it was written); it
is JSON-serialisable (``GuardResult.to_dict``) and stored with the summary (``summaries.guard``).

No model: regular expressions, ``text2num`` and ``jieba``'s dictionary (loaded once, lazily, on the
first Chinese summary: about 1 s), so it runs on every summary of every backend. One module per kind
of claim: :mod:`~summarizer.guard.numbers`, :mod:`~summarizer.guard.latin_names`,
:mod:`~summarizer.guard.zh_names` (rules) and :mod:`~summarizer.guard.zh_tagger` (jieba).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.guard.latin_names import find_latin_names, latin_in
from summarizer.guard.numbers import (
    article_number_keys,
    find_numbers,
    number_in_article,
    number_key,
    spelled_to_digits,
    written_numbers,
    zh_numerals,
)
from summarizer.guard.text import fold
from summarizer.guard.zh_names import (
    book_titles,
    quoted_names,
    without_book_titles,
    zh_name_in,
    zh_orgs,
    zh_persons,
)
from summarizer.guard.zh_tagger import common_word, zh_tagged_names

__all__ = ["GuardResult", "check", "extract_claims", "GUARD_VERSION"]

GUARD_VERSION = "numbers+en-spelled+latin+zh-entities+jieba;v2"


@dataclass
class GuardResult:
    """What the guard checked in a summary and what the article does not support."""

    passed: bool
    checked: int
    unsupported: list[dict] = field(default_factory=list)  # {"kind": ..., "text": ...}

    @property
    def reason(self) -> str:
        if self.passed:
            return ""
        return "not in the article: " + ", ".join(
            f"{item['kind']} {item['text']!r}" + (f" (written {item['written']!r})" if item.get("written") else "")
            for item in self.unsupported
        )

    def to_dict(self) -> dict:
        return {
            "checked": self.checked,
            "passed": self.passed,
            "unsupported": list(self.unsupported),
            "reason": self.reason,
            "version": GUARD_VERSION,
        }


def _claims(summary: str) -> list[tuple[str, str, str]]:
    """(kind, text, hint) of every checkable item in ``summary``; the hint of a spelled-out number
    is how the summary wrote it ("three"), that of a Chinese name jieba's HMM found "hmm"."""
    text = fold(summary)
    plain = without_book_titles(text)
    digits = spelled_to_digits(text)
    written = written_numbers(text, digits)
    claims: list[tuple[str, str, str]] = []
    claims += [("number", n, written.get(number_key(n), "")) for n in find_numbers(digits)]
    claims += [("number", n, "") for n in zh_numerals(text)]
    claims += [("name", w, "") for w in find_latin_names(text)]
    claims += [("zh_name", b, "") for b in book_titles(text)]
    claims += [("zh_name", q, "") for q in quoted_names(text)]
    claims += [("zh_name", o, "") for o in zh_orgs(plain)]
    # a title before a common word is not a name ("专家负责。")
    claims += [("zh_name", p, "") for p in zh_persons(plain) if not common_word(p)]
    claims += [("zh_name", w, "hmm" if tag == "hmm" else "") for w, tag in zh_tagged_names(plain)]
    seen: set[tuple[str, str]] = set()
    unique = []
    for kind, item, hint in claims:
        if (kind, item) not in seen:
            seen.add((kind, item))
            unique.append((kind, item, hint))
    return unique


def extract_claims(summary: str) -> list[tuple[str, str]]:
    """(kind, text) of every checkable item in ``summary``: kinds number, name, zh_name (a
    spelled-out English number as digits: "three" gives ("number", "3"))."""
    return [(kind, text) for kind, text, _ in _claims(summary)]


def check(summary: str, article: str) -> GuardResult:
    """Check that every number and name of ``summary`` occurs in ``article`` (title + body)."""
    body = fold(article)
    body_lower = body.lower()
    numbers: set[str] | None = None  # the article's numbers, computed when a summary has one
    unsupported: list[dict] = []
    claims = _claims(summary)
    for kind, text, hint in claims:
        as_written = hint if kind == "number" else ""
        if kind == "number" and text[0].isdigit():
            if numbers is None:
                numbers = article_number_keys(body, spelled_to_digits(body))
            ok = number_in_article(text, as_written, body, body_lower, numbers)
        elif kind == "number":  # a Chinese numeral, as written
            ok = text in body
        elif kind == "name":
            ok = latin_in(text, body_lower)
        else:
            ok = zh_name_in(text, body, hmm=hint == "hmm")
        if not ok:
            item = {"kind": kind, "text": text}
            if as_written:
                item["written"] = as_written
            unsupported.append(item)
    return GuardResult(passed=not unsupported, checked=len(claims), unsupported=unsupported)
