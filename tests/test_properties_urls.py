"""crawlers/extract/urls.py, property-based (hypothesis): the canonical form is a fixed point,
does not depend on the fragment, the tracking parameters or the case of scheme and host, keeps
the other parameters in their order, and never moves an article to another host (other than a
declared alias)."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.extract.rules import HOST_ALIASES, HTTP_HOSTS, HTTPS_HOSTS, TRACKING_PARAMS
from crawlers.extract.urls import canonical_url

PROPERTIES = settings(
    max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
HOSTS = st.one_of(
    st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(_LABEL, min_size=1, max_size=3),
        st.sampled_from(["cn", "com", "gov.cn", "info"]),
    ),
    st.sampled_from(sorted(HTTPS_HOSTS | HTTP_HOSTS | set(HOST_ALIASES))),
)
# path segments: ASCII, Chinese, spaces and ready-made percent escapes
SEGMENTS = st.lists(
    st.one_of(
        st.text(st.sampled_from("abcXYZ019-_.~"), min_size=1, max_size=8),
        st.text(st.sampled_from("科技局通知公告"), min_size=1, max_size=4),
        st.sampled_from(["%e4%b8%a8", "%E4%B8%A8", "a%20b", "amp", "index.html", "t20240305_1.html"]),
    ),
    max_size=4,
)
PARAM_NAMES = st.text(st.sampled_from("abcdefgpqrid_"), min_size=1, max_size=6).filter(
    lambda n: (
        n.lower() not in TRACKING_PARAMS
        and n.lower() != "amp"
        and not n.lower().startswith(("utm_", "pk_", "mtm_", "hm"))
    )
)
PARAMS = st.lists(st.tuples(PARAM_NAMES, st.text(st.sampled_from("0123456789abcXYZ"), max_size=6)), max_size=4)
TRACKERS = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "utm_medium", "spm", "from", "share", "pk_campaign"]),
        st.text("abc1", max_size=4),
    ),
    min_size=1,
    max_size=3,
)
FRAGMENTS = st.text(st.sampled_from("abc123-_#/?"), max_size=10)


def _url(scheme: str, host: str, segments: list[str], params: list[tuple[str, str]], port: int | None = None) -> str:
    netloc = host if port is None else f"{host}:{port}"
    query = "&".join(f"{k}={v}" for k, v in params)
    return f"{scheme}://{netloc}/" + "/".join(segments) + (f"?{query}" if query else "")


URLS = st.builds(
    _url,
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    HOSTS,
    SEGMENTS,
    PARAMS,
    st.one_of(st.none(), st.sampled_from([80, 443, 8080])),
)


@PROPERTIES
@given(URLS)
def test_canonical_url_is_a_fixed_point(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@PROPERTIES
@given(URLS, FRAGMENTS)
def test_the_fragment_never_matters(url, fragment):
    assert canonical_url(f"{url}#{fragment}") == canonical_url(url)


@PROPERTIES
@given(st.sampled_from(["http", "https"]), HOSTS, SEGMENTS, PARAMS, TRACKERS, st.randoms(use_true_random=False))
def test_tracking_parameters_anywhere_are_dropped_and_the_others_keep_their_order(
    scheme, host, segments, params, trackers, rnd
):
    mixed = list(params)
    for tracker in trackers:
        mixed.insert(rnd.randint(0, len(mixed)), tracker)
    canonical = canonical_url(_url(scheme, host, segments, mixed))
    assert canonical == canonical_url(_url(scheme, host, segments, params))
    query = urlsplit(canonical).query
    kept = [part.split("=", 1)[0] for part in query.split("&")] if query else []
    assert kept == [name for name, _ in params]


@PROPERTIES
@given(URLS)
def test_the_host_never_changes_but_for_a_declared_alias(url):
    host = urlsplit(url).hostname
    canonical = urlsplit(canonical_url(url))
    assert canonical.hostname == HOST_ALIASES.get(host, host)
    assert canonical.scheme in ("http", "https") and not canonical.fragment


@PROPERTIES
@given(URLS)
def test_scheme_and_host_case_never_matter(url):
    parts = urlsplit(url)
    shouted = url.replace(f"{parts.scheme}://{parts.netloc}", f"{parts.scheme.upper()}://{parts.netloc.upper()}", 1)
    assert canonical_url(shouted) == canonical_url(url)


@PROPERTIES
@given(
    HOSTS, SEGMENTS, PARAMS, st.sampled_from(["./x.html", "../y/z.html", "/abs/t.html", "?id=3", "//other.example/p"])
)
def test_relative_links_resolve_against_their_page(host, segments, params, link):
    page = _url("https", host, segments, params)
    canonical = canonical_url(link, base=page)
    assert canonical_url(canonical) == canonical
    expected_host = "other.example" if link.startswith("//") else HOST_ALIASES.get(host, host)
    assert urlsplit(canonical).hostname == expected_host
