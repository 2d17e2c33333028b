"""The generic parser's title: the headline most of the page's title candidates agree on.

Each place a page names its headline is a *source* (rules as data in
:mod:`crawlers.extract.rules_generic`): the ``<title>``, the social metas (``og:title`` and
``twitter:title``, one source: one is usually copied from the other), the other title metas, the
JSON-LD ``headline``, the ``<h1>``s, and the page's other headings (``<h2>``–``<h6>`` and elements
whose class or id says "title", outside links). A source *votes* for its own text and, for the
``<title>`` and the social metas, for the runs of segments between its separators ("Headline_Column_
Site", "Site--Headline", "Headline | Site"): a site-name or section suffix wins only if another
source states it too. A source whose text stops where another's goes on with a quote mark votes for
the longer one too (an ``og:title`` cut short at an unescaped ``"`` in the attribute). Badges
("原创 | ", "【独家】") are dropped first.

The headline with the most votes wins if at least two sources state it; a tie goes to the one the
most trusted source states (the visible ``<h1>`` first, see ``TITLE_SOURCE_PRIORITY``), then to the
shorter (the same sources stating "Headline" and "Headline - Site" confirm no suffix). With fewer than two votes nothing is decided here and the parser's next title rules apply.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from crawlers.extract.fields import Candidate
from crawlers.extract.html import normalize_space
from crawlers.extract.page import Page
from crawlers.extract.rules_generic import (
    GENERIC_TITLE_SUFFIX_RE,
    TITLE_BADGE_RE,
    TITLE_HEADING_XPATH,
    TITLE_LAYOUT_SPACE_RE,
    TITLE_MAX_SEGMENTS,
    TITLE_META_NAMES,
    TITLE_MIN_CHARS,
    TITLE_QUOTES,
    TITLE_SEPARATOR_RE,
    TITLE_SOCIAL_META_NAMES,
    TITLE_SOURCE_PRIORITY,
)

_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"'})
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def clean_title(text: str | None) -> str:
    """A candidate as a title: entities decoded, layout spaces and badges dropped, spaces normalised."""
    text = html_lib.unescape(text or "")
    text = TITLE_LAYOUT_SPACE_RE.sub("", text)
    return normalize_space(TITLE_BADGE_RE.sub("", normalize_space(text)))


def title_key(text: str) -> str:
    """What two candidates must share to agree: curly quotes folded, spaces between Han characters dropped."""
    return _CJK_GAP.sub("", text.translate(_QUOTE_FOLD)).casefold()


def segment_runs(text: str, *, prefixes_only: bool = False) -> list[str]:
    """``text`` and each run of its separator-delimited segments (only the leading runs if ``prefixes_only``)."""
    bounds = [0]
    for match in TITLE_SEPARATOR_RE.finditer(text):
        bounds += [match.start(), match.end()]
    bounds.append(len(text))
    pieces = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)][:TITLE_MAX_SEGMENTS]
    runs = {text}
    for i, (start, _) in enumerate(pieces):
        if prefixes_only and i:
            break
        for _, end in pieces[i:]:
            runs.add(text[start:end].strip())
    return [run for run in runs if len(run) >= TITLE_MIN_CHARS]


@dataclass
class Vote:
    """One headline text, the sources stating it, and the form each gave."""

    key: str
    sources: set[str] = field(default_factory=set)
    forms: dict[str, tuple[str, str]] = field(default_factory=dict)  # source -> (text, label)

    def best_source(self) -> int:
        return min(TITLE_SOURCE_PRIORITY.index(s) for s in self.sources)


def title_sources(page: Page) -> dict[str, list[tuple[str, str]]]:
    """Source name -> the ``(text, label)`` it votes for (cleaned; runs of segments included)."""
    sel = page.sel
    metas: dict[str, list[tuple[str, str]]] = {"social": [], "meta": []}
    for meta in sel.xpath("//meta"):
        name = meta.attrib.get("property") or meta.attrib.get("name") or meta.attrib.get("itemprop") or ""
        text = clean_title(meta.attrib.get("content"))
        if text and name.lower() in TITLE_SOCIAL_META_NAMES:
            metas["social"] += [(run, f"meta:{name}") for run in segment_runs(text, prefixes_only=True)]
        elif text and name.lower() in TITLE_META_NAMES:
            metas["meta"].append((text, f"meta:{name}"))
    page_title = clean_title(sel.xpath("string(//title)").get())
    from crawlers.extract.confidence import jsonld_headlines

    links = _link_texts(page)
    headings = (clean_title(h) for h in sel.xpath(TITLE_HEADING_XPATH).xpath("string()").getall())
    found = {
        "h1": [(clean_title(h), "h1") for h in sel.xpath("//h1").xpath("string()").getall()],
        "json-ld": [(clean_title(h), "json-ld") for h in jsonld_headlines(page)],
        **metas,
        "heading": [(text, "heading") for text in headings if text not in links],
        "title": [(run, "title") for run in segment_runs(page_title)] if page_title else [],
    }
    kept = {name: [(t, label) for t, label in texts if len(t) >= TITLE_MIN_CHARS] for name, texts in found.items()}
    return {name: texts for name, texts in kept.items() if texts}


def _link_texts(page: Page) -> frozenset[str]:
    from crawlers.extract.confidence import link_texts

    return frozenset(clean_title(t) for t in link_texts(page))


def count_votes(sources: dict[str, list[tuple[str, str]]]) -> list[Vote]:
    """The votes of ``sources``, by headline (see the module doc)."""
    votes: dict[str, Vote] = {}
    for source, texts in sources.items():
        for text, label in texts:
            vote = votes.setdefault(title_key(text), Vote(title_key(text)))
            vote.sources.add(source)
            vote.forms.setdefault(source, (text, label))
    for short in list(votes.values()):  # a text cut at a quote mark votes for the text it is cut from
        for whole in votes.values():
            if whole.key.startswith(short.key) and whole.key[len(short.key) : len(short.key) + 1] in TITLE_QUOTES:
                whole.sources |= short.sources
    return list(votes.values())


def voted_title(page: Page) -> Iterator[Candidate]:
    """The headline at least two sources state (most votes, then the most trusted source, then the
    shortest), labelled with the source whose form it takes; else, when the page names no candidate but its
    ``<title>`` and headings, the ``<title>`` without its site suffix."""
    sources = title_sources(page)
    agreed = [v for v in count_votes(sources) if len(v.sources) >= 2]
    if agreed:
        best = max(agreed, key=lambda v: (len(v.sources), -v.best_source(), -len(v.key)))
        yield next(best.forms[s] for s in TITLE_SOURCE_PRIORITY if s in best.forms)
    elif not set(sources) - {"title", "heading"}:
        page_title = clean_title(page.sel.xpath("string(//title)").get())
        if page_title:
            yield GENERIC_TITLE_SUFFIX_RE.sub("", page_title).rstrip(" -_|｜–—") or page_title, "title"
