"""Golden test: every page under tests/fixtures/ extracts as it did when the golden files were
recorded (before the extraction code was re-laid as one pipeline of stages over family rules).

Each page goes through what ``policywatch extract PAGE --url URL --json`` prints: the page's real
URL (https://HOST/PATH from its place under ``tests/fixtures/sites/HOST/``, the scheme of the
source's registry sections; pages outside ``sites/`` get an unknown host, so the generic parser),
the family parser of the source serving that host, the JSON of ``PageExtraction.to_dict()``.
The recorded outputs are ``tests/fixtures/golden/extract/<group>.json``. To record them again
(only when a change of output is intended, and said so in the commit)::

    POLICYWATCH_RECORD_GOLDEN=1 .venv/bin/python -m pytest tests/test_extract_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from policywatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = FIXTURES / "golden" / "extract"
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".jsp")
RECORD = os.environ.get("POLICYWATCH_RECORD_GOLDEN") == "1"


def _registry_schemes() -> dict[str, str]:
    import tomllib

    raw = tomllib.loads((ROOT / "config" / "sources.toml").read_text(encoding="utf-8"))
    schemes = {}
    for source in raw["sources"]:
        schemes.setdefault(source["host"], urlsplit(source["sections"][0]["url"]).scheme)
    return schemes


def _pages() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in PAGE_SUFFIXES and GOLDEN not in p.parents
    )


def _group(page: Path) -> str:
    relative = page.relative_to(FIXTURES)
    return relative.parts[1] if relative.parts[0] == "sites" else relative.parts[0]


def _real_url(page: Path, schemes: dict[str, str]) -> str:
    relative = page.relative_to(FIXTURES)
    if relative.parts[0] != "sites":
        return f"https://fixtures.example.org/{relative.as_posix()}"
    host, *path = relative.parts[1:]
    if path[-1] == "index.html":
        path[-1] = ""
    return f"{schemes.get(host, 'https')}://{host}/{'/'.join(path)}"


def _extract_json(page: Path, url: str) -> dict:
    """What ``policywatch extract PAGE --url URL --json`` prints, parsed."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["extract", str(page), "--url", url, "--json"])
    # exit 1 is the CLI's "no title and no body" after printing the JSON: part of the output
    assert result.exit_code in (0, 1), result.output
    text = result.stdout
    return {"exit_code": result.exit_code, "output": json.loads(text[: text.rindex("}") + 1])}


def _current(group: str) -> dict[str, dict]:
    schemes = _registry_schemes()
    outputs = {}
    for page in _pages():
        if _group(page) == group:
            url = _real_url(page, schemes)
            outputs[page.relative_to(FIXTURES).as_posix()] = {"url": url, **_extract_json(page, url)}
    return outputs


GROUPS = sorted({_group(page) for page in _pages()})


@pytest.fixture(autouse=True)
def no_replay(monkeypatch):
    monkeypatch.delenv("POLICYWATCH_REPLAY_URL", raising=False)
    monkeypatch.delenv("POLICYWATCH_SOURCES_FILE", raising=False)
    monkeypatch.setenv("POLICYWATCH_TIMEZONE", "Asia/Shanghai")


@pytest.mark.parametrize("group", GROUPS)
def test_every_page_extracts_as_recorded(group):
    current = _current(group)
    golden_file = GOLDEN / f"{group}.json"
    if RECORD:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden_file.write_text(
            json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    recorded = json.loads(golden_file.read_text(encoding="utf-8"))
    assert sorted(current) == sorted(recorded), "pages added or removed: record the golden files again"
    changed = [path for path in recorded if current[path] != recorded[path]]
    for path in changed[:3]:
        for key, value in recorded[path]["output"].items():
            assert current[path]["output"].get(key) == value, f"{path}: {key} changed"
    assert not changed, f"{len(changed)} pages extract differently: {changed[:10]}"


def test_golden_files_cover_every_page():
    recorded = set()
    for golden_file in GOLDEN.glob("*.json"):
        recorded |= set(json.loads(golden_file.read_text(encoding="utf-8")))
    assert recorded == {page.relative_to(FIXTURES).as_posix() for page in _pages()}
    assert len(recorded) >= 150
