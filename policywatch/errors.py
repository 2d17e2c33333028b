"""Configuration errors of the CLI as one line: ``configuration error: NAME: cause``, exit status 2.

Every command is wrapped by :func:`guard_commands`: a bad setting (``config.ConfigError``), a
broken source registry (``config.RegistryError``, named POLICYWATCH_SOURCES_FILE) or a database
that cannot be reached or used (SQLAlchemy's OperationalError, InterfaceError, ArgumentError:
POLICYWATCH_DATABASE_URL, shown with its password masked) is printed as that one line on stderr,
without a traceback and without a secret. A stage refused because another process holds its
lock (``policywatch.locking.RunLocked``) is one line too, exit status 3. Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

from config import ConfigError, RegistryError, UnknownSourceError, get_settings, redact, safe_url

CONFIG_EXIT = 2
LOCKED_EXIT = 3


def _database_url() -> str | None:
    try:
        return get_settings().database_url
    except ConfigError:
        return None


def _first_line(exc: BaseException) -> str:
    """The driver's own message (``exc.orig``) when SQLAlchemy wraps one, its first line."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def configuration_error(exc: BaseException) -> str | None:
    """``NAME: cause`` when ``exc`` is a configuration error, else None."""
    from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

    url = _database_url()
    if isinstance(exc, ConfigError):
        return redact(str(exc), url)
    if isinstance(exc, UnknownSourceError):
        return None
    if isinstance(exc, RegistryError):
        return f"POLICYWATCH_SOURCES_FILE: {exc}"
    if isinstance(exc, (OperationalError, InterfaceError, ArgumentError, NoSuchModuleError)):
        cause = redact(_first_line(exc), url)
        return f"POLICYWATCH_DATABASE_URL: cannot use the database {safe_url(url)}: {cause}"
    return None


def one_line(text: str) -> str:
    return " ".join(text.split())


def guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with configuration errors turned into one line and exit status 2."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - configuration errors become one line; the rest is re-raised
            from policywatch.locking import RunLocked

            if isinstance(exc, RunLocked):
                typer.secho(one_line(str(exc)), err=True, fg=typer.colors.RED)
                raise typer.Exit(LOCKED_EXIT) from None
            message = configuration_error(exc)
            if message is None:
                if isinstance(exc, UnknownSourceError):
                    typer.secho(str(exc), err=True, fg=typer.colors.RED)
                    raise typer.Exit(CONFIG_EXIT) from None
                raise
            typer.secho(f"configuration error: {one_line(message)}", err=True, fg=typer.colors.RED)
            raise typer.Exit(CONFIG_EXIT) from None

    return run


def guard_commands(app: typer.Typer) -> None:
    """Wrap every command of ``app`` and of its sub-apps (and the callbacks) in :func:`guarded`."""
    if app.registered_callback is not None and app.registered_callback.callback is not None:
        app.registered_callback.callback = guarded(app.registered_callback.callback)
    for command in app.registered_commands:
        if command.callback is not None:
            command.callback = guarded(command.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard_commands(group.typer_instance)
