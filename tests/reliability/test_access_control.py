"""Access control and abuse of the public API: rate limits per client and request caps.

The admin API rows (tokens, roles, agencies, throttled wrong tokens,
credential redaction, URL userinfo, source limits) are asserted in
tests/admin; docs/reliability.md names each test.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from harvester.services import Services
from server.app import create_app

ABUSER = ("127.0.0.2", 40001)
NEIGHBOUR = ("127.0.0.3", 40002)


@pytest.fixture
def limited_app(services: Services):  # noqa: ANN201 - the ASGI app
    services.settings.public_rate_limit_per_minute = 60
    services.settings.public_rate_limit_burst = 10
    return create_app(services)


def test_abusive_client_gets_429_with_retry_after(limited_app) -> None:  # noqa: ANN001
    abuser = TestClient(limited_app, client=ABUSER)
    statuses = [abuser.get("/api/search", params={"q": "penduduk"}) for _ in range(60)]

    limited = [response for response in statuses if response.status_code == 429]
    assert len(limited) >= 45
    assert all(int(response.headers["retry-after"]) >= 1 for response in limited)
    assert limited[0].json()["error"]["code"] == "rate-limited"


def test_other_client_unaffected_by_abuser(limited_app) -> None:  # noqa: ANN001
    abuser = TestClient(limited_app, client=ABUSER)
    for _ in range(60):
        abuser.get("/api/search")
    neighbour = TestClient(limited_app, client=NEIGHBOUR)

    assert [neighbour.get("/api/search").status_code for _ in range(5)] == [200] * 5


@pytest.mark.parametrize("params, field", [
    ({"rows": "100000"}, "rows"),
    ({"q": "a" * 10_000}, "q"),
    ({"page": str(10**6)}, "page"),
])
def test_search_caps_are_422(services: Services, params: dict[str, str], field: str) -> None:
    client = TestClient(create_app(services))
    response = client.get("/api/search", params=params)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
