"""summarizer.metrics: ROUGE as the evaluation README defines it, on tiny hand-computed cases."""

from __future__ import annotations

import pytest

from summarizer.metrics import chinese_tokens, rouge


def test_english_rouge_1_2_lsum_by_hand():
    # unigrams: the x2, cat, on, mat shared (5 of 6 each side); bigrams: the-cat, on-the, the-mat
    # (3 of 5); LCS "the cat on the mat" (5 of 6)
    scores = rouge("the cat sat on the mat", "the cat was on the mat", "en")
    assert scores["r1"] == pytest.approx(100 * 5 / 6)
    assert scores["r2"] == pytest.approx(100 * 3 / 5)
    assert scores["rl"] == pytest.approx(100 * 5 / 6)


def test_english_uses_the_porter_stemmer_and_case_folding():
    assert rouge("Cats running", "cat runs", "en")["r1"] == pytest.approx(100.0)
    assert rouge("dogs", "cats", "en") == {"r1": 0.0, "r2": 0.0, "rl": 0.0}


def test_english_lsum_is_computed_over_sentences_on_separate_lines():
    # Lsum unions the LCS of each reference sentence with the candidate's sentences: with the
    # sentences in the other order, plain LCS would find only one of them (4 of 8 tokens)
    candidate = "The lab opened in May. Two robots were built."
    reference = "Two robots were built. The lab opened in May."
    scores = rouge(candidate, reference, "en")
    assert scores["rl"] == pytest.approx(100.0)
    assert scores["r1"] == pytest.approx(100.0)
    assert scores["r2"] == pytest.approx(100 * 7 / 8)  # 8 bigrams; "may two" vs "built the" differ


def test_chinese_character_tokens():
    assert chinese_tokens("北京2024年GDP增长5.2%。") == ["北", "京", "2024", "年", "gdp", "增", "长", "5", "2"]
    assert chinese_tokens("ＡＢＣ，１２３ 科技") == ["abc", "123", "科", "技"]  # full-width folded


def test_chinese_rouge_by_hand():
    # candidate 7 characters, all in the 9-character reference: P 1, R 7/9, F 14/16
    # bigrams: 5 of the candidate's 6 in the reference's 8: F 2 * 5/6 * 5/8 / (5/6 + 5/8) = 5/7
    scores = rouge("科技局发布通知", "市科技局发布新通知", "zh")
    assert scores["r1"] == pytest.approx(100 * 14 / 16)
    assert scores["r2"] == pytest.approx(100 * 5 / 7)
    assert scores["rl"] == pytest.approx(100 * 14 / 16)  # LCS = the 7 characters
    # plain rouge-score would give 0 on Chinese; punctuation does not count
    assert rouge("科技，局。", "科技局", "zh")["r1"] == pytest.approx(100.0)
