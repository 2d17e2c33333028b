"""`policywatch extract PATH_OR_URL [--url URL] [--source ID] [--json]`: files and the replay server only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SITES, copy_sites, serve_with_status
from typer.testing import CliRunner

from policywatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "generic"
CHALLENGE = ROOT / "tests" / "fixtures" / "challenge" / "ruishu_412.html"
KJJ_PAGE = "kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html"
ICQ_PAGE = (
    "www.ichongqing.info/2024/03/03/chongqings-innovation-platforms-five-numbers-to-know-ahead-of-the-two-sessions"
)

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["extract", *args])


@pytest.fixture(autouse=True)
def no_replay(monkeypatch):
    monkeypatch.delenv("POLICYWATCH_REPLAY_URL", raising=False)


def test_saved_page_with_its_url_uses_the_family_parser():
    result = invoke(str(SITES / KJJ_PAGE), "--url", f"https://{KJJ_PAGE}", "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert (page["parser"], page["source_id"], page["rule"]) == (
        "crawlers.extract.trs:parse_trs_detail",
        "kjj_cq",
        "div.trs_editor_view",
    )
    assert page["url"] == f"https://{KJJ_PAGE}" and page["charset"] == "utf-8" and page["language"] == "zh"
    assert page["title"].startswith("重庆市科学技术局 重庆市财政局关于组织申报2024年度")
    assert page["published_at"] == "2024-03-05T10:30:00+08:00"
    assert page["source_office"] == "重庆市科学技术局 重庆市财政局"
    assert [a["name"] for a in page["attachments"]] == [
        "2024年度重庆市技术创新与应用发展专项项目申报指南.pdf",
        "项目申报书（模板）.docx",
    ]
    assert page["extra"]["date_source"] == "meta:PubDate" and "一、支持方向" in page["body"]


def test_source_option_picks_the_family_for_a_page_of_unknown_url():
    page = SITES / ICQ_PAGE / "index.html"
    result = invoke(str(page), "--source", "ichongqing", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["parser"] == "crawlers.extract.wordpress:parse_wordpress_article" and found["language"] == "en"
    assert found["author"] == "XINYI LI" and found["title"].startswith("Chongqing's Innovation Platforms")


def test_unknown_site_gets_the_generic_parser_in_text_form():
    result = invoke(str(PAGES / "notice_without_meta.html"), "--url", "https://example.gov.cn/tzgg/20240305/a.html")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "parser:        crawlers.extract.generic:parse_generic (no registry source)" in lines
    assert "title:         关于组织开展2024年度科技创新行动计划项目申报的通知  [h1]" in lines
    assert "published_at:  2024-03-05T14:35:00+08:00  [header]" in lines
    assert "source_office: 上海市科学技术委员会  [header]" in lines
    assert (
        "  - 2024年度科技创新行动计划项目申报指南.pdf  https://example.gov.cn/tzgg/20240305/P020240305123456789012.pdf"
        in lines
    )
    assert any(line.startswith("body (") for line in lines) and "各有关单位：" in lines


def test_saved_bytes_are_decoded_like_the_crawler_does():
    """GBK bytes under a GB2312 declaration (the real people.com.cn page); --charset overrides."""
    real = SITES / "cppcc.people.com.cn" / "_real" / "People_2024_04_24.gb18030.html"
    url = "http://politics.people.com.cn/n1/2024/0424/c1001-40223222.html"
    page = json.loads(invoke(str(real), "--url", url, "--json").output)
    assert page["charset"] == "gb18030" and page["title"].startswith("促进航天技术更好惠及人民")
    wrong = json.loads(invoke(str(real), "--url", url, "--charset", "latin-1", "--json").output)
    assert wrong["charset"] == "latin-1" and "促进" not in (wrong["title"] or "")


def test_bad_input_is_named():
    missing = invoke("no/such/page.html")
    assert missing.exit_code == 1 and "no/such/page.html: no such file" in missing.output
    unknown = invoke(str(PAGES / "english_news.html"), "--source", "nope")
    assert unknown.exit_code == 2 and "unknown source 'nope'" in unknown.output
    blank = PAGES.parent / "challenge" / "ruishu_412.html"  # a page without any text
    nothing = invoke(str(blank), "--url", "https://example.gov.cn/a.html")
    assert nothing.exit_code == 1 and "no title and no body found" in nothing.output


def test_url_is_fetched_once_through_the_replay_after_robots_txt(monkeypatch, replay_server):
    monkeypatch.setenv("POLICYWATCH_REPLAY_URL", replay_server.url)
    first = len(replay_server.requests)
    result = invoke(f"https://{KJJ_PAGE}", "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert page["source_id"] == "kjj_cq" and page["url"] == f"https://{KJJ_PAGE}"
    assert replay_server.requests[first:] == ["/kjj.cq.gov.cn/robots.txt", f"/{KJJ_PAGE}"]


def test_url_errors_robots_and_challenges(monkeypatch, tmp_path):
    from devtools.replay import ReplayServer

    sites = copy_sites(tmp_path / "sites", ["kjj.cq.gov.cn"])
    serve_with_status(sites / "kjj.cq.gov.cn", "zwxx_176/tzgg/challenge.html", 412, CHALLENGE)
    with ReplayServer(sites) as server:
        monkeypatch.setenv("POLICYWATCH_REPLAY_URL", server.url)
        missing = invoke("https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240399_1.html")
        forbidden = invoke("https://kjj.cq.gov.cn/igs/front/search.jsp")  # robots.txt: Disallow: /igs/
        challenge = invoke("https://kjj.cq.gov.cn/zwxx_176/tzgg/challenge.html")
        requested = list(server.requests)
    assert missing.exit_code == 1 and "t20240399_1.html answered HTTP 404" in missing.output
    assert forbidden.exit_code == 1
    assert "forbidden by https://kjj.cq.gov.cn/robots.txt" in forbidden.output
    assert "/kjj.cq.gov.cn/igs/front/search.jsp" not in requested  # never asked for
    assert challenge.exit_code == 1
    assert "answered HTTP 412 with a Ruishu (瑞数) JavaScript challenge ($_ts)" in challenge.output


def test_a_local_file_over_the_size_cap_is_refused_quickly(tmp_path):
    """issue 13, finding 8: the 32 MB cap of URLs holds for saved files too (a 50 MB file ran past
    240 s at 1.8 GB)."""
    import time

    from devtools.extract_page import MAX_BYTES

    big = tmp_path / "big.html"
    with big.open("wb") as handle:
        handle.write(b"<html><body><p>" + b"x" * (50 * 1024 * 1024) + b"</p></body></html>")
    started = time.monotonic()
    result = invoke(str(big))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, result.output
    assert f"larger than {MAX_BYTES} bytes" in result.output and str(big) in result.output
    assert "Traceback" not in result.output
    exactly = tmp_path / "cap.html"
    exactly.write_bytes(b"<html><head><title>t</title></head><body><p>body</p></body></html>".ljust(MAX_BYTES))
    assert "larger than" not in invoke(str(exactly), "--json").output
