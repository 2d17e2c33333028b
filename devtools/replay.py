"""A local replay of the source sites, served on 127.0.0.1 from a folder of saved pages.

``<root>/<host>/<path>`` answers ``http://127.0.0.1:<port>/<host>/<path>``. The crawler reaches it
when POLICYWATCH_REPLAY_URL is set (see crawlers/middlewares.py), so the real sites are never
contacted by tests or the demo, while stored URLs stay the real sites' URLs.

File lookup, in order, for ``/<host>/<path>?<query>``:
  * a path ending in ``/`` looks for ``index.html``, ``index.xml`` then ``index.json`` in it;
  * with a query string, ``<name>.<query>.<ext>`` beside the file answers it (so
    ``/feed/?paged=2`` is ``feed/index.paged=2.xml``); tracking parameters (``utm_*`` ...) are
    dropped first, as real servers ignore them; any other query with no such file is a 404, as a
    WordPress feed answers a page past the last one.

A site folder may hold ``_replay.toml`` to behave like its real server (files and folders whose
name starts with ``_`` are never served)::

    [content_types]            # by file suffix, replacing the defaults
    ".html" = "text/html"      # e.g. no charset, as Hanweb servers send
    [require_headers]          # a request without the header (prefix match) gets 403, as a WAF
    Referer = "https://kw.beijing.gov.cn/"
    [statuses]                 # fixed answers by path, e.g. a JavaScript challenge
    "gkmlpt/challenge" = 412   # the file at that path (if any) is the body, e.g. a $_ts script page

POST is answered like GET (the form body is ignored), enough for list APIs such as Hanweb's
``dataproxy.jsp`` whose paging sits in the query string.

Faults are injected per path pattern, to test how the pipeline reports a broken source: a
``{"kjj.cq.gov.cn/zwxx_176/tzgg/index.html": 500}`` mapping, or a list of
:class:`devtools.replay_faults.Fault` (statuses with headers, stalls, truncated bodies, redirects
and loops, wrong charsets, binary/empty/huge bodies, a robots.txt deny, "fail the first N times"). Responses carry Last-Modified and ETag and answer
conditional requests with 304.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import re
import threading
import time
import tomllib
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from devtools.replay_faults import Fault, FaultSet, fault_answer, send

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".shtml": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}
INDEX_NAMES = ("index.html", "index.xml", "index.json")
TRACKING_PARAMS = re.compile(r"^(utm_\w+|spm|from|share|isappinstalled|fbclid|gclid)$")


class _ReplayHTTPServer(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: a crawl opening dozens of connections at once overflows
    # it, and each dropped SYN costs the client a 1 s (then 3 s, 7 s) retransmission, as no real
    # web server would (nginx: 511). The crawl benchmark measured 1.7 -> 15 s crawls from that alone.
    request_queue_size = 128


class ReplayServer:
    """A threaded HTTP server over a folder of sites; use as a context manager or start()/stop()."""

    def __init__(
        self,
        root: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Mapping[str, int] | Iterable[Fault] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"replay root {self.root} is not a folder")
        self.faults = FaultSet(faults)
        self.requests: list[str] = []
        self._lock = threading.Lock()
        handler = type("BoundReplayHandler", (_ReplayHandler,), {"replay": self})
        self._httpd = _ReplayHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        # stop() waits for the loop's next poll: 0.5 s by default, at the end of every demo and test
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="replay", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread:  # shutdown() waits for a serve_forever() loop: forever, if none was started
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def site_config(self, host: str) -> dict:
        """The host's ``_replay.toml`` (empty when absent); read on each request, it is tiny."""
        path = self.root / host / "_replay.toml"
        if not host or not path.is_file():
            return {}
        return tomllib.loads(path.read_text(encoding="utf-8"))

    def resolve(self, path: str, query: str) -> Path | None:
        relative = unquote(path).lstrip("/")
        if any(part.startswith("_") for part in relative.split("/")[1:]):
            return None  # _replay.toml, _build/: the replay's own files
        target = (self.root / relative).resolve()
        if self.root not in target.parents and target != self.root:
            return None  # path traversal
        if relative.endswith("/") or target.is_dir():
            candidates = [target / name for name in INDEX_NAMES]
        else:
            candidates = [target]
        query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)])
        if query:
            candidates = [c.with_name(f"{c.stem}.{query}{c.suffix}") for c in candidates]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        return None


class _ReplayHandler(BaseHTTPRequestHandler):
    replay: ReplayServer
    server_version = "policywatch-replay/1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test and demo output clean; requests are kept in ReplayServer.requests

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(send_body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(send_body=True)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve(send_body=True)

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        # HTTP/1.0 closes the connection after each answer; said explicitly, or Twisted's pool keeps
        # the connection and may send the next request into the server's close (ConnectionDone)
        self.send_header("Connection", "close")

    def _serve(self, send_body: bool) -> None:
        parts = urlsplit(self.path)
        key = unquote(parts.path).lstrip("/")
        self.replay.record(self.path)
        fault = self.replay.faults.take(key, parts.query)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.replaces_page:
            send(self, *fault_answer(fault, self, key), send_body, fault)
            return
        host, _, site_path = key.partition("/")
        config = self.replay.site_config(host)
        for header, prefix in config.get("require_headers", {}).items():
            if not (self.headers.get(header) or "").startswith(prefix):
                self._send_plain(HTTPStatus.FORBIDDEN, f"{header} required\n", send_body)
                return
        status = config.get("statuses", {}).get(site_path)
        file = self.replay.resolve(parts.path, parts.query)
        if status and file is None:
            self._send_plain(status, f"status {status} for {key}\n", send_body)
            return
        if status:  # a fixed status with the saved page as its body (a challenge page)
            content_type = CONTENT_TYPES.get(file.suffix.lower(), "text/html; charset=utf-8")
            send(self, status, {"Content-Type": content_type}, file.read_bytes(), send_body, fault)
            return
        if file is None:
            self._send_plain(HTTPStatus.NOT_FOUND, f"not in replay: {key}\n", send_body)
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        last_modified = email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if fault is None and (
            self.headers.get("If-None-Match") == etag
            or (self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == last_modified)
        ):
            send(self, HTTPStatus.NOT_MODIFIED, validators, b"", send_body=False)
            return
        suffix = file.suffix.lower()
        content_type = (
            config.get("content_types", {}).get(suffix)
            or CONTENT_TYPES.get(suffix)
            or (mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        )
        send(self, HTTPStatus.OK, {"Content-Type": content_type, **validators}, body, send_body, fault)

    def _send_plain(self, status: int, text: str, send_body: bool) -> None:
        send(self, status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode(), send_body)
