"""Egress: harvest jobs never connect to blocked addresses, through names, redirects or proxies.

Every test runs under the connect jail, which rejects and records any
connect outside loopback, and the production policy (no allowlist) or an
allowlist of exactly one mock port. Blocked targets are scripted resolver
answers, so no test needs DNS. When `unshare -n` works, the module runs a
second time in a child inside an empty network namespace, where only `lo`
exists and a regression cannot send a packet off the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from harvester.errors import FetchError
from harvester.http import HttpClient, HttpPolicy
from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.services import Services
from harvester.settings import Settings
from tests.conftest import REPOSITORY_ROOT
from tests.reliability.conftest import ckan_source
from tests.reliability.harness import ConnectJail, FaultServer, network_namespace_command, scripted_resolver

NAMESPACE_VARIABLE = "HIMPUN_TEST_IN_NETWORK_NAMESPACE"
BLOCKED_ANSWERS = ("10.0.0.5", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "169.254.169.254",
                   "172.16.0.9", "192.168.1.20", "fd00::1", "::1", "127.0.0.1")


def production_policy(**changes: object) -> HttpPolicy:
    """The default policy with no allowlist, without the politeness wait and retry backoff."""
    values: dict[str, object] = {"min_delay_per_host": 0.0, "backoff_base": 0.0, "connect_timeout": 2.0,
                                 "read_timeout": 2.0, "total_deadline": 5.0}
    values.update(changes)
    return HttpPolicy(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("address", BLOCKED_ANSWERS)
def test_name_resolving_to_blocked_address_fails_job(services: Services, connect_jail: ConnectJail,
                                                    address: str) -> None:
    source = ckan_source("http://internal.test/ckan")
    resolver = scripted_resolver({"internal.test": [[address]]})
    with HttpClient(services.settings, source=source, resolver=resolver, policy=production_policy()) as http:
        report = run_harvest(services, source, http=http)

    assert report.state is JobState.FAILED
    assert [error.code for error in report.errors] == ["blocked-address"]
    assert connect_jail.connects == []


@pytest.mark.parametrize("url, code", [
    ("file:///etc/passwd", "scheme-not-allowed"),
    ("gopher://127.0.0.1:70/_x", "scheme-not-allowed"),
    ("http://127.0.0.1:9/ckan", "blocked-address"),
    ("http://[::1]:9/ckan", "blocked-address"),
])
def test_blocked_source_url_fails_without_connect(services: Services, connect_jail: ConnectJail, url: str,
                                                  code: str) -> None:
    source = ckan_source(url)
    with HttpClient(services.settings, source=source, policy=production_policy()) as http:
        report = run_harvest(services, source, http=http)

    assert report.state is JobState.FAILED
    assert [error.code for error in report.errors] == [code]
    assert connect_jail.connects == []


def test_rebinding_never_reaches_internal_port(second_internal: HTTPServer, connect_jail: ConnectJail) -> None:
    internal_port = second_internal.port
    second_internal.expect_request("/").respond_with_data("rahasia")
    # The first resolution is allowed and passes the pre-check. The connect-time resolution is the internal host.
    resolver = scripted_resolver({"portal.test": [["127.0.0.2"], ["127.0.0.1"]]})
    policy = production_policy(allowlist=("127.0.0.2/32",), max_retries=0)
    with HttpClient(services_settings(), resolver=resolver, policy=policy) as http:
        with pytest.raises(FetchError) as raised:
            http.get(f"http://portal.test:{internal_port}/")

    assert raised.value.code == "blocked-address"
    assert connect_jail.connects_to(internal_port) == 0
    assert second_internal.log == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "file:///etc/passwd",
    "http://[::ffff:a9fe:a9fe]/",
])
def test_redirect_to_metadata_address_blocked(httpserver: HTTPServer, connect_jail: ConnectJail, status: int,
                                              target: str) -> None:
    httpserver.expect_request("/ckan/api/3/action/package_search").respond_with_data(
        "", status=status, headers={"Location": target})
    policy = production_policy(allowlist=(f"127.0.0.1:{httpserver.port}",))
    with HttpClient(services_settings(), policy=policy) as http:
        with pytest.raises(FetchError) as raised:
            http.get(httpserver.url_for("/ckan/api/3/action/package_search"))

    assert raised.value.code == "redirect-blocked"
    assert {port for _, port in connect_jail.connects} == {httpserver.port}


def test_redirect_to_other_loopback_port_fails_job(services: Services, httpserver: HTTPServer,
                                                   second_internal: HTTPServer, connect_jail: ConnectJail) -> None:
    internal = second_internal.url_for("/api/3/action/package_search")
    httpserver.expect_request("/ckan/api/3/action/package_search").respond_with_data(
        "", status=302, headers={"Location": internal})
    source = ckan_source(httpserver.url_for("/ckan"))
    policy = production_policy(allowlist=(f"127.0.0.1:{httpserver.port}",))
    with HttpClient(services.settings, source=source, policy=policy) as http:
        report = run_harvest(services, source, http=http)

    assert report.state is JobState.FAILED
    assert [error.code for error in report.errors] == ["redirect-blocked"]
    assert report.counts.withdrawn == 0
    assert connect_jail.connects_to(second_internal.port) == 0
    assert second_internal.log == []


def test_environment_proxy_ignored_in_child(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/status").respond_with_json({"ok": True})
    proxy = FaultServer(None)
    script = textwrap.dedent(f"""
        from harvester.http import HttpClient, HttpPolicy
        from harvester.settings import Settings
        policy = HttpPolicy(allowlist=("127.0.0.1:{httpserver.port}",), min_delay_per_host=0.0)
        with HttpClient(Settings(), policy=policy) as http:
            print(http.get_json("{httpserver.url_for('/status')}"))
    """)
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    environment = {**os.environ, "HTTP_PROXY": proxy_url, "HTTPS_PROXY": proxy_url, "ALL_PROXY": proxy_url,
                   "http_proxy": proxy_url, "all_proxy": proxy_url, "NO_PROXY": ""}
    try:
        child = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY_ROOT, env=environment,
                               capture_output=True, text=True, timeout=60)
    finally:
        proxy.close()

    assert child.returncode == 0, child.stderr
    assert "'ok': True" in child.stdout
    assert proxy.connections == 0
    assert len(httpserver.log) == 1


def test_module_passes_in_network_namespace() -> None:
    if os.environ.get(NAMESPACE_VARIABLE):
        return
    prefix = network_namespace_command()
    if prefix is None:
        pytest.fail("unshare -n is not available: the egress rows must run inside an empty network namespace")

    command = (f"ip link set lo up && {NAMESPACE_VARIABLE}=1 exec {sys.executable} -m pytest -q -p no:cacheprovider "
               f"tests/reliability/test_egress.py -k 'not namespace'")
    child = subprocess.run([*prefix, command], cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=300)

    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-2000:]
    assert " passed" in child.stdout


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture
def second_internal() -> Iterator[HTTPServer]:
    """An "internal" server on another loopback port, which the policy never allows."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def services_settings() -> Settings:
    return Settings(contact_url="https://example.invalid/kontak")
