"""ROUGE as the evaluation data's README defines it (F1 x 100).

* English: ROUGE-1, ROUGE-2 and ROUGE-Lsum from ``rouge-score`` with the Porter stemmer; for
  Lsum each text is split into sentences (:func:`summarizer.sentences.split_sentences`), one per
  line.
* Chinese: character-level ROUGE-1, ROUGE-2 and ROUGE-L: one token per CJK character or per
  alphanumeric run (lower-cased), punctuation and spaces dropped. (``rouge-score``'s own tokenizer
  drops every non-ASCII character, so it scores 0 on Chinese unless given this tokenizer.)

``rouge-score`` is imported on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.base import normalize_language

__all__ = ["chinese_tokens", "rouge", "rouge_types", "ROUGE_KEYS"]

# one token per CJK ideograph (incl. extension A and compatibility ideographs), or an
# alphanumeric run (Latin letters with diacritics, digits; full-width forms are NFKC-folded first)
_ZH_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[0-9a-z\u00c0-\u024f]+")

# report keys per language: what each key is computed as
ROUGE_KEYS = ("r1", "r2", "rl")


def chinese_tokens(text: str) -> list[str]:
    """Character-level tokens: each CJK ideograph alone, each run of letters/digits as one token
    (lower-cased, full-width forms folded), everything else (punctuation, spaces) dropped."""
    import unicodedata

    return _ZH_TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower())


class _ChineseTokenizer:
    """The ``tokenize`` interface ``rouge_score.RougeScorer`` expects."""

    def tokenize(self, text: str) -> list[str]:
        return chinese_tokens(text)


def rouge_types(language: str) -> tuple[str, str, str]:
    """The rouge-score types behind r1 / r2 / rl for a language."""
    if normalize_language(language) == "zh":
        return ("rouge1", "rouge2", "rougeL")
    return ("rouge1", "rouge2", "rougeLsum")


@lru_cache(maxsize=4)
def _scorer(language: str):
    from rouge_score import rouge_scorer

    if language == "zh":
        return rouge_scorer.RougeScorer(list(rouge_types("zh")), tokenizer=_ChineseTokenizer())
    return rouge_scorer.RougeScorer(list(rouge_types("en")), use_stemmer=True)


def _lines(text: str, language: str) -> str:
    """Sentences of ``text`` one per line (what ROUGE-Lsum compares)."""
    from summarizer.sentences import split_sentences

    return "\n".join(split_sentences(text, language, min_length=False)) or (text or "").strip()


def rouge(candidate: str, reference: str, language: str) -> dict[str, float]:
    """ROUGE F1 x 100 of ``candidate`` against ``reference``: ``{"r1", "r2", "rl"}``, where rl is
    ROUGE-Lsum for English and character-level ROUGE-L for Chinese."""
    lang = "zh" if normalize_language(language, reference) == "zh" else "en"
    if lang == "en":
        candidate, reference = _lines(candidate, "en"), _lines(reference, "en")
    scores = _scorer(lang).score(reference, candidate)
    return {key: 100.0 * scores[name].fmeasure for key, name in zip(ROUGE_KEYS, rouge_types(lang))}
