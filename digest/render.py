"""Render the digest model as HTML, Markdown and plain text (Jinja2), and write every format.

Scraped text is untrusted: the HTML template autoescapes everything, the Markdown filter escapes
both Markdown syntax and raw HTML, and only http(s) URLs become links (digest/safety.py). The
JSON Feed and Atom renderings are in digest/feeds.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from digest.model import Digest, DigestItem, DigestSection
from digest.safety import format_when, markdown_escape, markdown_url, safe_href
from digest.stories import build_digest_model

if TYPE_CHECKING:
    from storage import DigestEntry

# format name -> file suffix; "all" writes every one
FORMATS = {"html": ".html", "md": ".md", "json": ".json", "atom": ".atom"}

__all__ = [
    "FORMATS",
    "DigestFiles",
    "DigestItem",
    "DigestSection",
    "digest_basename",
    "digest_item",
    "format_when",
    "iter_format",
    "markdown_escape",
    "render_digest",
    "iter_sections_from_entries",
    "render_format",
    "sections_from_entries",
    "write_digest",
    "write_digest_files",
]


@dataclass(frozen=True)
class DigestFiles:
    html: Path | None
    markdown: Path | None
    articles: int
    sources: int
    json: Path | None = None
    atom: Path | None = None
    stories: int = 0
    new_stories: int = 0
    clustered: int = 0  # stories of two or more articles
    logical_date: date | None = None  # the digest's (first) day

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.html, self.markdown, self.json, self.atom) if p is not None]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("digest", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = markdown_escape
    env.filters["mdurl"] = markdown_url
    env.filters["when"] = format_when
    env.filters["safe_href"] = safe_href
    return env


def render_html(digest: Digest) -> str:
    return _environment().get_template("digest.html.j2").render(digest=digest)


def render_markdown(digest: Digest) -> str:
    return _environment().get_template("digest.md.j2").render(digest=digest)


def render_text(digest: Digest) -> str:
    """The plain-text rendering (the e-mail's text part)."""
    return _environment().get_template("digest.txt.j2").render(digest=digest)


def render_format(digest: Digest, name: str) -> str:
    """One format by name: html, md, json or atom."""
    return "".join(iter_format(digest, name))


def iter_format(digest: Digest, name: str) -> Iterator[str]:
    """One format's text in pieces (joined: :func:`render_format`), so that a file is written
    as it is rendered and a big day's text is never held whole."""
    from digest.feeds import iter_atom, iter_json_feed

    templates = {"html": "digest.html.j2", "md": "digest.md.j2"}
    if name in templates:
        return _environment().get_template(templates[name]).generate(digest=digest)
    feeds = {"json": iter_json_feed, "atom": iter_atom}
    if name not in feeds:
        raise ValueError(f"unknown digest format {name!r}; known: {', '.join(FORMATS)}")
    return feeds[name](digest)


def sections_from_entries(entries: Iterable[DigestEntry], timezone: ZoneInfo) -> list[DigestSection]:
    """storage.DigestEntry rows (already ordered by source) as digest sections."""
    sections: list[DigestSection] = []
    for entry in entries:
        if not sections or sections[-1].source_id != entry.source.id:
            sections.append(DigestSection(source_id=entry.source.id, source_name=entry.source.name, items=[]))
        sections[-1].items.append(digest_item(entry, timezone))
    return sections


def iter_sections_from_entries(entries: Iterable[DigestEntry], timezone: ZoneInfo) -> Iterator[DigestSection]:
    """:func:`sections_from_entries` as they are read: a section of one item per entry, each made
    when the digest asks for it (build_digest_model adds a source's sections up)."""
    for entry in entries:
        yield DigestSection(
            source_id=entry.source.id, source_name=entry.source.name, items=[digest_item(entry, timezone)]
        )


def digest_item(entry: DigestEntry, timezone: ZoneInfo) -> DigestItem:
    """One storage.DigestEntry as the digest's item."""
    from storage import is_article_text, key_facts

    article = entry.article
    facts = key_facts(article)
    return DigestItem(
        title=article.title,
        url=article.url,
        published_at=article.published_at.astimezone(timezone) if article.published_at else None,
        source_office=article.source_office,
        summary=entry.summary_text,
        review=entry.effective.mark if entry.effective else None,
        language=article.language,
        body=article.body or "",
        key_facts_line=facts.line(article.language) if facts else "",
        key_facts=facts.to_dict() if facts and not facts.empty else None,
        # an analyst's edit is a summary, whatever the model's row was
        summary_kind="article_text"
        if entry.effective and entry.effective.status != "edited" and is_article_text(entry.effective.summary)
        else "summary",
        article_id=article.id,
    )


def digest_basename(digest: Digest) -> str:
    if digest.first_day == digest.last_day:
        return digest.first_day.isoformat()
    return f"{digest.first_day.isoformat()}_{digest.last_day.isoformat()}"


def write_digest_files(out_dir: Path, digest: Digest, formats: Iterable[str] = tuple(FORMATS)) -> DigestFiles:
    """Write the chosen formats as ``<date>.html``, ``.md``, ``.json`` (JSON Feed), ``.atom``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name in formats:
        path = out_dir / f"{digest_basename(digest)}{FORMATS[name]}"
        # Write then rename, so a reader never sees half a digest.
        tmp = path.with_suffix(path.suffix + ".tmp")
        try:
            with tmp.open("w", encoding="utf-8") as out:
                out.writelines(iter_format(digest, name))
        except BaseException:
            tmp.unlink(missing_ok=True)  # half a file is no digest
            raise
        tmp.replace(path)
        written[name] = path
    return DigestFiles(
        html=written.get("html"),
        markdown=written.get("md"),
        json=written.get("json"),
        atom=written.get("atom"),
        articles=digest.articles,
        sources=sum(1 for line in digest.sources if line.articles),
        stories=len(digest.stories),
        new_stories=len(digest.new_stories),
        clustered=len(digest.clustered),
        logical_date=digest.first_day,
    )


def render_digest(logical_date: date, sections: list[DigestSection], generated_at: datetime) -> tuple[str, str]:
    """HTML and Markdown of the day's sections (the model built with the default taxonomy)."""
    digest = build_digest_model(logical_date, sections, generated_at)
    return render_html(digest), render_markdown(digest)


def write_digest(
    out_dir: Path, logical_date: date, sections: list[DigestSection], generated_at: datetime
) -> DigestFiles:
    """Every format of the day's sections (the model built with the default taxonomy)."""
    return write_digest_files(out_dir, build_digest_model(logical_date, sections, generated_at))
