"""The digest e-mail (digest/mail.py, policywatch/digests.py, `policywatch digest --send`): sent
to a real SMTP server on 127.0.0.1 (the smtp_sink fixture), one message per recipient per day
with a plain-text and an HTML part, each recipient's filters applied, never twice unless forced
(digest_deliveries, SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from config import ConfigError, get_settings
from policywatch.cli import app
from storage import (
    ArticleRecord,
    finish_crawl_run,
    record_crawl_health,
    save_summary,
    session_scope,
    start_crawl_run,
    upgrade_database,
    upsert_article,
    upsert_source,
)

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 3, 5)
BODY = (
    "新华社北京3月5日电 十四届全国人大二次会议5日上午在人民大会堂开幕，出席全国政协十四届二次会议的委员列席大会。"
    "委员们表示，将围绕科技创新、人才培养、成果转化等议题深入调研，提出高质量提案。"
)
runner = CliRunner()


def store_day(url: str) -> None:
    upgrade_database(url)
    with session_scope(url) as session:
        for source_id, name, language in (
            ("rmzxw", "人民政协网", "zh"),
            ("cppcc_people", "中国政协新闻网", "zh"),
            ("ichongqing", "iChongqing", "en"),
        ):
            upsert_source(
                session,
                id=source_id,
                name=name,
                host=f"{source_id}.test",
                language=language,
                family="zcms",
                enabled=True,
            )
        runs = {
            s: start_crawl_run(session, source_id=s, run_id="r1", logical_date=DAY)
            for s in ("rmzxw", "cppcc_people", "ichongqing")
        }
        records = [
            (
                "rmzxw",
                "https://www.rmzxw.com.cn/c/2024-03-05/1.shtml",
                "全国政协委员列席开幕会",
                BODY,
                "zh",
                datetime(2024, 3, 5, 13, tzinfo=SH),
            ),
            (
                "cppcc_people",
                "http://cppcc.people.com.cn/n1/2024/0305/c1-2.html",
                "全国政协委员列席开幕会",
                BODY + "（完）",
                "zh",
                datetime(2024, 3, 5, 12, tzinfo=SH),
            ),
            (
                "cppcc_people",
                "javascript:alert(1)",
                "关于人才评价的通知<script>",
                "人才评价与青年科技人才培养。",
                "zh",
                datetime(2024, 3, 5, 9, tzinfo=SH),
            ),
            (
                "ichongqing",
                "https://www.ichongqing.info/2024/03/05/talents/",
                "Chongqing attracts young talents",
                "Chongqing talent programme for postdoctoral researchers.",
                "en",
                datetime(2024, 3, 5, 8, tzinfo=SH),
            ),
        ]
        for source_id, article_url, title, body, language, when in records:
            upsert_article(
                session,
                ArticleRecord(
                    url=article_url,
                    source_id=source_id,
                    section=None,
                    title=title,
                    published_at=when,
                    language=language,
                    body=body,
                ),
                runs[source_id],
            )
        for run in runs.values():
            finish_crawl_run(
                session,
                run,
                status="success",
                pages_fetched=2,
                items_found=1,
                items_new=1,
                items_updated=0,
                items_unchanged=0,
                error_messages=[],
            )
        record_crawl_health(
            session,
            runs["ichongqing"],
            requests=3,
            not_modified=0,
            pages_failed=1,
            health="degraded",
            reasons=["1 of 2 pages had no date"],
        )
    with session_scope(url) as session:
        from storage import articles_for_summary, articles_to_summarize

        pending = articles_to_summarize(session, backend="lead", model_id="lead", model_version="1", parameters={})
        for article in articles_for_summary(session, [a.id for a in pending]):
            save_summary(
                session,
                article,
                text=f"摘要：{article.title}",
                language=article.language,
                backend="lead",
                model_id="lead",
                model_version="1",
                parameters={},
            )


@pytest.fixture
def mail_env(tmp_path, monkeypatch, database_url, smtp_sink):
    recipients = tmp_path / "recipients.toml"
    recipients.write_text(
        '[[recipient]]\naddress = "all@example.org"\nname = "Every Story"\n\n'
        '[[recipient]]\naddress = "english@example.org"\nlanguages = ["en"]\n\n'
        '[[recipient]]\naddress = "talent-rmzxw@example.org"\nsources = ["rmzxw", "cppcc_people"]\nthemes = ["talent"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DIGEST_RECIPIENTS", str(recipients))
    monkeypatch.setenv("POLICYWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("POLICYWATCH_SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setenv("POLICYWATCH_SMTP_SECURITY", "none")
    monkeypatch.setenv("POLICYWATCH_SMTP_FROM", "policywatch@example.org")
    store_day(database_url)
    return smtp_sink


def send(*extra):
    result = runner.invoke(app, ["digest", "--date", "2024-03-05", "--send", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_digest_is_emailed_once_per_recipient_with_both_parts_links_and_filters(mail_env):
    output = send()
    assert "sent to 3" in output
    messages = {m["to"][0]: m for m in mail_env.messages}
    assert set(messages) == {"all@example.org", "english@example.org", "talent-rmzxw@example.org"}

    everything = messages["all@example.org"]
    assert everything["from"] == "policywatch@example.org"
    assert everything["subject"] == "policywatch digest 2024-03-05: 3 new stories (1 source with problems)"
    assert everything["content_type"] == "multipart/alternative"
    (plain,) = [c for t, c in everything["parts"] if t == "text/plain"]
    (html,) = [c for t, c in everything["parts"] if t == "text/html"]
    for part in (plain, html):
        # the two reposts are one story with both links; the header names the degraded source
        assert "https://www.rmzxw.com.cn/c/2024-03-05/1.shtml" in part
        assert "http://cppcc.people.com.cn/n1/2024/0305/c1-2.html" in part
        assert "https://www.ichongqing.info/2024/03/05/talents/" in part
        assert "iChongqing: degraded: 1 of 2 pages had no date" in re.sub(r"<[^>]+>", "", part)
    assert plain.count("* 全国政协委员列席开幕会") == 1  # one story
    assert "(not a web link) javascript:alert(1)" in plain
    assert 'href="javascript' not in html and "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('href="https://www.rmzxw.com.cn/c/2024-03-05/1.shtml"') >= 1

    english = messages["english@example.org"]
    english_text = "\n".join(c for _, c in english["parts"])
    assert "Chongqing attracts young talents" in english_text and "全国政协委员列席开幕会" not in english_text
    assert english["subject"].startswith("policywatch digest 2024-03-05: 1 new story")

    talent = "\n".join(c for _, c in messages["talent-rmzxw@example.org"]["parts"])
    assert "关于人才评价的通知" in talent
    assert "Chongqing attracts young talents" not in talent and "全国政协委员列席开幕会" not in talent
    assert "iChongqing" not in talent  # not one of this recipient's sources: not in the header either

    # a re-run of the day sends nothing; --force sends again
    again = send()
    assert "sent to 0, 3 already sent before" in again and len(mail_env.messages) == 3
    send("--force")
    assert len(mail_env.messages) == 6


def test_bad_smtp_and_recipient_settings_are_refused_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("POLICYWATCH_SMTP_PORT", "lots")
    with pytest.raises(ConfigError, match="POLICYWATCH_SMTP_PORT='lots' is not an integer"):
        get_settings()
    monkeypatch.setenv("POLICYWATCH_SMTP_PORT", "25")
    monkeypatch.setenv("POLICYWATCH_SMTP_SECURITY", "tls")
    with pytest.raises(ConfigError, match="POLICYWATCH_SMTP_SECURITY='tls'"):
        get_settings()
    monkeypatch.setenv("POLICYWATCH_SMTP_SECURITY", "none")
    monkeypatch.setenv("POLICYWATCH_SMTP_FROM", "not an address")
    with pytest.raises(ConfigError, match="POLICYWATCH_SMTP_FROM"):
        get_settings()
    monkeypatch.delenv("POLICYWATCH_SMTP_FROM")
    monkeypatch.setenv("POLICYWATCH_SMTP_USER", "me")
    with pytest.raises(ConfigError, match="POLICYWATCH_SMTP_PASSWORD is needed"):
        get_settings()
    monkeypatch.delenv("POLICYWATCH_SMTP_USER")
    monkeypatch.delenv("POLICYWATCH_SMTP_HOST")
    with pytest.raises(ConfigError, match="POLICYWATCH_SMTP_PORT is set but POLICYWATCH_SMTP_HOST is not"):
        get_settings()
    monkeypatch.delenv("POLICYWATCH_SMTP_PORT")
    monkeypatch.delenv("POLICYWATCH_SMTP_SECURITY")
    monkeypatch.setenv("POLICYWATCH_DIGEST_RECIPIENTS", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="POLICYWATCH_DIGEST_RECIPIENTS=.* is not a file"):
        get_settings()

    from digest.mail import RecipientsError, load_recipients

    bad = tmp_path / "bad.toml"
    bad.write_text('[[recipient]]\naddress = "a@example.org"\ntopics = ["x"]\n', encoding="utf-8")
    with pytest.raises(RecipientsError, match="unknown key"):
        load_recipients(bad)
    bad.write_text('[[recipient]]\naddress = "a@example.org"\nthemes = ["nope"]\n', encoding="utf-8")
    with pytest.raises(RecipientsError, match="unknown theme"):
        load_recipients(bad, theme_ids={"talent"})


def test_send_without_smtp_settings_says_which_variable(mail_env, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_SMTP_HOST")
    monkeypatch.delenv("POLICYWATCH_SMTP_PORT")
    monkeypatch.delenv("POLICYWATCH_SMTP_SECURITY")
    monkeypatch.delenv("POLICYWATCH_SMTP_FROM")
    result = runner.invoke(app, ["digest", "--date", "2024-03-05", "--send"])
    assert result.exit_code == 2 and "POLICYWATCH_SMTP_HOST is not set" in result.output
    assert mail_env.messages == []


def test_dag_path_sends_through_the_airflow_smtp_connection(mail_env, monkeypatch):
    """policywatch_airflow.digest_mail: the DAG's digest task sends through an Airflow SMTP
    connection (its from_email is the sender), once per recipient and day, resend_digest forcing."""
    from policywatch_airflow.digest_mail import send_daily_digest

    for name in (
        "POLICYWATCH_SMTP_HOST",
        "POLICYWATCH_SMTP_PORT",
        "POLICYWATCH_SMTP_SECURITY",
        "POLICYWATCH_SMTP_FROM",
    ):
        monkeypatch.delenv(name)  # the DAG never uses the CLI's SMTP settings
    monkeypatch.setenv("POLICYWATCH_DIGEST_SMTP_CONN_ID", "no_such_connection")
    assert send_daily_digest(DAY) is None and mail_env.messages == []  # no connection: logged, not an error

    monkeypatch.setenv("AIRFLOW_CONN_DIGEST_SMTP", mail_env.connection_uri)
    monkeypatch.setenv("POLICYWATCH_DIGEST_SMTP_CONN_ID", "digest_smtp")
    report = send_daily_digest(DAY)
    assert sorted(report.sent) == ["all@example.org", "english@example.org", "talent-rmzxw@example.org"]
    assert {m["from"] for m in mail_env.messages} == {"airflow@policywatch.test"}
    (everything,) = [m for m in mail_env.messages if m["to"] == ["all@example.org"]]
    assert [t for t, _ in everything["parts"]] == ["text/plain", "text/html"]
    assert "https://www.rmzxw.com.cn/c/2024-03-05/1.shtml" in everything["parts"][1][1]
    assert send_daily_digest(DAY).sent == [] and len(mail_env.messages) == 3
    assert len(send_daily_digest(DAY, force=True).sent) == 3 and len(mail_env.messages) == 6
