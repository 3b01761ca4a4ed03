"""Fixtures for the HTTP client tests: loopback servers, a connect jail and fast policies."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from harvester.http import HttpPolicy
from harvester.settings import Settings
from tests.reliability.harness import FaultServer

LOOPBACK = ("127.0.0.1", "::1")

_jail = {"active": False, "rejected": []}


def _connect_jail(event: str, args: tuple[Any, ...]) -> None:
    """Reject any socket connect outside loopback while a test in this folder runs."""
    if not _jail["active"] or event != "socket.connect":
        return
    address = args[1]
    if isinstance(address, tuple) and address and address[0] not in LOOPBACK:
        _jail["rejected"].append(address)
        raise ConnectionRefusedError(f"test jail: connect to {address[0]} is not allowed")


sys.addaudithook(_connect_jail)


@pytest.fixture(autouse=True)
def connect_jail() -> Iterator[list[Any]]:
    """Fail any test whose code tried to connect outside loopback."""
    _jail["active"] = True
    _jail["rejected"] = []
    try:
        yield _jail["rejected"]
    finally:
        _jail["active"] = False
    assert _jail["rejected"] == [], f"connects outside loopback were attempted: {_jail['rejected']}"


@pytest.fixture
def settings() -> Settings:
    return Settings(contact_url="https://example.invalid/contact")


def loopback_policy(**changes: Any) -> HttpPolicy:
    """A policy for tests: loopback allowed, no politeness delay, no backoff wait."""
    values: dict[str, Any] = {"allowlist": ("127.0.0.1/32",), "min_delay_per_host": 0.0, "backoff_base": 0.0}
    values.update(changes)
    return HttpPolicy(**values)


@pytest.fixture
def second_server() -> Iterator[HTTPServer]:
    """Another scripted server on its own port, which makes it a different origin."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], FaultServer]]:
    """Start raw-socket servers for malformed or slow HTTP; each is closed after the test."""
    servers: list[FaultServer] = []

    def start(handle: Callable[[socket.socket], None]) -> FaultServer:
        server = FaultServer(handle)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
