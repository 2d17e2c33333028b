"""The source registry: which sites to crawl, with which site-family spider and overrides.

The registry is a TOML file (``config/sources.toml`` unless POLICYWATCH_SOURCES_FILE says
otherwise). Loading validates it: an unknown key, a wrong type or an unknown family raises
:class:`RegistryError` naming the file, the source and the field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

# The site families: the only list of them. Each has one spider in crawlers/spiders/ (spider
# name == family) and one rules table in crawlers/extract/ (tests/test_layers.py checks both).
FAMILIES: dict[str, str] = {
    "trs": 'TRS WCM "t-date" static sites (kjj.cq.gov.cn, www.most.gov.cn, kw.beijing.gov.cn)',
    "wordpress": "WordPress feeds (www.ichongqing.info)",
    "hanweb": "Hanweb JCMS /col/…/art/ sites with <record> lists and dataproxy.jsp paging",
    "gkmlpt": "Guangdong gkmlpt JSON API (stic.sz.gov.cn)",
    "arti": "the CNTV-style ARTI platform (www.cppcc.gov.cn)",
    "zcms": "People's Daily family / ZCMS (www.rmzxw.com.cn, cppcc.people.com.cn)",
    "chinadaily": "China Daily regional CMS (en.cppcc.gov.cn)",
    "sichuan": "Sichuan provincial CMS (kjt.sc.gov.cn)",
}


class RegistryError(ValueError):
    """The registry file is unreadable or invalid; the message says where."""


class UnknownSourceError(RegistryError, LookupError):
    """A source id the registry does not declare (a usage error, not a broken registry)."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    url: str = Field(pattern=r"^https?://")


class SummaryConfig(BaseModel):
    """A source's summary length (``[sources.summary]``), over the language's shipped defaults
    (summarizer/length.toml): a notice column may want one sentence, a news column three."""

    model_config = ConfigDict(extra="forbid")

    max_sentences: int | None = Field(default=None, ge=1, le=3)
    max_chars: int | None = Field(default=None, ge=10, le=2000)  # characters (Chinese)
    max_words: int | None = Field(default=None, ge=5, le=500)  # words (English)
    max_ratio: float | None = Field(default=None, gt=0, le=1)  # of the article's own length

    def options(self) -> dict[str, int | float]:
        """The keys set, as summarizer options."""
        return {key: value for key, value in self.model_dump().items() if value is not None}


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    host: str
    language: Literal["zh", "en"]
    family: str
    sections: list[Section] = Field(min_length=1)
    enabled: bool = True
    disabled_reason: str | None = None
    # Per-site overrides: seconds between requests, a forced charset, a Referer to send,
    # CSS selectors that replace the family defaults (keys are family-specific).
    download_delay: float | None = Field(default=None, ge=0)
    charset: str | None = None  # force a charset (Hanweb sites send none; people.com.cn lies)
    referer: str | None = None  # sent with every request (kw.beijing.gov.cn wants one)
    tls_lenient: bool = False  # accept bad certificates / legacy TLS (www.cppcc.gov.cn)
    headers: dict[str, str] = Field(default_factory=dict)  # extra request headers
    selectors: dict[str, str] = Field(default_factory=dict)  # family rule name -> CSS selector
    # "newest_first": a list page entirely older than --since ends the paging; "unsorted" (the
    # kw.beijing.gov.cn hot-news list): every page up to the page limit is read.
    list_order: Literal["newest_first", "unsorted"] = "newest_first"
    summary: SummaryConfig = Field(default_factory=SummaryConfig)

    @field_validator("family")
    @classmethod
    def _known_family(cls, family: str) -> str:
        if family not in FAMILIES:
            raise ValueError(f"unknown site family {family!r}; known: {', '.join(FAMILIES)}")
        return family

    @field_validator("sections")
    @classmethod
    def _sections_on_the_host(cls, sections: list[Section], info: ValidationInfo) -> list[Section]:
        """Each section URL has a host, the source's ``host``: the spiders follow only that host's
        links (an off-host or hostless section would be skipped silently)."""
        host = (info.data.get("host") or "").lower()
        for index, section in enumerate(sections):
            found = urlsplit(section.url).hostname
            if not found:
                raise ValueError(f"sections[{index}] ({section.name!r}) url {section.url!r} has no host")
            if host and found != host:
                raise ValueError(
                    f"sections[{index}] ({section.name!r}) url {section.url!r} is on {found}, not on the source's host {host}"
                )
        return sections

    @model_validator(mode="after")
    def _disabled_needs_reason(self) -> SourceConfig:
        if not self.enabled and not self.disabled_reason:
            raise ValueError("a disabled source needs a disabled_reason")
        return self


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[SourceConfig]

    def get(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise UnknownSourceError(f"unknown source {source_id!r} (known: {known})")

    def enabled(self) -> list[SourceConfig]:
        return [s for s in self.sources if s.enabled]


def _describe(error: dict, raw: dict) -> str:
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        index = loc[1]
        try:
            source_id = raw["sources"][index].get("id", f"#{index + 1}")
        except (IndexError, KeyError, AttributeError, TypeError):
            source_id = f"#{index + 1}"
        where = f"source {source_id!r}"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or "(source)"
    return f"{where}, field {field!r}: {error['msg']}" if where else f"field {field!r}: {error['msg']}"


def load_registry(path: Path | str) -> Registry:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path}: source registry not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    try:
        registry = Registry.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(err, raw) for err in exc.errors())
        raise RegistryError(f"{path}: {problems}") from None
    seen: set[str] = set()
    for source in registry.sources:
        if source.id in seen:
            raise RegistryError(f"{path}: source {source.id!r} is declared twice")
        seen.add(source.id)
    return registry
