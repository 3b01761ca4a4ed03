"""Public API rate limit: an abusive client gets 429 with Retry-After, others are still served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harvester.harmonize import Harmonizer
from harvester.services import Services
from harvester.settings import Settings
from harvester.store import Store
from index.embedded import EmbeddedIndex
from server.app import create_app
from server.ratelimit import TokenBuckets


@pytest.fixture
def app(tmp_path: Path, sqlite_database: str) -> Iterator[object]:
    store = Store(sqlite_database)
    store.migrate()
    settings = Settings(data_dir=tmp_path, database_url=sqlite_database, public_rate_limit_per_minute=60,
                        public_rate_limit_burst=5)
    services = Services(settings=settings, store=store, index=EmbeddedIndex(settings.index_dir),
                        harmonizer=Harmonizer())
    yield create_app(services)
    services.close()


def client(app: object, address: str) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8000", client=(address, 40000))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", ["/api/search?q=penduduk", "/api/suggest?q=pen",
                                  "/api/3/action/package_search?q=penduduk", "/catalog.jsonld"])
def test_abuser_limited_other_client_served(app: object, path: str) -> None:
    abuser = client(app, "203.0.113.50")
    normal = client(app, "203.0.113.51")

    statuses = [abuser.get(path).status_code for _ in range(8)]
    limited = abuser.get(path)
    served = normal.get(path)

    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate-limited"
    assert served.status_code == 200


def test_admin_health_and_metrics_exempt(app: object) -> None:
    abuser = client(app, "203.0.113.60")
    for _ in range(6):
        abuser.get("/api/search")

    assert abuser.get("/api/search").status_code == 429
    assert abuser.get("/health").status_code == 200
    assert abuser.get("/health/ready").status_code == 200
    assert abuser.get("/metrics").status_code == 200
    assert abuser.get("/admin/api/whoami").status_code == 401


def test_bucket_refills() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=2, clock=lambda: now[0])

    assert buckets.take("a") is None
    assert buckets.take("a") is None
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert buckets.take("a") is None
    assert buckets.take("b") is None
