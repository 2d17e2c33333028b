"""summarizer/guard, property-based (hypothesis): a summary made of the article's own sentences
(any of them, in any order) always passes the faithfulness guard; a number the article does not
state, added in a sentence of its own or put in place of one of the article's numbers, is always
flagged, in Chinese and in English."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from summarizer.guard import check
from summarizer.guard.numbers import number_key

PROPERTIES = settings(
    max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

ORGS = ["重庆市科学技术局", "四川省科学技术厅", "中国科学院", "全国政协", "深圳市科技创新委员会"]
PERSONS = ["张伟", "李强", "王芳"]
TOPICS = ["人工智能产业", "科技成果转化", "青年科技人才培养", "实验室建设"]
TITLES = ["重庆市科技创新促进条例", "科技计划项目管理办法"]
NAMES = ["Gary Locke", "Li Wei", "Chongqing", "CPPCC", "Sichuan University"]
SMALL = st.integers(min_value=2, max_value=9999)
PERCENT = st.integers(min_value=1, max_value=99)

ZH_SENTENCES = st.one_of(
    st.builds("{}发布了{}个科技项目。".format, st.sampled_from(ORGS), SMALL),
    st.builds("{}表示，{}取得明显进展。".format, st.sampled_from(PERSONS), st.sampled_from(TOPICS)),
    st.builds(
        "《{}》自{}年{}月{}日起施行。".format,
        st.sampled_from(TITLES),
        st.integers(min_value=1990, max_value=2100),
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=1, max_value=28),
    ),
    st.builds("{}投入资金{}万元，同比增长{}%。".format, st.sampled_from(TOPICS), SMALL, PERCENT),
)
EN_SENTENCES = st.one_of(
    st.builds("{} said {} projects were approved.".format, st.sampled_from(NAMES), SMALL),
    st.builds("Funding for {} rose {}% this year.".format, st.sampled_from(["research", "talent programmes"]), PERCENT),
    st.builds("The meeting in {} drew {} delegates.".format, st.sampled_from(NAMES), SMALL),
)


def _join(sentences: list[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(sentences)


ARTICLES = st.one_of(
    st.tuples(st.just("zh"), st.lists(ZH_SENTENCES, min_size=2, max_size=8)),
    st.tuples(st.just("en"), st.lists(EN_SENTENCES, min_size=2, max_size=8)),
)


@PROPERTIES
@given(ARTICLES, st.data())
def test_a_summary_of_the_articles_own_sentences_always_passes(article, data):
    language, sentences = article
    chosen = data.draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=3))
    result = check(_join(chosen, language), "标题\n" + _join(sentences, language))
    assert result.passed, result.reason


# a number no article above states: templates' numbers are below 10000, dates up to 2100
FOREIGN = st.integers(min_value=10_000, max_value=999_999)


def _flags(result, number: int) -> bool:
    return not result.passed and any(
        item["kind"] == "number" and number_key(item["text"]) == str(number) for item in result.unsupported
    )


@PROPERTIES
@given(ARTICLES, st.data(), FOREIGN)
def test_a_number_not_in_the_article_is_always_flagged(article, data, number):
    language, sentences = article
    body = _join(sentences, language)
    assert str(number) not in body
    chosen = data.draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=3))
    added = f"另有{number}家企业参与。" if language == "zh" else f"Another {number} firms joined."
    position = data.draw(st.integers(min_value=0, max_value=len(chosen)))
    summary = _join([*chosen[:position], added, *chosen[position:]], language)
    assert _flags(check(summary, body), number), summary


@PROPERTIES
@given(ARTICLES, st.data(), FOREIGN)
def test_a_changed_number_is_always_flagged(article, data, number):
    import re

    language, sentences = article
    body = _join(sentences, language)
    with_numbers = [s for s in sentences if re.search(r"\d", s)]
    assume(with_numbers)  # else nothing to change (the added number's property covers it)
    sentence = data.draw(st.sampled_from(with_numbers))
    numbers = list(re.finditer(r"\d+", sentence))
    target = data.draw(st.sampled_from(numbers))
    changed = sentence[: target.start()] + str(number) + sentence[target.end() :]
    assert _flags(check(changed, body), number), changed
