"""policywatch/pipeline.py: the whole day against the replay sites, as `make demo` runs it."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import select

from conftest import SITES
from policywatch.config import get_settings
from policywatch.pipeline import run_daily
from policywatch.replay import ReplayServer

DAY = date(2024, 3, 5)
KJJ_LIST = "kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
KJJ_PROPOSALS_LIST = "kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/index.html"  # kjj_cq's second section
# the other TRS sites and the Sichuan CMS, up to DAY (see their replay READMEs)
TRS_SICHUAN_NEW = {"kjj_cq": 33, "most": 10, "kw_beijing": 8, "kjt_sc": 8}

pytestmark = pytest.mark.slow


def _summaries(settings):
    from storage import session_scope
    from storage.models import Summary

    with session_scope(settings.database_url) as session:
        return {s.article_id: (s.text, s.updated_at, s.content_hash) for s in session.scalars(select(Summary))}


def test_daily_run_stores_summarizes_and_digests_then_is_idempotent(pipeline_env):
    first = run_daily(DAY, settings=pipeline_env)
    by_source = {c.source_id: c for c in first.crawls}
    assert {s: (by_source[s].status, by_source[s].new) for s in TRS_SICHUAN_NEW} == {
        s: ("success", n) for s, n in TRS_SICHUAN_NEW.items()}
    assert by_source["ichongqing"].status == "success" and by_source["ichongqing"].new == 25
    assert first.summaries.summarized == 50
    assert first.counts["articles"] == 50 and first.counts["summaries"] == 50
    assert first.digest.html == pipeline_env.var_dir / "digests" / "2024-03-05.html"
    assert first.digest.articles == 50 and first.digest.sources == 2
    html = first.digest.html.read_text(encoding="utf-8")
    assert "https://www.ichongqing.info/2024/03/05/cultivate-high-level-talents" in html
    assert "https://kjj.cq.gov.cn/zwxx_176/tzgg/" in html
    assert "<script>alert" not in html  # a scraped title carries a <script>: escaped
    assert first.digest.markdown.read_text(encoding="utf-8").count("\n- [") == 50
    stored = _summaries(pipeline_env)

    second = run_daily(DAY, settings=pipeline_env)
    assert [(c.source_id, c.new, c.updated, c.unchanged) for c in second.crawls] == [
        ("kjj_cq", 0, 0, 25), ("ichongqing", 0, 0, 25)]
    assert second.summaries.summarized == 0
    assert second.counts == first.counts
    assert _summaries(pipeline_env) == stored  # not one summary touched
    assert second.digest.articles == 50  # the digest of a day is the same however often it is built


def test_changed_article_is_updated_and_resummarized(tmp_path, monkeypatch, pipeline_env):
    sites = tmp_path / "sites"
    shutil.copytree(SITES, sites)
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        settings = get_settings()
        run_daily(DAY, settings=settings)
        before = _summaries(settings)
        page = next((sites / "www.ichongqing.info" / "2024" / "03" / "05").glob("cultivate-high-level-talents*/index.html"))
        text = page.read_text(encoding="utf-8")
        sentence = "Platforms are where talents gather."
        assert text.count(sentence) == 1
        page.write_text(text.replace(sentence, sentence + " The bureau later corrected this story.", 1), encoding="utf-8")
        again = run_daily(DAY, settings=settings)
    ichongqing = next(c for c in again.crawls if c.source_id == "ichongqing")
    # the feed is unchanged (304): only the stored articles of the last days are re-checked, and the
    # corrected one is updated (tests/test_crawlers_incremental.py)
    assert (ichongqing.new, ichongqing.updated) == (0, 1)
    assert again.summaries.summarized == 1
    after = _summaries(settings)
    changed = [article_id for article_id in after if after[article_id] != before[article_id]]
    assert len(changed) == 1 and after[changed[0]][2] != before[changed[0]][2]
    assert again.counts == {**again.counts, "articles": 50, "summaries": 50}


def test_broken_source_fails_alone(tmp_path, monkeypatch, pipeline_env):
    with ReplayServer(SITES, faults={KJJ_LIST: 500, KJJ_PROPOSALS_LIST: 500}) as server:  # both sections
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        report = run_daily(DAY, settings=get_settings())
    by_source = {c.source_id: c for c in report.crawls}
    broken = by_source["kjj_cq"]
    assert broken.status == "failed"
    assert any("kjj_cq" in e and "HTTP 500" in e and "zwxx_176/tzgg/index.html" in e for e in broken.errors), broken.errors
    assert [c.source_id for c in report.failed_sources] == ["kjj_cq"]
    assert by_source["ichongqing"].status == "success" and by_source["ichongqing"].new == 25
    assert report.summaries.summarized == 25
    assert report.counts["articles"] == 25 and report.counts["summaries"] == 25
