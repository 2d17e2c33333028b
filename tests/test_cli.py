"""policywatch/cli.py: every subcommand has --help, and bad input gets a clear error."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from policywatch.cli import app

runner = CliRunner()


def _command_paths(typer_app: typer.Typer, prefix=()):
    for command in typer_app.registered_commands:
        yield (*prefix, command.name or command.callback.__name__.replace("_", "-"))
    for group in typer_app.registered_groups:
        yield (*prefix, group.name)
        yield from _command_paths(group.typer_instance, (*prefix, group.name))


COMMANDS = sorted(set(_command_paths(app)))


def test_expected_commands_exist():
    assert {
        ("db", "upgrade"),
        ("crawl",),
        ("summarize",),
        ("digest",),
        ("run",),
        ("demo",),
        ("replay", "serve"),
        ("sources", "list"),
    } <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "--help" in result.output


def test_bad_config_value_is_named(monkeypatch):
    monkeypatch.setenv("POLICYWATCH_SUMMARY_SENTENCES", "lots")
    result = runner.invoke(app, ["sources", "list"])
    assert result.exit_code == 2
    assert "POLICYWATCH_SUMMARY_SENTENCES='lots' is not an integer" in result.output


def test_sources_list_and_bad_date():
    result = runner.invoke(app, ["sources", "list"])
    assert result.exit_code == 0 and "kjj_cq" in result.output and "ichongqing" in result.output
    result = runner.invoke(app, ["digest", "--date", "2024-13-45"])
    assert result.exit_code == 2 and "--date" in result.output
