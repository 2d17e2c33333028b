"""Decoding a page's bytes when no declared charset can be trusted (CATALOGUE §0.4).

Declarations lie either way: old MOST pages (2008 era) are GB2312 bytes sent with
``Content-Type: text/html; charset=ISO-8859-1``; Hanweb servers send no charset at all; a server
may send GBK bytes as ``charset=utf-8``; a people.com.cn page may be UTF-8 bytes under a
``<meta charset=gb2312>``. So the bytes decide, with the declarations as candidates:

1. a BOM;
2. UTF-8, when the bytes are UTF-8 with multi-byte characters (text in a legacy Chinese charset
   of more than a few characters is practically never valid UTF-8, so this beats any declaration
   once there are :data:`MIN_UTF8_EVIDENCE` of them), allowing a stray byte among many;
3. the candidates in order — the caller's ``override`` (the registry's ``charset``), the
   Content-Type's charset (unless a Western default, :data:`UNTRUSTED_HEADER_CHARSETS`), the
   page's ``<meta>`` declaration, then :data:`FALLBACK_CHARSETS` — the first whose decoding is
   plausible: no replacement characters and no control characters beyond a stray few;
4. charset-normalizer's detection, if its decoding is plausible.

When nothing fits (a binary file, bytes cut in the middle of everything), :class:`UndecodableError`
says what was tried ("undecodable: ..."). GB2312 and GBK are read as their superset GB18030, as
w3lib does.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from crawlers.extract.rules import FALLBACK_CHARSETS, UNTRUSTED_HEADER_CHARSETS

# stray bytes a real page carries (a bad copy-paste) against the mojibake of a wrong charset
MAX_BAD_RATIO = 0.001
MAX_BAD_MIN = 2
# multi-byte characters that make bytes UTF-8 against a declared legacy charset
MIN_UTF8_EVIDENCE = 8
# good multi-byte characters needed around each bad byte of a page taken as UTF-8
UTF8_GOOD_PER_BAD = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030"}


class UndecodableError(ValueError):
    """No charset gives a plausible text of the bytes; the message starts with "undecodable: "."""


def _codec(name: str | None) -> str | None:
    """The Python codec name of a charset label (GB2312/GBK → GB18030), None if unknown."""
    if not name:
        return None
    resolved = resolve_encoding(name) or name
    try:
        codec = codecs.lookup(resolved).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def _bad(text: str) -> int:
    return text.count("\ufffd") + len(_CONTROL.findall(text))


def _tolerated(bad: int, length: int) -> bool:
    return bad <= max(MAX_BAD_MIN, int(length * MAX_BAD_RATIO))


def _as_utf8(body: bytes, *, other_declared: bool) -> str | None:
    """The text when the bytes are (nearly all) UTF-8 with multi-byte characters. A few
    characters of a legacy charset can happen to be valid UTF-8 (GB18030's 委 is CE AF, UTF-8's
    ί), each with a chance of about one in ten, so against a declaration of another charset the
    bytes win only with :data:`MIN_UTF8_EVIDENCE` multi-byte characters; and a stray bad byte is
    forgiven only among many good characters (a page's copy-paste slip, not a wrong charset)."""
    text = body.decode("utf-8", errors="replace")
    bad = _bad(text)
    # the non-ASCII characters but U+FFFD, counted in C: what ASCII encoding drops (a page is ~100k characters)
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    if multibyte < (MIN_UTF8_EVIDENCE if other_declared else 1):
        return None
    if bad == 0 or (multibyte >= UTF8_GOOD_PER_BAD * bad and _tolerated(bad, multibyte)):
        return text
    return None


def _plausible(body: bytes, codec: str) -> str | None:
    text = body.decode(codec, errors="replace")
    bad = _bad(text)
    return text if bad <= MAX_BAD_MIN and _tolerated(bad, len(text)) else None


def _detected(body: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    codec = _codec(best.encoding) if best is not None else None
    text = _plausible(body, codec) if codec else None
    return (text, codec) if text is not None else None


def decode_html(body: bytes, content_type: str | None, override: str | None = None) -> tuple[str, str]:
    """``(text, charset used)`` of a HTML page, given its bytes, its Content-Type header and the
    charset the caller knows better (``override``, e.g. the registry's); :class:`UndecodableError`
    when no charset gives a plausible text."""
    bom, _ = read_bom(body)
    if bom:
        codec = _codec(bom) or "utf-8"
        return body.decode(codec, errors="replace").lstrip("\ufeff"), codec
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared and declared.lower() in UNTRUSTED_HEADER_CHARSETS:
        declared = None
    stated = [override, declared, html_body_declared_encoding(body)]
    other_declared = any(_codec(name) not in (None, "utf-8") for name in stated)
    text = _as_utf8(body, other_declared=other_declared)
    if text is not None:
        return text, "utf-8"
    candidates = [*stated, *FALLBACK_CHARSETS]
    tried: list[str] = []
    for codec in (_codec(name) for name in candidates):
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        text = _plausible(body, codec)
        if text is not None:
            return text, codec
    found = _detected(body)
    if found is not None:
        return found
    said = f"declared {declared or override}" if declared or override else "no charset declared"
    raise UndecodableError(
        f"undecodable: {len(body)} bytes ({said}) are not text in {', '.join(tried)} or any detected charset"
    )
