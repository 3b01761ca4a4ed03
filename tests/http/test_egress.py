"""The egress guard: address classes, allowlists, blocked hosts and DNS rebinding."""

from __future__ import annotations

import ipaddress

import pytest
from pytest_httpserver import HTTPServer

from harvester.egress import EgressGuard, is_public_address, parse_allowlist
from harvester.errors import BlockedAddressError
from harvester.http import HttpClient, HttpPolicy
from harvester.settings import Settings

BLOCKED_ADDRESSES = [
    "127.0.0.1",
    "10.0.0.5",
    "169.254.169.254",
    "192.168.1.10",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.5",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::7f00:1",
    "64:ff9b:1::a00:5",
    "2002:7f00:1::",
    "2002:a9fe:a9fe::",
    "::127.0.0.1",
    "224.0.0.1",
]

# Scripted as resolver answers only; the connect jail keeps any socket off them.
PUBLIC_ADDRESSES = ["8.8.8.8", "2001:4860:4860::8888", "2002:808:808::", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", BLOCKED_ADDRESSES)
def test_address_blocked(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_address_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is True


def test_allowlist_network_and_host_port() -> None:
    guard = EgressGuard(["127.0.0.1/32", "[::1]:8080", "portal.invalid:9000"], resolver=lambda host, port: ["10.1.1.1"])

    assert guard.resolve_checked("127.0.0.1", 5000) == ["127.0.0.1"]
    assert guard.resolve_checked("::1", 8080) == ["::1"]
    assert guard.resolve_checked("portal.invalid", 9000) == ["10.1.1.1"]
    with pytest.raises(BlockedAddressError):
        guard.resolve_checked("::1", 8081)
    with pytest.raises(BlockedAddressError):
        guard.resolve_checked("portal.invalid", 9001)


def test_allowlist_rejects_bad_entry() -> None:
    with pytest.raises(ValueError, match="invalid egress allowlist entry"):
        parse_allowlist(["not-an-entry"])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://portal.invalid/", "ftp://portal.invalid/x"])
def test_scheme_not_allowed(settings: Settings, url: str) -> None:
    with HttpClient(settings, resolver=lambda host, port: ["8.8.8.8"]) as client:
        with pytest.raises(BlockedAddressError) as caught:
            client.get(url)
    assert caught.value.code == "scheme-not-allowed"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "::ffff:127.0.0.1",
                                     "64:ff9b::a9fe:a9fe", "2002:7f00:1::"])
def test_resolved_host_blocked(settings: Settings, httpserver: HTTPServer, address: str) -> None:
    httpserver.expect_request("/").respond_with_data("canary")
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return [address]

    with HttpClient(settings, resolver=resolver, policy=HttpPolicy(min_delay_per_host=0)) as client:
        with pytest.raises(BlockedAddressError) as caught:
            client.get(f"http://internal.invalid:{httpserver.port}/")

    assert caught.value.code == "blocked-address"
    assert calls == ["internal.invalid"]
    assert len(httpserver.log) == 0


def test_any_blocked_answer_rejects(settings: Settings) -> None:
    resolver = lambda host, port: ["8.8.8.8", "127.0.0.1"]  # noqa: E731
    with HttpClient(settings, resolver=resolver) as client:
        with pytest.raises(BlockedAddressError):
            client.get("http://mixed.invalid/")


def test_loopback_literal_blocked(settings: Settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("canary")
    with HttpClient(settings) as client:
        with pytest.raises(BlockedAddressError):
            client.get(httpserver.url_for("/"))
    assert len(httpserver.log) == 0


def test_rebinding_refused_at_connect(settings: Settings, httpserver: HTTPServer) -> None:
    """The first answer passes the early check; the connect-time answer is loopback and is refused."""
    httpserver.expect_request("/").respond_with_data("canary")
    answers = [["8.8.8.8"]]

    def resolver(host: str, port: int) -> list[str]:
        return answers.pop(0) if answers else ["127.0.0.1"]

    policy = HttpPolicy(min_delay_per_host=0, max_retries=0)
    with HttpClient(settings, resolver=resolver, policy=policy) as client:
        with pytest.raises(BlockedAddressError) as caught:
            client.get(f"http://rebind.invalid:{httpserver.port}/")

    assert caught.value.code == "blocked-address"
    assert answers == []
    assert len(httpserver.log) == 0


def test_connects_to_checked_address(settings: Settings, httpserver: HTTPServer) -> None:
    """Host name in the URL, socket to the resolved address, Host header kept."""
    httpserver.expect_request("/page").respond_with_data("ok")
    policy = HttpPolicy(min_delay_per_host=0, allowlist=(f"127.0.0.1:{httpserver.port}",))
    with HttpClient(settings, resolver=lambda host, port: ["127.0.0.1"], policy=policy) as client:
        response = client.get(f"http://portal.invalid:{httpserver.port}/page")

    assert response.text == "ok"
    request, _ = httpserver.log[0]
    assert request.headers["Host"] == f"portal.invalid:{httpserver.port}"
