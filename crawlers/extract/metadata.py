"""The metadata stage: author, the family's other ``extra`` fields and its labelled metadata."""

from __future__ import annotations

from crawlers.extract.family import Hook, Split
from crawlers.extract.fields import first_text, metadata_pairs
from crawlers.extract.html import normalize_space
from crawlers.extract.labels import fields_of
from crawlers.extract.page import Page


def read_metadata(page: Page) -> None:
    """``article.author``, then ``extra`` from ``page.family.extras`` and ``page.family.metadata``."""
    family, extra = page.family, page.extra
    found = first_text(page, family.author)
    if found:
        page.article.author = found[0]
    for entry in family.extras:
        if isinstance(entry, Hook):
            page.hook(entry.name)(page)  # it writes its own keys
            continue
        key, source = entry
        found = first_text(page, (source.source if isinstance(source, Split) else source,))
        if found and isinstance(source, Split):
            extra[key] = [part for part in (normalize_space(p) for p in source.separators.split(found[0])) if part]
        elif found:
            extra[key] = found[0]
    if family.metadata:
        fields = fields_of(metadata_pairs(page), family.metadata.fields)
        extra.update({key: value for key, value in fields.items() if key not in family.metadata.omit})
