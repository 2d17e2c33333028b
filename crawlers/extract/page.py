"""One page being parsed: its text, URLs and selector, its family's rules, what the stages found."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from parsel import Selector

from crawlers.extract.documents import ExtractedArticle
from crawlers.extract.family import FamilyRules

T = TypeVar("T")


@dataclass
class Page:
    """``url``: the page's canonical URL (links, the URL's date, the fallback read it); ``requested``:
    the URL as the caller gave it; ``rules``: the family's selectors with the source's overrides
    first; ``body_match``: ``(rule, element)`` the body rules matched, set by the body stage."""

    text: str
    url: str
    requested: str
    sel: Selector
    family: FamilyRules
    rules: Mapping[str, tuple[str, ...]]
    default_tz: str
    article: ExtractedArticle
    hooks: Mapping[str, Callable[[Page], Any]] = field(default_factory=dict)
    body_match: tuple[str, Selector] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def extra(self) -> dict[str, Any]:
        return self.article.extra

    def once(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, computed on the first call for ``key`` only (texts several stages read)."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def hook(self, name: str) -> Callable[[Page], Any]:
        try:
            return self.hooks[name]
        except KeyError:
            raise LookupError(f"the {self.family.family} rules name hook {name!r}, which its parser lacks") from None
