"""storage.reviews and storage.users: accounts, append-only reviews that stay with the summary
version they judged, the review queue's day, filters and counts; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from storage import (
    ArticleRecord,
    StaleSummaryError,
    add_user,
    effective_summaries,
    find_user,
    list_users,
    record_review,
    review_queue,
    save_summary,
    set_user_disabled,
    set_user_password,
    start_crawl_run,
    summary_feed_since,
    summary_reviews,
    upsert_article,
    upsert_source,
)
from storage.models import Article, Review, Summary

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 5, 10)
IDENTITY = {"backend": "extractive", "model_id": "m", "model_version": "v1", "parameters": {"k": 3}}


@pytest.fixture
def session(migrated_session):
    for source_id, name in (("kjj_cq", "重庆市科学技术局"), ("en_cppcc", "CPPCC")):
        upsert_source(migrated_session, id=source_id, name=name, host="h", language="zh", family="trs", enabled=True)
    return migrated_session


def _article(session, i, *, published_at, source_id="kjj_cq", language="zh"):
    run = start_crawl_run(session, source_id=source_id, run_id="run-1", logical_date=DAY.isoformat())
    upsert_article(
        session,
        ArticleRecord(
            url=f"https://kjj.cq.gov.cn/t{i}.html",
            source_id=source_id,
            section="通知公告",
            title=f"第{i}批项目",
            published_at=published_at,
            language=language,
            body=f"市科技局发布第{i}批项目申报通知。",
        ),
        run,
    )
    session.flush()
    return session.execute(select(Article).where(Article.url == f"https://kjj.cq.gov.cn/t{i}.html")).scalar_one()


def _summarized(session, i=0, *, text_="摘要", guard=None, published_at=None, **article_kw):
    article = _article(session, i, published_at=published_at or datetime(2026, 5, 10, 9, tzinfo=SHANGHAI), **article_kw)
    summary, _ = save_summary(session, article, text=text_, language=article.language, guard=guard, **IDENTITY)
    return summary


def _analyst(session, name="ana"):
    return add_user(session, name, "analyst", "$argon2id$v=19$fake-hash-for-tests")


# ------------------------------------------------------------------------------------- users


def test_users_added_found_listed_and_password_changed(session):
    ana = _analyst(session)
    viewer = add_user(session, "vic", "viewer", "h2")
    assert find_user(session, "ana") == ana and ana.role == "analyst" and not ana.disabled
    assert find_user(session, "nobody") is None
    assert [u.name for u in list_users(session)] == ["ana", "vic"]
    assert set_user_password(session, "vic", "h3").password_hash == "h3"
    assert find_user(session, "vic").password_hash == "h3" and viewer.password_hash == "h2"
    with pytest.raises(ValueError, match="exists already"):
        add_user(session, "ana", "viewer", "h")
    with pytest.raises(ValueError, match="unknown role 'admin'"):
        add_user(session, "bob", "admin", "h")
    with pytest.raises(ValueError, match="no user named 'bob'"):
        set_user_password(session, "bob", "h")
    assert [u.name for u in list_users(session)] == ["ana", "vic"]  # the failed add left the session usable


# ----------------------------------------------------------------------------------- reviews


def test_decisions_are_validated(session):
    summary = _summarized(session)
    ana = _analyst(session)
    viewer = add_user(session, "vic", "viewer", "h")
    with pytest.raises(ValueError, match="an edit needs the edited text"):
        record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="edit", edited_text="  ")
    with pytest.raises(ValueError, match="a rejection needs a reason"):
        record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="reject")
    with pytest.raises(ValueError, match="unknown review decision 'maybe'"):
        record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="maybe")
    with pytest.raises(ValueError, match="only an edit has an edited text"):
        record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="approve", edited_text="x")
    with pytest.raises(ValueError, match="'vic' is a viewer, not an analyst"):
        record_review(session, summary_id=summary.id, reviewer_id=viewer.id, decision="approve")
    set_user_disabled(session, "ana")
    with pytest.raises(ValueError, match="'ana' is disabled"):
        record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="approve")
    with pytest.raises(ValueError, match="no summary with id 999"):
        record_review(session, summary_id=999, reviewer_id=ana.id, decision="approve")
    assert session.execute(select(func.count()).select_from(Review)).scalar_one() == 0


def test_database_refuses_an_edit_without_text(session):
    """The CHECK constraints hold even for a writer that skips record_review."""
    summary = _summarized(session)
    ana = _analyst(session)
    with pytest.raises(Exception, match="(?i)check"), session.begin_nested():
        session.execute(
            text(
                "INSERT INTO reviews (summary_id, reviewer_id, decision, summary_updated_at, reviewed_text, "
                "reviewed_content_hash, reviewed_model_version, created_at) "
                "VALUES (:s, :u, 'edit', CURRENT_TIMESTAMP, 't', 'h', 'v', CURRENT_TIMESTAMP)"
            ),
            {"s": summary.id, "u": ana.id},
        )


def test_reviews_are_appended_and_the_model_text_kept(session):
    summary = _summarized(session, text_="模型摘要")
    ana, bea = _analyst(session), _analyst(session, "bea")
    first = record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="approve")
    edit = record_review(
        session,
        summary_id=summary.id,
        reviewer_id=bea.id,
        decision="edit",
        edited_text="  人工摘要 ",
        guard={"passed": True, "unsupported": []},
    )
    assert edit.edited_text == "人工摘要" and edit.guard == {"passed": True, "unsupported": []}
    history = summary_reviews(session, summary.id)
    assert [(r.id, r.reviewer, r.decision) for r in history] == [(edit.id, "bea", "edit"), (first.id, "ana", "approve")]
    assert all(r.current and r.reviewed_text == "模型摘要" for r in history)
    session.expire_all()
    assert session.get(Summary, summary.id).text == "模型摘要"  # never written over


def test_re_summarized_article_waits_again_and_the_old_review_stays(session):
    summary = _summarized(session, text_="旧摘要")
    ana = _analyst(session)
    old = record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="approve")
    assert review_queue(session, day=DAY, tz=SHANGHAI).items[0].status == "approved"

    article = summary.article
    remade, changed = save_summary(
        session, article, text="新摘要", language="zh", **{**IDENTITY, "model_version": "v2"}
    )
    assert changed and remade.id == summary.id
    item = review_queue(session, day=DAY, tz=SHANGHAI).items[0]
    assert (item.status, item.latest_review, item.summary_text) == ("unreviewed", None, "新摘要")
    assert _effective(session, summary.article_id) == ("unreviewed", "新摘要", "m", None)
    assert _feed_view(session, summary.article_id) == ("unreviewed", "新摘要", "m", None)
    [kept] = summary_reviews(session, summary.id)
    assert (kept.id, kept.current, kept.reviewed_text, kept.reviewed_model_version) == (old.id, False, "旧摘要", "v1")

    # a decision on the version the analyst saw, after it was re-made, is refused
    with pytest.raises(StaleSummaryError, match="re-made"):
        record_review(
            session,
            summary_id=summary.id,
            reviewer_id=ana.id,
            decision="approve",
            expected_updated_at=old.summary_updated_at,
        )
    new = record_review(
        session,
        summary_id=summary.id,
        reviewer_id=ana.id,
        decision="reject",
        reason="wrong amount",
        expected_updated_at=item.summary_updated_at,
    )
    item = review_queue(session, day=DAY, tz=SHANGHAI).items[0]
    assert (item.status, item.latest_review.id, item.latest_review.reason) == ("rejected", new.id, "wrong amount")
    assert [r.current for r in summary_reviews(session, summary.id)] == [True, False]


# ------------------------------------------------------------------------------ review queue


def test_queue_selects_the_local_day_and_filters(session):
    # 2026-05-10 00:30 in Shanghai is still 05-09 in UTC: it belongs to the 10th
    early = _summarized(session, 0, published_at=datetime(2026, 5, 10, 0, 30, tzinfo=SHANGHAI), guard={"passed": True})
    late = _summarized(session, 1, published_at=datetime(2026, 5, 10, 23, 30, tzinfo=SHANGHAI), guard={"passed": False})
    next_day = _summarized(session, 2, published_at=datetime(2026, 5, 11, 0, 10, tzinfo=SHANGHAI))
    _summarized(session, 3, published_at=datetime(2026, 5, 9, 23, 50, tzinfo=SHANGHAI))
    english = _summarized(session, 4, source_id="en_cppcc", language="en")
    ana = _analyst(session)
    record_review(session, summary_id=late.id, reviewer_id=ana.id, decision="edit", edited_text="改")

    page = review_queue(session, day=DAY, tz=SHANGHAI)
    assert page.total == 3
    assert [i.summary_id for i in page.items] == [late.id, english.id, early.id]  # newest first
    assert page.items[0].latest_review.reviewer == "ana" and page.items[0].status == "edited"
    assert page.items[1].source_name == "CPPCC" and page.items[1].body.startswith("市科技局")
    in_utc = review_queue(session, day=DAY, tz="UTC")  # 05-10 in UTC is 08:00 to 08:00 in Shanghai
    assert [i.summary_id for i in in_utc.items] == [next_day.id, late.id, english.id] and in_utc.total == 3

    def ids(**kw):
        return [i.summary_id for i in review_queue(session, day=DAY, tz=SHANGHAI, **kw).items]

    assert ids(source_id="en_cppcc") == [english.id]
    assert ids(language="zh") == [late.id, early.id]
    assert ids(status="unreviewed") == [english.id, early.id]
    assert ids(status="edited") == [late.id]
    assert ids(status="rejected") == []
    assert ids(guard_decision="passed") == [early.id]
    assert ids(guard_decision="failed") == [late.id]
    assert ids(guard_decision="unchecked") == [english.id]
    assert ids(article_ids=[early.article_id, 999]) == [early.id]
    second = review_queue(session, day=DAY, tz=SHANGHAI, offset=1, limit=1)
    assert (second.total, [i.summary_id for i in second.items]) == (3, [english.id])
    with pytest.raises(ValueError, match="unknown review status 'done'"):
        review_queue(session, day=DAY, tz=SHANGHAI, status="done")
    with pytest.raises(ValueError, match="unknown guard decision"):
        review_queue(session, day=DAY, tz=SHANGHAI, guard_decision="maybe")


def test_queue_item_carries_the_model_identity(session):
    summary = _summarized(session, guard={"passed": True, "checked": 2})
    [item] = review_queue(session, day=DAY, tz=SHANGHAI).items
    assert (item.backend, item.model_id, item.model_version, item.parameters) == ("extractive", "m", "v1", {"k": 3})
    assert item.guard == {"passed": True, "checked": 2} and item.summary_updated_at == summary.updated_at
    assert item.published_at == datetime(2026, 5, 10, 9, tzinfo=SHANGHAI)
    assert review_queue(session, day=DAY + timedelta(days=1), tz=SHANGHAI).total == 0


def test_a_review_stays_current_only_for_the_same_text_of_the_same_content(session):
    summary = _summarized(session, text_="摘要")
    ana = _analyst(session)
    record_review(session, summary_id=summary.id, reviewer_id=ana.id, decision="approve")
    article = summary.article
    # re-made by a new model version to the very same text: the analyst judged exactly this text
    save_summary(session, article, text="摘要", language="zh", **{**IDENTITY, "model_version": "v2"})
    assert review_queue(session, day=DAY, tz=SHANGHAI).items[0].status == "approved"
    # the article changed (new content hash), the summary text did not: judged against other content
    upsert_article(
        session,
        ArticleRecord(
            url=article.url,
            source_id="kjj_cq",
            section="通知公告",
            title=article.title,
            published_at=article.published_at,
            language="zh",
            body="更正：资助额度为五十万元。",
        ),
        None,
    )
    session.flush()
    session.refresh(article)
    save_summary(session, article, text="摘要", language="zh", **{**IDENTITY, "model_version": "v2"})
    assert review_queue(session, day=DAY, tz=SHANGHAI).items[0].status == "unreviewed"
    assert [r.current for r in summary_reviews(session, summary.id)] == [False]


# ------------------------------------------------------------- effective summary and feed


def _two_backends(session):
    """One article with an extractive summary and a newer generative one."""
    older = _summarized(session, 0, text_="抽取摘要")
    newer, _ = save_summary(
        session,
        older.article,
        text="生成摘要",
        language="zh",
        **{**IDENTITY, "backend": "generative", "model_id": "smollm2"},
    )
    return older, newer


def _feed(session, **kw):
    return {row.article_id: row for row in summary_feed_since(session, datetime(2000, 1, 1, tzinfo=UTC), **kw)}


def _effective(session, article_id, **kw):
    chosen = effective_summaries(session, [article_id], **kw).get(article_id)
    return (chosen.status, chosen.text, chosen.origin, chosen.reviewer) if chosen else None


def _feed_view(session, article_id, **kw):
    row = _feed(session, **kw).get(article_id)
    return (row.review_status, row.summary_text, row.summary_origin, row.reviewer) if row else None


def test_effective_summary_precedence_in_python_and_in_the_view(session):
    older, newer = _two_backends(session)
    ana = _analyst(session)
    article_id = older.article_id

    def both(expected, **kw):
        assert _effective(session, article_id, **kw) == expected
        assert _feed_view(session, article_id, **kw) == expected

    both(("unreviewed", "生成摘要", "smollm2", None))  # nothing reviewed: the newest
    both(None, require_review=True)
    record_review(session, summary_id=older.id, reviewer_id=ana.id, decision="approve")
    both(("approved", "抽取摘要", "m", "ana"))  # approved beats a newer unreviewed one
    both(("approved", "抽取摘要", "m", "ana"), require_review=True)
    record_review(session, summary_id=newer.id, reviewer_id=ana.id, decision="edit", edited_text="人工摘要")
    both(("edited", "人工摘要", "edit", "ana"))  # an approved edit beats an approved model summary
    record_review(session, summary_id=newer.id, reviewer_id=ana.id, decision="reject", reason="不准确")
    both(("approved", "抽取摘要", "m", "ana"))  # the newest decision on a summary counts
    record_review(session, summary_id=older.id, reviewer_id=ana.id, decision="reject", reason="不准确")
    both(None)  # rejected summaries never
    assert _feed_view(session, article_id, include_withdrawn=True) == ("rejected", None, None, "ana")
    assert _effective(session, article_id, backend="generative") is None


def test_feed_polling_sees_a_review_and_pages_without_skipping(session):
    first = _summarized(session, 0)
    second = _summarized(session, 1)
    mark = datetime.now(UTC)
    assert summary_feed_since(session, mark) == []
    ana = _analyst(session)
    record_review(session, summary_id=second.id, reviewer_id=ana.id, decision="approve")
    [row] = summary_feed_since(session, mark)
    assert (row.article_id, row.review_status, row.contract_version) == (second.article_id, "approved", 1)
    assert row.updated_at > mark and row.canonical_url == "https://kjj.cq.gov.cn/t1.html"
    assert row.source_name == "重庆市科学技术局" and row.published_at == datetime(2026, 5, 10, 1, tzinfo=UTC)

    every = summary_feed_since(session, mark - timedelta(days=1))
    assert [r.article_id for r in every] == [first.article_id, second.article_id]
    page = summary_feed_since(session, mark - timedelta(days=1), limit=1)
    rest = summary_feed_since(session, page[-1].updated_at, after_article_id=page[-1].article_id)
    assert [r.article_id for r in page + rest] == [first.article_id, second.article_id]
    with pytest.raises(ValueError, match="aware"):
        summary_feed_since(session, datetime(2026, 1, 1))
