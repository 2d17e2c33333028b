"""Review queue and summary feed benchmark over synthetic summaries, on SQLite and PostgreSQL.

    .venv/bin/python bench/review_queue.py [--summaries 10000] [--days 20] [--repeat 5]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--json]

Seeds an empty database (a temporary SQLite file; a throwaway schema on the PostgreSQL server,
dropped afterwards) through Alembic with ``--summaries`` articles over 5 sources, published
evenly over ``--days`` days, one summary each, a quarter of them reviewed (approve, edit,
reject in turn) and one review in ten of those made stale by a re-summarization. Then times, best
of ``--repeat``: ``review_queue`` of one day (first page; a deep page; status and guard filters;
each call is its page query plus its count query), ``summary_feed_since`` of the last hour's
changes and of everything, and ``digest_entries``-like effective summaries of one day's articles.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from storage import (  # noqa: E402
    add_user,
    effective_summaries,
    make_engine,
    review_queue,
    summary_feed_since,
    upgrade_database,
    upsert_source,
)
from storage.models import Article, Review, Summary  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 5, 1)
SOURCES = ("kjj_cq", "ichongqing", "en_cppcc", "cppcc_gov", "kjt_sc")


def seed(session: Session, n: int, days: int) -> datetime:
    for source_id in SOURCES:
        upsert_source(session, id=source_id, name=source_id, host="h", language="zh", family="trs", enabled=True)
    ana = add_user(session, "ana", "analyst", "hash")
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=SHANGHAI)
    spread = timedelta(days=days) / n
    old = datetime(2026, 5, 1, tzinfo=UTC)
    articles = [
        {
            "id": i + 1,
            "url": f"https://example.gov.cn/{i}.html",
            "source_id": SOURCES[i % len(SOURCES)],
            "title": f"第{i}号通知",
            "published_at": start + spread * i,
            "language": "zh" if i % 4 else "en",
            "body": f"正文{i}。" * 40,
            "content_hash": f"{i:064x}",
            "extra": {},
            "first_seen_at": old,
            "last_seen_at": old,
            "updated_at": old,
        }
        for i in range(n)
    ]
    session.execute(insert(Article), articles)
    summaries = [
        {
            "id": i + 1,
            "article_id": i + 1,
            "text": f"摘要{i}",
            "language": articles[i]["language"],
            "backend": "extractive",
            "model_id": "m",
            "model_version": "v1",
            "parameters": {"k": 3},
            "content_hash": articles[i]["content_hash"],
            "created_at": old + timedelta(seconds=i),
            "updated_at": old + timedelta(seconds=i),
            "guard": {"passed": bool(i % 3), "checked": 1},
        }
        for i in range(n)
    ]
    session.execute(insert(Summary), summaries)
    decisions = ("approve", "edit", "reject")
    reviews = [
        {
            "summary_id": i + 1,
            "reviewer_id": ana.id,
            "decision": decisions[k % 3],
            "edited_text": f"改{i}" if k % 3 == 1 else None,
            "reason": "不准确" if k % 3 == 2 else None,
            "summary_updated_at": summaries[i]["updated_at"],
            # one in ten judged an earlier text: stale, the summary waits again
            "reviewed_text": summaries[i]["text"] + ("旧" if k % 10 == 0 else ""),
            "reviewed_content_hash": summaries[i]["content_hash"],
            "reviewed_model_version": "v1",
            "created_at": old + timedelta(days=1, seconds=i),
        }
        for k, i in enumerate(range(0, n, 4))
    ]
    session.execute(insert(Review), reviews)
    # the last hour: 50 re-made summaries and 50 reviews (what a poller sees)
    now = datetime.now(UTC)
    session.execute(Summary.__table__.update().where(Summary.id <= 50).values(updated_at=now - timedelta(minutes=30)))
    recent = [{**reviews[-1 - j], "summary_id": n - j, "created_at": now - timedelta(minutes=20)} for j in range(50)]
    for row in recent:
        row["reviewed_text"] = summaries[row["summary_id"] - 1]["text"]
        row["reviewed_content_hash"] = summaries[row["summary_id"] - 1]["content_hash"]
    session.execute(insert(Review), recent)
    session.commit()
    return now - timedelta(hours=1)


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def run(url: str, n: int, days: int, repeat: int) -> list[dict]:
    upgrade_database(url)
    engine = make_engine(url)
    figures = []
    try:
        with Session(engine) as session:
            hour_ago = seed(session, n, days)
            if engine.dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
                session.commit()
            day = FIRST_DAY + timedelta(days=days // 2)
            cases = {
                "review_queue day, page 1": lambda: review_queue(session, day=day, tz=SHANGHAI),
                "review_queue day, offset 400": lambda: review_queue(session, day=day, tz=SHANGHAI, offset=400),
                "review_queue day, unreviewed": lambda: review_queue(
                    session, day=day, tz=SHANGHAI, status="unreviewed"
                ),
                "review_queue day, guard failed, zh": lambda: review_queue(
                    session, day=day, tz=SHANGHAI, guard_decision="failed", language="zh"
                ),
                "summary_feed_since last hour": lambda: summary_feed_since(session, hour_ago),
                "summary_feed_since everything": lambda: summary_feed_since(session, datetime(2000, 1, 1, tzinfo=UTC)),
                "effective summaries of one day": lambda: effective_summaries(
                    session,
                    session.execute(
                        select(Article.id).where(
                            Article.published_at >= datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI),
                            Article.published_at
                            < datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(days=1),
                        )
                    ).scalars(),
                ),
            }
            for name, fn in cases.items():
                seconds, result = best(fn, repeat)
                size = result.total if hasattr(result, "total") else len(result)
                figures.append({"dialect": engine.dialect.name, "case": name, "rows": size, "best_ms": seconds * 1000})
    finally:
        engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summaries", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres-url", default=os.environ.get("POLICYWATCH_TEST_POSTGRES_URL"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        figures += run(f"sqlite:///{tmp}/bench.db", args.summaries, args.days, args.repeat)
    if args.postgres_url:
        admin = make_engine(args.postgres_url)
        schema = f"bench_review_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            connection.commit()
        try:
            url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
            figures += run(url, args.summaries, args.days, args.repeat)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                connection.commit()
            admin.dispose()
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"figures": figures, "load": load}))
        return
    print(f"{args.summaries} summaries over {args.days} days, best of {args.repeat}; load average {load[0]:.2f}")
    for f in figures:
        print(f"{f['dialect']:<10} {f['case']:<38} {f['rows']:>6} rows {f['best_ms']:>9.1f} ms")


if __name__ == "__main__":
    main()
