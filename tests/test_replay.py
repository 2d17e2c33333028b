"""devtools/replay.py: the local replay server the spiders are tested against."""

import urllib.error
import urllib.request

import pytest

from devtools.replay import ReplayServer


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "sites"
    (root / "example.gov.cn" / "news").mkdir(parents=True)
    (root / "example.gov.cn" / "news" / "index.html").write_text("<p>list 1</p>", encoding="utf-8")
    (root / "example.gov.cn" / "news" / "index_1.html").write_text("<p>list 2</p>", encoding="utf-8")
    (root / "example.gov.cn" / "feed").mkdir()
    (root / "example.gov.cn" / "feed" / "index.xml").write_text("<rss>1</rss>", encoding="utf-8")
    (root / "example.gov.cn" / "feed" / "index.paged=2.xml").write_text("<rss>2</rss>", encoding="utf-8")
    (root / "example.gov.cn" / "2024" / "丨cjk").mkdir(parents=True)
    (root / "example.gov.cn" / "2024" / "丨cjk" / "index.html").write_text("cjk", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    return root


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_serves_files_indexes_and_queries(site):
    with ReplayServer(site) as server:
        base = f"{server.url}/example.gov.cn"
        assert _get(f"{base}/news/")[:2] == (200, "<p>list 1</p>")
        assert _get(f"{base}/news/index_1.html")[:2] == (200, "<p>list 2</p>")
        status, body, headers = _get(f"{base}/feed/")
        assert (status, body) == (200, "<rss>1</rss>") and headers["Content-Type"].startswith("application/rss+xml")
        assert _get(f"{base}/feed/?paged=2")[:2] == (200, "<rss>2</rss>")
        assert _get(f"{base}/feed/?paged=3")[0] == 404  # past the last page, as WordPress answers
        assert _get(f"{base}/feed/?paged=2&utm_medium=rss")[:2] == (200, "<rss>2</rss>")
        assert _get(f"{base}/news/index.html?utm_source=rss")[:2] == (200, "<p>list 1</p>")
        assert _get(f"{base}/2024/%E4%B8%A8cjk/")[:2] == (200, "cjk")
        assert _get(f"{base}/missing.html")[0] == 404
        assert _get(f"{server.url}/../secret.txt")[0] == 404
        assert "/example.gov.cn/news/" in server.requests


def test_conditional_requests_get_304(site):
    with ReplayServer(site) as server:
        url = f"{server.url}/example.gov.cn/news/index.html"
        status, _, headers = _get(url)
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
        assert _get(url, {"If-None-Match": headers["ETag"]})[0] == 304
        assert _get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert _get(url, {"If-None-Match": '"other"'})[0] == 200


def test_injected_fault(site):
    with ReplayServer(site, faults={"example.gov.cn/news/index.html": 500}) as server:
        status, body, _ = _get(f"{server.url}/example.gov.cn/news/index.html")
        assert status == 500 and "injected fault" in body
        assert _get(f"{server.url}/example.gov.cn/news/index_1.html")[0] == 200


def test_missing_root_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="replay root"):
        ReplayServer(tmp_path / "nowhere")


def test_site_config_mimics_the_real_server(site):
    (site / "example.gov.cn" / "_replay.toml").write_text(
        '[content_types]\n".html" = "text/html"\n'
        '[require_headers]\nReferer = "https://example.gov.cn/"\n'
        '[statuses]\n"challenge" = 412\n',
        encoding="utf-8",
    )
    with ReplayServer(site) as server:
        url = f"{server.url}/example.gov.cn/news/index.html"
        assert _get(url)[0] == 403
        status, body, headers = _get(url, {"Referer": "https://example.gov.cn/news/"})
        assert status == 200 and headers["Content-Type"] == "text/html"
        assert _get(f"{server.url}/example.gov.cn/challenge", {"Referer": "https://example.gov.cn/"})[0] == 412
        assert _get(f"{server.url}/example.gov.cn/_replay.toml", {"Referer": "https://example.gov.cn/"})[0] == 404
        post = urllib.request.Request(url, data=b"col=1", headers={"Referer": "https://example.gov.cn/"})
        assert urllib.request.urlopen(post, timeout=5).read().decode() == "<p>list 1</p>"


def test_a_burst_of_connections_waits_in_the_listen_queue_instead_of_being_dropped(site):
    """A crawl opens dozens of connections at once. With socketserver's backlog of 5, the kernel
    dropped the SYNs past the fifth while the server was busy, and each dropped one cost the
    client a 1 s retransmission. Before serving, the kernel alone completes the handshakes: all
    of the burst must be queued, and answered once the server runs."""
    import socket

    server = ReplayServer(site)  # listening, not yet accepting
    sockets = []
    try:
        for _ in range(64):
            sock = socket.create_connection(server._httpd.server_address[:2], timeout=0.5)
            sock.sendall(b"GET /example.gov.cn/news/ HTTP/1.0\r\nHost: x\r\n\r\n")
            sockets.append(sock)
        server.start()
        for sock in sockets:
            sock.settimeout(5)
            assert sock.recv(64).startswith(b"HTTP/1.0 200")
    finally:
        for sock in sockets:
            sock.close()
        server.stop()
