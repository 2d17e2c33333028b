"""What the pipeline's stages report: one crawl (:class:`CrawlReport`), the summaries, the digest,
the whole day; and :class:`SourceCrawlError`, a crawl that failed or was found broken.

A crawl report is read by an operator in a task log or a terminal: :meth:`CrawlReport.line` is one
short line (counts, health, and for a failure its kind), :meth:`CrawlReport.details` the causes, one
per line. The kind (``permanent`` / ``transient``, crawlers/health.py) tells whether waiting can
heal the failure: the DAG retries only transient ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest import DigestFiles


class SourceCrawlError(RuntimeError):
    """A source's crawl failed, or its health check found it broken; the message names the
    source and the cause."""

    def __init__(self, report: CrawlReport) -> None:
        self.report = report
        super().__init__("; ".join(report.problems) or f"{report.source_id}: crawl failed")


def without_source_prefix(source_id: str, message: str) -> str:
    """``list page … answered HTTP 500`` of ``kjj_cq: list page … answered HTTP 500``: the crawlers
    name the source in every message; a line that already names it must not name it twice."""
    prefix = f"{source_id}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


@dataclass
class CrawlReport:
    source_id: str
    source_name: str
    status: str
    pages: int = 0
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    # the health check of the crawl (crawlers/health.py): ok | degraded | broken, and why
    health: str | None = None
    health_reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("success", "partial") and self.health != "broken"

    @property
    def kind(self) -> str | None:
        """None for a crawl that did not fail; ``permanent`` when waiting will not heal the cause
        (retrying is pointless), ``transient`` otherwise. A crawl without a verdict (the crawler
        died or timed out before judging itself) is transient."""
        if self.ok:
            return None
        from crawlers.health import TRANSIENT, failure_kind

        return TRANSIENT if self.health is None else failure_kind(self.health, self.errors)

    @property
    def causes(self) -> list[str]:
        """What went wrong, without the source's name: the reasons of a ``broken`` verdict (they
        quote the fatal errors, with what the last good run found), else the errors."""
        messages = self.health_reasons if self.health == "broken" and self.health_reasons else self.errors
        return [without_source_prefix(self.source_id, m) for m in messages]

    @property
    def problems(self) -> list[str]:
        """The causes, each naming the source once (``kjj_cq: list page … answered HTTP 500``)."""
        return [f"{self.source_id}: {cause}" for cause in self.causes]

    def line(self) -> str:
        """One line, short enough for a log panel: counts, health, and a failure's kind."""
        text = (
            f"{self.source_id}: {self.status}, pages={self.pages} found={self.found} new={self.new} "
            f"updated={self.updated} unchanged={self.unchanged} errors={len(self.errors)}"
        )
        if self.health:
            text += f" health={self.health}"
        if self.kind:
            text += f" ({self.kind})"
        return text

    def details(self) -> list[str]:
        """The causes of a failure (or a degraded verdict's reasons), one per line, indented: a
        reason quoting several errors (``kjj_cq: A; kjj_cq: B``) gives a line to each."""
        causes = [without_source_prefix(self.source_id, r) for r in self.health_reasons] if self.ok else self.causes
        lines = []
        for cause in causes:
            for part in cause.split(f"; {self.source_id}: "):
                # what the last good run found (crawlers/health.py) on a line of its own: short lines
                error, good, rest = part.partition(" (the last good run, ")
                lines += [f"  {error}", f"  (the last good run, {rest}"] if good else [f"  {part}"]
        return lines

    def to_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind}


@dataclass
class SummarizeReport:
    summarized: int
    backend: str
    model_id: str
    model_version: str
    seconds: float


@dataclass
class DailyReport:
    logical_date: date
    run_id: str
    crawls: list[CrawlReport]
    summaries: SummarizeReport
    digest: DigestFiles  # what the digest stage wrote
    counts: dict[str, int]

    @property
    def failed_sources(self) -> list[CrawlReport]:
        return [c for c in self.crawls if not c.ok]
