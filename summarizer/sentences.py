"""Sentence splitting for Chinese and English news and government text.

Every sentence returned is a verbatim substring of the input text (only surrounding whitespace,
datelines and photo credits are trimmed off its ends), so an extractive summary built from them
is always text the article contains.

Pure Python: no model, no heavy import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.base import cjk_ratio, word_table

__all__ = [
    "Sentence",
    "split_sentences",
    "split_sentences_detailed",
    "split_paragraph_zh",
    "split_paragraph_en",
    "strip_credits",
    "MIN_EN_WORDS",
    "MIN_ZH_CHARS",
]

# Fragments shorter than this are not sentences (headings, bylines, signatures, "特此通知。").
MIN_EN_WORDS = 3
MIN_EN_CHARS = 15
MIN_ZH_CHARS = 8  # CJK ideographs, not counting punctuation

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’.-][A-Za-z0-9]+)*")

# --------------------------------------------------------------------------------------------
# Photo credits, datelines
# --------------------------------------------------------------------------------------------

# "(Photo/Zhou Qi)", "(Photo: VCG)", "[Photo by Feng Yongbin/chinadaily.com.cn]", "（图/张三）",
# "（记者 张三 摄）", "（图片来源：视觉中国）", "(Xinhua/Li Xin)".
_CREDIT = (
    r"[(\[（【]\s*(?:"
    r"(?:photos?|pictures?|image|images|video|graphic|file photo|source)\b[^()\[\]（）【】]{0,60}"
    r"|(?:图|图片|图文|摄影|视频|来源|图片来源|供图)[^()\[\]（）【】]{0,40}"
    r"|[^()\[\]（）【】]{1,30}(?:摄|供图)"
    r"|xinhua/[^()\[\]（）【】]{1,40}"
    r")\s*[)\]）】]"
)
_CREDIT_AT_START = re.compile(r"^\s*(?:" + _CREDIT + r"\s*)+", re.IGNORECASE)
_CREDIT_AT_END = re.compile(r"(?:\s*" + _CREDIT + r")+\s*$", re.IGNORECASE)
_CREDIT_ONLY = re.compile(r"^\s*(?:" + _CREDIT + r"\s*)+$", re.IGNORECASE)

# "Beijing- ", "Chongqing – ", "BEIJING, March 5 (Xinhua) -- ", "(CNN) -- ", "LONDON, England (CNN) --"
_EN_DATELINE = re.compile(
    r"^(?:"
    r"(?:[A-Z][A-Za-z.'’]+(?:[ ,]+[A-Z][A-Za-z.'’]+){0,3})"  # place: capitalised words
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?))?"  # , March 5
    r"(?:\s*\([A-Za-z .]{2,20}\))?"  # (Xinhua)
    r"|\([A-Za-z .]{2,20}\)"  # (CNN)
    r")\s*(?:--|-|–|—)\s+(?=\S)"
)
# "新华社北京3月5日电（记者 张三）", "本报讯（记者 李四）", "重庆日报3月5日讯 "
_ZH_DATELINE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,12}?\d{1,2}月\d{1,2}日(?:电|讯)|本报讯|本网讯)"
    r"(?:\s*[（(][^）)]{1,30}[）)])?\s*"
)


def strip_credits(sentence: str) -> str:
    """Remove photo credits at the start or end of a sentence; "" when it was only a credit."""
    if _CREDIT_ONLY.match(sentence):
        return ""
    sentence = _CREDIT_AT_START.sub("", sentence)
    sentence = _CREDIT_AT_END.sub("", sentence)
    return sentence.strip()


def _cut(paragraph: str, cuts: Iterable[tuple[int, int]]) -> list[str]:
    """The stripped, non-empty pieces of ``paragraph`` between ``cuts``, each (where a piece ends,
    where the next one starts)."""
    out: list[str] = []
    start = 0
    for end, next_start in cuts:
        piece = paragraph[start:end].strip()
        if piece:
            out.append(piece)
        start = next_start
    rest = paragraph[start:].strip()
    if rest:
        out.append(rest)
    return out


def _strip_dateline(paragraph: str) -> str:
    m = _ZH_DATELINE.match(paragraph)
    if m and m.end() < len(paragraph):
        return paragraph[m.end() :]
    m = _EN_DATELINE.match(paragraph)
    if m and m.end() <= 60:
        return paragraph[m.end() :]
    return paragraph


# --------------------------------------------------------------------------------------------
# Chinese
# --------------------------------------------------------------------------------------------

_ZH_CLOSERS = "”’\"'」』）)】》〉"
# A sentence ends after 。！？；(and ASCII !?; and ellipses), plus any closing quotes/brackets.
_ZH_BOUNDARY = re.compile(
    r"(?:[。！？!?；;]|……|…)+[" + re.escape(_ZH_CLOSERS) + r"]*"
    # "通知如下：" / "：" before a list item also end a sentence
    r"|(?<=如下)[：:]"
    # academic Chinese written with ASCII punctuation ("…得到了广泛应用.ClassRBM是…"): a full stop
    # right after an ideograph (or a closing bracket after one), never a decimal point or "PTON.O"
    r"|(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff)）])\.(?![0-9.])"
    r"|[：:](?=\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、．.]\D))"
)


def split_paragraph_zh(paragraph: str) -> list[str]:
    """Split one Chinese paragraph after 。！？；… and an ASCII "." that follows an ideograph (keeping
    the punctuation and closing quotes)."""
    return _cut(paragraph, ((m.end(), m.end()) for m in _ZH_BOUNDARY.finditer(paragraph)))


# --------------------------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------------------------

# Never end a sentence (a name or a noun follows).
_TITLES = word_table(
    """
    mr mrs ms mx dr prof st sr jr gen gov sen rep lt col capt cpt sgt maj adm cmdr rev hon pres supt
    insp messrs mme mlle fr mt ft fig figs vol vols ch chap art sec para pp approx ca cf vs v dept univ
    assn bros ave blvd rd est ed eds op nr tel ext gov't
    """
)
# End a sentence only when not followed by a number ("No. 1", "Jan. 5", "Art. 12").
_BEFORE_NUMBER = word_table("no nos jan feb mar apr jun jul aug sep sept oct nov dec p par item nr")
# May end a sentence; treated as an end only when a typical sentence opener follows.
_MAYBE_END = {"inc", "ltd", "co", "corp", "plc", "llc", "etc", "al", "jr", "sr"}
_NEVER_END_DOTTED = {"e.g", "i.e", "viz", "a.k.a"}
_SENTENCE_OPENERS = word_table(
    """
    the a an he she it they we i you this that these those but and in on at for his her their its our
    there however meanwhile according as after when while if some many last so yet also since what who
    why how
    """
)

_EN_CANDIDATE = re.compile(r"(?P<punct>[.!?]+|…)(?P<close>[\"'”’)\]]*)(?P<space>\s+)(?=(?P<next>[\"'“‘(\[]?[A-Z0-9]))")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]?([A-Za-z0-9]+)")


def _is_en_boundary(text: str, m: re.Match) -> bool:
    punct = m.group("punct")
    if punct != ".":
        return True  # "!", "?", "...", "?!"
    if m.group("close"):
        return True  # '.' followed by a closing quote/bracket: "... he said."
    # the word before the punctuation: a backward scan to the previous whitespace (a regex
    # anchored at the boundary rescanned the paragraph from its start for every candidate)
    end = start = m.start()
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    token = text[start:end]
    token = token.lstrip("\"'“‘([")
    low = token.lower()
    nxt = _NEXT_WORD.match(text, m.end())
    next_word = nxt.group(1) if nxt else ""
    next_is_number = next_word[:1].isdigit()
    if low in _TITLES:
        return False
    if low in _BEFORE_NUMBER and next_is_number:
        return False
    if low in _NEVER_END_DOTTED:
        return False
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "J. K. Rowling", "Ming J. Chen"
    if "." in token or low in _MAYBE_END:
        # "U.S.", "U.K.", "Ph.D.", "a.m.", "Inc.": a boundary only before a typical opener
        return next_word.lower() in _SENTENCE_OPENERS
    return True


def split_paragraph_en(paragraph: str) -> list[str]:
    """Split one English paragraph; abbreviation-, initial- and decimal-aware."""
    # a sentence ends after its closing quotes; the next one starts after the whitespace
    cuts = ((m.end("close"), m.end()) for m in _EN_CANDIDATE.finditer(paragraph) if _is_en_boundary(paragraph, m))
    return _cut(paragraph, cuts)


# --------------------------------------------------------------------------------------------
# Both
# --------------------------------------------------------------------------------------------


def _long_enough(sentence: str) -> bool:
    if cjk_ratio(sentence) >= 0.3:
        return len(_CJK_CHAR.findall(sentence)) >= MIN_ZH_CHARS
    return len(sentence) >= MIN_EN_CHARS and len(_WORD.findall(sentence)) >= MIN_EN_WORDS


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: ``text`` (verbatim), its ``paragraph`` number, and whether it is
    part of a photo caption (a paragraph that ends with a credit such as "(Photo/Zhou Qi)")."""

    text: str
    paragraph: int
    caption: bool = False


def split_sentences_detailed(text: str, language: str = "", *, min_length: bool = True) -> list[Sentence]:
    """Like :func:`split_sentences`, with paragraph numbers and photo-caption flags."""
    sentences: list[Sentence] = []
    paragraphs = [p.strip() for p in re.split(r"\s*[\r\n\u2028\u2029]+\s*", text or "")]
    for number, raw in enumerate(p for p in paragraphs if p):
        paragraph = raw.replace("\u3000", " ").strip()
        caption = bool(_CREDIT_AT_END.search(paragraph))
        paragraph = strip_credits(paragraph)
        if not paragraph:
            continue
        paragraph = _strip_dateline(paragraph)
        ratio = cjk_ratio(paragraph)
        if ratio >= 0.3 or (ratio == 0.0 and language.lower().startswith("zh")):
            pieces = split_paragraph_zh(paragraph)
        else:
            pieces = split_paragraph_en(paragraph)
        for piece in pieces:
            piece = strip_credits(piece)
            if not piece:
                continue
            if min_length and not _long_enough(piece):
                continue
            sentences.append(Sentence(piece, number, caption))
    return sentences


def split_sentences(text: str, language: str = "", *, min_length: bool = True) -> list[str]:
    """Split ``text`` into sentences, in order.

    Paragraphs (newline-separated) never share a sentence. Each paragraph is split with the
    Chinese or the English rules according to its own script (a Chinese notice may quote an
    English name, an English story may carry a Chinese title), so ``language`` is only a hint for
    paragraphs without letters. Photo credits and datelines are trimmed off; with ``min_length``
    fragments too short to be a sentence are dropped.
    """
    return [s.text for s in split_sentences_detailed(text, language, min_length=min_length)]
