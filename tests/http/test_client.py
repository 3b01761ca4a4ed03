"""HttpClient behaviour against real servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from harvester.errors import BlockedAddressError, FetchError, RemoteError, ResponseTooLargeError
from harvester.http import HttpClient, HttpStatusError, parse_retry_after, redact_url
from harvester.settings import Settings
from tests.http.conftest import loopback_policy

MIB = 1024 * 1024


def test_get_json_and_user_agent(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api", query_string="q=air").respond_with_json({"ok": True})
    with HttpClient(settings, policy=loopback_policy()) as client:
        assert client.get_json(httpserver.url_for("/api"), params={"q": "air"}) == {"ok": True}

    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("Himpun/")
    assert request.headers["User-Agent"].endswith("(+https://example.invalid/contact)")


def test_post_json_sends_body(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/proxy", method="POST", json={"endpoint": "/x"}).respond_with_json({"a": 1})
    with HttpClient(settings, policy=loopback_policy()) as client:
        assert client.post_json(httpserver.url_for("/proxy"), json={"endpoint": "/x"}) == {"a": 1}


def test_invalid_json_names_url(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bad").respond_with_data("<html>WAF</html>", content_type="text/html")
    with HttpClient(settings, policy=loopback_policy()) as client:
        with pytest.raises(RemoteError, match="invalid JSON from http://127.0.0.1") as caught:
            client.get_json(httpserver.url_for("/bad"))
    assert caught.value.code == "invalid-json"


def test_size_cap_while_streaming(settings: Settings, raw_server) -> None:
    def handle(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
        for _ in range(40):
            connection.sendall(b"x" * 65536)

    server = raw_server(handle)
    with HttpClient(settings, policy=loopback_policy(max_response_bytes=MIB)) as client:
        with pytest.raises(ResponseTooLargeError):
            client.get(server.url)


def test_size_cap_declared_length(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"y" * (MIB + 1))
    with HttpClient(settings, policy=loopback_policy(max_response_bytes=MIB)) as client:
        with pytest.raises(ResponseTooLargeError):
            client.get(httpserver.url_for("/big"))


def test_size_cap_gzip_bomb(settings: Settings, httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * (64 * MIB), compresslevel=9)
    assert len(bomb) < MIB
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with HttpClient(settings, policy=loopback_policy(max_response_bytes=4 * MIB)) as client:
        with pytest.raises(ResponseTooLargeError):
            client.get(httpserver.url_for("/bomb"))


@pytest.mark.parametrize("encoding, compress", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),
])
def test_compressed_body_decoded(settings: Settings, httpserver: HTTPServer, encoding, compress) -> None:
    payload = b'{"dataset": []}' * 1000
    httpserver.expect_request("/z").respond_with_data(compress(payload), headers={"Content-Encoding": encoding})
    with HttpClient(settings, policy=loopback_policy()) as client:
        assert client.get(httpserver.url_for("/z")).content == payload


def test_total_deadline_on_trickle(settings: Settings, raw_server) -> None:
    def handle(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(100):
            connection.sendall(b"x")
            time.sleep(0.05)

    server = raw_server(handle)
    policy = loopback_policy(total_deadline=0.5, max_retries=0)
    started = time.monotonic()
    with HttpClient(settings, policy=policy) as client:
        with pytest.raises(FetchError) as caught:
            client.get(server.url)

    assert caught.value.code == "deadline-exceeded"
    assert time.monotonic() - started < 1.5


def test_deadline_when_server_stalls(settings: Settings, raw_server) -> None:
    def handle(connection: socket.socket) -> None:
        time.sleep(1.5)

    server = raw_server(handle)
    policy = loopback_policy(total_deadline=0.4, read_timeout=30, max_retries=0)
    started = time.monotonic()
    with HttpClient(settings, policy=policy) as client:
        with pytest.raises(FetchError) as caught:
            client.get(server.url)

    assert caught.value.code == "deadline-exceeded"
    assert time.monotonic() - started < 1.0


def test_read_timeout_code(settings: Settings, raw_server) -> None:
    server = raw_server(lambda connection: time.sleep(1.0))
    policy = loopback_policy(read_timeout=0.2, max_retries=0)
    with HttpClient(settings, policy=policy) as client:
        with pytest.raises(FetchError) as caught:
            client.get(server.url)
    assert caught.value.code == "read-timeout"


def test_retry_after_honoured_on_503(settings: Settings, httpserver: HTTPServer) -> None:
    times: list[float] = []

    def handler(request: Request) -> Response:
        times.append(time.monotonic())
        if len(times) == 1:
            return Response("busy", status=503, headers={"Retry-After": "1"})
        return Response('{"ok": 1}', content_type="application/json")

    httpserver.expect_request("/busy").respond_with_handler(handler)
    with HttpClient(settings, policy=loopback_policy()) as client:
        assert client.get_json(httpserver.url_for("/busy")) == {"ok": 1}

    assert len(times) == 2
    assert times[1] - times[0] >= 0.95


def test_retry_after_capped(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/slow").respond_with_data("wait", status=429, headers={"Retry-After": "600"})
    httpserver.expect_ordered_request("/slow").respond_with_data("done")
    started = time.monotonic()
    with HttpClient(settings, policy=loopback_policy(retry_after_cap=0.2)) as client:
        assert client.get(httpserver.url_for("/slow")).text == "done"
    assert 0.2 <= time.monotonic() - started < 1.0


def test_server_error_after_retries(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    with HttpClient(settings, policy=loopback_policy(max_retries=3)) as client:
        with pytest.raises(HttpStatusError) as caught:
            client.get(httpserver.url_for("/down"))

    assert caught.value.code == "http-500"
    assert caught.value.response.text == "oops"
    assert len(httpserver.log) == 4


def test_client_error_not_retried(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    with HttpClient(settings, policy=loopback_policy()) as client:
        with pytest.raises(HttpStatusError) as caught:
            client.get(httpserver.url_for("/missing"))
    assert caught.value.status == 404
    assert len(httpserver.log) == 1


def test_connection_refused_retried(settings: Settings) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with HttpClient(settings, policy=loopback_policy(max_retries=2)) as client:
        with pytest.raises(FetchError) as caught:
            client.get(f"http://127.0.0.1:{port}/")
    assert caught.value.code == "connect-failed"


def test_redirect_to_blocked_port(settings: Settings, httpserver: HTTPServer, second_server: HTTPServer) -> None:
    second_server.expect_request("/internal").respond_with_data("canary")
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": second_server.url_for("/internal")})
    policy = loopback_policy(allowlist=(f"127.0.0.1:{httpserver.port}",))
    with HttpClient(settings, policy=policy) as client:
        with pytest.raises(BlockedAddressError) as caught:
            client.get(httpserver.url_for("/start"))

    assert caught.value.code == "redirect-blocked"
    assert len(second_server.log) == 0


@pytest.mark.parametrize("location", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"])
def test_redirect_to_forbidden_target(settings: Settings, httpserver: HTTPServer, location: str) -> None:
    httpserver.expect_request("/start").respond_with_data("", status=301, headers={"Location": location})
    with HttpClient(settings, policy=loopback_policy()) as client:
        with pytest.raises(BlockedAddressError) as caught:
            client.get(httpserver.url_for("/start"))
    assert caught.value.code == "redirect-blocked"


def test_too_many_redirects(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with HttpClient(settings, policy=loopback_policy()) as client:
        with pytest.raises(FetchError) as caught:
            client.get(httpserver.url_for("/loop"))
    assert caught.value.code == "too-many-redirects"
    assert len(httpserver.log) == 6


def test_credentials_dropped_cross_origin(settings: Settings, httpserver: HTTPServer,
                                          second_server: HTTPServer) -> None:
    second_server.expect_request("/landing").respond_with_data("other origin")
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": second_server.url_for("/landing")})
    secrets = {"Authorization": "Bearer canary-token", "X-API-Key": "canary-key", "Cookie": "session=canary"}
    with HttpClient(settings, policy=loopback_policy()) as client:
        assert client.get(httpserver.url_for("/start"), headers=secrets).text == "other origin"

    first, _ = httpserver.log[0]
    second, _ = second_server.log[0]
    assert first.headers["Authorization"] == "Bearer canary-token"
    assert "Authorization" not in second.headers
    assert "X-API-Key" not in second.headers
    assert "Cookie" not in second.headers


def test_credentials_kept_same_origin(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("moved")
    with HttpClient(settings, policy=loopback_policy()) as client:
        response = client.get(httpserver.url_for("/old"), headers={"X-API-Key": "k"})

    assert response.text == "moved"
    assert response.history == [httpserver.url_for("/old")]
    second, _ = httpserver.log[1]
    assert second.headers["X-API-Key"] == "k"


def test_environment_proxy_ignored(settings: Settings, httpserver: HTTPServer, raw_server,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = raw_server(lambda connection: connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\n\r\n"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    httpserver.expect_request("/direct").respond_with_data("direct")

    with HttpClient(settings, policy=loopback_policy()) as client:
        assert client.get(httpserver.url_for("/direct")).text == "direct"
    assert proxy.connections == 0


def test_min_delay_between_requests(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("ok")
    with HttpClient(settings, policy=loopback_policy(min_delay_per_host=0.3)) as client:
        started = time.monotonic()
        client.get(httpserver.url_for("/p"))
        client.get(httpserver.url_for("/p"))
    assert time.monotonic() - started >= 0.3


def test_one_request_in_flight_per_host(settings: Settings) -> None:
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return Response("ok")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/slow").respond_with_handler(handler)
    server.start()
    try:
        with HttpClient(settings, policy=loopback_policy(max_in_flight_per_host=1)) as client:
            threads = [threading.Thread(target=client.get, args=(server.url_for("/slow"),)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        server.stop()
    assert state["max"] == 1


def test_text_rejects_wrong_charset(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/t").respond_with_data(b"caf\xe9", content_type="text/plain; charset=utf-8")
    httpserver.expect_request("/w").respond_with_data(b"caf\xe9", content_type="text/plain; charset=windows-1252")
    with HttpClient(settings, policy=loopback_policy()) as client:
        with pytest.raises(RemoteError):
            _ = client.get(httpserver.url_for("/t")).text
        assert client.get(httpserver.url_for("/w")).text == "café"


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


def test_redact_url_hides_secrets() -> None:
    redacted = redact_url("https://user:pass@bps.invalid/v1/list?key=abc123&page=2")
    assert "abc123" not in redacted
    assert "pass" not in redacted
    assert "page=2" in redacted
