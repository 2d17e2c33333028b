"""Reading a field's sources (:mod:`crawlers.extract.family`): what each offers, with its label.

A source offers candidates in order; the stage takes the first it accepts (a title or an office:
any text; a date: one that parses). A hook's first candidate is taken as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from parsel import Selector

from crawlers.extract.dates import date_from_url
from crawlers.extract.family import (
    Css,
    Header,
    Hook,
    Json,
    Labelled,
    Line,
    Meta,
    Nothing,
    Source,
    TitleTag,
    Url,
)
from crawlers.extract.html import (
    block_text,
    copy_element,
    drop_elements,
    element_text,
    first_element,
    meta_content,
    normalize_space,
)
from crawlers.extract.labels import label_value_pairs
from crawlers.extract.page import Page


class Stop:
    """The search ends here, with no value and nothing recorded."""


STOP = Stop()
Candidate = tuple[Any, str | None]


def first(
    page: Page, sources: tuple[Source, ...], accept: Callable[[Source, Any], Any]
) -> tuple[Any, str | None] | None:
    """``(value, label)`` of the first candidate ``accept`` turns into a value (None: it refuses it)."""
    for source in sources:
        if isinstance(source, Nothing):
            return None, source.label
        for value, label in candidates(page, source):
            if isinstance(source, Hook):
                return value, label  # the family's code decides (None: no value, its label recorded)
            accepted = accept(source, value)
            if accepted is STOP:
                return None
            if accepted is not None:
                return accepted, label
    return None


def text_value(source: Source, value: Any) -> Any:
    """A candidate as a text field's value: whitespace normalised, an empty one refused (a JSON
    member that is no string ends the search)."""
    if isinstance(source, Json):
        return normalize_space(value) if isinstance(value, str) else STOP
    return normalize_space(value) or None


def first_text(page: Page, sources: tuple[Source, ...]) -> tuple[Any, str | None] | None:
    """``(text, label)`` of the first source that gives a text, or None."""
    return first(page, sources, text_value)


def candidates(page: Page, source: Source) -> Iterator[Candidate]:
    """The values ``source`` offers on ``page``, in order, each with the label recording it."""
    if isinstance(source, Meta):
        names = page.rules[source.key][source.start : source.stop] if source.key else source.names
        found = meta_content(page.sel, names)
        if found:
            value = source.strip.sub("", found[1]) if source.strip else found[1]
            if value and not (source.reject and source.reject.match(value)):
                yield value, source.label or f"meta:{found[0]}"
    elif isinstance(source, Css):
        yield from _css(page, source)
    elif isinstance(source, Line):
        text = line(page, source.key)
        if source.pattern is None:
            value = text
        else:
            match = source.pattern.search(text)
            value = match["value"] if match else ""
        if value:
            yield value, source.label or source.key
    elif isinstance(source, Header):
        match = source.pattern.search(page.once("header_text", lambda: header_text(page)))
        if match:
            yield match["value"], source.label
    elif isinstance(source, Labelled):
        for label, value in metadata_pairs(page):
            if label in source.labels and value:
                yield value, source.label
    elif isinstance(source, Json):
        found = json_field(page.text, page.rules[source.key])
        if found:
            yield found[1], f"json:{found[0]}"
    elif isinstance(source, TitleTag):
        value = page.sel.xpath("string(//title)").get()
        if value:
            yield value, source.label
    elif isinstance(source, Url):
        when = date_from_url(page.requested if source.requested else page.url, default_tz=page.default_tz)
        if when:
            yield when, "url"
    elif isinstance(source, Hook):
        yield from page.hook(source.name)(page)


def _css(page: Page, source: Css) -> Iterator[Candidate]:
    if source.pattern is None:
        found = first_element(page.sel, page.rules[source.key])
        if found:
            yield element_text(found[1]), found[0]
        return
    for css in page.rules[source.key]:
        for element in page.sel.css(css):
            text = block_text(element.root)
            match = source.pattern.search(text)
            if match or not source.required:
                yield match["value"] if match else text, css


def line(page: Page, key: str) -> str:
    """:func:`line_text` of rule ``key`` on ``page`` (read once)."""
    return page.once(("line", key), lambda: line_text(page.sel, page.rules[key]))


def line_text(sel: Selector, css_list: tuple[str, ...]) -> str:
    """The text of the first element of ``css_list`` with text, its text nodes joined by spaces."""
    found = first_element(sel, css_list)
    return element_text(found[1], " ") if found else ""


def header_text(page: Page) -> str:
    """The page's header block (:class:`~crawlers.extract.family.HeaderRules`), else the whole page's text."""
    rules = page.family.header
    page_copy = copy_element(page.sel.root)
    if rules.without_body and page.body_match is not None:
        # so a 日期： inside the text is not the page's date: the body is found in the copy by its path
        body = page.body_match[1].root
        path = body.getroottree().getpath(body)
        for node in page_copy.getroottree().xpath(path) if path else []:
            if node.getparent() is not None:
                node.getparent().remove(node)
    drop_elements(page_copy, ("script", "style", "noscript"))
    copy_sel = Selector(root=page_copy, type="html")
    for css in page.rules[rules.key] if rules.key else ():
        for found in copy_sel.css(css):
            text = block_text(found.root)
            if any(marker.search(text) for marker in rules.markers):
                return text
    return block_text(page_copy)


def metadata_pairs(page: Page) -> list[tuple[str, str]]:
    """``(label, value)`` of the page's labelled metadata (:class:`~crawlers.extract.family.MetadataRules`)."""
    return page.once("metadata", lambda: label_value_pairs(_metadata_texts(page)))


def _metadata_texts(page: Page) -> list[str]:
    rules = page.family.metadata
    if rules is None:
        return []
    elements = [found for css in page.rules[rules.key] for found in page.sel.css(css)]
    if rules.cells:
        elements = list(elements[0].css(rules.cells)) if elements else []
    if rules.text == "block":
        return [block_text(element.root) for element in elements]
    return [element_text(element, " " if rules.text == "spaced" else "") for element in elements]


def json_field(text: str, names: tuple[str, ...]) -> tuple[str, Any] | None:
    """The first non-empty value of a ``"name": value`` JSON member in the page's scripts."""
    decoder = json.JSONDecoder()
    for name in names:
        for match in re.finditer(rf'"{re.escape(name)}"\s*:\s*', text):
            try:
                value = decoder.raw_decode(text, match.end())[0]
            except ValueError:
                continue
            if value not in (None, "", [], {}):
                return name, value
    return None
