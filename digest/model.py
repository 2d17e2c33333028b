"""The digest's one model, which every format renders: stories (near-duplicate articles merged,
each with every source's link), new today or also found, themes, and the sources checked.

What comes in (:class:`DigestItem` grouped in :class:`DigestSection`, :class:`SourceCheck`) is the
digest's own view of storage rows, so the stage needs nothing of the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# ------------------------------------------------------------------------------------------ input


@dataclass(frozen=True, slots=True)  # slots: a big day has 10,000 of them
class DigestItem:
    """One stored article as the digest sees it."""

    title: str
    url: str
    published_at: datetime | None
    source_office: str | None
    summary: str | None
    language: str
    body: str = ""  # for the near-duplicate search; never rendered
    review: str | None = None  # "reviewed by NAME" / "edited by NAME" (None: not reviewed)
    # the article's key facts (storage.key_facts): their one line, and their values for the JSON Feed
    key_facts_line: str = ""
    key_facts: dict | None = None
    # "article_text": the article was already within the summary's length budget, so ``summary``
    # is its own text, shown as such (summaries.parameters["output"], storage.is_article_text)
    summary_kind: str = "summary"
    # the article's id in storage, by which its body is read again (build_digest_model's bodies)
    article_id: int | None = None


@dataclass(frozen=True)
class DigestSection:
    """The day's articles of one source."""

    source_id: str
    source_name: str
    items: list[DigestItem] = field(default_factory=list)


@dataclass(frozen=True)
class SourceCheck:
    """One source's crawl of the day, from its crawl record."""

    source_id: str
    source_name: str
    status: str
    health: str | None = None
    reasons: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Theme:
    """A theme of the taxonomy (digest/themes.toml); ``other`` holds what matches none."""

    id: str
    name: str
    name_zh: str
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)  # slots: a big day has 10,000 of them
class StoryLink:
    """One source's article of a story. ``href`` is the URL when it is http(s), else None: a
    URL of another scheme is shown as text, never linked."""

    source_id: str
    source_name: str
    title: str
    url: str
    href: str | None
    language: str
    published_at: datetime | None
    source_office: str | None


@dataclass(frozen=True, slots=True)  # slots: a big day has 10,000 of them
class Story:
    """Near-duplicate articles as one item: the earliest publication leads (its title and, when
    it has one, its summary), every source's link follows."""

    id: str  # 16 hex digits, the same in every format and every run (digest.stories.story_id)
    title: str
    language: str
    summary: str | None
    published_at: datetime | None  # the earliest of its articles
    links: tuple[StoryLink, ...]
    themes: tuple[str, ...]  # theme ids, best match first; ("other",) when none matched
    new: bool  # published in the digest's data interval (else: an older article first found then)
    review: str | None = None  # the summary's review mark: "reviewed by NAME", "edited by NAME"
    # the key facts of its earliest article that has some ("截止 2024-03-20 17:00 · 资助 不超过200万元")
    key_facts_line: str = ""
    key_facts: dict | None = None
    summary_kind: str = "summary"  # "article_text": ``summary`` is the article's own text (DigestItem)

    @property
    def summary_label(self) -> str:
        """What the digest calls the text under the title: "Summary" or "Article text"."""
        return "Article text" if self.summary_kind == "article_text" else "Summary"

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(link.language for link in self.links))

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(link.source_id for link in self.links))

    @property
    def href(self) -> str | None:
        """The first linkable URL (the earliest article's when it is http(s))."""
        return next((link.href for link in self.links if link.href), None)

    @property
    def tag(self) -> str:
        """The story's id as an Atom/JSON Feed id (a tag URI, RFC 4151)."""
        return f"tag:policywatch,2024:story:{self.id}"


@dataclass(frozen=True)
class SourceLine:
    """The header's line for one source: its articles and stories that day, and its crawl."""

    source_id: str
    source_name: str
    articles: int
    stories: int
    status: str | None  # None: no crawl record for the day
    health: str | None
    reasons: tuple[str, ...]

    @property
    def troubled(self) -> bool:
        """Degraded or broken that day (or its crawl failed)."""
        return self.health in ("degraded", "broken") or self.status == "failed"


@dataclass(frozen=True)
class Digest:
    first_day: date
    last_day: date
    new_since: date  # stories published on or after this local day are new
    generated_at: datetime
    stories: tuple[Story, ...]  # new first, then also found; each part by date, newest first
    sources: tuple[SourceLine, ...]
    themes: tuple[Theme, ...]  # taxonomy order, "other" last
    previous: date | None = None
    next: date | None = None

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} to {self.last_day.isoformat()}"

    @property
    def new_stories(self) -> list[Story]:
        return [s for s in self.stories if s.new]

    @property
    def also_found(self) -> list[Story]:
        return [s for s in self.stories if not s.new]

    @property
    def articles(self) -> int:
        return sum(line.articles for line in self.sources)

    @property
    def troubled_sources(self) -> list[SourceLine]:
        return [line for line in self.sources if line.troubled]

    @property
    def clustered(self) -> list[Story]:
        """Stories of two or more articles."""
        return [s for s in self.stories if len(s.links) > 1]

    def theme_name(self, theme_id: str) -> str:
        theme = next((t for t in self.themes if t.id == theme_id), None)
        return f"{theme.name} · {theme.name_zh}" if theme else theme_id

    def by_theme(self, stories: list[Story]) -> list[tuple[Theme, list[Story]]]:
        """Each story under its best theme, in taxonomy order; empty themes left out."""
        groups = [(theme, [s for s in stories if s.themes[0] == theme.id]) for theme in self.themes]
        return [(theme, members) for theme, members in groups if members]

    def by_source(self) -> list[tuple[SourceLine, list[Story]]]:
        """The second view: every source with the stories it has a link in (a story of two
        sources is under both)."""
        return [
            (line, [s for s in self.stories if line.source_id in s.source_ids])
            for line in self.sources
            if line.articles
        ]
