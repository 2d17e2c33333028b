"""The digest for tools: JSON Feed 1.1 (``application/feed+json``) and Atom (RFC 4287, built by
feedgen). One item or entry per story, with the story's stable id (a tag URI), so a feed reader
never announces a story twice.

Escaping: ``json`` and lxml (under feedgen) escape every string; ``content_html`` is built from
escaped parts; a URL that is not http(s) is never a ``url`` or a link, only text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from digest.model import Digest, Story
from digest.safety import format_when

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json"
ATOM_TYPE = "application/atom+xml"


def _content_html(story: Story) -> str:
    parts = [Markup('<p class="key-facts">{}</p>').format(story.key_facts_line)] if story.key_facts_line else []
    parts += [Markup("<p>{}</p>").format(story.summary)] if story.summary else []
    if story.summary and story.review:
        parts.append(Markup('<p class="review">({})</p>').format(story.review))
    items = []
    for link in story.links:
        label = escape(link.source_name)
        if link.href:
            label = Markup('<a href="{}">{}</a>').format(link.href, link.source_name)
        else:
            label = Markup("{} ({})").format(link.source_name, link.url)
        items.append(
            Markup('<li lang="{}">{} {}: {}</li>').format(
                link.language, label, format_when(link.published_at), link.title
            )
        )
    parts.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
    return str(Markup("").join(parts))


def _content_text(story: Story) -> str:
    lines = [story.key_facts_line] if story.key_facts_line else []
    lines += [story.summary] if story.summary else []
    if story.summary and story.review:
        lines.append(f"({story.review})")
    for link in story.links:
        where = link.href or f"(not a web link) {link.url}"
        lines.append(f"{link.source_name} ({format_when(link.published_at)}): {link.title} {where}")
    return "\n".join(lines)


def _links(story: Story) -> list[dict]:
    return [
        {
            "source_id": link.source_id,
            "source_name": link.source_name,
            "title": link.title,
            "language": link.language,
            "date_published": link.published_at.isoformat() if link.published_at else None,
            # only an http(s) URL is a URL here; another scheme is kept as text
            **({"url": link.href} if link.href else {"url_text": link.url}),
        }
        for link in story.links
    ]


def _json_item(digest: Digest, story: Story) -> dict:
    item = {
        "id": story.tag,
        "title": story.title,
        "content_html": _content_html(story),
        "content_text": _content_text(story),
        "language": story.language,
        "authors": [{"name": link.source_name} for link in story.links],
        "tags": [digest.theme_name(t) for t in story.themes],
        "_policywatch": {
            "story_id": story.id,
            "new": story.new,
            "themes": list(story.themes),
            "summary": story.summary,
            "review": story.review,
            "summary_kind": story.summary_kind,  # "article_text": the article's own text
            "links": _links(story),
            # the values of the story's key facts and their line (None: no key fact)
            "key_facts": {**story.key_facts, "line": story.key_facts_line} if story.key_facts else None,
        },
    }
    if story.href:
        item["url"] = story.href
    if story.summary:
        item["summary"] = story.summary
    if story.published_at:
        item["date_published"] = story.published_at.isoformat()
    return item


def json_feed(digest: Digest) -> dict:
    return _json_feed(digest, [_json_item(digest, story) for story in digest.stories])


def _json_feed(digest: Digest, items: object) -> dict:
    return {
        "version": JSON_FEED_VERSION,
        "title": f"policywatch digest {digest.label}",
        "description": f"{len(digest.new_stories)} new stories, {len(digest.also_found)} also found",
        "authors": [{"name": "policywatch"}],
        "items": items,
        "_policywatch": {
            "first_day": digest.first_day.isoformat(),
            "last_day": digest.last_day.isoformat(),
            "new_since": digest.new_since.isoformat(),
            "generated_at": digest.generated_at.isoformat(),
            "previous": digest.previous.isoformat() if digest.previous else None,
            "next": digest.next.isoformat() if digest.next else None,
            "sources": [
                {
                    "source_id": line.source_id,
                    "source_name": line.source_name,
                    "articles": line.articles,
                    "stories": line.stories,
                    "status": line.status,
                    "health": line.health,
                    "reasons": list(line.reasons),
                }
                for line in digest.sources
            ],
        },
    }


def render_json_feed(digest: Digest) -> str:
    return "".join(iter_json_feed(digest))


_ITEMS = "\0items\0"  # where the items go in the text of the feed's own fields (dates, names)
_ITEM_INDENT = "\n    "  # an item's lines in the feed: under "items", two levels down


def iter_json_feed(digest: Digest) -> Iterator[str]:
    """The JSON Feed in pieces, an item at a time (the text of json.dumps(json_feed(digest),
    ensure_ascii=False, indent=2), never the whole feed's objects): JSON escapes every newline
    inside a string, so an item's text moves two levels down by indenting its lines."""
    before, after = json.dumps(_json_feed(digest, _ITEMS), ensure_ascii=False, indent=2).split(json.dumps(_ITEMS), 1)
    if not digest.stories:
        yield before + "[]" + after + "\n"
        return
    yield before + "["
    for number, story in enumerate(digest.stories):
        text = json.dumps(_json_item(digest, story), ensure_ascii=False, indent=2)
        yield ("," if number else "") + _ITEM_INDENT + text.replace("\n", _ITEM_INDENT)
    yield "\n  ]" + after + "\n"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.astimezone()


def render_atom(digest: Digest) -> str:
    return "".join(iter_atom(digest))


# stories whose Atom entries are built (by feedgen, then lxml) at once: a day's feed is never one tree
ATOM_BATCH = 200
_FEED_END = "\n</feed>\n"


def iter_atom(digest: Digest) -> Iterator[str]:
    """The Atom feed in pieces: the feed's own elements, then its entries a batch of stories at a
    time. Each batch is a feed document of its own whose entries are cut out of its text: an
    entry's text depends on nothing but its story, so the pieces are the one document's text."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    base = digest.first_day.isoformat() if digest.first_day == digest.last_day else digest.label.replace(" to ", "_")
    feed.id(f"tag:policywatch,2024:digest:{base}")
    feed.title(f"policywatch digest {digest.label}")
    feed.subtitle(f"{len(digest.new_stories)} new stories, {len(digest.also_found)} also found")
    feed.author(name="policywatch")
    feed.updated(_aware(digest.generated_at))
    feed.link(href=f"{base}.atom", rel="self", type=ATOM_TYPE)
    feed.link(href=f"{base}.html", rel="alternate", type="text/html")
    # RFC 5005 archive links: the previous and next day's digest
    if digest.previous:
        feed.link(href=f"{digest.previous.isoformat()}.atom", rel="prev-archive", type=ATOM_TYPE)
    if digest.next:
        feed.link(href=f"{digest.next.isoformat()}.atom", rel="next-archive", type=ATOM_TYPE)
    head = _with_entry_links(feed.atom_str(), ())
    if not digest.stories:
        yield head
        return
    yield head.removesuffix(_FEED_END)
    for start in range(0, len(digest.stories), ATOM_BATCH):
        yield "\n  " + _atom_entries(digest, digest.stories[start : start + ATOM_BATCH])
    yield _FEED_END


def _atom_entries(digest: Digest, stories: Sequence[Story]) -> str:
    """The text of the entries of ``stories``, from the first ``<entry>`` to the last ``</entry>``,
    as the whole feed's document has it (indented at the feed's children's level)."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id("tag:policywatch,2024:entries")
    feed.title("entries")
    feed.updated(_aware(digest.generated_at))
    for story in stories:
        add_atom_entry(feed, digest, story)
    text = _with_entry_links(feed.atom_str(), stories)
    # titles and texts are escaped, so the tags are the only "<entry" and "</entry>" in it
    return text[text.index("<entry>") : text.rindex("</entry>") + len("</entry>")]


def add_atom_entry(feed: FeedGenerator, digest: Digest, story: Story) -> None:
    """The story's entry, appended to ``feed`` (its links come after: :func:`_with_entry_links`)."""
    entry = feed.add_entry(order="append")
    entry.id(story.tag)
    entry.title(story.title)
    when = _aware(story.published_at or digest.generated_at)
    entry.updated(when)
    if story.published_at:
        entry.published(when)
    for link in story.links:
        entry.author(name=link.source_name)
    if story.summary:
        entry.summary(story.summary)
    entry.content(_content_text(story), type="text")
    for theme_id in story.themes:
        entry.category(term=theme_id, label=digest.theme_name(theme_id))
    entry.category(term="new" if story.new else "also-found")


def _with_entry_links(atom: bytes, stories: Sequence[Story]) -> str:
    """Add each entry's links to feedgen's output. feedgen 1.0.0 drops an entry link's rel,
    type, hreflang and title (its loop variable is shadowed by the new element), which would make
    every source's link an ``alternate`` of the same language: RFC 4287 allows one."""
    from lxml import etree

    atom_ns = "http://www.w3.org/2005/Atom"
    root = etree.fromstring(atom)
    by_tag = {story.tag: story for story in stories}
    for entry in root.iter(f"{{{atom_ns}}}entry"):
        story = by_tag[entry.findtext(f"{{{atom_ns}}}id")]
        anchor = entry.find(f"{{{atom_ns}}}title")
        first = True
        for link in story.links:
            if not link.href:
                continue  # not http(s): only in the content, as text
            element = etree.Element(f"{{{atom_ns}}}link", href=link.href, rel="alternate" if first else "related")
            element.set("hreflang", link.language)
            element.set("title", link.source_name)
            anchor.addnext(element)
            anchor = element
            first = False
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8") + "\n"
