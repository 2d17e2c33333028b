"""The theme taxonomy (digest/themes.toml, or the file POLICYWATCH_DIGEST_THEMES names) and
the matching of stories to it. A story matching no theme goes to ``other``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from digest.model import Theme

THEMES_FILE = Path(__file__).resolve().parent / "themes.toml"
OTHER = Theme(id="other", name="Other", name_zh="其他")
TITLE_WEIGHT = 3  # a keyword in the title says more than one in the body
MIN_SCORE = 2


class ThemeError(ValueError):
    """The taxonomy file is malformed; the message names the file and the entry."""


def load_themes(path: Path | None = None) -> tuple[Theme, ...]:
    """The taxonomy's themes in file order, then ``other``."""
    path = path or THEMES_FILE
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("theme", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{path}: {exc}") from None
    themes = []
    for number, entry in enumerate(entries, 1):
        try:
            theme = Theme(
                id=str(entry["id"]),
                name=str(entry["name"]),
                name_zh=str(entry.get("name_zh", entry["name"])),
                keywords_zh=tuple(str(k) for k in entry.get("keywords_zh", ())),
                keywords_en=tuple(str(k).lower() for k in entry.get("keywords_en", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ThemeError(f"{path}: theme {number} lacks {exc}") from None
        if theme.id == OTHER.id or theme.id in {t.id for t in themes}:
            raise ThemeError(f"{path}: theme {number}: id {theme.id!r} is taken")
        themes.append(theme)
    return (*themes, OTHER)


@cache
def _whole_word(keyword: str) -> re.Pattern[str]:
    """An English keyword as a whole word (compiled once: the review queue matches every page)."""
    return re.compile(rf"(?<![\w-]){re.escape(keyword)}(?![\w-])")


@dataclass(frozen=True)
class ThemeMatcher:
    themes: tuple[Theme, ...]

    def _hits(self, theme: Theme, text: str, lowered: str) -> int:
        hits = sum(text.count(k) for k in theme.keywords_zh)
        # the substring test first: the regex only where the keyword is (most texts are Chinese)
        return hits + sum(len(_whole_word(k).findall(lowered)) for k in theme.keywords_en if k in lowered)

    def text_hits(self, text: str) -> tuple[int, ...]:
        """Each theme's keyword hits in one article's text (taxonomy order, ``other`` included).
        A story's text hits are its articles' added up: :meth:`match` joins the texts with
        "\n", which no keyword spans, so the sum is the joined text's count. The digest keeps
        these counts of an article instead of its body."""
        lowered = text.lower()
        return tuple(0 if theme.id == OTHER.id else self._hits(theme, text, lowered) for theme in self.themes)

    def match(self, titles: list[str], texts: list[str]) -> tuple[str, ...]:
        """Theme ids of a story (its titles and its summaries or bodies), best first; ("other",)
        when none scores enough. Ties keep the taxonomy's order."""
        return self.match_hits(titles, [self.text_hits(text) for text in texts])

    def match_hits(self, titles: list[str], text_hits: list[tuple[int, ...]]) -> tuple[str, ...]:
        """:meth:`match` with the texts given as their :meth:`text_hits`."""
        title = "\n".join(titles)
        lowered = title.lower()
        totals = [sum(column) for column in zip(*text_hits, strict=True)] if text_hits else [0] * len(self.themes)
        scores = []
        for order, theme in enumerate(self.themes):
            if theme.id == OTHER.id:
                continue
            score = TITLE_WEIGHT * self._hits(theme, title, lowered) + min(totals[order], 5)
            if score >= MIN_SCORE:
                scores.append((-score, order, theme.id))
        return tuple(theme_id for _, _, theme_id in sorted(scores)) or (OTHER.id,)
