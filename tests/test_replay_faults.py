"""devtools/replay_faults.py: the faults a running replay server injects, seen by a real HTTP client."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devtools.replay import ReplayServer
from devtools.replay_faults import HUGE_SIZE, Fault, FaultSpecError, load_faults, parse_spec

PAGE = "<html><head><meta charset='gbk'></head><body><p>通知公告</p></body></html>"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "sites"
    (root / "example.gov.cn" / "news").mkdir(parents=True)
    (root / "example.gov.cn" / "news" / "index.html").write_text(PAGE, encoding="gbk")
    (root / "example.gov.cn" / "news" / "a.html").write_text("<p>article a</p>", encoding="utf-8")
    (root / "example.gov.cn" / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return root


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str, timeout: float = 5) -> tuple[int, bytes, dict[str, str]]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _serve(site, *faults: Fault | str) -> ReplayServer:
    return ReplayServer(site, faults=[parse_spec(f) if isinstance(f, str) else f for f in faults])


def test_status_with_retry_after_then_recovery(site):
    with _serve(site, "example.gov.cn/news/*.html=503,retry-after:7,times:2") as server:
        url = f"{server.url}/example.gov.cn/news/index.html"
        first, second, third = _get(url), _get(url), _get(url)
        assert first[0] == second[0] == 503 and first[2]["Retry-After"] == "7"
        assert third[0] == 200 and third[1].decode("gbk") == PAGE  # recovered after two failures
        assert _get(f"{server.url}/example.gov.cn/robots.txt")[0] == 200  # another path: not matched


def test_old_mapping_and_regex_on_the_query(site):
    with ReplayServer(site, faults={"example.gov.cn/news/a.html": 404}) as server:
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[0] == 404
        assert _get(f"{server.url}/example.gov.cn/news/index.html")[0] == 200
    with _serve(site, r"re:news/a\.html\?page=[2-9]=500") as server:
        assert _get(f"{server.url}/example.gov.cn/news/a.html?page=3")[0] == 500
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[0] == 200


def test_every_answer_closes_the_connection(site):
    # Twisted (Scrapy) pools a connection unless told "Connection: close": the HTTP/1.0 server's
    # close could then meet the next request (ConnectionDone under load)
    with _serve(site, "example.gov.cn/news/a.html=500") as server:
        assert _get(f"{server.url}/example.gov.cn/news/index.html")[2]["Connection"] == "close"
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[2]["Connection"] == "close"


def test_delay_and_stalled_body(site):
    with _serve(site, "example.gov.cn/news/a.html=delay:0.5", "example.gov.cn/news/index.html=stall:3") as server:
        started = time.monotonic()
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[:2] == (200, b"<p>article a</p>")
        assert time.monotonic() - started >= 0.5
        connection = http.client.HTTPConnection("127.0.0.1", server._httpd.server_address[1], timeout=1)
        connection.request("GET", "/example.gov.cn/news/index.html")
        response = connection.getresponse()  # the headers come at once...
        assert response.status == 200 and int(response.headers["Content-Length"]) == len(PAGE.encode("gbk"))
        with pytest.raises(TimeoutError):  # ...the body does not
            response.read()
        connection.close()


def test_truncated_body(site):
    with _serve(site, "example.gov.cn/news/index.html=truncate:10") as server:
        with socket.create_connection(("127.0.0.1", server._httpd.server_address[1]), timeout=5) as sock:
            sock.sendall(b"GET /example.gov.cn/news/index.html HTTP/1.0\r\nHost: x\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert f"Content-Length: {len(PAGE.encode('gbk'))}".encode() in head
        assert body == PAGE.encode("gbk")[:10]  # then the server closed the connection


def test_redirects_to_a_path_another_host_and_a_loop(site):
    with _serve(
        site,
        "example.gov.cn/news/a.html=redirect:/news/index.html",
        "example.gov.cn/news/b.html=redirect:https://other.example.com/landing.html,times:1",
        Fault(match="example.gov.cn/news/c.html", loop=True, status=301),
    ) as server:
        status, _, headers = _get(f"{server.url}/example.gov.cn/news/a.html")
        assert (status, headers["Location"]) == (302, "/example.gov.cn/news/index.html")
        status, _, headers = _get(f"{server.url}/example.gov.cn/news/b.html")
        assert (status, headers["Location"]) == (302, f"{server.url}/other.example.com/landing.html")
        assert _get(f"{server.url}/example.gov.cn/news/b.html")[0] == 404  # recovered: no such file
        status, _, headers = _get(f"{server.url}/example.gov.cn/news/c.html?x=1")
        assert (status, headers["Location"]) == (301, "/example.gov.cn/news/c.html?x=1")  # to itself


def test_charset_rewritten_or_dropped(site):
    with _serve(site, "example.gov.cn/news/index.html=charset:utf-8", "example.gov.cn/news/a.html=charset:") as server:
        status, body, headers = _get(f"{server.url}/example.gov.cn/news/index.html")
        assert headers["Content-Type"] == "text/html; charset=utf-8" and body == PAGE.encode("gbk")  # a lie
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[2]["Content-Type"] == "text/html"
    with _serve(site, "example.gov.cn/news/a.html=content-type:image/png") as server:
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[2]["Content-Type"] == "image/png"


def test_binary_empty_huge_and_robots_deny(site):
    with _serve(
        site,
        "example.gov.cn/news/index.html=binary",
        "example.gov.cn/news/a.html=empty",
        "example.gov.cn/news/huge.html=huge",
        "example.gov.cn/robots.txt=deny",
    ) as server:
        status, body, headers = _get(f"{server.url}/example.gov.cn/news/index.html")
        assert status == 200 and headers["Content-Type"] == "application/octet-stream" and len(body) == 4096
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[:2] == (200, b"")
        assert _get(f"{server.url}/example.gov.cn/robots.txt")[1] == b"User-agent: *\nDisallow: /\n"
        connection = http.client.HTTPConnection("127.0.0.1", server._httpd.server_address[1], timeout=5)
        connection.request("GET", "/example.gov.cn/news/huge.html")
        response = connection.getresponse()
        assert int(response.headers["Content-Length"]) == HUGE_SIZE > 32 * 1024 * 1024
        assert len(response.read(1024 * 1024)) == 1024 * 1024  # streamed; the client hangs up
        connection.close()


def test_fault_file_toml_and_json(tmp_path, site):
    toml = tmp_path / "faults.toml"
    toml.write_text(
        '[[faults]]\nmatch = "example.gov.cn/news/*"\nstatus = 429\nheaders = { Retry-After = "1" }\ntimes = 1\n'
        '[[faults]]\nmatch = "example.gov.cn/robots.txt"\nbody = "deny"\n',
        encoding="utf-8",
    )
    faults = load_faults(toml)
    assert faults[0] == Fault(match="example.gov.cn/news/*", status=429, headers={"Retry-After": "1"}, times=1)
    as_json = tmp_path / "faults.json"
    as_json.write_text(json.dumps({"faults": [{"match": "example.gov.cn/news/a.html", "truncate": 3}]}))
    assert load_faults(as_json) == [Fault(match="example.gov.cn/news/a.html", truncate=3)]
    with ReplayServer(site, faults=faults) as server:
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[0] == 429
        assert _get(f"{server.url}/example.gov.cn/news/a.html")[0] == 200


def test_bad_specs_name_the_spec_and_the_cause(tmp_path):
    with pytest.raises(FaultSpecError, match=r"'x.html=teapot'.*unknown action 'teapot'"):
        parse_spec("x.html=teapot")
    with pytest.raises(FaultSpecError, match="expected PATTERN=ACTION"):
        parse_spec("x.html")
    with pytest.raises(FaultSpecError, match="bad value in 'delay:soon'"):
        parse_spec("x.html=delay:soon")
    with pytest.raises(FaultSpecError, match="body 'gzip'"):
        Fault(match="x", body="gzip")
    bad = tmp_path / "faults.toml"
    bad.write_text('[[faults]]\nmatch = "x"\nstatsu = 500\n', encoding="utf-8")
    with pytest.raises(FaultSpecError, match=r"faults\[0\] has unknown key\(s\) statsu"):
        load_faults(bad)


def test_example_file_and_cli_options():
    from typer.testing import CliRunner

    from policywatch.cli import app

    example = load_faults(Path(__file__).resolve().parents[1] / "docs" / "faults.example.toml")
    assert [f.match.split("/")[0] for f in example][:2] == ["kjj.cq.gov.cn", "kjj.cq.gov.cn"]
    result = CliRunner().invoke(app, ["demo", "--fail", "x.html=teapot"])
    assert result.exit_code == 2 and "unknown action 'teapot'" in result.output
    result = CliRunner().invoke(app, ["replay", "serve", "--faults", "/nonexistent/faults.toml"])
    assert result.exit_code == 2 and "faults file /nonexistent/faults.toml" in result.output


def test_plain_faults_change_while_the_server_runs(site):
    # tests/test_airflow_operator_ui.py breaks and heals a running server's pages this way
    with _serve(site, "example.gov.cn/robots.txt=deny") as server:
        url = f"{server.url}/example.gov.cn/news/a.html"
        server.faults["example.gov.cn/news/a.html"] = 500
        assert _get(url)[0] == 500
        server.faults.pop("example.gov.cn/news/a.html")
        assert _get(url)[0] == 200
        assert _get(f"{server.url}/example.gov.cn/robots.txt")[1] == b"User-agent: *\nDisallow: /\n"
