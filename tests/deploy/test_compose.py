"""docker-compose.yml and the Dockerfile, checked by parsing because Docker does not run in CI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harvester.settings import Settings

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPOSITORY_ROOT / "docker-compose.yml"
DOCKERFILE = REPOSITORY_ROOT / "Dockerfile"
SETTING_NAMES = {f"HIMPUN_{name.upper()}" for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(entry.split("=", 1) for entry in environment)
    return {str(name): str(value) for name, value in environment.items()}


def _himpun_names(compose: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for service in compose["services"].values():
        names.update(name for name in _environment(service) if name.startswith("HIMPUN_"))
    return names


def test_compose_env_names_are_settings(compose: dict[str, Any]) -> None:
    names = _himpun_names(compose)

    assert names, "no HIMPUN_* variable is set"
    assert names - SETTING_NAMES == set()


def test_dockerfile_env_names_are_settings() -> None:
    names = set(re.findall(r"\b(HIMPUN_[A-Z_]+)=", DOCKERFILE.read_text(encoding="utf-8")))

    assert names
    assert names - SETTING_NAMES == set()


def test_compose_has_expected_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "elasticsearch", "scheduler", "web"}
    assert re.search(r"elasticsearch:(\$\{ELASTICSEARCH_VERSION:-)?9\.", compose["services"]["elasticsearch"]["image"])


@pytest.mark.parametrize("service", ["postgres", "elasticsearch", "scheduler", "web"])
def test_service_has_healthcheck(compose: dict[str, Any], service: str) -> None:
    healthcheck = compose["services"][service].get("healthcheck")

    assert healthcheck, f"{service} has no healthcheck"
    assert healthcheck["test"]


def test_volumes_are_named(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used: set[str] = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            assert not source.startswith((".", "/", "~")), f"{name} mounts the host path {source}"
            used.add(source)

    assert used == declared
    assert {"postgres-data", "elasticsearch-data"} <= declared


def test_web_can_scale(compose: dict[str, Any]) -> None:
    web = compose["services"]["web"]
    ports = [str(port) for port in web.get("ports", [])]

    assert "container_name" not in web
    assert web["command"][:2] == ["himpun", "serve"]
    assert web["deploy"]["replicas"] >= 2
    assert all(re.search(r"\d+-\d+:8000$", port) for port in ports), ports


def test_services_share_backend(compose: dict[str, Any]) -> None:
    scheduler = _environment(compose["services"]["scheduler"])
    web = _environment(compose["services"]["web"])

    assert scheduler["HIMPUN_INDEX_BACKEND"] == "elasticsearch"
    assert web["HIMPUN_INDEX_BACKEND"] == "elasticsearch"
    assert scheduler["HIMPUN_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert scheduler["HIMPUN_DATABASE_URL"] == web["HIMPUN_DATABASE_URL"]
    assert scheduler["HIMPUN_ELASTICSEARCH_INDEX"] == web["HIMPUN_ELASTICSEARCH_INDEX"]


def test_elasticsearch_security_on(compose: dict[str, Any]) -> None:
    environment = _environment(compose["services"]["elasticsearch"])

    assert environment["xpack.security.enabled"] == "true"
    assert environment["discovery.type"] == "single-node"
    assert "ELASTIC_PASSWORD" in environment
    assert "ports" not in compose["services"]["elasticsearch"]


def test_no_secret_in_compose(compose: dict[str, Any]) -> None:
    for service in compose["services"].values():
        for name, value in _environment(service).items():
            if "PASSWORD" in name or "DATABASE_URL" in name:
                assert "${" in value, f"{name} must come from .env, not the compose file"
