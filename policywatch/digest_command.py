"""`policywatch digest`: write the digest of a date (or a range) in one or every format, and
e-mail it (--send) through POLICYWATCH_SMTP_*. Registered on the app by policywatch/cli.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import typer

from config import ConfigError, get_settings

FORMAT_CHOICES = ("html", "md", "json", "atom", "all")


def digest(
    logical_date: Annotated[
        Optional[datetime],
        typer.Option(
            "--date", formats=["%Y-%m-%d"], help="Logical date (YYYY-MM-DD); default: today in Asia/Shanghai."
        ),
    ] = None,
    until: Annotated[
        Optional[datetime],
        typer.Option(formats=["%Y-%m-%d"], help="Last logical date of a range (default: --date alone)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="html, md, json (JSON Feed 1.1), atom, or all.")
    ] = "all",
    send: Annotated[
        bool, typer.Option("--send", help="E-mail it to POLICYWATCH_DIGEST_RECIPIENTS via POLICYWATCH_SMTP_*.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --send: send again to recipients who already got this day.")
    ] = False,
) -> None:
    """Write the digest of a date under var/digests/ (stories: reposts merged, new today first,
    then older items first found that day, by theme and by source), and e-mail it with --send."""
    from policywatch.digests import build_digest, load_digest, send_digest

    settings = get_settings()
    if output_format not in FORMAT_CHOICES:
        typer.secho(f"--format {output_format!r}: expected one of {', '.join(FORMAT_CHOICES)}", err=True, fg="red")
        raise typer.Exit(2)
    day = logical_date.date() if logical_date else datetime.now(settings.timezone).date()
    last = until.date() if until else None
    if last and last < day:
        typer.secho(f"--until {last} is before --date {day}", err=True, fg="red")
        raise typer.Exit(2)
    model = load_digest(day, settings, until=last)
    formats = None if output_format == "all" else [output_format]
    report = build_digest(day, settings, until=last, formats=formats, digest=model)
    typer.echo(
        f"{report.stories} stories ({report.new_stories} new, {report.clustered} from several sources) from "
        f"{report.articles} articles of {report.sources} sources: {', '.join(str(p) for p in report.paths)}"
    )
    if send:
        try:
            delivery = send_digest(day, settings, until=last, force=force, digest=model)
        except (ConfigError, ValueError) as exc:
            typer.secho(f"digest --send: {exc}", err=True, fg="red")
            raise typer.Exit(2) from None
        typer.echo(delivery.line())
