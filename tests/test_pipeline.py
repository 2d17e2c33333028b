"""policywatch/pipeline.py: the whole day against the replay sites, as `make demo` runs it."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from conftest import SITES
from sqlalchemy import select

from config import get_settings
from devtools.replay import ReplayServer
from policywatch.pipeline import run_daily

DAY = date(2024, 3, 5)
KJJ_LIST = "kjj.cq.gov.cn/zwxx_176/tzgg/index.html"
KJJ_PROPOSALS_LIST = "kjj.cq.gov.cn/zwgk_176/zwxxgkml/zxtabl/index.html"  # kjj_cq's second section
# the other TRS sites and the Sichuan CMS, up to DAY (see their replay READMEs)
TRS_SICHUAN_NEW = {"kjj_cq": 33, "most": 10, "kw_beijing": 8, "kjt_sc": 8}
# Articles of the CPPCC replays dated up to DAY (see their READMEs), and the advertorials among them
CPPCC_NEW = {"cppcc": 10, "rmzxw": 11, "cppcc_people": 7, "en_cppcc": 8}
# Stories of the demo day reported by several sources (the replays' planted reposts): a Xinhua piece
# on cppcc_people and rmzxw with its English version on en_cppcc, cppcc_people's opening story
# reposted on rmzxw, a 科技部 notice mirrored by kjt_zj and kxjst_js. 7 articles, 3 stories.
CLUSTERED = {3: 1, 2: 2}  # links per story: how many stories
MERGED = sum((links - 1) * n for links, n in CLUSTERED.items())
ADVERTORIALS = 1  # www.rmzxw.com.cn/c/2024-03-04/3512330.shtml

pytestmark = pytest.mark.slow


def _summaries(settings):
    from storage import session_scope
    from storage.models import Summary

    with session_scope(settings.database_url) as session:
        return {s.article_id: (s.text, s.updated_at, s.content_hash) for s in session.scalars(select(Summary))}


def _check_demo_digest(report):
    """The demo's digest: four formats that agree, clustered stories, both sections, themes."""
    import json

    import jsonschema
    from test_digest_formats import JSON_FEED_11, assert_formats_agree

    from policywatch.digests import load_digest

    assert [p.suffix for p in report.paths] == [".html", ".md", ".json", ".atom"]
    digest = load_digest(DAY)
    assert_formats_agree(digest)
    links = {}
    for story in digest.clustered:
        links[len(story.links)] = links.get(len(story.links), 0) + 1
    assert links == CLUSTERED and report.clustered == 3
    assert digest.new_stories and digest.also_found and report.new_stories == len(digest.new_stories)
    html = report.html.read_text(encoding="utf-8")
    assert "New today (" in html and "Also found: older items first found today (" in html
    assert "Talent · " in html and "Research funding and calls for proposals · " in html and "By source" in html
    feed = json.loads(report.json.read_text(encoding="utf-8"))
    jsonschema.validate(feed, JSON_FEED_11)
    assert len(feed["items"]) == report.stories


def test_daily_run_stores_summarizes_and_digests_then_is_idempotent(pipeline_env):
    first = run_daily(DAY, settings=pipeline_env)
    by_source = {c.source_id: c for c in first.crawls}
    assert {s: (by_source[s].status, by_source[s].new) for s in TRS_SICHUAN_NEW} == {
        s: ("success", n) for s, n in TRS_SICHUAN_NEW.items()
    }
    assert by_source["ichongqing"].status == "success" and by_source["ichongqing"].new == 25
    # the CPPCC sources, up to the demo day (later replay pages are left out by --until)
    assert {s: (by_source[s].status, by_source[s].new) for s in CPPCC_NEW} == {
        s: ("success", n) for s, n in CPPCC_NEW.items()
    }
    # totals come from the per-source reports (sources are added all the time)
    total = sum(c.new for c in first.crawls)
    assert all(c.status == "success" for c in first.crawls), [(c.source_id, c.status, c.errors) for c in first.crawls]
    assert first.summaries.summarized == total
    assert first.counts["articles"] == total and first.counts["summaries"] == total
    assert first.digest.html == pipeline_env.var_dir / "digests" / "2024-03-05.html"
    # advertorials are stored but not digested
    assert first.digest.articles == total - ADVERTORIALS and first.digest.sources == len(first.crawls)
    html = first.digest.html.read_text(encoding="utf-8")
    assert "https://www.ichongqing.info/2024/03/05/cultivate-high-level-talents" in html
    assert "https://kjj.cq.gov.cn/zwxx_176/tzgg/" in html
    assert "<script>alert" not in html  # a scraped title carries a <script>: escaped
    # one item per story (this counted articles before the digest merged reposts into stories)
    assert first.digest.stories == total - ADVERTORIALS - MERGED
    assert first.digest.markdown.read_text(encoding="utf-8").count("\n- [") == first.digest.stories
    _check_demo_digest(first.digest)
    assert "https://www.rmzxw.com.cn/c/2024-03-04/3512330.shtml" not in html  # the advertorial
    assert "https://www.rmzxw.com.cn/c/2024-03-04/3512544.shtml" in html  # the 3-page article, once
    stored = _summaries(pipeline_env)

    second = run_daily(DAY, settings=pipeline_env)
    assert [(c.source_id, c.new, c.updated) for c in second.crawls] == [(c.source_id, 0, 0) for c in first.crawls]
    assert second.summaries.summarized == 0
    # each run keeps its own crawl_runs rows (its own run id), nothing else is added
    assert second.counts == {**first.counts, "crawl_runs": 2 * first.counts["crawl_runs"]}
    assert second.run_id != first.run_id and second.digest.sources == first.digest.sources
    assert _summaries(pipeline_env) == stored  # not one summary touched
    assert second.digest.articles == total - ADVERTORIALS  # the digest of a day is the same however often it is built


def test_changed_article_is_updated_and_resummarized(tmp_path, monkeypatch, pipeline_env):
    sites = tmp_path / "sites"
    shutil.copytree(SITES, sites)
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        settings = get_settings()
        first = run_daily(DAY, settings=settings)
        before = _summaries(settings)
        page = next(
            (sites / "www.ichongqing.info" / "2024" / "03" / "05").glob("cultivate-high-level-talents*/index.html")
        )
        text = page.read_text(encoding="utf-8")
        sentence = "Platforms are where talents gather."
        assert text.count(sentence) == 1
        page.write_text(
            text.replace(sentence, sentence + " The bureau later corrected this story.", 1), encoding="utf-8"
        )
        again = run_daily(DAY, settings=settings)
    ichongqing = next(c for c in again.crawls if c.source_id == "ichongqing")
    # the feed is unchanged (304): only the stored articles of the last days are re-checked, and the
    # corrected one is updated (tests/test_crawlers_incremental.py)
    assert (ichongqing.new, ichongqing.updated) == (0, 1)
    assert again.summaries.summarized == 1
    after = _summaries(settings)
    changed = [article_id for article_id in after if after[article_id] != before[article_id]]
    assert len(changed) == 1 and after[changed[0]][2] != before[changed[0]][2]
    total = sum(c.new for c in first.crawls)
    assert again.counts == {**again.counts, "articles": total, "summaries": total}


def test_broken_source_fails_alone(tmp_path, monkeypatch, pipeline_env):
    with ReplayServer(SITES, faults={KJJ_LIST: 500, KJJ_PROPOSALS_LIST: 500}) as server:  # both sections
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        report = run_daily(DAY, settings=get_settings())
    by_source = {c.source_id: c for c in report.crawls}
    broken = by_source["kjj_cq"]
    assert broken.status == "failed"
    assert any("kjj_cq" in e and "HTTP 500" in e and "zwxx_176/tzgg/index.html" in e for e in broken.errors), (
        broken.errors
    )
    assert [c.source_id for c in report.failed_sources] == ["kjj_cq"]
    assert by_source["ichongqing"].status == "success" and by_source["ichongqing"].new == 25
    others = sum(c.new for c in report.crawls if c.source_id != "kjj_cq")
    assert all(c.status == "success" for c in report.crawls if c.source_id != "kjj_cq")
    assert report.summaries.summarized == others
    assert report.counts["articles"] == others and report.counts["summaries"] == others
