"""Crawl several sources in ONE process, as ``crawlers.run`` crawls one (used by tests/test_fault_matrix.py).

``python tests/crawl_together.py --run-id R --logical-date D [--max-pages N] [-s NAME=VALUE] SOURCE...``

Each source gets its own crawler (spider, stats, crawl_runs row) in one Scrapy process, so a matrix
of faults costs one interpreter and reactor start per case, not one per source. Prints one summary
line per source (``crawlers.run.format_summary``) and, for a failed one, its fatal errors on stderr;
the log of every crawl goes to stderr as a crawl task's log does.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--logical-date", required=True)
    parser.add_argument("--max-pages", type=int)
    parser.add_argument("-s", dest="settings", action="append", default=[], help="a Scrapy setting NAME=VALUE")
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")

    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from config import load_registry
    from crawlers.db import dispose_all
    from crawlers.extensions import crawl_run_state
    from crawlers.run import format_summary
    from crawlers.runstate import CrawlRunState, run_summary

    settings = get_project_settings()
    registry = load_registry(settings.get("POLICYWATCH_SOURCES_FILE"))
    settings.set("POLICYWATCH_RUN_ID", args.run_id, priority="cmdline")
    settings.set("POLICYWATCH_LOGICAL_DATE", args.logical_date, priority="cmdline")
    for name, value in settings.getdict("REPLAY_OVERRIDES").items():
        settings.set(name, value, priority="cmdline")
    for spec in args.settings:
        name, _, value = spec.partition("=")
        settings.set(name, value, priority="cmdline")

    process = CrawlerProcess(settings)
    crawlers = []
    for source_id in args.sources:
        source = registry.get(source_id)
        crawler = process.create_crawler(source.family)
        spider_args = {"source": source}
        if args.max_pages is not None:
            spider_args["max_pages"] = args.max_pages
        process.crawl(crawler, **spider_args)
        crawlers.append((source, crawler))
    process.start()
    dispose_all()

    failed = False
    for source, crawler in crawlers:
        state = crawl_run_state(crawler) or CrawlRunState(source.id)
        summary = state.summary or run_summary(state, crawler.stats, None)
        print(format_summary(summary), flush=True)
        if summary["status"] == "failed":
            failed = True
            for message in summary["fatal_errors"]:
                print(message, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
