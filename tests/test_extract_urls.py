"""crawlers.extract.urls: one canonical URL per article (CATALOGUE §0.7)."""

from __future__ import annotations

import pytest

from crawlers.extract.urls import canonical_url, is_short_link, same_site

REF = "https://www.ichongqing.info/2024/03/05/cultivate-high-level-talents-to-faster-new-quality-productive-forces-%E4%B8%A8cppcc-member/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # tracking parameters go, other parameters stay in their order
        (
            "https://www.ichongqing.info/2024/03/04/cppcc/?utm_source=rss&utm_medium=rss&utm_campaign=x",
            "https://www.ichongqing.info/2024/03/04/cppcc/",
        ),
        (
            "https://kjj.cq.gov.cn/a/b.html?spm=1.2&id=3&from=timeline&share=wx&b=2&a=1",
            "https://kjj.cq.gov.cn/a/b.html?id=3&b=2&a=1",
        ),
        ("https://example.org/x?fbclid=abc&gclid=def", "https://example.org/x"),
        # fragment dropped; scheme/host lower-cased; default port dropped; empty path -> /
        ("HTTPS://KJJ.CQ.GOV.CN:443/zwxx_176/tzgg/Index.html#top", "https://kjj.cq.gov.cn/zwxx_176/tzgg/Index.html"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        # AMP copies -> the normal page (with and without trailing slash, ?amp=1)
        (REF.replace("%E4%B8%A8", "%e4%b8%a8") + "amp/", REF),
        ("https://www.ichongqing.info/2024/03/05/slug/amp", "https://www.ichongqing.info/2024/03/05/slug/"),
        ("https://www.ichongqing.info/2024/03/05/slug/?amp=1", "https://www.ichongqing.info/2024/03/05/slug/"),
        # CJK: percent escapes upper-cased, raw characters encoded as UTF-8 -> the same URL
        (
            "https://www.ichongqing.info/2024/03/05/cultivate-high-level-talents-to-faster-new-quality-productive-forces-%e4%b8%a8cppcc-member/",
            REF,
        ),
        (
            "https://www.ichongqing.info/2024/03/05/cultivate-high-level-talents-to-faster-new-quality-productive-forces-丨cppcc-member/",
            REF,
        ),
        # http -> https for hosts known to serve https only
        (
            "http://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html",
            "https://kjj.cq.gov.cn/zwxx_176/tzgg/202403/t20240305_12876543.html",
        ),
        ("http://www.ichongqing.info/2024/03/05/slug/", "https://www.ichongqing.info/2024/03/05/slug/"),
        (
            "http://stic.sz.gov.cn/gkmlpt/content/1/2/post_3.html",
            "http://stic.sz.gov.cn/gkmlpt/content/1/2/post_3.html",
        ),  # plain-HTTP site
        # ?p= short links are kept as they are (only the page knows its real URL)
        ("https://www.ichongqing.info/?p=150636", "https://www.ichongqing.info/?p=150636"),
        # path case and non-tracking params untouched
        ("https://x.org/A/B?Q=1", "https://x.org/A/B?Q=1"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent():
    for url in (REF, "https://kjj.cq.gov.cn/a/b.html?id=3", "https://www.ichongqing.info/?p=1"):
        assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_relative_links_resolve_against_the_list_page():
    base = "https://kjj.cq.gov.cn/zwxx_176/tzgg/index_1.html"
    assert canonical_url("./202401/t20240129_12743302.html", base=base) == (
        "https://kjj.cq.gov.cn/zwxx_176/tzgg/202401/t20240129_12743302.html"
    )
    assert canonical_url("../gzdt/", base=base) == "https://kjj.cq.gov.cn/zwxx_176/gzdt/"
    assert (
        canonical_url("//kjt.zj.gov.cn/art/2024/3/5/art_1.html", base=base)
        == "https://kjt.zj.gov.cn/art/2024/3/5/art_1.html"
    )
    assert canonical_url("//kjt.zj.gov.cn/art/2024/3/5/art_1.html") == "https://kjt.zj.gov.cn/art/2024/3/5/art_1.html"


def test_non_http_urls_are_left_alone():
    assert canonical_url("mailto:a@b.org") == "mailto:a@b.org"
    assert canonical_url("") == ""


def test_helpers():
    assert is_short_link("https://www.ichongqing.info/?p=150636")
    assert not is_short_link("https://www.ichongqing.info/2024/03/05/slug/?p=1")
    assert same_site("https://ichongqing.info/x", "www.ichongqing.info")
    assert not same_site("https://www.cq.gov.cn/x", "kjj.cq.gov.cn")
