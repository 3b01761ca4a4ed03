"""Fixtures for the CKAN, data.go.id and DCAT-US connector tests: simulators and clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connectors import connector_class
from connectors.base import Connector
from demo.portals import PortalConfig, serve_portals
from harvester.http import HttpClient, HttpPolicy
from harvester.settings import Settings
from harvester.sources import SourceConfig

ConnectorFactory = Callable[..., Connector]


@pytest.fixture
def portal_connector() -> Iterator[Callable[..., Connector]]:
    """Serve portals on 127.0.0.1 and build a connector for one of them.

    Call it with the portal config, the family, the path below the base URL,
    and optional `options`, `walidata`, `since` and policy changes.
    """
    stack: list[Any] = []

    def build(config: PortalConfig, family: str, path: str, *, options: dict[str, Any] | None = None,
              walidata: str | None = None, since: Any = None, **policy_changes: Any) -> Connector:
        server = serve_portals(config)
        base_url = server.__enter__()
        stack.append(server)
        policy_values: dict[str, Any] = {"allowlist": ("127.0.0.1/32",), "min_delay_per_host": 0.0,
                                         "backoff_base": 0.0}
        policy_values.update(policy_changes)
        client = HttpClient(Settings(), policy=HttpPolicy(**policy_values))
        stack.append(client)
        source = SourceConfig(id=f"test-{family}", name=f"Test {family}", family=family,
                              url=f"{base_url}{path}", walidata=walidata, options=options or {})
        return connector_class(family)(source, client, since=since)

    yield build
    for item in reversed(stack):
        if isinstance(item, HttpClient):
            item.close()
        else:
            item.__exit__(None, None, None)
