"""policywatch.pipeline.summarize_pending and `policywatch summarize`: the backend chosen by
configuration (POLICYWATCH_SUMMARIZER, the config file, --backend), the guard decision stored with
every summary, and --resummarize redoing summaries of an older configuration without a crawl.

Runs the model-free ``lead`` backend, so no model is loaded here."""

from __future__ import annotations

from contextlib import ExitStack
from zoneinfo import ZoneInfo

import pytest
from conftest import store_kjj_cq_day
from sqlalchemy import select
from typer.testing import CliRunner

from config import ConfigError, get_settings
from policywatch.cli import app
from policywatch.pipeline import load_configured_summarizer, summarize_pending
from storage import session_scope
from storage.models import Summary
from summarizer.guard import check

SHANGHAI = ZoneInfo("Asia/Shanghai")
# longer than the shipped length budget (100 characters, 60 words): summarized, not shown whole
BODIES = [
    "市科技局发布2024年青年科技人才培养专项申报通知。单个项目资助额度为20万元至50万元。申报截止日期为4月30日。"
    "专项重点支持35周岁以下青年科研人员。申报单位须在线提交材料，并由所在区县科技主管部门审核推荐。"
    "评审结果将在市科技局网站公示，公示期为七个工作日。",
    "Chongqing opened a robotics lab on Monday. It cost 200 million yuan to build. Dr. Li Wei leads "
    "the lab, which will hire 50 researchers. Several car makers signed research deals with it. "
    "The city plans two more labs by 2026, one for batteries and one for sensors. Officials said the "
    "labs would share equipment with universities and with small companies that cannot afford it.",
]


@pytest.fixture
def env(tmp_path, monkeypatch):
    store_kjj_cq_day(tmp_path, monkeypatch, [(body, "zh" if i == 0 else "en") for i, body in enumerate(BODIES)])
    return monkeypatch


def _rows():
    with session_scope(get_settings().database_url) as session:
        return [
            (s.backend, s.text, s.parameters, s.guard)
            for s in session.scalars(select(Summary).order_by(Summary.article_id))
        ]


def test_backend_from_environment_and_guard_stored(env):
    env.setenv("POLICYWATCH_SUMMARIZER", "lead")
    report = summarize_pending()
    assert report.backend == "lead" and report.summarized == 2
    rows = _rows()
    assert [r[0] for r in rows] == ["lead", "lead"]
    for (_, text, parameters, guard), body in zip(rows, BODIES):
        assert parameters["max_sentences"] == 3
        assert guard["passed"] is True and guard["checked"] >= 2 and guard["unsupported"] == []
        assert text and check(text, body).passed
    assert summarize_pending().summarized == 0  # nothing new


def test_resummarize_redoes_an_older_configuration_only_when_asked(env):
    env.setenv("POLICYWATCH_SUMMARIZER", "lead")
    assert summarize_pending().summarized == 2
    before = _rows()
    env.setenv("POLICYWATCH_SUMMARY_SENTENCES", "1")  # a new configuration of the same backend
    assert summarize_pending().summarized == 0  # a daily run does not redo the archive
    assert _rows() == before
    assert summarize_pending(resummarize=True).summarized == 2
    after = _rows()
    assert [r[2]["max_sentences"] for r in after] == [1, 1]
    assert all(len(a[1]) < len(b[1]) for a, b in zip(after, before))
    assert summarize_pending(resummarize=True).summarized == 0


def test_summarize_command_backend_flag_and_resummarize(env):
    runner = CliRunner()
    result = runner.invoke(app, ["summarize", "--backend", "lead"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 summaries by lead")
    env.setenv("POLICYWATCH_SUMMARY_SENTENCES", "2")
    assert runner.invoke(app, ["summarize", "--backend", "lead"]).output.startswith("0 summaries")
    result = runner.invoke(app, ["summarize", "--backend", "lead", "--resummarize"])
    assert result.output.startswith("2 summaries by lead"), result.output
    result = runner.invoke(app, ["summarize", "--backend", "abstractive"])
    assert result.exit_code == 2 and "extractive, lead, generative" in result.output


def test_summarizer_settings_validated_and_read_from_the_config_file(env, tmp_path):
    env.setenv("POLICYWATCH_SUMMARIZER", "nope")
    with pytest.raises(ConfigError, match="POLICYWATCH_SUMMARIZER: unknown summarizer backend 'nope'"):
        get_settings()
    env.delenv("POLICYWATCH_SUMMARIZER")
    config = tmp_path / "summarizer.toml"
    config.write_text('[summarizer]\nbackend = "lead"\nmax_sentences = 2\n', encoding="utf-8")
    env.setenv("POLICYWATCH_SUMMARIZER_CONFIG", str(config))
    settings = get_settings()
    assert settings.summarizer == "lead" and settings.summarizer_options == {"max_sentences": 2}
    lead = load_configured_summarizer(settings)
    assert lead.backend == "lead" and lead.parameters == {"max_sentences": 2}
    env.setenv("POLICYWATCH_SUMMARIZER", "extractive")  # the variable wins over the file
    assert get_settings().summarizer == "extractive"
    config.write_text('[summarizer]\nbackend = "abstractive"\n', encoding="utf-8")
    env.delenv("POLICYWATCH_SUMMARIZER")
    with pytest.raises(ConfigError, match="POLICYWATCH_SUMMARIZER_CONFIG"):
        get_settings()
    config.write_text("[summarizer\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="POLICYWATCH_SUMMARIZER_CONFIG"):
        get_settings()


def test_no_model_is_loaded_when_every_article_has_a_current_summary(env, monkeypatch):
    import policywatch.summarize_stage as stage

    loads = []
    real_load = stage.load_configured_summarizer

    def counting_load(*args, **kwargs):
        loads.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(stage, "load_configured_summarizer", counting_load)
    assert summarize_pending(backend="lead").summarized == 2 and len(loads) == 1
    # a second daily run: nothing new or changed, and another backend configured: still no load
    report = summarize_pending(backend="extractive")
    assert (report.summarized, report.backend, report.model_id) == (0, "extractive", "") and len(loads) == 1
    result = CliRunner().invoke(app, ["summarize", "--backend", "extractive"])
    assert result.output.startswith("0 summaries by extractive (nothing to summarize: no model loaded)"), result.output
    assert len(loads) == 1
    # asked to redo older summaries: the model is needed to know which
    assert summarize_pending(backend="lead", resummarize=True).summarized == 0 and len(loads) == 2


def test_a_summarize_lock_another_took_after_a_restart_stops_the_stage_keeping_what_was_saved(
    tmp_path, monkeypatch, postgres_cluster
):
    """A restarted PostgreSQL drops the summarize lock under the stage; another summarizer takes
    it before the next batch is saved: the stage stops (RunLocked, one line), the batches saved
    before stay, and nothing more is written by the stage that lost the lock."""
    from conftest import add_kjj_cq, crawl_kjj_cq

    import policywatch.summarize_stage as stage
    from policywatch.locking import RunLocked
    from storage import database_lock, upgrade_database

    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", postgres_cluster.url)
    monkeypatch.setattr(stage, "SUMMARY_BATCH_SIZE", 1)
    url = get_settings().database_url
    upgrade_database(url)
    with session_scope(url) as session:
        add_kjj_cq(session)
        crawl_kjj_cq(session, [(f"https://kjj.cq.gov.cn/t{i}.html", f"标题{i}", BODIES[0], {}) for i in range(3)])

    batches, other_summarizer = [], ExitStack()
    store_key_facts = stage.store_key_facts

    def restart_after_the_first_batch(settings, article_ids):
        store_key_facts(settings, article_ids)  # the batch's last step: its summary is saved
        batches.append(len(article_ids))
        if len(batches) == 1:
            postgres_cluster.restart()
            other_summarizer.enter_context(
                database_lock(url, "summarize", wait=False, timeout_s=0, holder="the other summarizer")
            )

    monkeypatch.setattr(stage, "store_key_facts", restart_after_the_first_batch)
    with other_summarizer, pytest.raises(RunLocked) as stopped:
        summarize_pending(backend="lead")
    message = str(stopped.value)
    assert "\n" not in message and message.startswith("the summarize lock was lost (database restarted?)")
    assert "the other summarizer" in message and message.endswith("; stopped before saving the next summaries")
    assert batches == [1]  # stopped in the second batch, before saving it
    with session_scope(url) as session:
        assert len(session.scalars(select(Summary)).all()) == 1  # the first batch's summary is kept
