"""Adding a site of a known family is a registry entry only: no code, no new spider.

A temporary registry (POLICYWATCH_SOURCES_FILE) = the real one + one more TRS source, whose replay
is a copy of kjj.cq.gov.cn served under another host name; the crawl stores its articles.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from conftest import SITES
from typer.testing import CliRunner

from config import get_settings
from devtools.replay import ReplayServer
from policywatch.cli import app
from policywatch.pipeline import crawl_source, prepare_database

ROOT = Path(__file__).resolve().parents[1]
HOST = "kjj.example-district.gov.cn"  # an invented host: never a real site
NEW_SOURCE = f"""

[[sources]]
id = "kjj_example"
name = "示例区科学技术局 Example District S&T Bureau"
host = "{HOST}"
language = "zh"
family = "trs"

[[sources.sections]]
name = "通知公告"
url = "https://{HOST}/zwxx_176/tzgg/index.html"
"""


def test_a_trs_site_added_to_the_registry_is_crawled_and_stored(tmp_path, monkeypatch):
    sites = tmp_path / "sites"
    shutil.copytree(SITES / "kjj.cq.gov.cn", sites / HOST)
    registry = tmp_path / "sources.toml"
    registry.write_text((ROOT / "config" / "sources.toml").read_text(encoding="utf-8") + NEW_SOURCE, encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SOURCES_FILE", str(registry))
    monkeypatch.setenv("POLICYWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'new-source.db'}")

    listed = CliRunner().invoke(app, ["sources", "list"])
    assert listed.exit_code == 0 and "kjj_example\ttrs\tzh" in listed.output

    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        settings = get_settings()
        prepare_database(settings)
        report = crawl_source("kjj_example", date(2024, 3, 5), "new-source", settings=settings)
        requested = list(server.requests)

    # 25 notices, minus the one the list links with an absolute URL on kjj.cq.gov.cn: another site
    assert (report.status, report.health, report.new, report.errors) == ("success", "ok", 24, [])
    assert requested[0] == f"/{HOST}/robots.txt" and all(p.startswith(f"/{HOST}/") for p in requested)

    from sqlalchemy import select

    from storage import session_scope
    from storage.models import Article

    with session_scope(settings.database_url) as session:
        stored = {a.url: a for a in session.scalars(select(Article).where(Article.source_id == "kjj_example"))}
    assert len(stored) == 24 and all(url.startswith(f"https://{HOST}/zwxx_176/tzgg/") for url in stored)
    joint = stored[f"https://{HOST}/zwxx_176/tzgg/202403/t20240305_12876543.html"]
    assert joint.title.endswith("关于组织申报2024年度重庆市技术创新与应用发展专项项目的通知")
    assert joint.section == "通知公告" and joint.language == "zh" and joint.extra["rule"] == "div.trs_editor_view"
    assert [a["url"] for a in joint.extra["attachments"]] == [
        f"https://{HOST}/zwxx_176/tzgg/202403/P020240305612345678901.pdf",
        f"https://{HOST}/zwxx_176/tzgg/202403/P020240305612345678902.docx",
    ]
