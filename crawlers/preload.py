"""What a crawl process imports, imported once: the preload of the pipeline's crawl fork server.

``policywatch.crawl_launch`` starts each source's crawl as a process forked from a server that has
imported this module (multiprocessing's forkserver), so a crawl starts with Scrapy, Twisted, the
spiders, the project's components and storage already imported (about 1 s of CPU per crawl
process otherwise) and still runs in a process of its own.

Two things are deliberately NOT imported here: a Twisted reactor (the crawl installs the asyncio
reactor itself; :func:`check_no_reactor` fails loudly if an import installed one), and
``crawlers.settings``, which reads the environment at import time: each crawl imports it with its
own environment.
"""

from __future__ import annotations

import importlib
import sys

from scrapy.settings import default_settings
from scrapy.utils.misc import load_object, walk_modules_iter

# the project's components (crawlers/settings.py names them; importing that module is not allowed here)
PROJECT_MODULES = (
    "scrapy.crawler",
    "crawlers.run",
    "crawlers.middlewares",
    "crawlers.conditional",
    "crawlers.retry",
    "crawlers.challenge",
    "crawlers.incremental",
    "crawlers.pageoutcomes",
    "crawlers.pipelines",
    "crawlers.extensions",
    "crawlers.db",
    "storage",
)


# the default component dicts a crawl loads (feed exporters and storages, contracts: not in a crawl)
CRAWL_COMPONENTS = frozenset(
    {"DOWNLOADER_MIDDLEWARES_BASE", "DOWNLOAD_HANDLERS_BASE", "EXTENSIONS_BASE", "SPIDER_MIDDLEWARES_BASE"}
)


def _default_component_paths() -> set[str]:
    """Every class path of Scrapy's default settings a crawl uses: the components of
    :data:`CRAWL_COMPONENTS` and the classes named by single settings (scheduler, downloader, stats, queues...)."""
    paths: set[str] = set()
    for name in dir(default_settings):
        if not name.isupper():
            continue
        value = getattr(default_settings, name)
        if isinstance(value, dict) and name in CRAWL_COMPONENTS:
            candidates = [*value, *value.values()]
        elif isinstance(value, dict):
            continue
        else:
            candidates = [value]
        paths.update(c for c in candidates if isinstance(c, str) and c.startswith("scrapy.") and "." in c)
    return paths


def check_no_reactor() -> None:
    if "twisted.internet.reactor" in sys.modules:
        raise RuntimeError("crawlers.preload installed a Twisted reactor: a crawl could not install its own")


def preload() -> None:
    for module in PROJECT_MODULES:
        importlib.import_module(module)
    list(walk_modules_iter("crawlers.spiders"))  # what Scrapy's spider loader imports
    for path in sorted(_default_component_paths()):
        try:
            load_object(path)
        except (ImportError, AttributeError, NameError):
            pass  # optional components (e.g. brotli, S3): the crawl imports or skips them as before
    sys.modules.pop("crawlers.settings", None)
    check_no_reactor()


preload()
