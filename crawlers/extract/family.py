"""The vocabulary of a family's rules table: where each field is read from, in order (data).

A family's ``rules_<family>.py`` builds one :class:`FamilyRules`; the stage modules read it. A field
lists its sources; the first that gives a value wins and its label is recorded in ``extra``
(``title_source``, ``date_source``, ``source_office_source``). Rule *keys* (``"body"``,
``"date_meta"``…) name entries of ``FamilyRules.selectors``, the table a source's registry
``selectors`` override. A :class:`Hook` names code of the family's module, for what is no rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

Pattern = re.Pattern[str]
# A source's registry ``selectors``: rule key -> a selector put first in that rule.
Selectors = Mapping[str, str] | None


# ----------------------------------------------------------------------------- sources of a field
@dataclass(frozen=True)
class Meta:
    """The first non-empty ``<meta>`` among the names of rule ``key`` (``[start:stop]``), or ``names``."""

    key: str | None = None
    names: tuple[str, ...] = ()
    start: int = 0
    stop: int | None = None
    label: str | None = None  # what is recorded; "meta:NAME" by default
    cut: Pattern | None = None  # the site name to cut from a title ("T_中国政协网")
    strip: Pattern | None = None  # a label inside the value ("来源：新华网")
    reject: Pattern | None = None  # values that are no value (people.cn's numeric author ids)


@dataclass(frozen=True)
class Css:
    """Elements of rule ``key``. Without ``pattern``: the text of the first with text. With one: the
    ``value`` group in each element's text, in turn (or the whole text, unless ``required``)."""

    key: str
    pattern: Pattern | None = None
    required: bool = True


@dataclass(frozen=True)
class Line:
    """The first element of rule ``key`` with text, as one line: the whole line, or ``pattern``'s
    ``value`` group in it. Recorded as ``label``, else as the key."""

    key: str
    pattern: Pattern | None = None
    label: str | None = None


@dataclass(frozen=True)
class Header:
    """``pattern``'s ``value`` group in the page's header text (see :class:`HeaderRules`)."""

    pattern: Pattern
    label: str = "header"


@dataclass(frozen=True)
class Labelled:
    """The values of the page's labelled metadata (:class:`MetadataRules`) under one of ``labels``."""

    labels: tuple[str, ...]
    label: str = "metadata"


@dataclass(frozen=True)
class Json:
    """The first non-empty JSON member, among the names of rule ``key``, in the page's scripts."""

    key: str


@dataclass(frozen=True)
class TitleTag:
    """The page's ``<title>``, without the site name ``cut`` matches."""

    cut: Pattern | None = None
    label: str = "title"


@dataclass(frozen=True)
class Url:
    """The date in the page's URL (``requested``: in the URL as it was asked for)."""

    requested: bool = False


@dataclass(frozen=True)
class Nothing:
    """No value: what is recorded when the sources before it found none."""

    label: str | None = None


@dataclass(frozen=True)
class Hook:
    """The family's own code: ``HOOKS[name](page)`` of the family's module."""

    name: str


Source = Meta | Css | Line | Header | Labelled | Json | TitleTag | Url | Nothing | Hook


@dataclass(frozen=True)
class Split:
    """A list-valued extra: the value of ``source`` cut at ``separators`` (empty parts dropped)."""

    source: Source
    separators: Pattern


# ----------------------------------------------------------------------------- stage rules
@dataclass(frozen=True)
class HeaderRules:
    """Where :class:`Header` patterns look: the first block of rule ``key`` whose text holds one of
    ``markers``, else the whole page; scripts (and the body, when ``without_body``) left out."""

    key: str | None = None
    markers: tuple[Pattern, ...] = ()
    without_body: bool = False


@dataclass(frozen=True)
class MetadataRules:
    """Labelled metadata ("文  号：…"): the elements of rule ``key`` (or the ``cells`` of its first
    element), each read as one ``text``; ``fields`` maps labels to ``extra`` keys, ``omit`` keeps
    some out of ``extra``."""

    key: str
    fields: Mapping[str, str]
    cells: str | None = None
    text: Literal["inline", "spaced", "block"] = "inline"
    omit: tuple[str, ...] = ()


@dataclass(frozen=True)
class BodyRules:
    """The first element of rule ``key`` with text, without the ``drop`` elements, one line per block.

    ``dropped_lines`` are removed (counted in ``extra[dropped_count]`` when named); a last line
    matching ``trailer`` moves to ``extra[trailer_key]``. ``hook`` is tried first (a body that is no
    element). ``fallback``: the generic extractor when no rule gives text.
    """

    key: str | None = "body"
    drop: str | None = "drop"
    dropped_lines: Pattern | None = None
    dropped_count: str | None = None
    trailer: Pattern | None = None
    trailer_key: str | None = None
    hook: Hook | None = None
    fallback: bool = True


@dataclass(frozen=True)
class AttachmentRules:
    """Where document links are looked for: the elements of rule ``containers``; when none, the
    element the body rules matched (``body``, even when the body came from the fallback); or the
    whole page ``without`` its chrome. ``always``: record ``[]`` when there is nowhere to look."""

    containers: str | None = None
    body: bool = False
    without: tuple[str, ...] | None = None
    always: bool = True


@dataclass(frozen=True)
class ListRules:
    """List pages: links whose URL path matches one of ``articles`` (a later page of an article,
    ``later_pages``, counts as its first page), inside the items of rule ``items``; when no item
    holds one, every link of the page (``fallback="page"``, dated by the URL), or each with its
    parent element as item (``"parent"``), or none (None).

    An item's date is in its ``dates`` holders (a rule; the shared default when None), else in the
    item's other text (``bare_link_dates``: all of it when the link has no text), else in the URL.
    ``pager`` / ``next_texts``: the next page's link; ``page_count``: total pages in the page's text.
    """

    articles: tuple[Pattern, ...]
    later_pages: tuple[Pattern, ...] = ()
    items: str = "list_item"
    dates: str | None = None
    fallback: Literal["page", "parent"] | None = "page"
    bare_link_dates: bool = False
    pager: str | None = None
    next_texts: tuple[str, ...] = ()
    page_count: tuple[Pattern, ...] = ()

    def is_article(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(pattern.search(path) for pattern in self.articles)


@dataclass(frozen=True)
class FamilyRules:
    """A site family's rules: what its article parser (``parser``, "module:function") reads, in order."""

    parser: str  # in crawlers/extract/<family>.py
    selectors: Mapping[str, tuple[str, ...]]
    url: Hook | None = None  # the URL the article is stored under, when it is not the page's
    title: tuple[Source, ...] = ()
    body: BodyRules = BodyRules()
    published: tuple[Source, ...] = ()
    office: tuple[Source, ...] = ()
    office_source: bool = True  # record extra["source_office_source"]
    author: tuple[Source, ...] = ()
    extras: tuple[tuple[str, Source | Split] | Hook, ...] = ()
    header: HeaderRules = HeaderRules()
    metadata: MetadataRules | None = None
    attachments: AttachmentRules | Hook | None = None
    lists: ListRules | None = None

    @property
    def family(self) -> str:
        """The family's name (a key of config.FAMILIES, or "generic"): its parser's module's."""
        return self.parser.partition(":")[0].rpartition(".")[2]

    def hooks(self) -> set[str]:
        """The names of the hooks these rules use (its :class:`~crawlers.extract.article.ArticleParser` supplies them)."""
        sources = [self.url, self.attachments, self.body.hook, *self.title, *self.published, *self.office, *self.author]
        for entry in self.extras:
            source = entry if isinstance(entry, Hook) else entry[1]
            sources.append(source.source if isinstance(source, Split) else source)
        return {source.name for source in sources if isinstance(source, Hook)}
