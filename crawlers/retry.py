"""Retries with a growing delay on 429 Too Many Requests and 503 Service Unavailable.

``BackoffRetryMiddleware`` replaces Scrapy's RetryMiddleware (same settings: ``RETRY_ENABLED``,
``RETRY_TIMES``, ``RETRY_HTTP_CODES``...). For the codes in ``RETRY_BACKOFF_HTTP_CODES`` a server is
asking us to slow down, so the retry does not follow at once: the download slot of that host
waits ``RETRY_BACKOFF_BASE * 2**(attempt - 1)`` seconds — or the server's ``Retry-After`` (seconds or
an HTTP date) when it says more — capped at ``RETRY_BACKOFF_MAX``, before its next request, the
retry included. The whole host slows down, not only that URL (AutoThrottle lowers the delay again
as answers come back fast). Other retryable failures (500, 502, timeouts) are retried as Scrapy does.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent/invalid."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, base: float, maximum: float, retry_after: float | None = None) -> float:
    """The wait before retry number ``attempt`` (1, 2, ...): exponential, at least Retry-After, capped."""
    delay = base * (2 ** max(attempt - 1, 0))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, maximum)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_codes = {int(code) for code in settings.getlist("RETRY_BACKOFF_HTTP_CODES", [429, 503])}
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request) and response.status in self.backoff_codes:
            attempt = result.meta.get("retry_times", 1)
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            delay = backoff_delay(attempt, self.backoff_base, self.backoff_max, asked)
            self._slow_down(request, delay)
            self.crawler.stats.inc_value("policywatch/backoff_retries")
            logger.info(
                "%s answered %d: retry %d after %.2f s%s",
                request.meta.get("real_url", request.url),
                response.status,
                attempt,
                delay,
                f" (Retry-After {asked:.0f} s)" if asked is not None else "",
            )
        return result

    def _slow_down(self, request: Request, delay: float) -> None:
        """Make the request's download slot wait ``delay`` (± a little jitter) between requests."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, delay * random.uniform(0.9, 1.1))
