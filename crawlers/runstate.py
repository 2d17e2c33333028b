"""The state of one crawl run, on one object: :class:`CrawlRunState`.

:class:`crawlers.extensions.CrawlRunRecorder` owns it: it creates the state when the spider opens
(before any other ``spider_opened`` handler: extensions connect first), fills in the ``crawl_runs``
row and the complete earlier runs, and finishes it when the spider closes (:meth:`CrawlRunState.finish`:
the summary). Every other component reaches it through the one accessor,
``crawlers.extensions.crawl_run_state(crawler)`` (None outside a crawl), never through spider
attributes:

* the family spider (crawlers/spiders/base.py) records fatal errors and page errors;
* crawlers/incremental.py notes list pages left incomplete for the date window and whether a list
  was cut short by the page limit, and reads the complete earlier runs;
* crawlers/conditional.py reads the errors, the incomplete lists, the run row and the windows;
* crawlers/pageoutcomes.py counts the page errors; crawlers/pipelines.py links articles to the row;
* ``python -m crawlers.run`` prints the summary.

No Scrapy here: the state is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CrawlRunState:
    """What one crawl of one source knows about itself while it runs, and its summary at the end."""

    source_id: str
    crawl_run: Any = None  # the storage.CrawlRun row once started (None: no row, e.g. no database)
    complete_windows: dict[int, Any] | None = None  # {crawl run id: storage.CrawlWindow}; None: not read
    fatal_errors: list[str] = field(default_factory=list)  # the source could not be read: run failed
    page_errors: list[str] = field(default_factory=list)  # one article lost: run partial
    incomplete_lists: set[str] = field(default_factory=set)  # list pages with entries left out for the window
    lists_cut_short: bool | None = None  # a list may go on past the page limit; None: nobody tracks it
    summary: dict[str, Any] | None = None  # set by finish()

    @property
    def run_pk(self) -> int | None:
        """The id of the crawl_runs row (None before it is started, or without one)."""
        return getattr(self.crawl_run, "id", None)

    @property
    def clean(self) -> bool:
        """No fatal error and no page error so far."""
        return not self.fatal_errors and not self.page_errors

    def track_lists(self) -> None:
        """From now on, whether a list was cut short is known (crawlers/incremental.py is on)."""
        self.lists_cut_short = False

    @property
    def lists_complete(self) -> bool | None:
        """Whether the crawl read every list down to its ``since``: None when nobody tracked it
        (``IncrementalMiddleware`` off), False when a list may go on past the page limit."""
        return None if self.lists_cut_short is None else not self.lists_cut_short

    def finish(self, stats: Any, reason: str | None) -> dict[str, Any]:
        """The summary of the finished crawl (:func:`run_summary`), kept as ``summary``."""
        self.summary = run_summary(self, stats, reason)
        return self.summary


def run_summary(state: Any, stats: Any, reason: str | None = None) -> dict[str, Any]:
    """Counts and status of a finished crawl, from the crawler stats and the error lists of
    ``state`` (a :class:`CrawlRunState`, or anything with ``source_id``, ``fatal_errors``,
    ``page_errors``). The lists of the summary are copies."""
    get = stats.get_value
    fatal = list(state.fatal_errors)
    pages = list(state.page_errors)
    if reason not in (None, "finished") and not fatal:
        fatal.append(f"{state.source_id}: crawl ended early ({reason})")
    status = "failed" if fatal else "partial" if pages else "success"
    return {
        "source_id": state.source_id,
        "pages_fetched": max(0, (get("downloader/response_count") or 0) - (get("robotstxt/response_count") or 0)),
        # articles answered 304 were found (and counted unchanged) without becoming items again
        "items_found": (get("item_scraped_count") or 0)
        + (get("item_dropped_count") or 0)
        + (get("policywatch/articles_not_modified") or 0),
        "items_new": get("policywatch/items_new") or 0,
        "items_updated": get("policywatch/items_updated") or 0,
        "items_unchanged": get("policywatch/items_unchanged") or 0,
        "fatal_errors": fatal,
        "page_errors": pages,
        "error_messages": fatal + pages,
        "status": status,
        "requests": get("downloader/request_count") or 0,  # robots.txt and retries included
        "not_modified": get("policywatch/not_modified") or 0,
        # pages without a title, date or body: failed article pages + stored articles without a date
        "pages_failed": (get("policywatch/pages_failed") or 0) + (get("policywatch/items_undated") or 0),
    }
