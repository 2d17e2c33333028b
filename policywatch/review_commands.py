"""`policywatch users add|list|passwd` (the review app's accounts) and `policywatch serve` (the
review app on uvicorn). Registered on the app by policywatch/cli.py.

A password is never an argument (it would sit in the shell's history and in ps): it is prompted
for twice with getpass, or read from the first line of standard input with --password-stdin."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from config import get_settings, safe_url

users_app = typer.Typer(help="Accounts of the review app (analysts review, viewers read).", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
]


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _password(from_stdin: bool) -> str:
    from review.passwords import MIN_PASSWORD_LENGTH

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat it: ") != password:
            _fail("the two passwords differ", 2)
    if len(password) < MIN_PASSWORD_LENGTH:
        _fail(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", 2)
    return password


def _prepared_url() -> str:
    from policywatch.pipeline import prepare_database

    settings = get_settings()
    prepare_database(settings)
    return settings.database_url


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The login name.")],
    role: Annotated[str, typer.Option("--role", help="analyst (reviews) or viewer (reads).")] = "viewer",
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account; the password is prompted for (or read with --password-stdin)."""
    from review import ROLES, hash_password
    from storage import add_user, find_user, session_scope

    if role not in ROLES:
        _fail(f"--role {role!r}: expected one of {', '.join(ROLES)}", 2)
    url = _prepared_url()
    with session_scope(url) as session:
        if find_user(session, name) is not None:
            _fail(f"user {name!r} exists already (policywatch users passwd {name} changes the password)", 1)
    password_hash = hash_password(_password(password_stdin))
    try:
        with session_scope(url) as session:
            add_user(session, name, role, password_hash)
    except ValueError as exc:  # a malformed name (storage checks it)
        _fail(f"users add: {exc}", 2)
    typer.echo(f"added {role} {name} to {safe_url(url)}")


@users_app.command("list")
def users_list() -> None:
    """One line per account: name, role, and whether it is disabled."""
    from storage import list_users, session_scope

    with session_scope(_prepared_url()) as session:
        for user in list_users(session):
            typer.echo(f"{user.name}\t{user.role}" + ("\tdisabled" if user.disabled else ""))


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="The login name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set an account's password (its open sessions end at their next request)."""
    from review import hash_password
    from storage import find_user, session_scope, set_user_password

    url = _prepared_url()
    with session_scope(url) as session:
        if find_user(session, name) is None:
            _fail(f"no user {name!r} (policywatch users list shows them)", 1)
    password_hash = hash_password(_password(password_stdin))
    with session_scope(url) as session:
        set_user_password(session, name, password_hash)
    typer.echo(f"password of {name} changed")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Without POLICYWATCH_REVIEW_SECRET: a throwaway secret (sessions end with the process)."
        ),
    ] = False,
) -> None:
    """Serve the review app (the queue of a day's summaries; analysts approve, edit or reject) on
    the configured database."""
    import uvicorn

    from review import create_app, review_settings

    settings = review_settings(demo=demo)  # no secret, no --demo: one-line configuration error
    _prepared_url()
    if settings.demo:
        typer.secho("demo: a throwaway session secret; set POLICYWATCH_REVIEW_SECRET for real use", err=True)
    typer.echo(f"review app on http://{host}:{port}/ over {safe_url(settings.database_url)}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", proxy_headers=False)
