"""Redirects that must not be followed: to another host, or round in a loop (a downloader middleware).

Scrapy follows a 3xx itself (RedirectMiddleware) and checks the new request's host only when it is
scheduled (OffsiteMiddleware's ``request_scheduled`` handler): a redirect to another host is then
dropped without a word, so the article it came from silently disappears. Through the replay it was
even followed, as the rewritten request carries ``allow_offsite`` (crawlers/middlewares.py). A
redirect loop was as silent: the revisited URL is dropped by the duplicate filter (against the
replay, whose requests are ``dont_filter``, it ran to the 20 redirects Scrapy allows).

:class:`RedirectGuardMiddleware` sits just before RedirectMiddleware on the way back (see
settings.py) and looks at the ``Location`` of each 3xx, in real URLs (a replay URL is mapped back):

* to a host that is not the source's (``allowed_domains``, ``www.`` ignored): not followed,
  :class:`RedirectRefused` "redirected to another host, HOST (URL): not followed";
* to a URL already in the chain (unless that answer sets a cookie: a WAF's first answer), or past
  REDIRECT_MAX_TIMES: :class:`RedirectRefused` "redirect loop: A -> B -> A".

Both are IgnoreRequest, so they reach the page's errback (crawlers/spiders/failures.py): a page
error naming the article and the cause, or a fatal error for a list page.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.url import url_is_from_any_domain

from crawlers.extract.urls import same_site
from crawlers.middlewares import REAL_URL_META, CrawlerComponent, from_replay_url

CHAIN_META = "policywatch_redirect_chain"  # the real URLs of the redirects so far
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectRefused(IgnoreRequest):
    """A redirect not followed: to another host, or a loop; the message says which."""


class RedirectGuardMiddleware(CrawlerComponent):
    def _real(self, url: str, request: Request) -> str:
        """``url`` as a real URL (a replay URL mapped back, in the scheme of the request's real URL)."""
        replay = self.crawler.settings.get("REPLAY_URL")
        if not replay:
            return url
        real = request.meta.get(REAL_URL_META)
        scheme = urlsplit(real).scheme if real else "https"
        return from_replay_url(url, replay, scheme) or url

    def _allowed(self, url: str) -> bool:
        spider = self.crawler.spider
        domains = list(getattr(spider, "allowed_domains", None) or [])
        if not domains:
            return True
        return url_is_from_any_domain(url, domains) or any(same_site(url, domain) for domain in domains)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        here = self._real(request.url, request)
        text = location.decode("latin-1")
        if text.startswith("//"):
            text = f"{urlsplit(request.url).scheme}:{text}"
        target = self._real(urljoin(request.url, text), request)
        if not self._allowed(target):
            host = urlsplit(target).hostname or "?"
            self.crawler.stats.inc_value("policywatch/redirects_offsite")
            raise RedirectRefused(f"redirected to another host, {host} ({target}): not followed")
        chain = [*request.meta.get(CHAIN_META, ()), here]
        sets_cookie = b"Set-Cookie" in response.headers
        too_many = len(chain) > self.crawler.settings.getint("REDIRECT_MAX_TIMES", 20)
        if too_many or (target in chain and not (sets_cookie and chain.count(target) == 1)):
            self.crawler.stats.inc_value("policywatch/redirect_loops")
            raise RedirectRefused(f"redirect loop: {' -> '.join([*chain, target])}")
        request.meta[CHAIN_META] = chain  # RedirectMiddleware copies the meta onto the new request
        return response
