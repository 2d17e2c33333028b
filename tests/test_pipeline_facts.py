"""policywatch.facts: key facts stored with the summaries of new and changed articles, and the
backfill `policywatch facts [--rebuild]` over stored ones; one article that fails is reported and
the others are stored. Runs the model-free ``lead`` summarizer on SQLite."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from conftest import add_kjj_cq, crawl_kjj_cq
from typer.testing import CliRunner

from config import get_settings
from policywatch.cli import app
from policywatch.pipeline import summarize_pending
from storage import (
    get_article,
    key_facts,
    session_scope,
    upgrade_database,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE = (
    "各有关单位：\n一、支持方式。每项资助不超过50万元。\n二、申报时间。请于3月20日17:00前提交申报材料。\n"
    "重庆市科学技术局\n2024年3月1日"
)
NEWS = "3月4日，全省科技工作会议在杭州召开。会议总结了2023年全省科技工作，部署2024年重点任务。"


def _url(i: int) -> str:
    return f"https://kjj.cq.gov.cn/t{i}.html"


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in ("POLICYWATCH_SUMMARIZER", "POLICYWATCH_SUMMARIZER_CONFIG", "POLICYWATCH_SUMMARIZER_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'policywatch.db'}")
    monkeypatch.setenv("POLICYWATCH_SUMMARIZER", "lead")
    upgrade_database(get_settings().database_url)
    with session_scope(get_settings().database_url) as session:
        add_kjj_cq(session)
    _crawl([NOTICE, NEWS])
    return monkeypatch


def _crawl(bodies: list[str]) -> None:
    with session_scope(get_settings().database_url) as session:
        crawl_kjj_cq(
            session,
            [
                (_url(i), f"关于组织申报第{i}批项目的通知", body, {"document_number": f"渝科局发〔2024〕{i + 1}号"})
                for i, body in enumerate(bodies)
            ],
            day="2024-03-01",
        )


def _views():
    with session_scope(get_settings().database_url) as session:
        return [key_facts(get_article(session, _url(i))) for i in range(2)]


def test_summarizing_stores_the_key_facts_of_new_and_changed_articles(env):
    assert _views() == [None, None]
    assert summarize_pending().summarized == 2
    notice, news = _views()
    assert notice.line() == "截止 2024-03-20 17:00 · 资助 不超过50万元 · 渝科局发〔2024〕1号"
    assert news.deadline is None and news.funding == () and news.document_number == "渝科局发〔2024〕2号"
    _crawl([NOTICE.replace("3月20日", "3月27日"), NEWS])  # the notice is corrected
    assert _views()[0] is None  # its old facts went with its old content
    assert summarize_pending().summarized == 1
    assert _views()[0].deadline == "2024-03-27T17:00"


def test_the_facts_command_fills_in_and_rebuilds(env):
    runner = CliRunner()
    result = runner.invoke(app, ["facts"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "key facts: 2 articles read, 2 with key facts, 2 stored"
    assert _views()[0].deadline == "2024-03-20T17:00"
    # nothing missing: nothing read; --rebuild reads every article again (the same facts: none written)
    assert runner.invoke(app, ["facts"]).output.strip() == "key facts: 0 articles read, 0 with key facts, 0 stored"
    result = runner.invoke(app, ["facts", "--rebuild", "--source", "kjj_cq"])
    assert result.output.strip() == "key facts: 2 articles read, 2 with key facts, 0 stored"
    assert runner.invoke(app, ["facts", "--rebuild", "--source", "nowhere"]).output.startswith("key facts: 0 articles")


def test_one_article_that_fails_never_stops_the_others(env):
    import summarizer.key_facts as key_facts_module

    real = key_facts_module.extract_key_facts

    def failing_on_the_news(title, body, **kwargs):
        if body == NEWS:
            raise ValueError("unreadable")
        return real(title, body, **kwargs)

    env.setattr(key_facts_module, "extract_key_facts", failing_on_the_news)
    result = CliRunner().invoke(app, ["facts"])
    assert result.exit_code == 1
    assert "key facts: 2 articles read, 1 with key facts, 1 stored" in result.output
    assert "key facts failed: ValueError: unreadable" in result.output
    notice, news = _views()
    assert notice.deadline == "2024-03-20T17:00" and news is None
