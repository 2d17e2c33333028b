"""Scrapy settings for the policywatch crawlers.

Polite defaults for government sites (CATALOGUE §0.5): one request at a time per host, about one
second apart, AutoThrottle on top, robots.txt obeyed, a browser-like User-Agent that still says who
we are. Environment-dependent values (database, replay server) come from
:func:`config.get_settings`, so one variable changes them everywhere.

Replay: when ``REPLAY_URL`` is set, ``crawlers.run`` applies :data:`REPLAY_OVERRIDES` on top of
these settings (no delays: the replay server is local) — and only then. ``scrapy crawl`` does not
apply them; pass ``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False`` yourself if you want that.
"""

from __future__ import annotations

from config import get_settings

_config = get_settings()

BOT_NAME = "policywatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- identity ------------------------------------------------------------------------------------
# Browser-like: several gov sites (MIIT, some WAFs) answer 403 to library user agents; the
# trailing "policywatch/… (+contact)" token tells a webmaster who is crawling and how to reach us.
# The contact is a placeholder (.invalid): put the operator's real address here before live crawls.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 "
    "policywatch/0.1 (+mailto:crawler-contact@policywatch.invalid)"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.8,*/*;q=0.7",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
}

# --- politeness ----------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True  # read each host's robots.txt first and honour it (gdstc.gd.gov.cn forbids crawling)
CONCURRENT_REQUESTS = 8  # overall cap; one crawl process handles one source anyway
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # one request at a time per host: gov servers are small
DOWNLOAD_DELAY = 1.0  # seconds between requests to a host; working gov crawlers use 0.5-1 s
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % of the delay, so requests do not arrive on a fixed beat
AUTOTHROTTLE_ENABLED = True  # slow down further when the server answers slowly
AUTOTHROTTLE_START_DELAY = 1.0  # first delay, before any latency was measured
AUTOTHROTTLE_MAX_DELAY = 30.0  # never wait longer than this between two requests
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # aim at one request in flight per host
DOWNLOAD_TIMEOUT = 30  # seconds; some MOST pages hang from abroad: fail, record, move on
DNS_TIMEOUT = 20  # seconds
RETRY_ENABLED = True
RETRY_TIMES = 2  # two more tries after the first failure, then the page counts as failed
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]  # transient errors, incl. 429 Too Many Requests / 503
# The server asks us to slow down: its host waits BASE * 2**(n-1) s (or its Retry-After) before
# retry n, at most MAX (crawlers/retry.py). 412 is never retried: a JS challenge stops the source.
RETRY_BACKOFF_HTTP_CODES = [429, 503]
RETRY_BACKOFF_BASE = 5.0  # seconds before the first retry; 10 s before the second
RETRY_BACKOFF_MAX = 120.0
COOKIES_ENABLED = True  # gov WAFs (openresty) answer the first hit with a 302 that sets a cookie
REDIRECT_ENABLED = True
HTTPCACHE_ENABLED = False  # every run must see the live pages (change detection is storage's job)
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # refuse anything bigger (an attachment fetched by mistake)
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Scrapy starts this many asyncio tasks for EACH response's output, however few items it yields
# (one article, or a list page's requests); the storage pipeline is synchronous, so more items
# at once buy nothing: 100 (the default) -> 16 cut Scrapy's own CPU per response by about a
# quarter (bench/crawl_throughput.py's bare Scrapy crawl).
CONCURRENT_ITEMS = 16

# --- runtime -------------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False  # no listening debug port on the crawl host
# Scrapy 2.19's RemoteControl extension (on by default) runs an HTTP server that executes Python
# sent to it and writes job files to the user's profile: not on a scheduled crawl host.
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"  # `scrapy crawl -O items.json` keeps Chinese readable
# Scrapy 2.13+ default reactor, stated explicitly so an old Scrapy or a changed default cannot
# silently switch it. (REQUEST_FINGERPRINTER_IMPLEMENTATION is not set: Scrapy 2.12+ removed the
# old fingerprinter and ignores that setting; the default RequestFingerprinter is the recommended one.)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- components (one per module, ordered by priority) ----------------------------------------------
# ReplayMiddleware at 120: AFTER OffsiteMiddleware (50) and RobotsTxtMiddleware (100), so both judge
# the REAL URL (robots.txt is fetched for https://kjj.cq.gov.cn/robots.txt, and that request — sent
# through the whole chain by the robots middleware — is rewritten to the replay server too); BEFORE
# timeout/headers/user-agent (350-500), retry (550), redirect (600), decompression (590), cookies
# (700) and stats (850), so those act on the request actually sent. On the way back its
# process_response runs last, after retry/redirect/decompression, and hands the spider a response
# whose URL is the real one again.
DOWNLOADER_MIDDLEWARES = {
    # the registry's referer/headers, before the rewrite so the request to the real URL (robots.txt too) carries them
    "crawlers.middlewares.SourceHeadersMiddleware": 110,
    "crawlers.middlewares.ReplayMiddleware": 120,
    # If-None-Match / If-Modified-Since from http_cache; a 304 (or the same body) is never parsed.
    # Before the rewrite (sees the real URL); its process_response runs after the replay restored it.
    "crawlers.conditional.ConditionalRequestsMiddleware": 115,
    # Scrapy's retry, plus a growing per-host delay on 429/503 (Retry-After honoured)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.retry.BackoffRetryMiddleware": 550,
    # a 412 $_ts JavaScript challenge stops the source; its process_response runs before retry's
    "crawlers.challenge.JsChallengeMiddleware": 560,
    # a redirect to another host or in a loop is refused with its cause (a page error), not
    # dropped in silence; its process_response runs just before RedirectMiddleware's (600)
    "crawlers.redirects.RedirectGuardMiddleware": 605,
}
SPIDER_MIDDLEWARES = {
    # daily runs: skip articles stored before the refresh window, stop paging at them
    "crawlers.incremental.IncrementalMiddleware": 600,
    # articles parsed / pages without title or body, for the health check
    "crawlers.pageoutcomes.PageOutcomeMiddleware": 610,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.StoragePipeline": 300,
}
EXTENSIONS = {
    "crawlers.extensions.CrawlRunRecorder": 500,
}

# --- policywatch ---------------------------------------------------------------------------------
REPLAY_URL = _config.replay_url  # POLICYWATCH_REPLAY_URL; None: crawl the real sites
DATABASE_URL = _config.database_url  # POLICYWATCH_DATABASE_URL
POLICYWATCH_SOURCES_FILE = str(_config.sources_file)  # POLICYWATCH_SOURCES_FILE
POLICYWATCH_TIMEZONE = _config.timezone.key  # dates without an offset are read in this zone
POLICYWATCH_RUN_ID = None  # set by crawlers.run (--run-id); None: "manual-<UTC timestamp>"
POLICYWATCH_LOGICAL_DATE = None  # set by crawlers.run (--logical-date); None: today in POLICYWATCH_TIMEZONE
POLICYWATCH_MAX_LIST_PAGES = 10  # list/feed pages read per section and run; 0 = all (backfill)
# Incremental crawling (crawlers/conditional.py, crawlers/incremental.py); either can be switched off.
CONDITIONAL_REQUESTS_ENABLED = True  # send stored ETag / Last-Modified; a 304 costs no parse
INCREMENTAL_ENABLED = True  # daily runs stop at articles already stored and older than the refresh window
POLICYWATCH_REFRESH_DAYS = (
    3  # stored articles of the last N days are asked for again (conditionally), to catch corrections
)

# Applied by crawlers.run on top of everything above when REPLAY_URL is set (and only then):
# the replay server is local, so waiting between requests only slows tests and demos down.
REPLAY_OVERRIDES = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_TIMEOUT": 15,
    "RETRY_BACKOFF_BASE": 0.05,
    "RETRY_BACKOFF_MAX": 0.5,
}
