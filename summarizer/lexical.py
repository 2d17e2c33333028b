"""Lexical similarity for the extractive backend: terms (English words minus stop words, character
bigrams of Chinese), L2-normalised TF-IDF vectors over them, and a sentence's length in words.

What carries similarity where the sentence encoder's English vocabulary maps Chinese to [UNK].
torch is imported inside :func:`tfidf_matrix`, never at module import.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING

from summarizer.base import word_table

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["lexical_terms", "size_in_words", "tfidf_matrix"]

_EN_STOP = word_table(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own said same says she
    should so some such than that the their theirs them themselves then there these they this those through
    to too under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves one two new year years last mr ms mrs
    """
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_EN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def lexical_terms(text: str) -> list[str]:
    """Character bigrams of CJK runs (single characters for one-character runs) + English words."""
    terms: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    for word in _EN_WORD.findall(_CJK_RUN.sub(" ", text).lower()):
        if word in _EN_STOP or len(word) < 2:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        terms.append(word)
    return terms


def tfidf_matrix(texts: list[str], idf_from: int) -> torch.Tensor:
    """L2-normalised TF-IDF rows for ``texts``; IDF counted over the first ``idf_from`` texts."""
    import torch

    bags = [Counter(lexical_terms(t)) for t in texts]
    df: Counter = Counter()
    for bag in bags[:idf_from]:
        df.update(bag.keys())
    vocab = {term: i for i, term in enumerate(sorted({t for bag in bags for t in bag}))}
    m = torch.zeros((len(texts), max(1, len(vocab))), dtype=torch.float32)
    n = max(1, idf_from)
    rows, columns, values = [], [], []
    for row, bag in enumerate(bags):
        for term, tf in bag.items():
            rows.append(row)
            columns.append(vocab[term])
            values.append((1.0 + math.log(tf)) * math.log(1.0 + n / (1.0 + df.get(term, 0))))
    if values:  # one scatter, not one tensor write per term
        m[torch.tensor(rows), torch.tensor(columns)] = torch.tensor(values, dtype=torch.float32)
    norms = m.norm(dim=1, keepdim=True).clamp(min=1e-9)
    return m / norms


def size_in_words(text: str) -> float:
    """Length in words: English words, plus ideographs / 1.6 (about what Chinese spends on a word)."""
    cjk = sum(len(run) for run in _CJK_RUN.findall(text))
    return cjk / 1.6 + len(_EN_WORD.findall(_CJK_RUN.sub(" ", text).lower()))
