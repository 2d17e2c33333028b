"""crawlers/extract/charset.py, property-based (hypothesis): any text encoded in UTF-8, GB18030 or
Big5 decodes back to itself when its charset is declared (in the header, in a <meta>, or in a
<meta> behind an untrusted Western header), UTF-8 also undeclared; and no bytes or header make
decoding fail other than with UndecodableError ("undecodable: ...").

Big5 is the Big5 browsers read (WHATWG: Big5-HKSCS, which w3lib reads for a ``big5`` label).
Python's own ``big5`` codec differs from it in 249 characters of rows 0xC6-0xC7 (the ETEN
extension: its Cyrillic letters are HKSCS's kana there, 0xC7B3 is Ё in one and シ in the other);
such bytes decode as a browser shows them, which is not what that codec wrote."""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.extract.charset import UndecodableError, decode_html

PROPERTIES = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
# (declared label, the codec that writes the page)
CHARSETS = [("utf-8", "utf-8"), ("gb18030", "gb18030"), ("gbk", "gbk"), ("big5", "big5hkscs"), ("big5", "big5")]
_ETEN_ROWS = (0xC6, 0xC7)


@functools.cache
def _repertoire(codec: str) -> tuple[str, ...]:
    """Every character of the BMP that ``codec`` writes (computed once: hypothesis's own
    characters(codec=...) takes seconds per codec on a fresh machine). C0 and C1 control
    characters are left out: decode_html takes them as the sign of a wrong charset, by design,
    and pages do not carry them."""
    return tuple(
        chr(cp)
        for cp in range(0x20, 0x10000)
        if not 0xD800 <= cp < 0xE000 and not 0x7F <= cp <= 0x9F and _encodable(chr(cp), codec)
    )


def _text(codec: str) -> st.SearchStrategy[str]:
    # any character the charset can write (BOM excluded: a leading BOM is the charset's own
    # signature), weighted towards the ideographs and punctuation pages are written in
    common = [c for c in "科技创新人才政協委員會議臺灣香港，。、“”《》（）" if _encodable(c, codec)]
    return st.text(
        st.one_of(st.sampled_from(_repertoire(codec)), st.sampled_from(common)).filter(lambda c: c != "\ufeff"),
        min_size=1,
        max_size=60,
    )


def _encodable(char: str, codec: str) -> bool:
    try:
        encoded = char.encode(codec)
    except UnicodeEncodeError:
        return False
    return not (codec == "big5" and encoded[0] in _ETEN_ROWS)


def _page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


TEXTS = st.sampled_from(CHARSETS).flatmap(lambda pair: st.tuples(st.just(pair), _text(pair[1])))


@PROPERTIES
@given(TEXTS)
def test_declared_in_the_header_decodes_back(case):
    (charset, codec), text = case
    page = _page(text)
    decoded, _ = decode_html(page.encode(codec), f"text/html; charset={charset}")
    assert decoded == page


@PROPERTIES
@given(TEXTS, st.sampled_from([None, "text/html", "text/html; charset=ISO-8859-1", "text/html; charset=windows-1252"]))
def test_declared_in_a_meta_decodes_back_whatever_an_untrusted_header_says(case, content_type):
    (charset, codec), text = case
    page = _page(text, f'<meta charset="{charset}">')
    decoded, _ = decode_html(page.encode(codec), content_type)
    assert decoded == page


@PROPERTIES
@given(_text("utf-8"))
def test_undeclared_utf8_decodes_back(text):
    page = _page(text)
    decoded, used = decode_html(page.encode("utf-8"), None)
    assert decoded == page and used.replace("-", "").lower() == "utf8"


@PROPERTIES
@given(
    st.binary(max_size=300),
    st.one_of(
        st.none(),
        st.text(max_size=40),
        st.sampled_from(
            ["utf-8", "gb18030", "big5", "gb2312", "gbk", "x-unknown", "utf-16", "utf-32", "iso-8859-1", ""]
        ).map(lambda cs: f"text/html; charset={cs}"),
    ),
    st.sampled_from(
        [
            "",
            '<meta charset="gb2312">',
            '<meta charset="nonsense">',
            '<meta http-equiv="Content-Type" content="text/html; charset=big5">',
        ]
    ),
)
def test_no_bytes_and_no_header_make_decoding_fail_but_with_a_named_cause(body, content_type, meta):
    # bytes no charset reads (NULs, a binary file) are reported, never raised as anything else
    try:
        text, used = decode_html(meta.encode() + body, content_type)
    except UndecodableError as exc:
        assert str(exc).startswith("undecodable: ")
    else:
        assert isinstance(text, str) and used
