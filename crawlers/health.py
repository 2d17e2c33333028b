"""Source health: turn one crawl's counts, and the source's previous runs, into a verdict.

``ok``, ``degraded`` (look at it soon) or ``broken`` (the source delivers nothing trustworthy), each
with reasons an operator can act on. ``CrawlRunRecorder`` stores the verdict in
``crawl_runs.health`` / ``health_reasons`` at the end of every crawl; ``policywatch.pipeline``
fails the source's crawl on ``broken``; ``policywatch sources status`` shows it.

Rules (thresholds below are data; change them here, with a reason):

* a fatal error (a list page that failed, answered non-2xx or listed no article — the usual sign of
  a redesigned template —, a JavaScript challenge, no database) → broken, with the error, and what
  the source's last good run found, so a silent emptying stands out;
* article pages without title or body: at least :data:`BROKEN_FAILED_RATIO` of the parsed pages
  (and :data:`MIN_PAGES` of them) → broken (a title/body selector stopped matching); fewer → degraded;
* stored articles without a date: at least :data:`UNDATED_RATIO` → degraded (a date selector
  stopped matching);
* stored articles whose body came from the generic fallback, not a family rule: at least
  :data:`FALLBACK_RATIO` → degraded (the body selectors stopped matching; the text may carry chrome);
* a body from the generic fallback whose extraction confidence (``extra["confidence"]``,
  crawlers/extract/confidence.py) is under :data:`LOW_CONFIDENCE` → degraded, with the confidence's
  reasons ("link-dense body (80 % of its text is link text)"): the family's rules no longer match
  and what the fallback kept is probably page furniture;
* articles dated more than :data:`FUTURE_TOLERANCE` after the crawl → degraded (a date read wrongly);
  stored when the run has no ``until``, else skipped with a page error naming them (a daily run's
  ``until`` is its logical date: such an article would otherwise vanish as out of the window);
* list pages read, nothing listed, nothing known or unchanged, while earlier runs found items →
  degraded;
* other page errors (article pages that failed to download) → degraded.

A crawl that failed or is broken also has a kind, :func:`failure_kind`: ``permanent`` when waiting
will not heal its cause (a list template that no longer matches, a 4xx other than 408/429, a
robots.txt deny, a JavaScript challenge, a parser that raises, article selectors gone), else
``transient`` (timeouts, connection errors, 5xx, 408/429, a crawler that died). The DAG retries only
transient failures; ``policywatch sources status`` shows the kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

OK, DEGRADED, BROKEN = "ok", "degraded", "broken"
BROKEN_FAILED_RATIO = 0.5  # half the parsed article pages without title/body: the selectors are gone
MIN_PAGES = 3  # ...out of at least this many pages (one odd page among two is no redesign)
UNDATED_RATIO = 0.5  # half the stored articles without any date
FALLBACK_RATIO = 0.5  # half the stored bodies from the generic fallback
FALLBACK_RULES = ("trafilatura", "generic")  # extra["rule"] of a body no family rule gave
LOW_CONFIDENCE = 0.5  # a generic-fallback extraction scoring under this is probably not the article
FUTURE_TOLERANCE = timedelta(days=1)  # time zones and clock skew; more is a misread date
FUTURE_MARK = "is dated in the future"  # the page error of an article skipped for it (crawlers/spiders/base.py)
UNDECODABLE_MARK = "undecodable: "  # the cause of a page no charset fits (crawlers/extract/charset.py)
MAX_REASONS_LISTED = 3  # errors quoted in a reason; the rest are counted

PERMANENT, TRANSIENT = "permanent", "transient"
HEALING_4XX = (408, 429)  # request timeout, too many requests: the only 4xx that waiting heals
# Fatal causes that no retry heals, as crawlers/spiders and crawlers/challenge.py word them.
PERMANENT_MARKS = (
    "no article found on list page",  # the list template no longer matches
    "page layout changed",
    "JavaScript challenge",  # 412 / 521 challenge pages need a real browser
    "robots.txt",  # "was not fetched: Forbidden by robots.txt"
    " raised ",  # a parser that raises on the page raises on it again
    "redirected to another host",  # the page moved off the source's site (crawlers/redirects.py)
    UNDECODABLE_MARK,  # no charset fits the page's bytes (crawlers/extract/charset.py)
)
_HTTP_STATUS = re.compile(r"answered HTTP (\d{3})")


@dataclass(frozen=True)
class RunFacts:
    """What one crawl of a source did (crawler stats and the spider's error lists)."""

    source_id: str
    status: str
    items_found: int = 0
    items_stored: int = 0  # new + updated + unchanged (through the pipeline)
    list_pages: int = 0  # list pages parsed (200s)
    list_entries: int = 0  # articles the list pages led to (after the window)
    known_skipped: int = 0  # listed articles already stored, not fetched again
    out_of_window: int = 0
    not_modified: int = 0  # pages answered 304 / with the same body
    articles_parsed: int = 0
    pages_failed: int = 0  # article pages without title or body
    items_undated: int = 0
    items_fallback: int = 0  # bodies from the generic fallback
    items_low_confidence: int = 0  # ...of which the extraction confidence is under LOW_CONFIDENCE
    low_confidence_example: str | None = None  # "url: reasons" of one of them
    items_future_dated: int = 0
    future_example: str | None = None
    fatal_errors: Sequence[str] = field(default_factory=tuple)
    page_errors: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class PastRun:
    """A previous crawl of the same source (a crawl_runs row)."""

    run_id: str
    status: str
    items_found: int
    health: str | None = None


@dataclass(frozen=True)
class Verdict:
    health: str
    reasons: list[str]

    @property
    def broken(self) -> bool:
        return self.health == BROKEN


def _quote(messages: Sequence[str]) -> str:
    shown = "; ".join(messages[:MAX_REASONS_LISTED])
    more = len(messages) - MAX_REASONS_LISTED
    return shown + (f" (+{more} more)" if more > 0 else "")


def _last_good(history: Sequence[PastRun]) -> PastRun | None:
    return next((run for run in history if run.status in ("success", "partial") and run.items_found > 0), None)


def assess(run: RunFacts, history: Sequence[PastRun] = ()) -> Verdict:
    """The verdict of ``run`` given the source's previous runs (newest first)."""
    broken: list[str] = []
    degraded: list[str] = []
    good = _last_good(history)
    before = f" (the last good run, {good.run_id}, found {good.items_found} items)" if good else ""

    if run.fatal_errors:
        broken.append(_quote(list(run.fatal_errors)) + before)

    failed_pages = [m for m in run.page_errors if "has no " in m or " raised " in m or UNDECODABLE_MARK in m]
    if run.pages_failed:
        ratio = run.pages_failed / max(run.articles_parsed, 1)
        undecodable = any(UNDECODABLE_MARK in m for m in failed_pages)
        what = (
            "without title or body, or undecodable (a selector stopped matching, or bytes in no known charset?)"
            if undecodable
            else "without title or body (a selector stopped matching?)"
        )
        text = f"{run.pages_failed} of {run.articles_parsed} article pages {what}"
        if failed_pages:
            text += f": {_quote(failed_pages)}"
        if ratio >= BROKEN_FAILED_RATIO and run.articles_parsed >= MIN_PAGES:
            broken.append(text)
        else:
            degraded.append(text)

    # future-dated articles have their own reason below
    other_errors = [m for m in run.page_errors if m not in failed_pages and FUTURE_MARK not in m]
    if other_errors:
        degraded.append(f"{len(other_errors)} article pages failed: {_quote(other_errors)}")

    if run.items_stored >= MIN_PAGES and run.items_undated / run.items_stored >= UNDATED_RATIO:
        degraded.append(
            f"{run.items_undated} of {run.items_stored} articles have no date (a date selector stopped matching?)"
        )

    if run.items_stored >= MIN_PAGES and run.items_fallback / run.items_stored >= FALLBACK_RATIO:
        degraded.append(
            f"{run.items_fallback} of {run.items_stored} article bodies came from the generic fallback "
            "(the family's body selectors stopped matching?)"
        )

    if run.items_low_confidence:
        example = f", e.g. {run.low_confidence_example}" if run.low_confidence_example else ""
        degraded.append(
            f"{run.items_low_confidence} of {run.items_stored} article bodies from the generic fallback have a low "
            f"extraction confidence{example} (the family's rules no longer match?)"
        )

    if run.items_future_dated:
        example = f", e.g. {run.future_example}" if run.future_example else ""
        degraded.append(f"{run.items_future_dated} articles dated in the future{example} (a date read wrongly?)")

    quiet = not (run.list_entries or run.known_skipped or run.not_modified or run.out_of_window)
    if not run.fatal_errors and run.list_pages and quiet and good:
        degraded.append(f"{run.list_pages} list pages read but no article listed{before}")

    if broken:
        return Verdict(BROKEN, broken + degraded)
    if degraded:
        return Verdict(DEGRADED, degraded)
    return Verdict(OK, [])


def facts_from_summary(summary: dict[str, Any], stats: Any) -> RunFacts:
    """RunFacts from ``crawlers.extensions.run_summary`` and the crawler stats."""
    get = stats.get_value
    return RunFacts(
        source_id=summary["source_id"],
        status=summary["status"],
        items_found=summary["items_found"],
        items_stored=get("policywatch/items_stored") or 0,
        list_pages=get("policywatch/list_pages") or 0,
        list_entries=get("policywatch/list_entries") or 0,
        known_skipped=get("policywatch/known_skipped") or 0,
        out_of_window=get("policywatch/out_of_window") or 0,
        not_modified=summary["not_modified"] + (get("policywatch/same_body") or 0),
        articles_parsed=get("policywatch/articles_parsed") or 0,
        pages_failed=get("policywatch/pages_failed") or 0,
        items_undated=get("policywatch/items_undated") or 0,
        items_fallback=get("policywatch/items_fallback") or 0,
        items_low_confidence=get("policywatch/items_low_confidence") or 0,
        low_confidence_example=get("policywatch/low_confidence_example"),
        items_future_dated=get("policywatch/items_future_dated") or 0,
        future_example=get("policywatch/future_dated_example"),
        fatal_errors=tuple(summary["fatal_errors"]),
        page_errors=tuple(summary["page_errors"]),
    )


def past_runs(rows: Sequence[Any]) -> list[PastRun]:
    """PastRun of each crawl_runs row."""
    return [PastRun(r.run_id, r.status, r.items_found or 0, r.health) for r in rows]


def cause_kind(message: str) -> str:
    """``permanent`` or ``transient``: whether waiting can heal the fatal error ``message``."""
    if any(mark in message for mark in PERMANENT_MARKS):
        return PERMANENT
    status = _HTTP_STATUS.search(message)
    if status and 400 <= int(status.group(1)) < 500 and int(status.group(1)) not in HEALING_4XX:
        return PERMANENT
    return TRANSIENT


def _is_article_error(message: str) -> bool:
    # page errors read "<source>: article <url> ..." (crawlers/spiders/failures.py): one article lost
    return message.split(": ", 1)[-1].startswith("article ")


def failure_kind(health: str | None, errors: Sequence[str]) -> str:
    """The kind of a failed or broken crawl from its verdict and its error messages (fatal and
    page errors): permanent if any fatal error is, or if it is broken by its article pages alone
    (the title/body selectors stopped matching); transient otherwise."""
    fatal = [m for m in errors if not _is_article_error(m)]
    if not fatal:
        return PERMANENT if health == BROKEN else TRANSIENT
    return PERMANENT if any(cause_kind(m) == PERMANENT for m in fatal) else TRANSIENT
