"""storage.article_facts (storage.key_facts and the writers): the key facts stored in articles.extra["key_facts"] beside the crawler's
extra, the read model (key_facts, its one line), and that facts never outlive their content, on
SQLite and PostgreSQL."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from conftest import crawl_kjj_cq

from storage import (
    article_ids,
    articles_for_key_facts,
    get_article,
    key_facts,
    save_key_facts,
)
from summarizer.key_facts import extract_key_facts

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html"
BODY = (
    "各有关单位：\n重点项目每项资助不超过200万元。\n"
    "三、申报时间。网上申报时间为2024年3月11日9:00至2024年3月20日17:00。\n重庆市科学技术局\n2024年3月4日"
)


@pytest.fixture
def session(storage_session):
    return storage_session


def _store(session, body=BODY, extra=None):
    extra = extra if extra is not None else {"document_number": "渝科局发〔2024〕12号", "rule": "trs"}
    crawl_kjj_cq(session, [(URL, "关于组织申报2024年度项目的通知", body, extra)])
    return get_article(session, URL)


def _facts_of(article_input):
    return extract_key_facts(
        article_input.title,
        article_input.body,
        language=article_input.language,
        published_year=2024,
        metadata=article_input.metadata,
    ).to_dict()


def test_key_facts_are_stored_beside_the_crawlers_extra_and_read_back(session):
    article = _store(session)
    (item,) = articles_for_key_facts(session, article_ids(session))
    assert item.metadata == {"document_number": "渝科局发〔2024〕12号"}
    assert item.stored_version is None
    assert save_key_facts(session, item, _facts_of(item)) is True
    assert save_key_facts(session, item, _facts_of(item)) is False  # the same facts: nothing written
    session.expire_all()
    article = get_article(session, URL)
    assert article.extra["rule"] == "trs"  # the crawler's extra is kept
    assert article.extra["key_facts"]["content_hash"] == article.content_hash
    assert article.extra["key_facts"]["deadline"]["sentence"] in BODY
    view = key_facts(article)
    assert view.deadline == "2024-03-20T17:00"
    assert [(a.yuan, a.text) for a in view.funding] == [(2_000_000, "不超过200万元")]
    assert view.document_number == "渝科局发〔2024〕12号"
    assert view.issuers == ("重庆市科学技术局",)
    assert view.line() == "截止 2024-03-20 17:00 · 资助 不超过200万元 · 渝科局发〔2024〕12号"
    assert view.to_dict()["funding"] == [{"yuan": 2_000_000, "text": "不超过200万元"}]
    (again,) = articles_for_key_facts(session, [article.id])
    assert again.stored_version == view.version


def test_facts_are_dropped_with_the_content_they_were_read_from(session):
    article = _store(session)
    (item,) = articles_for_key_facts(session, [article.id])
    # a crawl stores a new version of the article before the facts of the old one are saved
    _store(session, body=BODY.replace("3月20日", "3月25日"))
    assert save_key_facts(session, item, _facts_of(item)) is False
    session.expire_all()
    assert key_facts(get_article(session, URL)) is None
    (fresh,) = articles_for_key_facts(session, [article.id])
    assert save_key_facts(session, fresh, _facts_of(fresh)) is True
    session.expire_all()
    assert key_facts(get_article(session, URL)).deadline == "2024-03-25T17:00"
    # the next change of content replaces extra, and the facts with it
    _store(session, body=BODY.replace("3月20日", "3月28日"))
    session.expire_all()
    article = get_article(session, URL)
    assert "key_facts" not in article.extra
    assert key_facts(article) is None


def test_the_read_model_of_an_article_without_facts(session):
    article = _store(session, extra={})
    assert key_facts(article) is None
    assert key_facts(None) is None
    empty = key_facts({"key_facts": {"version": 1, "deadline": None, "funding": [], "issuers": []}})
    assert empty.empty and empty.line() == ""
    english = key_facts(
        {"key_facts": {"deadline": {"value": "2024-03-20"}, "funding": [{"value": 5, "text": "5 yuan"}]}}
    )
    assert english.line("en") == "Deadline 2024-03-20 · Funding 5 yuan"


def test_downstream_jobs_read_the_key_facts_with_each_summary(session):
    """summaries_since and the summary_feed (contract version 2) both give key_facts_record(article):
    its line in the article's language even when the summary is in another one; None without facts."""
    from datetime import UTC, datetime

    from storage import key_facts_record, save_summary, summaries_since, summary_feed_since

    article = _store(session)
    (item,) = articles_for_key_facts(session, [article.id])
    save_summary(
        session, item, text="Summary.", language="en", backend="lead", model_id="lead", model_version="1", parameters={}
    )
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert summaries_since(session, since)[0].key_facts is None
    assert summary_feed_since(session, since)[0].key_facts is None
    save_key_facts(session, item, _facts_of(item))
    session.expire_all()
    (view,) = summaries_since(session, since)
    assert view.key_facts == key_facts_record(get_article(session, URL))
    assert view.key_facts["line"] == "截止 2024-03-20 17:00 · 资助 不超过200万元 · 渝科局发〔2024〕12号"
    assert view.key_facts["deadline"] == "2024-03-20T17:00"
    (row,) = summary_feed_since(session, since)
    assert row.key_facts == view.key_facts
