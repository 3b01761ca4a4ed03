"""Every admin route against every kind of credential and role."""

from __future__ import annotations

import pytest

from server.admin.audit import list_audit
from server.admin.tokens import list_tokens, revoke_token
from tests.admin.conftest import WALIDATA_A, AdminEnv

NEW_SOURCE = {"id": "sumber-baru", "name": "Baru", "family": "fake", "url": "http://127.0.0.1:1/",
              "walidata": WALIDATA_A}

# (method, path, access): access is "read", "write" or "admin".
ROUTES = [
    ("GET", "/admin/api/whoami", "read"),
    ("GET", "/admin/api/sources", "read"),
    ("POST", "/admin/api/sources", "write"),
    ("GET", "/admin/api/sources/sumber-a", "read"),
    ("PUT", "/admin/api/sources/sumber-a", "write"),
    ("DELETE", "/admin/api/sources/sumber-a", "write"),
    ("POST", "/admin/api/sources/sumber-a/preview", "write"),
    ("POST", "/admin/api/sources/sumber-a/run", "write"),
    ("GET", "/admin/api/jobs", "read"),
    ("GET", "/admin/api/jobs/1", "read"),
    ("POST", "/admin/api/jobs/1/cancel", "write"),
    ("POST", "/admin/api/jobs/1/approve", "write"),
    ("POST", "/admin/api/jobs/1/reject", "write"),
    ("GET", "/admin/api/audit", "admin"),
    ("GET", "/admin/api/tokens", "admin"),
    ("POST", "/admin/api/tokens", "admin"),
    ("DELETE", "/admin/api/tokens/1", "admin"),
    ("POST", "/admin/api/purge", "admin"),
    ("GET", "/admin/api/duplicates", "read"),
    ("POST", "/admin/api/duplicates/decisions", "write"),
    ("GET", "/admin/api/duplicates/overlaps", "read"),
    ("GET", "/admin/api/harmonization?source_id=sumber-a", "read"),
]

SOURCE_ROUTES_OF_B = [
    ("GET", "/admin/api/sources/sumber-b"),
    ("PUT", "/admin/api/sources/sumber-b"),
    ("DELETE", "/admin/api/sources/sumber-b"),
    ("POST", "/admin/api/sources/sumber-b/preview"),
    ("POST", "/admin/api/sources/sumber-b/run"),
    ("GET", "/admin/api/jobs?source_id=sumber-b"),
]


def body_for(method: str, path: str) -> dict[str, object] | None:
    if path.endswith("/tokens") and method == "POST":
        return {"name": "baru@uji", "role": "viewer"}
    if path == "/admin/api/sources" and method == "POST":
        return NEW_SOURCE
    if path.endswith("/decisions"):
        return {"left": "sumber-a/rec-000000", "right": "sumber-a/rec-000001", "decision": "split"}
    if method == "PUT":
        return {"id": path.rsplit("/", 1)[1], "name": "x", "family": "fake", "url": "http://127.0.0.1:1/"}
    return None


def call(env: AdminEnv, method: str, path: str, headers: dict[str, str]) -> int:
    client = env.client()
    return client.request(method, path, headers=headers, json=body_for(method, path)).status_code


@pytest.mark.parametrize(("method", "path", "access"), ROUTES)
def test_rejected_credentials_get_401(env: AdminEnv, method: str, path: str, access: str) -> None:
    admin = env.tokens["admin"]
    revoked_raw = env.tokens["viewer"]
    viewer_id = next(token.id for token in list_tokens(env.services.store) if token.role == "viewer")
    revoke_token(env.services.store, viewer_id)
    cases = {
        "missing": {},
        "malformed": {"Authorization": admin},
        "wrong scheme": {"Authorization": f"Basic {admin}"},
        "unknown": {"Authorization": "Bearer himpun_tidak-ada"},
        "expired": {"Authorization": f"Bearer {env.tokens['expired']}"},
        "revoked": {"Authorization": f"Bearer {revoked_raw}"},
    }
    for label, headers in cases.items():
        assert call(env, method, path, headers) == 401, label

    query_path = f"{path}{'&' if '?' in path else '?'}token={admin}"
    assert call(env, method, query_path, {"Authorization": f"Bearer {admin}"}) == 401


@pytest.mark.parametrize(("method", "path", "access"), [route for route in ROUTES if route[2] != "read"])
def test_viewer_writes_get_403(env: AdminEnv, method: str, path: str, access: str) -> None:
    assert call(env, method, path, env.headers("viewer")) == 403


@pytest.mark.parametrize(("method", "path", "access"), [route for route in ROUTES if route[2] == "admin"])
def test_operator_admin_routes_get_403(env: AdminEnv, method: str, path: str, access: str) -> None:
    assert call(env, method, path, env.headers("operator")) == 403


@pytest.mark.parametrize(("method", "path", "access"), [route for route in ROUTES if route[2] == "read"])
def test_viewer_reads_are_allowed(env: AdminEnv, method: str, path: str, access: str) -> None:
    status = call(env, method, path, env.headers("viewer"))

    # Job 1 does not exist yet, so its detail is 404 for every role.
    assert status == (404 if path.endswith("/jobs/1") else 200)


@pytest.mark.parametrize(("method", "path"), SOURCE_ROUTES_OF_B)
def test_operator_gets_404_for_other_walidata(env: AdminEnv, method: str, path: str) -> None:
    assert call(env, method, path, env.headers("operator")) == 404

    entries = list_audit(env.services.store)
    assert ("denied", "source:sumber-b") in [(entry.outcome, entry.target) for entry in entries]


def test_operator_lists_only_own_sources(env: AdminEnv) -> None:
    response = env.client().get("/admin/api/sources", headers=env.headers("operator"))

    assert [item["source"]["id"] for item in response.json()] == ["sumber-a"]


def test_unauthenticated_write_changes_nothing(env: AdminEnv) -> None:
    response = env.client().post("/admin/api/sources", json=NEW_SOURCE)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert env.client().get("/admin/api/sources/sumber-baru", headers=env.headers("admin")).status_code == 404


def test_revocation_takes_effect_at_once(env: AdminEnv) -> None:
    client = env.client()
    created = client.post("/admin/api/tokens", headers=env.headers("admin"),
                          json={"name": "sementara@uji", "role": "viewer"}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/admin/api/whoami", headers=headers).status_code == 200

    assert client.delete(f"/admin/api/tokens/{created['id']}", headers=env.headers("admin")).status_code == 200

    response = client.get("/admin/api/whoami", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token-revoked"
