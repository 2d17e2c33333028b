"""storage.digest_entries leaves out advertorials (extra["advertorial"]), which stay stored (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from crawlers.extract.zcms import parse_zcms_article
from storage import (
    ArticleRecord,
    digest_entries,
    start_crawl_run,
    upsert_article,
    upsert_source,
)
from storage.models import Article

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 3, 5)
REAL_AD = (
    Path(__file__).resolve().parent
    / "fixtures"
    / "sites"
    / "www.rmzxw.com.cn"
    / "_real"
    / "rmzxw_c_2026-09-16_3976199.TRIMMED.html"
)
REAL_AD_URL = "https://www.rmzxw.com.cn/c/2026-09-16/3976199.shtml"


@pytest.fixture
def session(migrated_session):
    return migrated_session


def record(content_id: int, title: str, extra: dict) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://www.rmzxw.com.cn/c/2024-03-04/{content_id}.shtml",
        source_id="rmzxw",
        section="滚动资讯",
        title=title,
        published_at=datetime(2024, 3, 4, 13, 5, tzinfo=SH),
        language="zh",
        body=f"{title}。正文。",
        extra=extra,
    )


def store_day(session, records: list[ArticleRecord]) -> None:
    upsert_source(
        session, id="rmzxw", name="人民政协网", host="www.rmzxw.com.cn", language="zh", family="zcms", enabled=True
    )
    run = start_crawl_run(session, source_id="rmzxw", run_id="run-1", logical_date=DAY)
    for rec in records:
        upsert_article(session, rec, run)
    session.commit()


def test_flagged_advertorial_is_stored_but_not_in_the_digest(session):
    store_day(
        session,
        [
            record(
                3512330,
                "某科技企业发布新一代智能制造解决方案",
                {"advertorial": True, "advertorial_notice": "【免责声明】…企业广告宣传资讯"},
            ),
            record(3511355, "科技部：2024年将加快推进高水平科技自立自强", {"advertorial": False}),
            record(3511356, "没有这个标记的旧记录", {}),
        ],
    )
    titles = [entry.article.title for entry in digest_entries(session, DAY)]
    # same source and publication time: ordered by id, i.e. storage order
    assert titles == ["科技部：2024年将加快推进高水平科技自立自强", "没有这个标记的旧记录"]
    stored = session.scalars(select(Article.title).where(Article.source_id == "rmzxw")).all()
    assert len(stored) == 3  # nothing stored is lost


def test_real_rmzxw_advertorial_page_is_kept_out_of_the_digest(session):
    article = parse_zcms_article(REAL_AD.read_bytes(), REAL_AD_URL, content_type="text/html; charset=utf-8")
    assert article.extra["advertorial"] is True
    real = ArticleRecord(
        url=article.url,
        source_id="rmzxw",
        section="滚动资讯",
        title=article.title,
        published_at=article.published_at,
        language="zh",
        body=article.body,
        extra=article.extra,
    )
    store_day(session, [real, record(3511355, "科技部：2024年将加快推进高水平科技自立自强", {"advertorial": False})])
    assert [entry.article.url for entry in digest_entries(session, DAY)] == [
        "https://www.rmzxw.com.cn/c/2024-03-04/3511355.shtml"
    ]
    assert session.scalar(select(Article.extra).where(Article.url == REAL_AD_URL))["advertorial"] is True
