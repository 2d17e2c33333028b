"""policywatch/pipeline.py reads the source registry once per run: the crawl subprocess gets its
source's resolved entry from the parent (``python -m crawlers.run --source-config JSON``)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

import policywatch.pipeline as pipeline
from config import get_settings

DAY = date(2024, 3, 5)


@pytest.fixture
def registry_that_vanishes(tmp_path, monkeypatch, pipeline_env):
    """A copy of the registry that is deleted as soon as it has been read: a second read anywhere
    (this process or a crawl subprocess) fails with 'source registry not found'."""
    copy = tmp_path / "sources.toml"
    shutil.copy(pipeline_env.sources_file, copy)
    monkeypatch.setenv("POLICYWATCH_SOURCES_FILE", str(copy))
    reads = []
    real_load = pipeline.load_registry

    def load_once(path):
        reads.append(path)
        registry = real_load(path)
        copy.unlink(missing_ok=True)
        return registry

    monkeypatch.setattr(pipeline, "load_registry", load_once)
    return reads


def test_a_daily_run_reads_the_registry_once(registry_that_vanishes):
    report = pipeline.run_daily(DAY, source_ids=["kjj_cq", "ichongqing"], settings=get_settings())
    assert [(c.source_id, c.status, c.new) for c in report.crawls] == [
        ("kjj_cq", "success", 33),
        ("ichongqing", "success", 25),
    ]
    assert len(registry_that_vanishes) == 1
    assert report.summaries.summarized == 58


def test_a_crawl_given_its_entry_does_not_read_the_registry(registry_that_vanishes):
    settings = get_settings()
    source = pipeline.registry(settings).get("kjj_cq")  # the one read; the file is gone now
    pipeline.prepare_database(settings, reg=pipeline.Registry(sources=[source]))
    report = pipeline.crawl_source(source, DAY, "given-entry", until=DAY, settings=settings)
    assert (report.status, report.new, report.health) == ("success", 33, "ok")
    with pytest.raises(Exception, match="source registry not found"):
        pipeline.crawl_source("kjj_cq", DAY, "by-id", settings=settings)
