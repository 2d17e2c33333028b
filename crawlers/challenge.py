"""Anti-bot JavaScript challenges stop the source's crawl at once, with a clear error.

A Ruishu (瑞数) protected site answers HTTP 412 with an inline ``$_ts`` script that only a real
browser can solve (CATALOGUE §0.5); retrying or paging on only hammers the WAF. When a response
matches :data:`JS_CHALLENGES` (status and a marker in the body), ``JsChallengeMiddleware`` records a
fatal error naming the source, the URL and the challenge, and closes the spider (reason
``js_challenge``): that source's run fails, the other sources (other processes) are untouched.
The request's errback gets :class:`SourceBlocked`, which FamilySpider does not report again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import _schedule_coro

from crawlers.middlewares import REAL_URL_META, CrawlerComponent

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# (HTTP status, marker in the first bytes of the body, what it is) — rules as data.
JS_CHALLENGES: tuple[tuple[int, bytes, str], ...] = (
    (412, b"$_ts", "a Ruishu (瑞数) JavaScript challenge ($_ts)"),
    (521, b"__jsl_clearance", "a Jiasule JavaScript challenge (__jsl_clearance)"),
)
SCAN_BYTES = 64 * 1024  # challenge pages are small; the marker sits in the inline script
CLOSE_REASON = "js_challenge"


class SourceBlocked(IgnoreRequest):
    """The site answered with a challenge a plain HTTP client cannot pass; the crawl is stopping."""


def find_challenge(status: int, body: bytes) -> str | None:
    """What challenge a response is (None for an ordinary answer)."""
    head = body[:SCAN_BYTES]
    for code, marker, what in JS_CHALLENGES:
        if status == code and marker in head:
            return what
    return None


class JsChallengeMiddleware(CrawlerComponent):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.stopped = False

    def process_response(self, request: Request, response: Response) -> Response:
        what = find_challenge(response.status, response.body)
        if what is None:
            return response
        spider = self.crawler.spider
        source_id = getattr(spider, "source_id", getattr(spider, "name", "?"))
        url = request.meta.get(REAL_URL_META) or request.url
        self.crawler.stats.inc_value("policywatch/js_challenges")
        if not self.stopped:
            self.stopped = True
            message = (
                f"{source_id}: {url} answered HTTP {response.status} with {what}: a plain HTTP client "
                "cannot pass it (it needs a real browser); crawling this source stopped"
            )
            if hasattr(spider, "record_fatal"):
                spider.record_fatal(message)
            else:
                logger.error(message)
            _schedule_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))
        raise SourceBlocked(f"{url}: {what}")
