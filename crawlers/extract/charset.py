"""Decoding a page's bytes when the server's charset cannot be trusted (CATALOGUE §0.4).

Old MOST pages (2008 era) are GB2312 bytes sent with ``Content-Type: text/html; charset=ISO-8859-1``;
Hanweb servers send no charset at all. A Western default in the header is what a misconfigured
Chinese server says, not what it serves, so such a header is ignored and the page decides: a BOM,
then the page's own ``<meta charset>`` / ``http-equiv`` declaration, then the first of
:data:`~crawlers.extract.rules.FALLBACK_CHARSETS` that decodes the bytes without error. Any other
declared charset is believed (GB2312 and GBK are read as their superset GB18030, as w3lib does).
"""

from __future__ import annotations

from w3lib.encoding import html_to_unicode, http_content_type_encoding

from crawlers.extract.rules import FALLBACK_CHARSETS, UNTRUSTED_HEADER_CHARSETS


def _first_clean_decode(body: bytes) -> str | None:
    for charset in FALLBACK_CHARSETS:
        try:
            body.decode(charset)
        except UnicodeDecodeError:
            continue
        return charset
    return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """``(text, charset used)`` of a HTML page, given its bytes and its Content-Type header."""
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared is None or declared.lower() in UNTRUSTED_HEADER_CHARSETS:
        content_type = None  # BOM → <meta> → a charset that decodes cleanly
    charset, text = html_to_unicode(
        content_type, body, default_encoding=FALLBACK_CHARSETS[-1], auto_detect_fun=_first_clean_decode
    )
    return text, charset
