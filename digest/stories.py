"""From the day's articles to the digest's model: near-duplicates merged into stories, zh/en
versions linked, each story dated by its earliest article, new or also found, and themed.

The articles are read once, as they come (:class:`_Day`): each is reduced at once to what the
digest shows and what its body says for the stories (its near-duplicate sketch, its cross-language
facts, its theme keyword counts), so that with ``bodies`` given no body is kept. The exact check of
near-duplicate candidates asks ``bodies`` for those few articles again.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import reduce

from digest.crosslang import CrossLanguageConfig, Facts, facts, translation_pairs
from digest.dedup import DedupConfig, NearDuplicateSearch, url_key
from digest.model import Digest, DigestItem, DigestSection, SourceCheck, SourceLine, Story, StoryLink, Theme
from digest.safety import safe_href
from digest.themes import ThemeMatcher, load_themes

# the stored bodies of some articles, in the order of the items given (build_digest_model)
Bodies = Callable[[Sequence[DigestItem]], Iterable[str]]


@dataclass(frozen=True, slots=True)
class _Article:
    """An article as the stories need it: its item (without its body when the bodies can be read
    again), the facts its text states, and its text's keyword hits per theme."""

    source_id: str
    source_name: str
    item: DigestItem
    facts: Facts
    theme_hits: tuple[int, ...]


def story_id(url: str) -> str:
    """16 hex digits from the URL of a story's earliest article (its variants give the same):
    the same story gets the same id in every run and every format."""
    return hashlib.sha256(url_key(url).encode("utf-8")).hexdigest()[:16]


def _sort_key(article: _Article) -> tuple:
    published = article.item.published_at
    # earliest first; undated last; then the https variant before the http one
    return (
        published is None,
        published.timestamp() if published else 0,
        url_key(article.item.url),
        not article.item.url.startswith("https:"),
    )


def _text(item: DigestItem) -> str:
    """What the near-duplicate search and the facts read of an article."""
    return item.body or item.summary or ""


class _Day:
    """The day's articles, each reduced as it is added; with ``bodies`` given the bodies are
    dropped (``bodies`` reads them again for the near-duplicate candidates only)."""

    def __init__(self, matcher: ThemeMatcher, dedup: DedupConfig | None, bodies: Bodies | None) -> None:
        self.matcher = matcher
        self.bodies = bodies
        self.search = NearDuplicateSearch(dedup)
        self.articles: list[_Article] = []
        self.sources: dict[str, list] = {}  # source id -> [name, articles], in order of appearance
        self._hit_counts: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._sets: dict[frozenset[str], frozenset[str]] = {}

    def add_source(self, source_id: str, source_name: str) -> None:
        """A source of the day (a section), with or without articles."""
        self.sources.setdefault(source_id, [source_name, 0])[0] = source_name

    def read(self, sections: Iterable[DigestSection]) -> None:
        """Every article of ``sections``, consumed as they come (no reference to the last one is
        left behind: its body would outlive its reduction)."""
        for section in sections:
            self.add_source(section.source_id, section.source_name)
            for item in section.items:
                self.add(section.source_id, section.source_name, item)

    def add(self, source_id: str, source_name: str, item: DigestItem) -> None:
        text = _text(item)
        self.search.add(item.url, item.title, text)
        hits = self.matcher.text_hits(item.summary or item.body[:3000])
        hits = self._hit_counts.setdefault(hits, hits)  # most articles share a few patterns of counts
        kept = item if self.bodies is None or not item.body else replace(item, body="")
        found = facts(item.title, text, item.language)
        # one set for equal sets: the dates and names of a day's articles recur
        found = Facts(*(self._sets.setdefault(values, values) for values in (found.numbers, found.dates, found.names)))
        self.articles.append(_Article(source_id, source_name, kept, found, hits))
        self.sources.setdefault(source_id, [source_name, 0])[1] += 1

    def texts(self, indexes: Sequence[int]) -> Iterable[tuple[str, str]]:
        """(title, text) of articles by index, for the exact check of near-duplicate candidates:
        their bodies read again when they were dropped."""
        items = [self.articles[i].item for i in indexes]
        if self.bodies is None:
            return [(item.title, _text(item)) for item in items]
        return [(item.title, body or item.summary or "") for item, body in zip(items, self.bodies(items), strict=True)]


def story_groups(day: _Day, crosslang: CrossLanguageConfig | None = None) -> list[list[int]]:
    """Indexes of the day's articles by story: near-duplicates within a language, then zh/en pairs."""
    articles = day.articles
    groups = day.search.groups(day.texts)
    languages, facts_of, published = [], [], []
    for members in groups:
        first = min(members, key=lambda i: _sort_key(articles[i]))
        languages.append(articles[first].item.language)
        facts_of.append(reduce(operator.or_, (articles[i].facts for i in members)))
        published.append(articles[first].item.published_at)
    joined = {j: i for i, j in translation_pairs(languages, facts_of, published, crosslang)}
    result = []
    for index, members in enumerate(groups):
        if index in joined:
            continue  # the English side, merged into its Chinese story below
        partner = next((j for j, i in joined.items() if i == index), None)
        result.append(sorted(members + (groups[partner] if partner is not None else [])))
    return result


def _links(members: list[_Article]) -> tuple[StoryLink, ...]:
    links, seen = [], set()
    for article in members:
        key = url_key(article.item.url)
        if key in seen:
            continue  # an http/https or mobile variant of a link already listed
        seen.add(key)
        item = article.item
        links.append(
            StoryLink(
                source_id=article.source_id,
                source_name=article.source_name,
                title=item.title,
                url=item.url,
                href=safe_href(item.url),
                language=item.language,
                published_at=item.published_at,
                source_office=item.source_office,
            )
        )
    return tuple(links)


def _story(members: list[_Article], matcher: ThemeMatcher, new_since: date) -> Story:
    members = sorted(members, key=_sort_key)
    lead = members[0].item
    summarized = [a.item for a in members if a.item.summary]
    shown = next((i for i in summarized if i.language == lead.language), None) or next(iter(summarized), None)
    with_facts = next((a.item for a in members if a.item.key_facts_line), None)
    return Story(
        id=story_id(lead.url),
        title=lead.title,
        language=lead.language,
        summary=shown.summary if shown else None,
        review=shown.review if shown else None,
        published_at=lead.published_at,
        links=_links(members),
        themes=matcher.match_hits([a.item.title for a in members], [a.theme_hits for a in members]),
        new=lead.published_at is not None and lead.published_at.date() >= new_since,
        key_facts_line=with_facts.key_facts_line if with_facts else "",
        key_facts=with_facts.key_facts if with_facts else None,
        summary_kind=shown.summary_kind if shown else "summary",
    )


def _source_lines(
    sources: dict[str, list], checks: Iterable[SourceCheck], stories: Sequence[Story]
) -> tuple[SourceLine, ...]:
    crawls: dict[str, SourceCheck] = {}
    for check in checks:
        # a range of days: the worst crawl of the source is the one the header names
        known = crawls.get(check.source_id)
        if known is None or _badness(check) > _badness(known):
            crawls[check.source_id] = check
    names = {source_id: name for source_id, (name, _) in sources.items()} | {
        c.source_id: c.source_name for c in crawls.values()
    }
    order = list(dict.fromkeys([*sources, *crawls]))
    return tuple(
        SourceLine(
            source_id=source_id,
            source_name=names[source_id],
            articles=sources[source_id][1] if source_id in sources else 0,
            stories=sum(1 for s in stories if source_id in s.source_ids),
            status=crawls[source_id].status if source_id in crawls else None,
            health=crawls[source_id].health if source_id in crawls else None,
            reasons=crawls[source_id].reasons if source_id in crawls else (),
        )
        for source_id in order
    )


def _badness(check: SourceCheck) -> int:
    return {"broken": 3, "degraded": 2}.get(check.health or "", 1 if check.status == "failed" else 0) + (
        check.status == "failed"
    )


def build_digest_model(
    first_day: date,
    sections: Iterable[DigestSection],
    generated_at: datetime,
    *,
    last_day: date | None = None,
    new_since: date | None = None,
    checks: Iterable[SourceCheck] = (),
    themes: tuple[Theme, ...] | None = None,
    previous: date | None = None,
    following: date | None = None,
    dedup: DedupConfig | None = None,
    crosslang: CrossLanguageConfig | None = None,
    bodies: Bodies | None = None,
) -> Digest:
    """The digest of ``first_day`` (to ``last_day``): ``sections`` are the articles first found
    then, by source (read once, so they may come as they are read: sections of one source follow
    one another or not, their articles are added up); ``new_since`` (default: the day before
    ``first_day``, where a daily run's data interval starts) splits new stories from older finds
    of the look-back. ``bodies`` (the bodies of some items, read again from where they are
    stored): each item's body is dropped once reduced, so the day's bodies are never all held."""
    themes = themes or load_themes()
    new_since = new_since or first_day - timedelta(days=1)
    matcher = ThemeMatcher(themes)
    day = _Day(matcher, dedup, bodies)
    day.read(sections)
    articles = day.articles
    stories = [_story([articles[i] for i in members], matcher, new_since) for members in story_groups(day, crosslang)]
    # new first, then also found; each newest first, undated last, then by id for a stable order
    stories.sort(
        key=lambda s: (not s.new, s.published_at is None, -(s.published_at.timestamp() if s.published_at else 0), s.id)
    )
    return Digest(
        first_day=first_day,
        last_day=last_day or first_day,
        new_since=new_since,
        generated_at=generated_at,
        stories=tuple(stories),
        sources=_source_lines(day.sources, checks, stories),
        themes=themes,
        previous=previous,
        next=following,
    )


def cluster_items(
    items: Sequence[DigestItem], dedup: DedupConfig | None = None, crosslang: CrossLanguageConfig | None = None
) -> list[list[int]]:
    """Indexes of ``items`` grouped into stories, as the digest groups them (for measurements:
    bench/digest_dedup.py)."""
    day = _Day(ThemeMatcher(load_themes()), dedup, None)
    for item in items:
        day.add("", "", item)
    return story_groups(day, crosslang)
