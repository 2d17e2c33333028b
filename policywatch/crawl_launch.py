"""How the pipeline starts a source's crawl: always in a process of its own (one source's crash,
hang or memory leak never touches the others), either

* :func:`run_crawl_subprocess`: ``python -m crawlers.run`` (a fresh interpreter: what an Airflow
  task, which runs one source, uses), or
* :class:`ForkedCrawls`: a process forked from multiprocessing's fork server, which has imported
  Scrapy, the spiders and storage once (``crawlers.preload``): the daily run of every source pays
  those imports once instead of once per source.

Both take ``crawlers.run``'s arguments, the crawl's environment and a timeout, and return the exit
status and the output. :func:`crawl_in_parallel` runs several sources' crawls at once, one host at
a time: sources that share a host are crawled one after the other, so the per-host politeness of
the crawl settings still holds.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from config import SourceConfig

T = TypeVar("T")
# crawlers.preload: what a crawl imports; then the imports of policywatch.cli, which each child runs
# again as its main module when the parent is the `policywatch` command (not the module itself:
# runpy warns when the module it runs is already imported)
PRELOAD = ["crawlers.preload", "typer", "policywatch.digest_command", "policywatch.errors"]


@dataclass(frozen=True)
class CrawlProcessResult:
    returncode: int | None  # None: killed after its timeout
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


class CrawlLauncher(Protocol):
    def __call__(self, argv: list[str], env: dict[str, str], timeout_s: float) -> CrawlProcessResult: ...


def run_crawl_subprocess(argv: list[str], env: dict[str, str], timeout_s: float) -> CrawlProcessResult:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "crawlers.run", *argv], env=env, capture_output=True, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run killed it
        return CrawlProcessResult(None, _text(exc.stdout), _text(exc.stderr))
    return CrawlProcessResult(proc.returncode, proc.stdout or "", proc.stderr or "")


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


class ForkedCrawls:
    """Crawl processes forked from a fork server that preloaded ``crawlers.preload``.

    The server starts on the first crawl (about the cost of one crawl process's imports) and
    stops with this process. Each crawl is a child of its own: its environment is the one given
    (not the server's), its output goes to files read back here, and one that outlives its
    timeout is killed (SIGKILL), as ``subprocess.run`` does.

    As everywhere in multiprocessing, each child first imports the caller's main module again (as
    ``__mp_main__``): a program that uses this must keep its work under ``if __name__ ==
    "__main__":``. The ``policywatch`` command's imports are preloaded, so that costs little."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        # the server imports while the caller goes on (prepare_database): the first crawl waits less
        multiprocessing.forkserver.ensure_running()

    def __call__(self, argv: list[str], env: dict[str, str], timeout_s: float) -> CrawlProcessResult:
        from crawlers.run import run_forked

        with tempfile.TemporaryDirectory(prefix="policywatch-crawl-") as tmp:
            stdout, stderr = Path(tmp) / "stdout", Path(tmp) / "stderr"
            process = self._context.Process(
                target=run_forked, args=(argv, env, str(stdout), str(stderr)), name="policywatch-crawl", daemon=True
            )
            process.start()
            process.join(timeout_s)
            returncode = process.exitcode
            if process.is_alive():
                process.kill()
                process.join()
                returncode = None
            process.close()
            return CrawlProcessResult(returncode, _read(stdout), _read(stderr))


def _read(path: Path) -> str:
    # the child may have died before it opened its output
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def crawl_in_parallel(sources: Sequence[SourceConfig], crawl: Callable[[SourceConfig], T], parallel: int) -> list[T]:
    """``crawl(source)`` for every source, up to ``parallel`` at once but never two of one host at
    once; the results in the order of ``sources``. An exception of one crawl is raised once every
    crawl has ended."""
    by_host: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        by_host.setdefault(source.host, []).append(index)
    results: list[T | None] = [None] * len(sources)

    def crawl_host(indexes: list[int]) -> None:
        for index in indexes:
            results[index] = crawl(sources[index])

    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="crawl") as pool:
        futures = [pool.submit(crawl_host, indexes) for indexes in by_host.values()]
    for future in futures:
        future.result()
    return results  # type: ignore[return-value]  # every index was filled, or an exception raised above
