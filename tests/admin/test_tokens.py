"""Tokens shown once and stored hashed, the audit log, and the failed-authentication throttle."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from server.admin.throttle import FailureThrottle
from server.admin.tokens import hash_token
from tests.admin.conftest import AdminEnv, Portal, build_env


def test_token_shown_once_and_stored_hashed(env: AdminEnv, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = env.client()

    created = client.post("/admin/api/tokens", headers=env.headers("admin"),
                          json={"name": "baru@uji", "role": "operator", "walidata": ["kota-metro"]})
    raw = created.json()["token"]
    assert client.get("/admin/api/whoami", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    listed = client.get("/admin/api/tokens", headers=env.headers("admin"))
    audit = client.get("/admin/api/audit", headers=env.headers("admin"))
    env.services.store.close()

    assert created.status_code == 201
    assert raw.startswith("himpun_")
    assert len(raw) > 40
    assert raw not in listed.text
    assert raw not in audit.text
    assert raw not in caplog.text
    database = b"".join(path.read_bytes() for path in tmp_path.glob("himpun.sqlite3*"))
    assert raw.encode() not in database
    assert hash_token(raw).encode() in database


def test_operator_token_needs_walidata(env: AdminEnv) -> None:
    response = env.client().post("/admin/api/tokens", headers=env.headers("admin"),
                                 json={"name": "x@uji", "role": "operator"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "walidata-required"


def test_writes_are_audited(env: AdminEnv) -> None:
    client = env.client(address="198.51.100.7")
    created = client.post("/admin/api/tokens", headers=env.headers("admin"), json={"name": "a@uji", "role": "viewer"})
    client.delete(f"/admin/api/tokens/{created.json()['id']}", headers=env.headers("admin"))
    client.put("/admin/api/sources/sumber-a", headers=env.headers("operator"),
               json={"id": "sumber-a", "name": "Ganti", "family": "fake", "url": "https://uji.invalid/",
                     "walidata": "kabupaten-pesawaran"})

    entries = client.get("/admin/api/audit", headers=env.headers("admin")).json()

    actions = [(entry["action"], entry["target"], entry["outcome"]) for entry in entries]
    assert ("token.create", f"token:{created.json()['id']}", "ok") in actions
    assert ("token.revoke", f"token:{created.json()['id']}", "ok") in actions
    # The URL check fails on the unresolvable name, and the failure is audited too.
    assert ("source.update", "source:sumber-a", "failed") in actions
    first = entries[-1]
    assert first["actor"].startswith("token:")
    assert first["actor"].endswith(":admin@uji")
    assert first["client"] == "198.51.100.7"
    assert first["at"]


def test_failed_auth_throttled_per_client(tmp_path: Path, sqlite_database: str, portal: Portal) -> None:
    env = build_env(tmp_path, sqlite_database, portal, admin_auth_max_failures=5)
    abuser = env.client(address="203.0.113.9")
    bystander = env.client(address="203.0.113.10")

    statuses = [abuser.get("/admin/api/whoami", headers={"Authorization": f"Bearer himpun_salah{n}"}).status_code
                for n in range(8)]
    throttled = abuser.get("/admin/api/whoami", headers={"Authorization": "Bearer himpun_salah"})
    legitimate_same_client = abuser.get("/admin/api/whoami", headers=env.headers("admin"))
    bystander_wrong = bystander.get("/admin/api/whoami", headers={"Authorization": "Bearer himpun_salah"})
    bystander_right = bystander.get("/admin/api/whoami", headers=env.headers("viewer"))
    env.services.close()

    assert statuses == [401] * 5 + [429] * 3
    assert throttled.json()["error"]["code"] == "too-many-failures"
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert legitimate_same_client.status_code == 200
    assert bystander_wrong.status_code == 401
    assert bystander_right.status_code == 200


def test_throttle_window_slides() -> None:
    now = [0.0]
    throttle = FailureThrottle(2, clock=lambda: now[0])
    throttle.record_failure("a")
    now[0] = 30.0
    throttle.record_failure("a")

    assert throttle.retry_after("a") == 30
    now[0] = 60.5
    assert throttle.retry_after("a") is None
