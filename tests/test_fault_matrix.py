"""The fault matrix: each fault the replay injects (devtools/replay_faults.py) against a source of
every site family, crawled for real (tests/crawl_together.py: the sources of one case in one
process, first list page only).

For each (fault, family): the run finishes; the affected source's crawl_runs row (its errors and
health) and the crawl log name the article or list page and the cause, or — for the faults a
crawler must ride out (a delay, a server that recovers, a wrong or missing charset) — the article
is stored exactly as from a healthy server; the control source (kxjst_js, not faulted) stores what
it always does; nothing stored before is lost; a later clean run stores everything exactly once.

Faults on article pages are grouped (a source's different articles get the group's different
faults, so a group costs one faulty and one clean crawl); faults that stop a source (its robots.txt,
its list page) each get their own crawl over a database already holding the baseline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT, SITES
from test_crawlers_spiders import articles, crawl_runs

from config import get_settings, load_registry
from devtools.replay import ReplayServer
from devtools.replay_faults import Fault

pytestmark = pytest.mark.slow

# one source of every family (config/sources.toml), and a control source no fault touches
FAMILIES = {
    "trs": "kjj_cq",
    "wordpress": "ichongqing",
    "hanweb": "kjt_zj",
    "gkmlpt": "stic_sz",
    "arti": "cppcc",
    "zcms": "cppcc_people",
    "chinadaily": "en_cppcc",
    "sichuan": "kjt_sc",
}
CONTROL = "kxjst_js"
SOURCES = [*FAMILIES.values(), CONTROL]
LOGICAL_DATE = "2024-03-06"
TIMEOUT = 3  # DOWNLOAD_TIMEOUT of these crawls, so a stalled body costs seconds, not minutes
SETTINGS = [f"DOWNLOAD_TIMEOUT={TIMEOUT}"]
OFFSITE = "https://www.example.com/moved.html"


@dataclass(frozen=True)
class Case:
    """A fault: what it does to a page (``fault`` given the page's ``host/path``), where (an
    article page, the first list page or robots.txt) and what the record must say (``cause``,
    None: the page must be stored as from a healthy server)."""

    name: str
    where: str  # "article" | "list" | "robots"
    group: str
    fault: dict
    cause: str | None


CASES = [
    Case("status_retry_after", "article", "a1", {"status": 503, "headers": {"Retry-After": "1"}}, "answered HTTP 503"),
    Case("fail_twice_then_recover", "article", "a1", {"status": 503, "times": 2}, None),
    Case("stalled_body", "article", "a1", {"stall": TIMEOUT + 3}, "DownloadTimeoutError"),
    Case("redirect_offsite", "article", "a1", {"redirect": OFFSITE}, "redirected to another host, www.example.com"),
    Case("list_fails_twice_then_recovers", "list", "a1", {"status": 503, "times": 2}, None),
    Case("truncated_body", "article", "a2", {"truncate": 200}, "closed before the whole body came"),
    Case("redirect_loop", "article", "a2", {"loop": True}, "redirect loop: "),
    Case("binary_body", "article", "a2", {"body": "binary"}, "application/octet-stream|undecodable: "),
    Case("empty_body", "article", "a2", {"body": "empty"}, "has no body|has no title and body"),
    Case("huge_body", "article", "a3", {"body": "huge"}, "DOWNLOAD_MAXSIZE|larger than|maxsize"),
    Case("wrong_charset", "article", "a3", {"charset": "wrong"}, None),  # "wrong": the opposite of the page's
    Case("missing_charset", "article", "a3", {"charset": ""}, None),
    Case("delay", "article", "a3", {"delay": 1.0}, None),
    Case("robots_deny", "robots", "robots", {"body": "deny"}, "was not fetched: Forbidden by robots.txt"),
    Case("list_status", "list", "list", {"status": 500}, "answered HTTP 500"),
]
GROUPS = sorted({case.group for case in CASES})
PREPOPULATED = {"robots", "list"}  # a source stopped whole: over the baseline, to show nothing is lost


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    return unquote(f"{parts.hostname}{parts.path}")


@dataclass
class Crawl:
    returncode: int
    stdout: str
    stderr: str

    def status(self, source_id: str) -> str:
        line = next(line for line in self.stdout.splitlines() if line.startswith(f"{source_id}: "))
        return line.rsplit("status=", 1)[1]


def _crawl(server: ReplayServer, db_url: str, run_id: str) -> Crawl:
    env = dict(os.environ, POLICYWATCH_DATABASE_URL=db_url, POLICYWATCH_REPLAY_URL=server.url)
    command = [sys.executable, str(ROOT / "tests" / "crawl_together.py"), "--run-id", run_id]
    command += ["--logical-date", LOGICAL_DATE, "--max-pages", "1", *[f"-s{s}" for s in SETTINGS], *SOURCES]
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]  # finished: success/partial, or a failed source
    assert all(any(line.startswith(f"{s}: ") for line in proc.stdout.splitlines()) for s in SOURCES), proc.stdout
    return Crawl(proc.returncode, proc.stdout, proc.stderr)


def _stored(db_url: str) -> dict[str, dict[str, tuple[str, str]]]:
    return {s: {url: (a.title, a.body) for url, a in articles(db_url, s).items()} for s in SOURCES}


class Matrix:
    """The crawls of the matrix, run on first use and kept for the module."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.registry = load_registry(get_settings().sources_file)
        self.baseline_db = f"sqlite:///{tmp / 'baseline.db'}"
        with ReplayServer(SITES) as server:
            _crawl(server, self.baseline_db, "baseline")
        self.baseline = _stored(self.baseline_db)
        assert all(self.baseline[s] for s in SOURCES), {s: len(v) for s, v in self.baseline.items()}
        self.targets: dict[tuple[str, str], str] = {}  # (case, source) -> the URL faulted
        self.runs: dict[str, tuple[str, Crawl, dict, Crawl]] = {}

    def reported(self, case: Case, source_id: str) -> str:
        """The URL the record must name: a robots.txt deny stops the list pages."""
        if case.where == "robots":
            return self.registry.get(source_id).sections[0].url
        return self.targets[case.name, source_id]

    def lost_to_errors(self, group: str, source_id: str) -> set[str]:
        """The articles a group's faults keep from being stored (the reported ones)."""
        return {self.targets[c.name, source_id] for c in CASES if c.group == group and c.cause}

    def target(self, case: Case, source_id: str) -> str:
        if case.where == "robots":
            return f"https://{self.registry.get(source_id).host}/robots.txt"
        if case.where == "list":
            return self.registry.get(source_id).sections[0].url
        in_group = [c for c in CASES if c.group == case.group and c.where == "article"]
        urls = sorted(self.baseline[source_id])
        return urls[in_group.index(case) % len(urls)]

    def _faults(self, group: str) -> list[Fault]:
        faults = []
        for case in (c for c in CASES if c.group == group):
            for source_id in FAMILIES.values():
                url = self.target(case, source_id)
                self.targets[case.name, source_id] = url
                spec = dict(case.fault)
                if spec.get("charset") == "wrong":  # GBK pages declared UTF-8, the others GBK
                    spec["charset"] = "utf-8" if self.registry.get(source_id).charset == "gb18030" else "gbk"
                faults.append(Fault(match=_page_key(url), **spec))
        return faults

    def run(self, group: str) -> tuple[str, Crawl, dict, Crawl]:
        """(database, faulty crawl, what it stored, clean crawl after it) of a group."""
        if group not in self.runs:
            db_file = self.tmp / f"{group}.db"
            if group in PREPOPULATED:
                shutil.copy(self.tmp / "baseline.db", db_file)
            db_url = f"sqlite:///{db_file}"
            with ReplayServer(SITES, faults=self._faults(group)) as server:
                faulty = _crawl(server, db_url, f"faulty-{group}")
            stored = _stored(db_url)
            with ReplayServer(SITES) as server:
                clean = _crawl(server, db_url, f"clean-{group}")
            self.runs[group] = (db_url, faulty, stored, clean)
        return self.runs[group]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Matrix:
    return Matrix(tmp_path_factory.mktemp("fault-matrix"))


def _named(message: str, url: str, cause: str) -> bool:
    return url in message and any(part in message for part in cause.split("|"))


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_fault_is_reported_or_ridden_out(matrix, case, family):
    source_id = FAMILIES[family]
    db_url, faulty, stored, clean = matrix.run(case.group)
    url = matrix.reported(case, source_id)
    run = next(r for r in crawl_runs(db_url, source_id) if r.run_id == f"faulty-{case.group}")
    baseline = matrix.baseline[source_id]

    if case.cause is None:  # ridden out: stored as a healthy server gives it, no error about it
        if case.where == "article":
            assert stored[source_id].get(url) == baseline[url], f"{source_id}: {url} not stored as in the baseline"
        else:  # the list read after all: every article but those the group's other faults keep out
            assert set(stored[source_id]) == set(baseline) - matrix.lost_to_errors(case.group, source_id)
        assert not any(url in m for m in run.error_messages), run.error_messages
    else:  # reported: the crawl record, its health and the task log name the page and the cause
        named = [m for m in run.error_messages if _named(m, url, case.cause)]
        assert named, f"{source_id}: no error names {url} and {case.cause!r}: {run.error_messages}"
        assert all(m in faulty.stderr for m in named)  # the task log
        assert any(url in reason for reason in run.health_reasons), run.health_reasons
        if case.where == "article":
            assert run.status == "partial" and url not in stored[source_id]
        else:
            assert run.status == "failed" and faulty.status(source_id) == "failed"
    if case.group in PREPOPULATED:  # nothing stored before is lost
        assert set(baseline) <= set(stored[source_id])

    # the control source is not touched by the others' faults
    assert stored[CONTROL] == matrix.baseline[CONTROL] and faulty.status(CONTROL) == "success"
    # a later clean run: everything the baseline stores, as it stores it, each article once
    assert clean.status(source_id) == "success" and _stored(db_url)[source_id] == baseline
    runs = crawl_runs(db_url, source_id)
    assert sum(r.items_new for r in runs) == len(baseline), [(r.run_id, r.items_new) for r in runs]
