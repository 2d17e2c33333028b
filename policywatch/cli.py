"""The `policywatch` command. Every subcommand calls the same functions as the Airflow DAG."""

from __future__ import annotations

import logging
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from config import Settings, get_settings, safe_url
from policywatch import digest_command, review_commands
from policywatch.errors import guard_commands

if TYPE_CHECKING:
    from policywatch.pipeline import CrawlReport, DailyReport

app = typer.Typer(
    help="Crawl Chinese S&T and CPPCC policy news, summarize it and write a daily digest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema and contents.", no_args_is_help=True)
sources_app = typer.Typer(help="The source registry.", no_args_is_help=True)
replay_app = typer.Typer(help="The local replay of the source sites.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(replay_app, name="replay")
eval_app = typer.Typer(help="Measure the pipeline's components on evaluation data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.command("digest")(digest_command.digest)
app.add_typer(review_commands.users_app, name="users")
app.command("serve")(review_commands.serve)

DateOption = Annotated[
    Optional[datetime],
    typer.Option("--date", formats=["%Y-%m-%d"], help="Logical date (YYYY-MM-DD); default: today in Asia/Shanghai."),
]


def _today() -> date:
    return datetime.now(get_settings().timezone).date()


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    get_settings()  # a bad setting: "configuration error: NAME: cause", exit status 2 (guard_commands)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema (Alembic) and record the sources."""
    from policywatch.pipeline import prepare_database

    settings = get_settings()
    prepare_database(settings)
    typer.echo(f"database at {safe_url(settings.database_url)} is up to date")


@db_app.command("counts")
def db_counts() -> None:
    """Print the number of rows in each table."""
    from policywatch.pipeline import table_counts

    for table, count in table_counts().items():
        typer.echo(f"{table}: {count}")


@sources_app.command("list")
def sources_list() -> None:
    """List the registry's sources, enabled or not (with the reason)."""
    from policywatch.pipeline import registry

    for source in registry().sources:
        state = "enabled" if source.enabled else f"disabled: {source.disabled_reason}"
        typer.echo(f"{source.id}\t{source.family}\t{source.language}\t{source.name}\t{state}")


@sources_app.command("status")
def sources_status(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per source instead of text.")] = False,
    runs: Annotated[int, typer.Option(min=1, help="Crawl runs per source in --json's 'runs' (newest first).")] = 1,
) -> None:
    """One line per source: enabled or not (why), last run, its status, health verdict (and a
    failure's kind: permanent or transient), its last good run, the dates its lists were read for
    (and whether in full) and counts."""
    import json

    from policywatch.status import source_statuses, status_line

    for status in source_statuses(runs=runs):
        typer.echo(json.dumps(status, ensure_ascii=False) if as_json else status_line(status))


@app.command()
def extract(
    path_or_url: Annotated[
        str, typer.Argument(help="A saved page (read as bytes) or an http(s) URL (fetched once, politely).")
    ],
    url: Annotated[
        Optional[str], typer.Option(help="The real URL of a saved page (links, canonical URL, family).")
    ] = None,
    source: Annotated[
        Optional[str], typer.Option("--source", help="Parse as this registry source's family would.")
    ] = None,
    charset: Annotated[
        Optional[str], typer.Option(help="Decode with this charset (default: the source's, else the page's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show what the extractor gets from one page: title, date, office, language, body, attachments, rule."""
    import json

    from config import RegistryError
    from devtools.extract_page import ExtractError, extract_page
    from policywatch.pipeline import registry

    settings = get_settings()
    try:
        page = extract_page(
            path_or_url,
            url=url,
            source_id=source,
            charset=charset,
            registry=registry(settings),
            replay_url=settings.replay_url,
            default_tz=settings.timezone.key,
        )
    except (ExtractError, RegistryError, LookupError) as exc:
        _fail(f"extract: {exc}", 2 if isinstance(exc, (RegistryError, LookupError)) else 1)
    if as_json:
        typer.echo(json.dumps(page.to_dict(), ensure_ascii=False, indent=2))
    else:
        fields = page.extra
        rows = [
            ("url", page.url),
            ("parser", page.parser + (f" (source {page.source_id})" if page.source_id else " (no registry source)")),
            ("rule", page.rule or "-"),
            ("charset", page.charset),
            ("title", f"{page.title or '-'}  [{fields.get('title_source') or '-'}]"),
            (
                "published_at",
                f"{page.published_at.isoformat() if page.published_at else '-'}  [{fields.get('date_source') or '-'}]",
            ),
            ("source_office", f"{page.source_office or '-'}  [{fields.get('source_office_source') or '-'}]"),
            ("author", page.author or "-"),
            ("language", page.language or "-"),
            ("attachments", str(len(page.attachments))),
        ]
        for name, value in rows:
            typer.echo(f"{name + ':':<15}{value}")
        for attachment in page.attachments:
            typer.echo(f"  - {attachment['name']}  {attachment['url']}")
        other = {k: v for k, v in fields.items() if not k.endswith("_source") and k != "language"}
        if other:
            typer.echo(f"{'extra:':<15}{json.dumps(other, ensure_ascii=False)}")
        typer.echo(f"body ({len(page.body)} characters):")
        typer.echo(page.body or "-")
    if not (page.title or page.body):
        _fail(
            f"extract: no title and no body found in {path_or_url} (wrong parser? try --source or the generic one)", 1
        )


@app.command()
def crawl(
    source: Annotated[Optional[list[str]], typer.Argument(help="Source ids; default: every enabled source.")] = None,
    logical_date: DateOption = None,
    run_id: Annotated[Optional[str], typer.Option(help="Run id recorded in crawl_runs.")] = None,
    since: Annotated[
        Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="Skip items published before.")
    ] = None,
    until: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="Skip items published after.")] = None,
) -> None:
    """Crawl sources into the database (each in its own Scrapy process, as `run` crawls them)."""
    from policywatch.locking import run_lock
    from policywatch.pipeline import crawl_day, default_run_id, prepare_database, registry, selected_sources

    day = logical_date.date() if logical_date else _today()
    run_id = run_id or default_run_id(day)  # one id for every source of this crawl
    settings = get_settings()
    reg = registry(settings)
    with run_lock(settings, day, run_id):  # a crawl of a day is part of that day's run
        prepare_database(settings, reg=reg)
        reports = crawl_day(
            selected_sources(source, reg=reg),
            day,
            run_id,
            since=since.date() if since else None,
            until=until.date() if until else None,
            settings=settings,
            on_report=_say_crawled,
        )
    if any(not report.ok for report in reports):
        raise typer.Exit(1)


def _say_crawled(report: CrawlReport) -> None:
    typer.echo(report.line())
    if not report.ok:
        _say_failed(report)


@app.command()
def summarize(
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only these sources.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most this many articles.")] = None,
    backend: Annotated[
        Optional[str],
        typer.Option(
            "--backend", help="extractive, lead or generative (default: POLICYWATCH_SUMMARIZER, else extractive)."
        ),
    ] = None,
    resummarize: Annotated[
        bool,
        typer.Option(
            "--resummarize", help="Also redo summaries made by an older model or configuration (no re-crawl)."
        ),
    ] = False,
) -> None:
    """Summarize new and changed articles (the model is loaded once); --resummarize also redoes
    summaries of an older model or configuration."""
    from config import SUMMARIZER_BACKENDS
    from policywatch.pipeline import summarize_pending

    if backend is not None and backend not in SUMMARIZER_BACKENDS:
        _fail(f"--backend {backend!r}: expected one of {', '.join(SUMMARIZER_BACKENDS)}", 2)
    report = summarize_pending(source_ids=source, limit=limit, backend=backend, resummarize=resummarize)
    model = (
        f"{report.model_id} ({report.model_version})" if report.model_id else "(nothing to summarize: no model loaded)"
    )
    typer.echo(f"{report.summarized} summaries by {report.backend} {model} in {report.seconds:.1f} s")


@app.command()
def facts(
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only these sources.")] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Recompute every stored article's key facts, not only missing ones.")
    ] = False,
) -> None:
    """Store the key facts (deadline, funding, who may apply, 文号, issuers, proposal number) of
    stored articles that have none of the current rules' version; --rebuild recomputes them all."""
    from policywatch.facts import rebuild_key_facts

    report = rebuild_key_facts(source_ids=source, rebuild=rebuild)
    typer.echo(report.line())
    for message in report.errors:
        typer.secho(message, err=True, fg=typer.colors.RED)
    if report.errors:
        raise typer.Exit(1)


@eval_app.command("summarizer")
def eval_summarizer(
    eval_set: Annotated[
        Path, typer.Option("--set", exists=True, dir_okay=False, help="JSONL of pairs: text, reference, lang, dataset.")
    ],
    backend: Annotated[
        Optional[str], typer.Option("--backend", help="extractive, lead or generative (default: the configured one).")
    ] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N pairs of each dataset.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on standard output instead of a table.")] = False,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            help="shipped: the configuration `policywatch run` uses (default); dataset: each dataset's own profile.",
        ),
    ] = "shipped",
    half: Annotated[
        Optional[str],
        typer.Option("--half", help="tune (even-numbered pairs of each dataset) or held-out (odd-numbered)."),
    ] = None,
) -> None:
    """ROUGE of a summarizer per dataset, with the lead-1/2/3 baselines computed in the same run
    (at the same length budget), the summaries' length and compression ratio, the faithfulness
    guard's rejection rate, ms per article and peak memory. By default it measures the
    configuration `policywatch run` ships."""
    import json

    from config import SUMMARIZER_BACKENDS
    from policywatch.pipeline import load_configured_summarizer
    from policywatch.summary_config import configured_for
    from summarizer.evaluation import evaluate, format_table, load_pairs

    if backend is not None and backend not in SUMMARIZER_BACKENDS:
        _fail(f"--backend {backend!r}: expected one of {', '.join(SUMMARIZER_BACKENDS)}", 2)
    if profile not in ("shipped", "dataset"):
        _fail(f"--profile {profile!r}: expected shipped or dataset", 2)
    halves = {None: (1, 0), "tune": (2, 0), "held-out": (2, 1)}
    if half not in halves:
        _fail(f"--half {half!r}: expected tune or held-out", 2)
    every, offset = halves[half]
    try:
        pairs = load_pairs(eval_set, limit=limit, every=every, offset=offset)
    except ValueError as exc:
        _fail(f"eval: {exc}", 2)
    if not pairs:
        _fail(f"eval: no pairs in {eval_set}", 2)
    settings = get_settings()
    configure = (lambda s: configured_for(s, settings)) if profile == "shipped" else None
    results = evaluate(pairs, load_configured_summarizer(settings, backend=backend), configure=configure)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        typer.echo(format_table(results))


def _print_daily(report: DailyReport, settings: Settings) -> None:
    for crawl_report in report.crawls:
        typer.echo(crawl_report.line())
    new = ", ".join(f"{c.source_id}: {c.new} new" for c in report.crawls)
    try:
        digest_path = report.digest.html.relative_to(Path.cwd())
    except ValueError:
        digest_path = report.digest.html
    typer.echo(f"{new}; {report.summaries.summarized} summarized; digest at {digest_path}")
    d = report.digest
    typer.echo(
        f"digest: {d.stories} stories ({d.new_stories} new today, {d.stories - d.new_stories} also found, "
        f"{d.clustered} from several sources) from {d.articles} articles; formats "
        + ", ".join(p.suffix.lstrip(".") for p in d.paths)
    )
    typer.echo("rows: " + ", ".join(f"{table}={count}" for table, count in report.counts.items()))
    for failed in report.failed_sources:
        _say_failed(failed)


def _say_failed(report: CrawlReport) -> None:
    typer.secho(f"source failed: {'; '.join(report.problems)}", err=True, fg=typer.colors.RED)


@app.command()
def run(
    logical_date: DateOption = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only these sources.")] = None,
    run_id: Annotated[Optional[str], typer.Option(help="Run id; default cli__DATE__STARTED_random.")] = None,
    since: Annotated[
        Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="Skip items published before.")
    ] = None,
    wait: Annotated[
        Optional[bool],
        typer.Option(
            "--wait/--no-wait",
            help="If a run of the same day is in progress: wait for it, or refuse (exit 3). Default POLICYWATCH_RUN_LOCK.",
        ),
    ] = None,
) -> None:
    """Run the whole daily pipeline: crawl, summarize, digest. Exit 1 if any source failed."""
    from policywatch.pipeline import run_daily

    settings = get_settings()
    report = run_daily(
        logical_date.date() if logical_date else _today(),
        run_id=run_id,
        source_ids=source,
        since=since.date() if since else None,
        settings=settings,
        wait=wait,
    )
    _print_daily(report, settings)
    if report.failed_sources:
        raise typer.Exit(1)


FAIL_HELP = (
    "Inject a fault into the replay: PATTERN=ACTION[,ACTION...], e.g. kjj.cq.gov.cn/x.html=500 or "
    "'kjj.cq.gov.cn/*/t2024*.html=503,retry-after:2,times:2' (devtools/replay_faults.py)."
)
FAULTS_HELP = "A TOML or JSON file of [[faults]] the replay injects (devtools/replay_faults.py)."


def _replay_faults(fail: list[str] | None, faults: Path | None) -> list:
    """The faults of --faults FILE and --fail SPEC options (a bad one: exit 2, naming it)."""
    from devtools.replay_faults import FaultSpecError, load_faults, parse_spec

    try:
        return (load_faults(faults) if faults else []) + [parse_spec(spec) for spec in fail or []]
    except FaultSpecError as exc:
        _fail(f"--fail/--faults: {exc}", 2)
    return []


@app.command()
def demo(
    logical_date: Annotated[
        datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="Logical date of the demo run.")
    ] = datetime(2024, 3, 5),
    sites: Annotated[Optional[Path], typer.Option(help="Replay folder; default tests/fixtures/sites.")] = None,
    fail: Annotated[Optional[list[str]], typer.Option(help=FAIL_HELP)] = None,
    faults: Annotated[Optional[Path], typer.Option(help=FAULTS_HELP)] = None,
) -> None:
    """Run the daily pipeline against the local replay of the source sites (no network)."""
    from devtools.replay import ReplayServer
    from policywatch.pipeline import run_daily

    settings = get_settings()
    root = sites or settings.home / "tests" / "fixtures" / "sites"
    if not root.is_dir():
        _fail(f"replay folder {root} not found: run the demo from a checkout of the project")
    with ReplayServer(root, faults=_replay_faults(fail, faults)) as server:
        os.environ["POLICYWATCH_REPLAY_URL"] = server.url
        settings = get_settings()
        typer.echo(f"replaying {root} at {server.url}; database {safe_url(settings.database_url)}")
        report = run_daily(logical_date.date(), settings=settings)
    _print_daily(report, settings)
    if report.failed_sources:
        raise typer.Exit(1)


@replay_app.command("serve")
def replay_serve(
    root: Annotated[Path, typer.Option(help="Folder of <host>/<path> files.")] = Path("tests/fixtures/sites"),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 = any free port).")] = 8765,
    fail: Annotated[Optional[list[str]], typer.Option(help=FAIL_HELP)] = None,
    faults: Annotated[Optional[Path], typer.Option(help=FAULTS_HELP)] = None,
) -> None:
    """Serve the replay sites until interrupted; point POLICYWATCH_REPLAY_URL at the printed URL."""
    from devtools.replay import ReplayServer

    injected = _replay_faults(fail, faults)
    server = ReplayServer(root, port=port, faults=injected)
    typer.echo(f"export POLICYWATCH_REPLAY_URL={server.url}")
    for fault in injected:
        typer.echo(f"injecting {fault}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


guard_commands(app)  # every command: configuration errors as one line, exit status 2 (policywatch/errors.py)

if __name__ == "__main__":
    app()
