"""The digest shows the effective summary (storage.digest_entries): an analyst's edit with an
"edited by" mark, an approved summary with "reviewed by", never a rejected one; with
require_review, no unreviewed one. Every format, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from digest import build_digest_model
from digest.render import render_format, sections_from_entries
from storage import (
    ArticleRecord,
    add_user,
    digest_entries,
    record_review,
    save_summary,
    start_crawl_run,
    upsert_article,
    upsert_source,
)
from storage.models import Article

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 3, 5)
IDENTITY = {"backend": "extractive", "model_id": "m", "model_version": "v1", "parameters": {}}
TOPICS = {
    "edited": ("市科技局启动人工智能专项", "模型写的人工智能摘要"),
    "approved": ("重庆发布种业振兴行动方案", "种业振兴方案的模型摘要"),
    "rejected": ("科协召开学术年会", "错误的学术年会摘要"),
    "unreviewed": ("高新区举办创新创业大赛", "创新创业大赛的模型摘要"),
}


@pytest.fixture
def session(migrated_session):
    session = migrated_session
    upsert_source(session, id="kjj_cq", name="重庆市科学技术局", host="h", language="zh", family="trs", enabled=True)
    run = start_crawl_run(session, source_id="kjj_cq", run_id="run-1", logical_date=DAY)
    ana = add_user(session, "ana", "analyst", "hash")
    for hour, (kind, (title, summary_text)) in enumerate(TOPICS.items(), start=8):
        url = f"https://kjj.cq.gov.cn/{kind}.html"
        body = f"{title}。" + "正文内容各不相同。" * (hour - 6)
        record = ArticleRecord(
            url=url,
            source_id="kjj_cq",
            section="通知公告",
            title=title,
            published_at=datetime(2024, 3, 5, hour, tzinfo=SH),
            language="zh",
            body=body,
        )
        upsert_article(session, record, run)
        article = session.execute(select(Article).where(Article.url == url)).scalar_one()
        summary, _ = save_summary(session, article, text=summary_text, language="zh", **IDENTITY)
        decision = {"edited": "edit", "approved": "approve", "rejected": "reject"}.get(kind)
        if decision:
            record_review(
                session,
                summary_id=summary.id,
                reviewer_id=ana.id,
                decision=decision,
                edited_text="分析员改写的人工智能摘要" if decision == "edit" else None,
                reason="与原文不符" if decision == "reject" else None,
            )
    session.flush()
    return session


def _formats(session, **kw) -> dict[str, str]:
    sections = sections_from_entries(digest_entries(session, DAY, **kw), SH)
    digest = build_digest_model(DAY, sections, datetime(2024, 3, 5, tzinfo=UTC))
    return {name: render_format(digest, name) for name in ("html", "md", "json", "atom")}


def test_edit_shows_with_its_mark_and_a_rejected_summary_never(session):
    formats = _formats(session)
    for name, text in formats.items():
        assert "分析员改写的人工智能摘要" in text and "edited by ana" in text, name
        assert "模型写的人工智能摘要" not in text, name  # the model's text under the edit is not shown
        assert "种业振兴方案的模型摘要" in text and "reviewed by ana" in text, name
        assert "错误的学术年会摘要" not in text, name
        assert "科协召开学术年会" in text, name  # the article stays, without a summary
        assert "创新创业大赛的模型摘要" in text, name
    items = {item["title"]: item["_policywatch"] for item in json.loads(formats["json"])["items"]}
    assert items["市科技局启动人工智能专项"]["review"] == "edited by ana"
    assert items["重庆发布种业振兴行动方案"]["review"] == "reviewed by ana"
    assert items["高新区举办创新创业大赛"]["review"] is None
    assert items["科协召开学术年会"]["summary"] is None


def test_require_review_leaves_unreviewed_summaries_out(session):
    for name, text in _formats(session, require_review=True).items():
        assert "创新创业大赛的模型摘要" not in text and "高新区举办创新创业大赛" in text, name
        assert "分析员改写的人工智能摘要" in text and "种业振兴方案的模型摘要" in text, name
