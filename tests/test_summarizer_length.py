"""summarizer.length and the shipped summary length (issue 15): budgets per language, the
compression-ratio cap, short articles shown as themselves (and stored and rendered as "article
text"), cuts that never split a number, a date or a name, and the registry's ``[sources.summary]``.

The model-free ``lead`` backend carries the pipeline tests; the ``extractive`` ones load the
packaged MiniLM once (slow)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import store_kjj_cq_day
from sqlalchemy import select
from typer.testing import CliRunner

from config import ConfigError, RegistryError, get_settings, load_registry
from policywatch.cli import app
from policywatch.summary_config import configured_for, summary_options
from storage import (
    session_scope,
    summaries_since,
)
from storage.models import Summary as SummaryRow
from summarizer import Document, load_summarizer
from summarizer.guard import check
from summarizer.length import ARTICLE_TEXT, ELLIPSIS, LengthPolicy, cut, fit, render, shipped_options, size

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------------------- cutting

TRICKY = [
    # a date, a book title with 、 inside, a Chinese numeral with its counter, a decimal with units
    (
        "zh",
        "重庆市科学技术局于2024年3月5日印发《关于加快推进科技创新、促进高质量发展的若干措施》，"
        "明确了二十五项重点任务，计划投入资金2.7亿元。",
    ),
    # one long clause: only word boundaries (jieba) outside the date and the amount
    ("zh", "重庆市科学技术局2024年3月5日印发通知明确二十五项任务计划投入资金2.7亿元支持企业研发"),
    # digits with separators, a date written in words, a percentage, a capitalised name
    (
        "en",
        "The Ministry of Science and Technology said on March 5, 2024 that it would spend 1,250.5 "
        "million yuan, up 3.5 percent, on new laboratories in Chongqing and Chengdu.",
    ),
    ("en", "Gary Locke, the former U.S. ambassador to China, visited the CPPCC on Monday; he met 12 officials."),
]


def _protected_pieces(language: str) -> list[str]:
    if language == "zh":
        return ["2024年3月5日", "《关于加快推进科技创新、促进高质量发展的若干措施》", "二十五项", "2.7亿元"]
    return ["March 5, 2024", "1,250.5 million", "3.5 percent", "Gary Locke", "U.S.", "CPPCC", "Chongqing"]


@pytest.mark.parametrize(("language", "text"), TRICKY)
@pytest.mark.parametrize("budget", [6, 10, 14, 18, 25, 32, 45])
def test_a_cut_keeps_numbers_dates_and_names_whole(language, text, budget):
    limits = {"chars": budget} if language == "zh" else {"words": budget // 2}
    head = cut(text, limits, language)
    assert text.startswith(head) and head  # a verbatim head of the sentence
    shown = head + ELLIPSIS
    for piece in _protected_pieces(language):
        start = text.find(piece)
        if start < 0:
            continue
        # the cut (where the head ends) is never strictly inside a protected piece
        assert not start < len(head) < start + len(piece), (head, piece)
    assert check(shown, text).passed, check(shown, text).reason
    # within the budget, unless the first name is longer than it (a name is never cut)
    if language == "zh":
        first_name = "重庆市科学技术局"
    else:
        first_name = text[: text.index(",")] if "Gary" in text else text[: text.index(" said")]
    ((unit, limit),) = limits.items()
    if size(first_name, unit) < limit:
        assert size(shown, unit) <= limit


def test_clause_boundaries_come_before_word_boundaries():
    text = TRICKY[0][1]
    # the last clause end that fits: after the second clause (57 characters), then after the first
    assert cut(text, {"chars": 60}, "zh") == text[: text.index("任务") + 2]
    assert cut(text, {"chars": 50}, "zh") == text[: text.index("》") + 1]
    # shorter: never after the 、 inside the title, so before it (a word boundary), with the date whole
    assert cut(text, {"chars": 30}, "zh") == "重庆市科学技术局于2024年3月5日印发"
    english = TRICKY[3][1]
    assert cut(english, {"words": 8}, "en") == "Gary Locke, the former U.S. ambassador to China"
    # "1,250.5" and "10:30" are not clause ends
    assert cut("It cost 1,250.5 million yuan at 10:30 in Chongqing today.", {"words": 6}, "en") == (
        "It cost 1,250.5 million yuan at"
    )


def test_an_unmatched_quote_protects_nothing_and_ascii_commas_end_chinese_clauses():
    text = (
        '"[正文]国内外学术论文作者、科研管理相关机构:为促进中国学术期刊的数字化、网络化、规模化转型升级,'
        "经国家新闻出版广电总局批准(新广出审[2015]887号),由教育部主管,清华控股有限公司主办的"
        '《中国学术期刊(光盘版)》电子杂志社有限公司(简称"CNKI")出版。'
    )
    head = cut(text, {"chars": 100}, "zh")
    assert size(head + ELLIPSIS, "chars") <= 100 and head.endswith("887号),由教育部主管")


def test_fit_drops_later_sentences_first_and_renders_the_cut():
    sentences = ["市科技局发布年度工作计划。", "计划包括五个部分，涉及人才、平台和资金。", "各区县要认真落实。"]
    kept, was_cut = fit(sentences, {"chars": 20}, "zh")
    assert kept == ["市科技局发布年度工作计划。"] and not was_cut
    kept, was_cut = fit(sentences[1:], {"chars": 10}, "zh")
    assert kept == ["计划包括五个部分"] and was_cut
    assert render(kept, was_cut, "zh") == "计划包括五个部分…"
    assert fit(sentences, {}, "zh") == (sentences, False)


def test_policy_budget_ratio_and_short_articles():
    policy = LengthPolicy(max_chars=100, max_ratio=0.5)
    assert policy.limits("字" * 150, "zh") == {"chars": 75}
    assert policy.limits("字" * 400, "zh") == {"chars": 100}
    assert policy.is_short("字" * 100) and not policy.is_short("字" * 101)
    assert not LengthPolicy(max_ratio=0.5).is_short("字")  # no absolute budget: nothing is "short"
    assert LengthPolicy(max_ratio=0.5).limits("one two three four", "en") == {"words": 2}
    assert size("市 科技局 2024年", "chars") == 9 and size("Li Wei met 12 people, 市科", "words") == 7
    with pytest.raises(ValueError, match="max_ratio=1.5"):
        LengthPolicy(max_ratio=1.5)


def test_shipped_options_are_the_data_file():
    options = shipped_options()
    assert options["lengths"]["zh"] == {"max_chars": 100, "max_ratio": 0.5, "max_sentences": 1}
    assert options["lengths"]["en"] == {"max_words": 60, "max_ratio": 0.5}
    assert options["trim"] is True


# ----------------------------------------------------------------------------- the lead backend

LONG_ZH = (
    "市科技局发布2024年青年科技人才培养专项申报通知。单个项目资助额度为20万元至50万元，申报截止日期为4月30日。"
    "专项重点支持35周岁以下青年科研人员，申报单位须在线提交材料，并由所在区县科技主管部门审核推荐。"
    "评审结果将在市科技局网站公示，公示期为七个工作日。"
)
SHORT_ZH = "市科技局发布2024年度科技计划项目申报指南，申报截止日期为4月30日。"
LONG_EN = " ".join(
    [
        "Chongqing opened a robotics lab on Monday, the city's science bureau said in a statement.",
        "It cost 200 million yuan to build and will hire 50 researchers over the next two years.",
        "Dr. Li Wei, who leads the lab, said it would work with car makers and with universities.",
        "The city plans two more labs by 2026, one for batteries and one for sensors.",
    ]
)


def test_lead_at_the_shipped_budget_never_exceeds_it_nor_the_article():
    lead = load_summarizer("lead", max_sentences=3, **shipped_options())
    long_zh, short_zh, long_en = lead.summarize_batch(
        [Document("", LONG_ZH, "zh"), Document("", SHORT_ZH, "zh"), Document("", LONG_EN, "en")]
    )
    assert size(long_zh.text, "chars") <= min(100, size(LONG_ZH, "chars") // 2) and long_zh.kind == "summary"
    assert long_zh.text.startswith("市科技局发布2024年青年科技人才培养专项申报通知。")
    assert short_zh.kind == ARTICLE_TEXT and short_zh.text == SHORT_ZH
    assert size(long_en.text, "words") <= size(LONG_EN, "words") // 2 and long_en.kind == "summary"
    for summary, body in ((long_zh, LONG_ZH), (long_en, LONG_EN)):
        assert check(summary.text, body).passed
    # without a budget: the first three sentences, as before
    assert load_summarizer("lead", max_sentences=1).summarize(Document("", SHORT_ZH, "zh")).kind == "summary"


# ------------------------------------------------------------------------------- the registry

REGISTRY = """
[[sources]]
id = "kjj_cq"
name = "重庆市科学技术局"
host = "kjj.cq.gov.cn"
language = "zh"
family = "trs"
{summary}
[[sources.sections]]
name = "通知公告"
url = "https://kjj.cq.gov.cn/tzgg/"
"""


def _registry(tmp_path, summary: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(REGISTRY.format(summary=summary), encoding="utf-8")
    return path


def test_registry_summary_table_is_validated(tmp_path):
    source = load_registry(_registry(tmp_path, "summary = { max_sentences = 1, max_chars = 60 }")).get("kjj_cq")
    assert source.summary.options() == {"max_sentences": 1, "max_chars": 60}
    assert load_registry(_registry(tmp_path, "")).get("kjj_cq").summary.options() == {}
    with pytest.raises(
        RegistryError, match=r"source 'kjj_cq', field 'summary.max_chars': .*greater than or equal to 10"
    ):
        load_registry(_registry(tmp_path, "summary = { max_chars = 0 }"))
    with pytest.raises(RegistryError, match=r"source 'kjj_cq', field 'summary.max_lines': Extra inputs"):
        load_registry(_registry(tmp_path, "summary = { max_lines = 2 }"))


def test_a_bad_summary_length_is_a_one_line_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_SOURCES_FILE", str(_registry(tmp_path, "summary = { max_ratio = 2.0 }")))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'pw.db'}")
    result = CliRunner().invoke(app, ["sources", "list"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("configuration error: POLICYWATCH_SOURCES_FILE: "), lines
    assert "source 'kjj_cq', field 'summary.max_ratio'" in lines[0]
    config = tmp_path / "summarizer.toml"
    config.write_text("[summarizer]\nmax_words = 0\n", encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUMMARIZER_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"POLICYWATCH_SUMMARIZER_CONFIG: .*max_words: .*greater than or equal to 5"):
        get_settings()


def test_summary_options_layer_source_over_settings_over_shipped(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_SUMMARIZER_CONFIG", raising=False)
    monkeypatch.setenv("POLICYWATCH_SUMMARY_SENTENCES", "2")
    source = load_registry(_registry(tmp_path, "summary = { max_sentences = 1, max_chars = 60 }")).get("kjj_cq")
    settings = get_settings()
    assert summary_options(settings)["max_sentences"] == 2
    options = summary_options(settings, source)
    assert options["max_sentences"] == 1 and options["max_chars"] == 60 and options["lengths"]["zh"]["max_chars"] == 100
    lead = configured_for(load_summarizer("lead"), settings, source)
    assert lead.parameters["max_chars"] == 60 and lead.length_policy("zh").max_chars == 60
    # Chinese takes one sentence unless a count is set: by the user (above), or by the source
    monkeypatch.delenv("POLICYWATCH_SUMMARY_SENTENCES")
    assert summary_options(get_settings())["lengths"]["zh"]["max_sentences"] == 1
    three = load_registry(_registry(tmp_path, "summary = { max_sentences = 3 }")).get("kjj_cq")
    assert "max_sentences" not in summary_options(get_settings(), three)["lengths"]["zh"]
    # the configuration file's table of one language changes that one only
    config = tmp_path / "summarizer.toml"
    config.write_text("[summarizer]\nlengths = { zh = { max_chars = 80 } }\n", encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUMMARIZER_CONFIG", str(config))
    lengths = summary_options(get_settings())["lengths"]
    assert lengths["zh"] == {"max_chars": 80, "max_ratio": 0.5, "max_sentences": 1} and lengths["en"]["max_words"] == 60


# ------------------------------------------------------------------------ pipeline and digest


@pytest.fixture
def store(tmp_path, monkeypatch):
    store_kjj_cq_day(tmp_path, monkeypatch, [(LONG_ZH, "zh"), (SHORT_ZH, "zh")], spaced=True)
    monkeypatch.setenv("POLICYWATCH_SUMMARIZER", "lead")
    return monkeypatch


def _rows() -> list[tuple[str, dict]]:
    with session_scope(get_settings().database_url) as session:
        return [(s.text, s.parameters) for s in session.scalars(select(SummaryRow).order_by(SummaryRow.article_id))]


def test_pipeline_stores_short_articles_as_article_text_and_the_digest_says_so(store):
    from policywatch.pipeline import build_digest, summarize_pending

    assert summarize_pending().summarized == 2
    (long_text, long_params), (short_text, short_params) = _rows()
    assert "output" not in long_params and size(long_text, "chars") <= 100
    assert short_text == SHORT_ZH and short_params["output"] == ARTICLE_TEXT
    # the flag is not a configuration change: nothing is redone, even when asked
    assert summarize_pending().summarized == 0
    assert summarize_pending(resummarize=True).summarized == 0
    with session_scope(get_settings().database_url) as session:
        views = summaries_since(session, datetime(2000, 1, 1, tzinfo=SHANGHAI))
    assert {v.text: v.article_text for v in views} == {long_text: False, SHORT_ZH: True}

    files = build_digest(datetime(2024, 3, 5).date(), get_settings())
    markdown = files.markdown.read_text(encoding="utf-8")
    assert f"_Article text:_ {SHORT_ZH}" in markdown
    assert markdown.count("_Article text:_") == 1  # the long article's line is a summary
    assert "Article text: </span>" + SHORT_ZH in files.html.read_text(encoding="utf-8")
    feed = json.loads(files.json.read_text(encoding="utf-8"))
    kinds = {item["_policywatch"]["summary"]: item["_policywatch"]["summary_kind"] for item in feed["items"]}
    assert kinds[SHORT_ZH] == ARTICLE_TEXT and kinds[long_text] == "summary"


def test_a_source_summary_table_changes_its_summaries(store, tmp_path):
    from policywatch.pipeline import summarize_pending

    store.setenv(
        "POLICYWATCH_SOURCES_FILE", str(_registry(tmp_path, "summary = { max_sentences = 1, max_chars = 30 }"))
    )
    assert summarize_pending().summarized == 2
    (long_text, long_params), (short_text, short_params) = _rows()
    assert long_params["max_chars"] == 30 and size(long_text, "chars") <= 30
    assert long_text == "市科技局发布2024年青年科技人才培养专项申报通知。"
    # 36 characters: over this source's 30, so summarized, not shown whole: at most half of it
    assert short_text == "市科技局发布2024年度科技计划…" and "output" not in short_params


# ------------------------------------------------------------------------ the extractive backend


@pytest.mark.slow
def test_extractive_summaries_of_the_fixture_articles_fit_the_shipped_budget():
    extractive = load_summarizer("extractive", max_sentences=3, **shipped_options())
    articles = sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))
    docs = [Document("", path.read_text(encoding="utf-8"), "zh") for path in articles]
    docs += [Document("", LONG_ZH, "zh"), Document("", SHORT_ZH, "zh"), Document("", LONG_EN, "en")]
    for doc, summary in zip(docs, extractive.summarize_batch(docs), strict=True):
        unit, budget = ("chars", 100) if doc.language == "zh" else ("words", 60)
        article = size(doc.body, unit)
        assert size(summary.text, unit) <= min(budget, article // 2) or summary.kind == ARTICLE_TEXT
        assert summary.kind != ARTICLE_TEXT or article <= budget
        assert check(summary.text, doc.body).passed, (summary.text, check(summary.text, doc.body).reason)
        assert all(sentence in doc.body for sentence in summary.sentences)
