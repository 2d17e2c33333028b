"""Latin-script names in a summary: capitalised words and acronyms ("Gary Locke", "CPPCC", "U.S."),
month and weekday names included, minus a capitalised common word that merely starts a sentence."""

from __future__ import annotations

import re

from summarizer.base import word_table

__all__ = ["find_latin_names", "latin_in"]

# capitalised words that start sentences or headlines without being names
_COMMON = word_table(
    """
    a an the this that these those it its he she they we i you his her their our my your in on at for from
    to of by with without after before during since until as when while where what who whom which why how if
    but and or so yet also however meanwhile moreover still then there here now today yesterday tomorrow
    some many most more all any each every both few no not one two three four five six seven eight nine ten
    first second third last next new according despite although though because over under about around
    across among between is are was were be been has have had do does did will would can could may might
    must should officials police experts researchers people local former mr mrs ms dr eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion trillion hundreds thousands millions billions tens dozen dozens
    half several fourth fifth sixth seventh eighth ninth tenth
    """
)
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9'’&.-]*[A-Za-z0-9]|(?<![A-Za-z0-9])[A-Z](?![A-Za-z0-9])")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？；;:：\"“”'‘]\s*|\n\s*)$")


def _clean_latin(word: str) -> str:
    word = re.sub(r"['’]s$", "", word)
    return word.rstrip(".")


def find_latin_names(text: str) -> list[str]:
    """The capitalised words and acronyms of ``text`` that may be names, in order."""
    names = []
    for m in _LATIN_WORD.finditer(text):
        word = _clean_latin(m.group(0))
        if len(word) < 2 and not word.isupper():
            continue
        at_start = bool(_SENTENCE_START.search(text[: m.start()]))
        if word.lower() in _COMMON and (at_start or word[1:].islower()):
            continue
        names.append(word)
    return names


def latin_in(word: str, article_lower: str) -> bool:
    """The word on word boundaries, in any case ("BEIJING", a headline's "Says" for "says")."""
    pattern = r"(?<![a-z0-9])" + re.escape(word.lower()) + r"(?![a-z0-9])"
    return re.search(pattern, article_lower) is not None
