"""crawlers/extract/charset.py: the bytes decide when a declared charset lies, either way."""

from __future__ import annotations

import os

import pytest
from conftest import SITES

from crawlers.extract.charset import UndecodableError, decode_html

PEOPLE_REAL = SITES / "cppcc.people.com.cn" / "_real"
PAGE = "<html><head><title>关于开展2024年度科技计划项目申报的通知</title></head><body><p>{}</p></body></html>"
TEXT = "各区县科技主管部门，有关单位：为深入实施创新驱动发展战略，现将有关事项通知如下。" * 4


def test_gbk_bytes_under_a_utf8_header_are_read_as_gbk():
    body = PAGE.format(TEXT).encode("gbk")
    text, charset = decode_html(body, "text/html; charset=utf-8")
    assert (text, charset) == (PAGE.format(TEXT), "gb18030")
    # the registry's override is a candidate too, checked against the bytes: a Hanweb source forcing
    # UTF-8 whose server sends GBK
    assert decode_html(body, "text/html", override="utf-8") == (PAGE.format(TEXT), "gb18030")


def test_utf8_bytes_under_a_gb2312_meta_are_read_as_utf8():
    # the real people.com.cn page as fundus stored it: UTF-8 bytes, <meta charset=gb2312>
    raw = (PEOPLE_REAL / "People_2024_04_24.html").read_bytes()
    assert b'charset="gb2312"' in raw.lower() or b"charset=gb2312" in raw.lower()
    for content_type, override in (("text/html; charset=GB2312", None), ("text/html", "gb18030")):
        text, charset = decode_html(raw, content_type, override=override)
        assert charset == "utf-8" and "新华社北京4月24日电" in text and "鏂板崕" not in text
    # the bytes the server sends (GBK) still read as GB18030
    text, charset = decode_html((PEOPLE_REAL / "People_2024_04_24.gb18030.html").read_bytes(), "text/html")
    assert charset == "gb18030" and "新华社北京4月24日电" in text


def test_a_stray_byte_does_not_switch_a_utf8_page_to_mojibake():
    body = PAGE.format(TEXT).encode("utf-8").replace("现将".encode(), b"\xa9", 1)
    text, charset = decode_html(body, "text/html")
    assert charset == "utf-8" and text.count("\ufffd") == 1 and "有关事项通知如下" in text


def test_legacy_declarations_are_still_honoured():
    body = PAGE.format(TEXT).replace("<head>", '<head><meta charset="gb2312">').encode("gb2312")
    assert decode_html(body, "text/html; charset=ISO-8859-1")[1] == "gb18030"  # MOST's wrong header
    assert decode_html(b"<p>plain ascii</p>", "text/html; charset=utf-8") == ("<p>plain ascii</p>", "utf-8")
    assert decode_html(b"", "text/html") == ("", "utf-8")


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/octet-stream", None])
def test_binary_bytes_are_undecodable_with_the_cause(content_type):
    body = os.urandom(4096)
    with pytest.raises(UndecodableError, match=r"^undecodable: 4096 bytes \(.*\) are not text in utf-8"):
        decode_html(body, content_type)
