"""Render the digest of one logical date as HTML and Markdown.

Scraped text is untrusted: the HTML template autoescapes everything, and the Markdown filter
escapes both Markdown syntax and raw HTML (Markdown renderers pass raw HTML through).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

if TYPE_CHECKING:
    from storage import DigestEntry

# Text always sits mid-line after "- [" or an indent, so only inline syntax needs escaping:
# emphasis, code, links/images (brackets), strikethrough, table pipes, raw HTML and entities.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


def markdown_escape(text: str | None) -> str:
    """Escape scraped text for one Markdown line, keeping it readable as plain text."""
    if not text:
        return ""
    text = " ".join(text.split())
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def format_when(value: datetime | None) -> str:
    """Local date and time; the date alone when the source gave only a day (stored as 00:00)."""
    if value is None:
        return "date unknown"
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M")


def markdown_url(url: str) -> str:
    """A URL safe inside Markdown link parentheses."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    published_at: datetime | None
    source_office: str | None
    summary: str | None
    language: str


@dataclass(frozen=True)
class DigestSection:
    source_id: str
    source_name: str
    items: list[DigestItem] = field(default_factory=list)


@dataclass(frozen=True)
class DigestFiles:
    html: Path
    markdown: Path
    articles: int
    sources: int


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
    return env


def sections_from_entries(entries: Iterable[DigestEntry], timezone: ZoneInfo) -> list[DigestSection]:
    """Group storage.DigestEntry rows (already ordered by source) into digest sections."""
    sections = []
    for (source_id, source_name), group in groupby(entries, key=lambda e: (e.source.id, e.source.name)):
        items = [
            DigestItem(
                title=e.article.title,
                url=e.article.url,
                published_at=e.article.published_at.astimezone(timezone) if e.article.published_at else None,
                source_office=e.article.source_office,
                summary=e.summary.text if e.summary else None,
                language=e.article.language,
            )
            for e in group
        ]
        sections.append(DigestSection(source_id=source_id, source_name=source_name, items=items))
    return sections


def render_digest(logical_date: date, sections: list[DigestSection], generated_at: datetime) -> tuple[str, str]:
    env = _environment()
    context = {
        "logical_date": logical_date,
        "sections": sections,
        "generated_at": generated_at,
        "total": sum(len(s.items) for s in sections),
    }
    html = env.get_template("digest.html.j2").render(**context)
    markdown = env.get_template("digest.md.j2").render(**context)
    return html, markdown


def write_digest(
    out_dir: Path, logical_date: date, sections: list[DigestSection], generated_at: datetime
) -> DigestFiles:
    html, markdown = render_digest(logical_date, sections, generated_at)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{logical_date.isoformat()}.html"
    md_path = out_dir / f"{logical_date.isoformat()}.md"
    # Write then rename, so a reader never sees half a digest.
    for path, text in ((html_path, html), (md_path, markdown)):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return DigestFiles(
        html=html_path,
        markdown=md_path,
        articles=sum(len(s.items) for s in sections),
        sources=len(sections),
    )
