"""Source checks of the admin API: blocked URLs with zero connections, options, limits, schedules."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.admin.source_checks import shortest_cron_gap
from tests.admin.conftest import WALIDATA_A, AdminEnv, ConnectRecorder, Portal, build_env, scripted_resolver


def source(url: str, **extra: object) -> dict[str, object]:
    return {"id": "sumber-baru", "name": "Sumber baru", "family": "dcat-us", "url": url,
            "walidata": WALIDATA_A, **extra}


def blocked_urls(canary: Portal) -> list[tuple[str, str]]:
    return [
        (f"http://127.0.0.1:{canary.port}/", "blocked-address"),
        (f"http://[::1]:{canary.port}/", "blocked-address"),
        ("http://169.254.169.254/latest/meta-data/", "blocked-address"),
        ("http://10.0.0.1/", "blocked-address"),
        ("http://internal.invalid/", "blocked-address"),
        ("http://mapped.invalid/", "blocked-address"),
        ("http://nat64.invalid/", "blocked-address"),
        ("http://sixtofour.invalid/", "blocked-address"),
        (f"http://localhost:{canary.port}/", "blocked-address"),
        ("file:///etc/passwd", "scheme-not-allowed"),
        ("gopher://127.0.0.1:70/", "scheme-not-allowed"),
        ("ftp://data.invalid/", "scheme-not-allowed"),
    ]


def test_blocked_urls_rejected_without_connecting(env: AdminEnv, canary: Portal) -> None:
    env.app.state.egress_resolver = scripted_resolver({
        "internal.invalid": ["10.0.0.5"],
        "mapped.invalid": ["::ffff:7f00:1"],
        "nat64.invalid": ["64:ff9b::a9fe:a9fe"],
        "sixtofour.invalid": ["2002:7f00:1::"],
        "localhost": ["127.0.0.1"],
    })
    client = env.client()

    with ConnectRecorder.recording() as connects:
        for url, code in blocked_urls(canary):
            for role in ("admin", "operator"):
                response = client.post("/admin/api/sources", headers=env.headers(role), json=source(url))
                assert response.status_code == 422, (url, role)
                assert response.json()["error"]["code"] == code, (url, role)

    assert connects == []
    assert canary.hits == []
    assert client.get("/admin/api/sources/sumber-baru", headers=env.headers("admin")).status_code == 404


def test_userinfo_url_rejected_with_hint(env: AdminEnv) -> None:
    secret = "RAHASIA-KANARI-91"
    url = f"http://pengguna:{secret}@127.0.0.1:{env.portal.port}/data.json"

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"), json=source(url))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "credentials-in-url"
    assert "key_env" in response.json()["error"]["message_en"]
    assert secret not in response.text


def test_unknown_region_rejected(env: AdminEnv) -> None:
    url = f"{env.portal.url}/data.json"

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"),
                                 json=source(url, region="99.99"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-region"
    assert "'99.99'" in response.json()["error"]["message_en"]


def test_undotted_region_stored_dotted(env: AdminEnv) -> None:
    url = f"{env.portal.url}/data.json"

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"),
                                 json=source(url, region="1809"))

    assert response.status_code == 201
    assert response.json()["source"]["region"] == "18.09"


def test_allowlisted_portal_accepted(env: AdminEnv) -> None:
    url = f"{env.portal.url}/data.json"

    response = env.client().post("/admin/api/sources", headers=env.headers("operator"), json=source(url))

    assert response.status_code == 201
    assert response.json()["source"]["url"] == url
    assert env.portal.hits == []


def test_operator_cannot_set_allowlist(env: AdminEnv, canary: Portal) -> None:
    body = source(f"http://127.0.0.1:{canary.port}/",
                  options={"http": {"allowlist": [f"127.0.0.1:{canary.port}"]}})

    response = env.client().post("/admin/api/sources", headers=env.headers("operator"), json=body)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "allowlist-admin-only"


def test_operator_cannot_use_other_walidata(env: AdminEnv) -> None:
    body = source(f"{env.portal.url}/data.json", walidata="kota-lain")

    response = env.client().post("/admin/api/sources", headers=env.headers("operator"), json=body)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "walidata-not-allowed"


def test_invalid_options_rejected(env: AdminEnv) -> None:
    body = source(f"{env.portal.url}/data.json", options={"publisher_role": "bupati"})

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"), json=body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-options"


def test_unknown_family_rejected(env: AdminEnv) -> None:
    body = source(f"{env.portal.url}/data.json", family="tidak-ada")

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"), json=body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-options"


@pytest.mark.parametrize("schedule", [{"interval_minutes": 5}, {"cron": "* * * * *"}, {"cron": "0,5 3 * * *"}])
def test_frequent_schedule_rejected(env: AdminEnv, schedule: dict[str, object]) -> None:
    body = source(f"{env.portal.url}/data.json", schedule=schedule)

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"), json=body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "schedule-too-frequent"


def test_daily_schedule_accepted(env: AdminEnv) -> None:
    body = source(f"{env.portal.url}/data.json", schedule={"cron": "30 2 * * *"})

    response = env.client().post("/admin/api/sources", headers=env.headers("admin"), json=body)

    assert response.status_code == 201


def test_cron_gap() -> None:
    assert shortest_cron_gap("*/20 * * * *").total_seconds() == 20 * 60
    assert shortest_cron_gap("0,1 3 * * *").total_seconds() == 60


def test_sources_per_walidata_limited(tmp_path: Path, sqlite_database: str, portal: Portal) -> None:
    env = build_env(tmp_path, sqlite_database, portal, max_sources_per_walidata=3)
    client = env.client()
    statuses = []
    for number in range(4):
        body = source(f"{portal.url}/data.json", id=f"sumber-{number}x")
        statuses.append(client.post("/admin/api/sources", headers=env.headers("operator"), json=body).status_code)
    env.services.close()

    # sumber-a already counts for this Walidata, so two more fit.
    assert statuses == [201, 201, 422, 422]


def test_update_and_delete_source(env: AdminEnv) -> None:
    client = env.client()
    url = f"{env.portal.url}/data.json"
    assert client.post("/admin/api/sources", headers=env.headers("operator"), json=source(url)).status_code == 201

    updated = client.put("/admin/api/sources/sumber-baru", headers=env.headers("operator"),
                         json=source(url, name="Nama baru", enabled=False))
    assert updated.status_code == 200
    assert updated.json()["source"]["name"] == "Nama baru"
    assert updated.json()["source"]["enabled"] is False

    assert client.delete("/admin/api/sources/sumber-baru", headers=env.headers("operator")).status_code == 204
    assert client.get("/admin/api/sources/sumber-baru", headers=env.headers("operator")).status_code == 404


def test_credential_options_redacted(env: AdminEnv) -> None:
    body = {"id": "bps-uji", "name": "BPS", "family": "bps", "url": f"{env.portal.url}/api",
            "walidata": WALIDATA_A, "options": {"domain": "1809", "key": "KUNCI-RAHASIA-55"}}

    created = env.client().post("/admin/api/sources", headers=env.headers("admin"), json=body)
    read = env.client().get("/admin/api/sources/bps-uji", headers=env.headers("admin"))

    assert created.status_code == 201
    assert "KUNCI-RAHASIA-55" not in created.text
    assert "KUNCI-RAHASIA-55" not in read.text
    assert read.json()["source"]["options"]["key"] == "***"


def test_connect_recorder_sees_connects(canary: Portal) -> None:
    import urllib.request

    with ConnectRecorder.recording() as connects:
        urllib.request.urlopen(f"{canary.url}/", timeout=5).read()

    assert ("127.0.0.1", canary.port) in connects
    assert canary.hits == ["/"]
