"""Faults the replay server (devtools/replay.py) injects, per path pattern: how a broken site behaves.

A :class:`Fault` matches requests by a pattern on ``host/path`` (a glob, ``fnmatch``; with a
``?`` in the pattern, on ``host/path?query``; ``re:`` first: a regular expression searched in
``host/path?query``) and changes the answer:

* ``status`` (with ``headers``, e.g. ``Retry-After``): that status and a short text body;
* ``delay``: seconds before anything is answered; ``stall``: seconds between the headers and the
  body (a client whose timeout is shorter gives up with the headers read);
* ``truncate``: only that many bytes of the page, under the page's full Content-Length, then the
  connection closes;
* ``redirect``: a 302 to ``/path`` (same host), ``//host/path`` or ``https://host/path`` (another
  host, still on the replay); ``loop``: a 302 to the requested URL itself, for ever;
* ``charset`` (``""``: none) or ``content_type`` (``""``: no header): the page with another
  Content-Type;
* ``body``: ``binary`` (random bytes as ``application/octet-stream``), ``empty`` (200, no body),
  ``huge`` (:data:`HUGE_SIZE` bytes, over the crawler's 32 MB DOWNLOAD_MAXSIZE), ``deny`` (a
  robots.txt that disallows everything);
* ``times``: only the first N matching requests get the fault, the later ones are served normally
  (a server that recovers).

Faults come from keyword arguments, from ``FAIL``-style specs (:func:`parse_spec`:
``HOST/PATH=STATUS`` as before, or ``PATTERN=ACTION,ACTION...``) or from a TOML/JSON file
(:func:`load_faults`: ``[[faults]]`` tables whose keys are the fields below).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import threading
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler
from pathlib import Path

BODY_KINDS = ("binary", "empty", "huge", "deny")
HUGE_SIZE = 40 * 1024 * 1024  # over DOWNLOAD_MAXSIZE (32 MB, crawlers/settings.py)
ROBOTS_DENY = b"User-agent: *\nDisallow: /\n"
_CHUNK = 64 * 1024


class FaultSpecError(ValueError):
    """A fault that cannot be understood (names the spec or the file and the cause)."""


@dataclass(frozen=True)
class Fault:
    match: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stall: float = 0.0
    truncate: int | None = None
    redirect: str | None = None
    loop: bool = False
    charset: str | None = None
    content_type: str | None = None
    body: str | None = None
    times: int | None = None

    def __post_init__(self) -> None:
        if not self.match:
            raise FaultSpecError("a fault needs a match pattern")
        if self.body is not None and self.body not in BODY_KINDS:
            raise FaultSpecError(f"{self.match}: body {self.body!r} is not one of {', '.join(BODY_KINDS)}")
        if self.redirect is not None and not self.redirect.startswith(("/", "http://", "https://")):
            raise FaultSpecError(
                f"{self.match}: redirect {self.redirect!r} is not /path, //host/path or https://host/path"
            )
        if self.match.startswith("re:"):
            try:
                re.compile(self.match[3:])
            except re.error as exc:
                raise FaultSpecError(f"{self.match}: not a regular expression: {exc}") from None

    def matches(self, path: str, query: str) -> bool:
        """Whether the request for ``host/path`` (no leading slash) and ``query`` is this fault's."""
        full = f"{path}?{query}" if query else path
        if self.match.startswith("re:"):
            return re.search(self.match[3:], full) is not None
        pattern = self.match.lstrip("/")
        return fnmatch.fnmatchcase(full if "?" in pattern else path, pattern)

    @property
    def replaces_page(self) -> bool:
        """True when the answer is the fault's own, not the saved page (changed)."""
        return self.status is not None or self.redirect is not None or self.loop or self.body is not None


class FaultSet(dict[str, int]):
    """The faults of one server. As a dict, the plain ``{"host/path": status}`` faults (exact paths,
    changed at will while the server runs, as tests do); :attr:`faults` the :class:`Fault` list, first
    match wins; :attr:`hits` counts the requests each one answered."""

    def __init__(self, faults: Mapping[str, int] | Iterable[Fault] | None = None) -> None:
        super().__init__()
        if isinstance(faults, Mapping):
            self.update({path.lstrip("/"): int(status) for path, status in faults.items()})
            faults = ()
        self.faults = list(faults or ())
        self.hits = [0] * len(self.faults)
        self._lock = threading.Lock()

    def take(self, path: str, query: str) -> Fault | None:
        """The fault for this request (counted), or None; a fault used up (``times``) is skipped."""
        status = self.get(path)
        if status:
            return Fault(match=path, status=status)
        with self._lock:
            for index, fault in enumerate(self.faults):
                if not fault.matches(path, query):
                    continue
                if fault.times is not None and self.hits[index] >= fault.times:
                    continue
                self.hits[index] += 1
                return fault
        return None


# ---------------------------------------------------------------------------- specs and files
_FLAGS = {"loop": ("loop", True), **{kind: ("body", kind) for kind in BODY_KINDS}}
_VALUED = {
    "delay": ("delay", float),
    "stall": ("stall", float),
    "truncate": ("truncate", int),
    "times": ("times", int),
    "redirect": ("redirect", str),
    "charset": ("charset", str),
    "content-type": ("content_type", str),
}


def parse_spec(spec: str) -> Fault:
    """``PATTERN=ACTION[,ACTION...]``, e.g. ``kjj.cq.gov.cn/zwxx_176/tzgg/index.html=500`` or
    ``kjj.cq.gov.cn/*/t2024*.html=503,retry-after:2,times:2``. Actions: a status, ``retry-after:S``,
    ``header:NAME:VALUE``, ``delay:S``, ``stall:S``, ``truncate:N``, ``redirect:TARGET``, ``loop``,
    ``charset:NAME`` (``charset:`` for none), ``content-type:TYPE``, ``binary``, ``empty``,
    ``huge``, ``deny``, ``times:N``."""
    pattern, _, actions = spec.rpartition("=")
    if not pattern or not actions:
        raise FaultSpecError(f"fault {spec!r}: expected PATTERN=ACTION[,ACTION...], e.g. HOST/PATH=500")
    values: dict[str, object] = {}
    headers: dict[str, str] = {}
    for action in actions.split(","):
        name, sep, value = action.strip().partition(":")
        name = name.lower()
        try:
            if name.isdigit() and not sep:
                values["status"] = int(name)
            elif name in _FLAGS and not sep:
                key, flag = _FLAGS[name]
                values[key] = flag
            elif name in _VALUED and sep:
                key, kind = _VALUED[name]
                values[key] = kind(value)
            elif name == "retry-after" and sep:
                headers["Retry-After"] = value
            elif name == "header" and ":" in value:
                header, _, header_value = value.partition(":")
                headers[header] = header_value
            else:
                raise FaultSpecError(f"fault {spec!r}: unknown action {action!r}")
        except ValueError as exc:
            if isinstance(exc, FaultSpecError):
                raise
            raise FaultSpecError(f"fault {spec!r}: bad value in {action!r}") from None
    if headers and "status" not in values:
        values["status"] = 503
    return Fault(match=pattern, headers=headers, **values)  # type: ignore[arg-type]


def load_faults(path: Path | str) -> list[Fault]:
    """The faults of a TOML (``[[faults]]`` tables) or JSON (a list, or ``{"faults": [...]}``) file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise FaultSpecError(f"faults file {path}: {exc}") from None
    entries = data if isinstance(data, list) else data.get("faults", [])
    known = {f.name for f in fields(Fault)}
    faults = []
    for index, entry in enumerate(entries):
        entry = {key.replace("-", "_"): value for key, value in dict(entry).items()}
        unknown = sorted(set(entry) - known)
        if unknown:
            raise FaultSpecError(f"faults file {path}: faults[{index}] has unknown key(s) {', '.join(unknown)}")
        try:
            faults.append(Fault(**entry))
        except (TypeError, FaultSpecError) as exc:
            raise FaultSpecError(f"faults file {path}: faults[{index}]: {exc}") from None
    return faults


# ---------------------------------------------------------------------------- answering
def _with_charset(content_type: str, charset: str) -> str:
    base = content_type.split(";", 1)[0].strip() or "text/html"
    return f"{base}; charset={charset}" if charset else base


def _write(handler: BaseHTTPRequestHandler, data: bytes) -> bool:
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        return False  # the client gave up (a timeout, a size cap): what the fault is for
    return True


def _location(handler: BaseHTTPRequestHandler, host: str, target: str) -> str:
    base = f"http://{handler.headers.get('Host') or '127.0.0.1'}"
    if target.startswith("//"):
        return f"{base}/{target[2:]}"
    if target.startswith(("http://", "https://")):
        return f"{base}/{target.split('://', 1)[1]}"
    return f"/{host}{target}"


def fault_answer(fault: Fault, handler: BaseHTTPRequestHandler, key: str) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` of a fault that replaces the page (:attr:`Fault.replaces_page`)."""
    host = key.split("/", 1)[0]
    headers = dict(fault.headers)
    if fault.loop or fault.redirect is not None:
        target = handler.path if fault.loop else _location(handler, host, fault.redirect or "/")
        headers["Location"] = target
        return fault.status or 302, {"Content-Type": "text/plain; charset=utf-8", **headers}, b"redirected\n"
    status = fault.status or 200
    if fault.body == "binary":
        return status, {"Content-Type": "application/octet-stream", **headers}, os.urandom(4096)
    if fault.body == "empty":
        return status, {"Content-Type": "text/html; charset=utf-8", **headers}, b""
    if fault.body == "deny":
        return status, {"Content-Type": "text/plain; charset=utf-8", **headers}, ROBOTS_DENY
    if fault.body == "huge":
        return status, {"Content-Type": "text/html; charset=utf-8", **headers}, b""  # streamed by send()
    return status, {"Content-Type": "text/plain; charset=utf-8", **headers}, f"injected fault for {key}\n".encode()


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    send_body: bool,
    fault: Fault | None = None,
) -> None:
    """Send a response, changed by ``fault`` (Content-Type, stall, truncation, a huge body)."""
    headers = dict(headers)
    length = len(body)
    if fault is not None:
        if fault.charset is not None:
            headers["Content-Type"] = _with_charset(headers.get("Content-Type", ""), fault.charset)
        if fault.content_type is not None:
            headers["Content-Type"] = fault.content_type
        if fault.body == "huge":
            length = HUGE_SIZE
        if fault.truncate is not None:
            length = max(length, fault.truncate + 1)  # always more than is sent
    handler.send_response(status)
    for name, value in headers.items():
        if value != "":
            handler.send_header(name, value)
    if status != 304:  # a 304 has no body, and no length of its own
        handler.send_header("Content-Length", str(length))
    handler.end_headers()
    if not send_body:
        return
    if fault is not None and fault.stall:
        handler.wfile.flush()
        time.sleep(fault.stall)
    if fault is not None and fault.body == "huge":
        chunk = b"<p>" + b"x" * (_CHUNK - 7) + b"</p>\n"
        sent = 0
        while sent < HUGE_SIZE and _write(handler, chunk[: HUGE_SIZE - sent]):
            sent += len(chunk)
        return
    if fault is not None and fault.truncate is not None:
        _write(handler, body[: fault.truncate])
        handler.close_connection = True
        return
    _write(handler, body)
