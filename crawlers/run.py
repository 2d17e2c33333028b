"""Crawl one source in this process: ``python -m crawlers.run --source ID --run-id RID --logical-date D``.

The pipeline passes the source's resolved registry entry instead (``--source-config JSON``), so
the registry is read once per run, by the parent. Picks the spider by the source's family, runs it with the project settings (plus
``REPLAY_OVERRIDES`` when POLICYWATCH_REPLAY_URL is set), then prints ONE summary line on stdout::

    kjj_cq: pages=28 found=25 new=25 updated=0 unchanged=0 errors=0 status=success

Exit status: 0 for success or partial, 1 when the run failed (its fatal errors are printed on
stderr, one per line), 2 for a usage error (unknown source, bad date, disabled source).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import Settings


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawlers.run", description="Crawl one policywatch source.")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--source", help="registry id, e.g. kjj_cq (the registry is read)")
    which.add_argument("--source-config", help="the source's registry entry as JSON, already resolved by the caller")
    parser.add_argument("--run-id", help="pipeline run id (crawl_runs.run_id); default manual-<timestamp>")
    parser.add_argument("--logical-date", type=_iso_date, help="YYYY-MM-DD; default today (POLICYWATCH_TIMEZONE)")
    parser.add_argument("--since", type=_iso_date, help="skip articles dated before this day")
    parser.add_argument("--until", type=_iso_date, help="skip articles dated after this day")
    parser.add_argument(
        "--max-pages", type=int, help="list/feed pages per section (0 = all); default POLICYWATCH_MAX_LIST_PAGES"
    )
    parser.add_argument("--log-level", help="Scrapy LOG_LEVEL (default INFO)")
    parser.add_argument("--force", action="store_true", help="crawl a source even if the registry disables it")
    return parser


def format_summary(summary: dict[str, Any]) -> str:
    return (
        f"{summary['source_id']}: pages={summary['pages_fetched']} found={summary['items_found']} "
        f"new={summary['items_new']} updated={summary['items_updated']} unchanged={summary['items_unchanged']} "
        f"errors={len(summary['error_messages'])} status={summary['status']}"
    )


def apply_run_options(
    settings: Settings,
    *,
    run_id: str | None = None,
    logical_date: str | None = None,
    log_level: str | None = None,
    replay_overrides: bool = True,
) -> None:
    """The crawl's own settings on top of the project's: run id, logical date, log level and,
    against a replay server, :data:`crawlers.settings.REPLAY_OVERRIDES` (``bench/`` switches those
    off to measure the shipped politeness)."""
    if run_id:
        settings.set("POLICYWATCH_RUN_ID", run_id, priority="cmdline")
    if logical_date:
        settings.set("POLICYWATCH_LOGICAL_DATE", logical_date, priority="cmdline")
    if log_level:
        settings.set("LOG_LEVEL", log_level.upper(), priority="cmdline")
    if settings.get("REPLAY_URL") and replay_overrides:
        # local replay server: no politeness delays (see REPLAY_OVERRIDES in crawlers/settings.py)
        for name, value in settings.getdict("REPLAY_OVERRIDES").items():
            settings.set(name, value, priority="cmdline")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")

    from pydantic import ValidationError
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from config import ConfigError, RegistryError, SourceConfig, load_registry

    try:
        settings = get_project_settings()
        if args.source_config:
            source = SourceConfig.model_validate_json(args.source_config)
        else:
            source = load_registry(settings.get("POLICYWATCH_SOURCES_FILE")).get(args.source)
    except (ConfigError, RegistryError, ValidationError) as exc:
        print(f"{args.source or 'source'}: {exc}", file=sys.stderr)
        return 2
    if not source.enabled and not args.force:
        print(
            f"{source.id}: disabled in the registry ({source.disabled_reason}); use --force to crawl it",
            file=sys.stderr,
        )
        return 2

    apply_run_options(settings, run_id=args.run_id, logical_date=args.logical_date, log_level=args.log_level)

    spider_args = {"source": source}
    for name in ("since", "until"):
        if getattr(args, name):
            spider_args[name] = getattr(args, name)
    if args.max_pages is not None:
        spider_args["max_pages"] = args.max_pages

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(source.family)  # spider name == registry family
    process.crawl(crawler, **spider_args)
    process.start()

    from crawlers.db import dispose_all

    dispose_all()
    if crawler.spider is None:
        print(f"{source.id}: the spider could not be started (see the log above)", file=sys.stderr)
        print(f"{source.id}: pages=0 found=0 new=0 updated=0 unchanged=0 errors=1 status=failed")
        return 1
    from crawlers.extensions import crawl_run_state
    from crawlers.runstate import CrawlRunState, run_summary

    # the summary CrawlRunRecorder finished the crawl's state with (or, had it no state, its counts)
    state = crawl_run_state(crawler) or CrawlRunState(source.id)
    summary = state.summary or run_summary(state, crawler.stats, None)
    print(format_summary(summary), flush=True)
    if summary["status"] == "failed":
        for message in summary["fatal_errors"]:
            print(message, file=sys.stderr)
        return 1
    return 0


def run_forked(argv: list[str], env: dict[str, str], stdout_path: str, stderr_path: str) -> None:
    """:func:`main` in a process forked for one crawl (``policywatch.crawl_launch``): this crawl's
    environment, its output into the two files, its exit status as the process's."""
    # what the fork server imported (Scrapy, the spiders, storage: ~150,000 objects) lives as long
    # as this process: out of the collector's way, whose full passes over it cost an unchanged
    # source's crawl a third of its CPU (0.23 -> 0.15 s for kjj_cq)
    gc.freeze()
    os.environ.clear()
    os.environ.update(env)
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, path in ((1, stdout_path), (2, stderr_path)):
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    sys.exit(main(argv))


if __name__ == "__main__":
    sys.exit(main())
