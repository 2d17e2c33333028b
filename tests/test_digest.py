"""digest/render.py: grouping, links back to the real pages, and escaping of scraped text."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from digest.render import DigestItem, DigestSection, markdown_escape, render_digest, write_digest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _sections():
    hostile = DigestItem(
        title='关于申报的通知<script>alert("x")</script>',
        url="https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html",
        published_at=datetime(2024, 3, 5, 10, 30, tzinfo=SHANGHAI),
        source_office="重庆市科学技术局 <b>office</b>",
        summary="摘要 <img src=x onerror=alert(1)> [link](javascript:alert(1))",
        language="zh",
    )
    plain = DigestItem(
        title="Cultivate High-Level Talents丨CPPCC Member",
        url="https://www.ichongqing.info/2024/03/05/cultivate-%E4%B8%A8cppcc-member/",
        published_at=None,
        source_office=None,
        summary=None,
        language="en",
    )
    return [
        DigestSection("kjj_cq", "重庆市科学技术局", [hostile]),
        DigestSection("ichongqing", "iChongqing", [plain]),
    ]


def test_html_escapes_scraped_text_and_links_to_real_urls():
    html, _ = render_digest(date(2024, 3, 5), _sections(), datetime(2024, 3, 5, tzinfo=UTC))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>office</b>" not in html
    assert 'href="https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html"' in html
    assert 'href="https://www.ichongqing.info/2024/03/05/cultivate-%E4%B8%A8cppcc-member/"' in html
    assert "2024-03-05 10:30" in html and "date unknown" in html

    assert html.index("重庆市科学技术局") < html.index("iChongqing")  # grouped by source, in order
    assert "No summary yet." in html


def test_markdown_escapes_html_and_markdown_syntax():
    _, markdown = render_digest(date(2024, 3, 5), _sections(), datetime(2024, 3, 5, tzinfo=UTC))
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "<img" not in markdown
    assert "[link](javascript" not in markdown  # brackets escaped: not a live link
    assert "(https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_1.html)" in markdown
    assert "## 重庆市科学技术局" in markdown and "## iChongqing" in markdown


def test_markdown_escape_function():
    assert markdown_escape("a_b *c* [d](e) <x> R&D &amp; #1 (CPPCC)") == (
        r"a\_b \*c\* \[d\](e) &lt;x&gt; R&D &amp;amp; #1 (CPPCC)"
    )
    assert markdown_escape(None) == ""
    assert markdown_escape("  several\n lines  ") == "several lines"


def test_write_digest_files(tmp_path):
    files = write_digest(tmp_path / "digests", date(2024, 3, 5), _sections(), datetime(2024, 3, 5, tzinfo=UTC))
    assert files.html == tmp_path / "digests" / "2024-03-05.html"
    assert files.markdown == tmp_path / "digests" / "2024-03-05.md"
    assert (files.articles, files.sources) == (2, 2)
    assert files.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list((tmp_path / "digests").glob("*.tmp"))


def test_empty_digest_says_so():
    html, markdown = render_digest(date(2024, 3, 6), [], datetime(2024, 3, 6, tzinfo=UTC))
    assert "No new articles for this date." in html
    assert "No new articles for this date." in markdown


def test_day_only_dates_show_no_midnight():
    from digest.render import format_when

    assert format_when(datetime(2024, 3, 5, 0, 0, tzinfo=SHANGHAI)) == "2024-03-05"
    assert format_when(datetime(2024, 3, 5, 0, 1, tzinfo=SHANGHAI)) == "2024-03-05 00:01"
    assert format_when(None) == "date unknown"
