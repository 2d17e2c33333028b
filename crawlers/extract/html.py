"""HTML helpers every stage uses: parsing, whitespace, meta tags, the text of an element."""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from parsel import Selector

_SPACES = re.compile(r"[ \t\r\f\v\xa0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "header",
        "footer",
        "hr",
        "center",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select", "button"})


def normalize_space(text: str | None) -> str:
    """Collapse runs of whitespace (incl. &nbsp; and the full-width space) into one space; strip."""
    if not text:
        return ""
    return _SPACES.sub(" ", text.replace("&nbsp;", " ")).strip()


def as_text(page: str | bytes) -> str:
    """A page as text: bytes are read as UTF-8 (a stray byte becomes U+FFFD)."""
    return page.decode("utf-8", "replace") if isinstance(page, bytes) else page


def selector_for(html: str | bytes, url: str | None = None) -> Selector:
    if isinstance(html, bytes):
        return Selector(body=html, base_url=url or "", type="html")
    return Selector(text=html, base_url=url or "", type="html")


def url_path(url: str) -> str:
    """``url`` without its query and fragment (what URL-shape rules are matched against)."""
    return url.split("#", 1)[0].split("?", 1)[0]


def meta_content(sel: Selector, names: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """The first non-empty ``<meta name|property|itemprop=NAME content>`` (name matched case-insensitively)."""
    metas: dict[str, str] = {}
    for meta in sel.xpath("//meta"):
        key = meta.attrib.get("name") or meta.attrib.get("property") or meta.attrib.get("itemprop")
        content = meta.attrib.get("content")
        if key and content is not None and normalize_space(content):
            metas.setdefault(key.strip().lower(), content)
    for name in names:
        value = metas.get(name.lower())
        if value is not None:
            return name, normalize_space(value)
    return None


def element_text(found: Selector, joiner: str = "") -> str:
    """The text of an element, its text nodes joined by ``joiner``, whitespace normalised."""
    return normalize_space(joiner.join(found.root.itertext()))


def block_text(element: Any) -> str:
    """The text of an lxml element, one line per block (p, div, li, br...), whitespace normalised.

    Empty lines are dropped; lines are joined by ``\\n``. Scripts and styles are ignored.
    """
    pieces: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in _SKIP_TAGS:
            if node.tail:
                pieces.append(node.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            pieces.append("\n")
        if isinstance(node.tag, str) and node.text:
            pieces.append(node.text)
        for child in node:
            walk(child)
        if block:
            pieces.append("\n")
        elif tag in _CELL_TAGS:
            pieces.append(" ")  # table cells of a row stay on one line, separated
        if node.tail:
            pieces.append(node.tail)

    # the root's own tail does not belong to it
    tail = element.tail
    element.tail = None
    try:
        walk(element)
    finally:
        element.tail = tail
    lines = (normalize_space(line) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def first_element(sel: Selector, css_list: tuple[str, ...] | list[str]) -> tuple[str, Selector] | None:
    """The first selector in ``css_list`` that matches an element with some text."""
    for css in css_list:
        for found in sel.css(css):
            if normalize_space("".join(found.root.itertext()) if hasattr(found.root, "itertext") else ""):
                return css, found
    return None


def drop_elements(root: Any, css_list: tuple[str, ...] | list[str]) -> None:
    """Remove matching descendants of an lxml element in place (their tail text is kept)."""
    sel = Selector(root=root, type="html")
    for css in css_list:
        for found in sel.css(css):
            node = found.root
            parent = node.getparent() if hasattr(node, "getparent") else None
            if parent is not None:
                node.drop_tree() if hasattr(node, "drop_tree") else parent.remove(node)


def copy_element(element: Any) -> Any:
    """A detached deep copy of an lxml element (so removing chrome does not alter the page)."""
    return deepcopy(element)


def without(element: Any, css_list: tuple[str, ...] | list[str]) -> Selector:
    """A selector over a copy of ``element`` without the ``css_list`` elements."""
    root = copy_element(element)
    drop_elements(root, css_list)
    return Selector(root=root, type="html")
