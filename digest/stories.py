"""From the day's articles to the digest's model: near-duplicates merged into stories, zh/en
versions linked, each story dated by its earliest article, new or also found, and themed."""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from digest.crosslang import CrossLanguageConfig, facts, translation_pairs
from digest.dedup import DedupConfig, near_duplicate_groups, url_key
from digest.model import Digest, DigestItem, DigestSection, SourceCheck, SourceLine, Story, StoryLink, Theme
from digest.safety import safe_href
from digest.themes import ThemeMatcher, load_themes


@dataclass(frozen=True)
class _Article:
    source_id: str
    source_name: str
    item: DigestItem


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


def story_groups(
    articles: Sequence[_Article],
    dedup: DedupConfig | None = None,
    crosslang: CrossLanguageConfig | None = None,
) -> list[list[int]]:
    """Indexes of ``articles`` by story: near-duplicates within a language, then zh/en pairs."""
    items = [a.item for a in articles]
    groups = near_duplicate_groups(
        [i.url for i in items], [i.title for i in items], [i.body or i.summary or "" for i in items], dedup
    )
    languages, facts_of, published = [], [], []
    for members in groups:
        first = min(members, key=lambda i: _sort_key(articles[i]))
        languages.append(items[first].language)
        facts_of.append(
            reduce(
                operator.or_,
                (facts(items[i].title, items[i].body or items[i].summary or "", items[i].language) for i in members),
            )
        )
        published.append(items[first].published_at)
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
        themes=matcher.match([a.item.title for a in members], [a.item.summary or a.item.body[:3000] for a in members]),
        new=lead.published_at is not None and lead.published_at.date() >= new_since,
        key_facts_line=with_facts.key_facts_line if with_facts else "",
        key_facts=with_facts.key_facts if with_facts else None,
        summary_kind=shown.summary_kind if shown else "summary",
    )


def _source_lines(
    sections: Sequence[DigestSection], checks: Iterable[SourceCheck], stories: Sequence[Story]
) -> tuple[SourceLine, ...]:
    crawls: dict[str, SourceCheck] = {}
    for check in checks:
        # a range of days: the worst crawl of the source is the one the header names
        known = crawls.get(check.source_id)
        if known is None or _badness(check) > _badness(known):
            crawls[check.source_id] = check
    names = {s.source_id: s.source_name for s in sections} | {c.source_id: c.source_name for c in crawls.values()}
    order = list(dict.fromkeys([s.source_id for s in sections] + list(crawls)))
    articles = {s.source_id: len(s.items) for s in sections}
    return tuple(
        SourceLine(
            source_id=source_id,
            source_name=names[source_id],
            articles=articles.get(source_id, 0),
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
    sections: Sequence[DigestSection],
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
) -> Digest:
    """The digest of ``first_day`` (to ``last_day``): ``sections`` are the articles first found
    then, by source; ``new_since`` (default: the day before ``first_day``, where a daily run's
    data interval starts) splits new stories from older finds of the look-back."""
    themes = themes or load_themes()
    new_since = new_since or first_day - timedelta(days=1)
    articles = [_Article(s.source_id, s.source_name, item) for s in sections for item in s.items]
    matcher = ThemeMatcher(themes)
    stories = [
        _story([articles[i] for i in members], matcher, new_since)
        for members in story_groups(articles, dedup, crosslang)
    ]
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
        sources=_source_lines(sections, checks, stories),
        themes=themes,
        previous=previous,
        next=following,
    )


def cluster_items(
    items: Sequence[DigestItem], dedup: DedupConfig | None = None, crosslang: CrossLanguageConfig | None = None
) -> list[list[int]]:
    """Indexes of ``items`` grouped into stories, as the digest groups them (for measurements:
    bench/digest_dedup.py)."""
    return story_groups([_Article("", "", item) for item in items], dedup, crosslang)
