"""The generic parser's publication date, after the metas and the labelled byline.

* :func:`jsonld_date` — ``datePublished`` of the page's JSON-LD (an ``@graph`` too): the page's own
  statement, before any ``<time>`` element (which may be a related article's);
* :func:`short_year_byline` — "发布时间：18-03-08": a labelled date with a two-digit year (portals
  write the year so when it is not the current one), read year first as Chinese dates are;
* :func:`htmldate` — htmldate on the page *without* its related, recommended, ranking and side
  blocks (rules as data: ``RELATED_BLOCK_RE``): htmldate's ``original_date`` takes the oldest date
  it finds, which on a short article is often a related article's ``<time>``. Its offset is kept;
  a time without one is read in the source's zone (``default_tz``). A day other than the URL's
  gives way to the URL's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.etree import ParserError

from crawlers.extract.dates import date_from_url, parse_date
from crawlers.extract.fields import Candidate
from crawlers.extract.page import Page
from crawlers.extract.rules_generic import RELATED_BLOCK_RE, RELATED_BLOCK_TAGS, SHORT_YEAR_BYLINE_RE


def jsonld_date(page: Page) -> Iterator[Candidate]:
    """The first ``datePublished`` of the page's JSON-LD objects that parses."""
    for script in page.sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in _objects(data):
            when = parse_date(item.get("datePublished"), default_tz=page.default_tz)
            if when is not None:
                yield when, "json-ld"
                return


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects in ``data``: a list of them, an ``@graph``, or one."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def short_year_byline(page: Page) -> Iterator[Candidate]:
    """ "发布时间：18-03-08 23:16" as 2018-03-08 23:16 in the source's zone."""
    text = " ".join(page.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
    match = SHORT_YEAR_BYLINE_RE.search(text)
    if match:
        when = parse_date(f"20{match['y']}-{match['m']}-{match['d']} {match['time'] or ''}", default_tz=page.default_tz)
        if when is not None:
            yield when, "header"


def without_related_blocks(html: str) -> Any:
    """An lxml tree of ``html`` without its related/recommended/ranking/side blocks (None if
    unparsable); a block with an ``<h1>`` in it stays."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, ParserError, TypeError):
        return None
    doomed = [
        element
        for element in root.iter()
        if isinstance(element.tag, str)
        and element.tag not in ("html", "body")
        and (
            element.tag in RELATED_BLOCK_TAGS
            or RELATED_BLOCK_RE.search(f"{element.get('class') or ''} {element.get('id') or ''}")
        )
    ]
    for element in doomed:
        # a block holding the headline is the article's ("content-side", "main-more"), not a related one
        if element.getparent() is not None and not element.xpath(".//h1"):
            element.drop_tree()
    return root


def htmldate(page: Page) -> Iterator[Candidate]:
    """htmldate's date of the page without its related blocks, unless it names another day than the
    URL (then the URL's)."""
    in_url = date_from_url(page.url, default_tz=page.default_tz) if page.url else None
    tree = without_related_blocks(page.text)
    try:
        from htmldate import find_date

        text = find_date(
            tree if tree is not None else page.text,
            url=page.url or None,
            original_date=True,
            outputformat="%Y-%m-%dT%H:%M:%S%z",
        )
    except (ValueError, TypeError, ParserError):
        text = None
    when = parse_date(_iso_offset(text), default_tz=page.default_tz) if text else None
    if when is not None and (in_url is None or when.date() == in_url.date()):
        yield when, "htmldate"
    elif in_url:
        # htmldate guessed another day than the URL states (a year alone, a date in the text)
        yield in_url, "url"


def _iso_offset(text: str) -> str:
    """ "2024-03-05T23:30:00+0000" with its offset as ISO 8601 writes it ("+00:00")."""
    return re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
