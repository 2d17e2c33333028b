"""Articles and their summaries for a day, stored as the pipeline stores them (a crawl run of the
day per source, upsert_article, save_summary with the faithfulness guard's decision): what the review app's tests
and bench/review_load.py review. Nothing here is a model: the summary is given, or the article's
first sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SAMPLE_SOURCES = {
    "kjj_cq": ("重庆市科学技术局", "kjj.cq.gov.cn", "zh"),
    "en_cppcc": ("CPPCC National Committee (English)", "en.cppcc.gov.cn", "en"),
}
IDENTITY = {
    "backend": "extractive",
    "model_id": "all-MiniLM-L6-v2",
    "model_version": "sample",
    "parameters": {"sentences": 1},
}


@dataclass(frozen=True)
class SampleArticle:
    url: str
    title: str
    body: str
    summary: str
    source_id: str = "kjj_cq"
    language: str = "zh"
    minute: int = 0  # minutes after 09:00 of the day: the queue's order (newest first)
    extra: dict = field(default_factory=dict)


def synthetic_articles(count: int, *, start: int = 0) -> list[SampleArticle]:
    """``count`` distinct articles, Chinese and English in turn (for load: 10,000 of a day)."""
    articles = []
    for number in range(start, start + count):
        if number % 2:
            body = (
                f"重庆市科技局第{number}号通知：支持{number % 97 + 3}家实验室开展人工智能研究。申报截止时间为3月31日。"
            )
            summary = body.split("。")[0] + "。"
            articles.append(
                SampleArticle(f"https://kjj.cq.gov.cn/sample/{number}.html", f"科技通知 第{number}号", body, summary)
            )
        else:
            body = (
                f"The CPPCC held consultation number {number} on basic research funding. "
                f"Members proposed {number % 89 + 2} new grants for young scientists."
            )
            articles.append(
                SampleArticle(
                    f"https://en.cppcc.gov.cn/sample/{number}.html",
                    f"Consultation {number} on research funding",
                    body,
                    body.split(". ")[0] + ".",
                    source_id="en_cppcc",
                    language="en",
                )
            )
    return articles


def store_sample_day(
    database_url: str, day: date, articles: list[SampleArticle], *, tz: str = "Asia/Shanghai", guard: bool = True
) -> None:
    """Store ``articles`` as published on ``day`` (their ``minute`` after 09:00 in ``tz``), each
    with its summary. ``guard``: the guard's real decision on each summary (False: a passed
    decision without checking, for bulk loads)."""
    from storage import (
        ArticleRecord,
        finish_crawl_run,
        get_article,
        save_summary,
        session_scope,
        start_crawl_run,
        upgrade_database,
        upsert_article,
        upsert_source,
    )

    upgrade_database(database_url)
    zone = ZoneInfo(tz)
    with session_scope(database_url) as session:
        runs = {}
        for source_id, (name, host, language) in SAMPLE_SOURCES.items():
            upsert_source(session, id=source_id, name=name, host=host, language=language, family="trs", enabled=True)
            runs[source_id] = start_crawl_run(
                session, source_id=source_id, run_id=f"sample__{day.isoformat()}", logical_date=day
            )
        for article in articles:
            published = datetime.combine(day, time(9), tzinfo=zone) + timedelta(minutes=article.minute)
            record = ArticleRecord(
                url=article.url,
                source_id=article.source_id,
                section=None,
                title=article.title,
                published_at=published,
                language=article.language,
                body=article.body,
                extra=article.extra,
            )
            upsert_article(session, record, runs[article.source_id])
            stored = get_article(session, article.url)
            verdict = _guard(article) if guard else {"checked": 0, "passed": True, "unsupported": [], "reason": ""}
            save_summary(session, stored, text=article.summary, language=article.language, guard=verdict, **IDENTITY)
        for source_id, run in runs.items():
            count = sum(1 for a in articles if a.source_id == source_id)
            finish_crawl_run(
                session,
                run,
                status="success",
                pages_fetched=count,
                items_found=count,
                items_new=count,
                items_updated=0,
                items_unchanged=0,
                error_messages=[],
            )


def _guard(article: SampleArticle) -> dict:
    from summarizer.guard import check

    return check(article.summary, f"{article.title}\n{article.body}").to_dict()
