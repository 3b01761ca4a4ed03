"""Guess the portal family behind a URL and suggest a source block for it.

Each check requests one well-known endpoint through the job's HttpClient and
looks at the shape of the reply, in this order: CKAN Action API, the
data.go.id proxy, DCAT-US data.json, a DCAT RDF catalog, CSW
GetCapabilities, the known custom JSON shapes (Open Data Jabar, Garut,
Trenggalek) and finally plain HTML. The first match wins.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from harvester.errors import FetchError, HimpunError
from harvester.http import HttpClient, HttpResponse

__all__ = ["ProbeResult", "probe"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ProbeResult:
    """The guessed family, how sure the guess is (0 to 1), what was seen, and a source block."""

    family: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    suggested_source_yaml: str = ""


def _json(response: HttpResponse) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _fetch(http: HttpClient, url: str, evidence: list[str], **kwargs: Any) -> HttpResponse | None:
    try:
        return http.get(url, **kwargs)
    except FetchError as error:
        evidence.append(f"{url}: {error.code}")
        return None


def _check_ckan(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    response = _fetch(http, urljoin(base, "api/3/action/status_show"), evidence)
    body = _json(response) if response else None
    if isinstance(body, dict) and body.get("success") is True and "ckan_version" in (body.get("result") or {}):
        evidence.append(f"CKAN {body['result']['ckan_version']} at api/3/action/status_show")
        return "ckan", {}
    return None


def _check_datagoid(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    try:
        response = http.post(urljoin(base, "api/proxy"), json={
            "endpoint": "/api/3/action/package_search?rows=0", "method": "GET", "body": {}, "token": ""})
    except FetchError as error:
        evidence.append(f"api/proxy: {error.code}")
        return None
    body = _json(response)
    if isinstance(body, dict) and "result" in body and str(body.get("status", "")).startswith("200"):
        evidence.append("data.go.id proxy envelope {status, message, result} at api/proxy")
        return "datagoid", {}
    return None


def _check_data_json(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    response = _fetch(http, urljoin(base, "data.json"), evidence)
    body = _json(response) if response else None
    if isinstance(body, dict) and isinstance(body.get("dataset"), list):
        evidence.append(f"DCAT-US data.json with {len(body['dataset'])} datasets")
        return "dcat-us", {}
    return None


def _check_dcat_rdf(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    response = _fetch(http, urljoin(base, "catalog.ttl"), evidence, headers={"Accept": "text/turtle"})
    if response is not None and b"http://www.w3.org/ns/dcat#" in response.content:
        evidence.append("DCAT Turtle catalog at catalog.ttl")
        return "dcat-rdf", {"url": urljoin(base, "catalog.ttl")}
    return None


def _check_csw(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    for path in ("csw", "catalogue/csw", ""):
        url = urljoin(base, path)
        response = _fetch(http, url, evidence, params={"service": "CSW", "request": "GetCapabilities"})
        if response is not None and b"Capabilities" in response.content and b"opengis.net/cat/csw" in response.content:
            evidence.append(f"CSW GetCapabilities at {url}")
            return "csw", {"url": url}
    return None


_CUSTOM_SHAPES: tuple[tuple[str, str, Callable[[Any], bool]], ...] = (
    ("opendatajabar-dataset-list", "dataset/list",
     lambda body: isinstance(body, dict) and isinstance(body.get("meta"), dict) and "total_record" in body["meta"]),
    ("garut-laravel", "api/datasets",
     lambda body: isinstance(body, dict) and isinstance(body.get("datasets"), dict) and "last_page" in body["datasets"]),
    ("trenggalek", "json/1",
     lambda body: isinstance(body, dict) and {"status", "pesan", "jumlah"} <= set(body)),
)


def _check_custom(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    for preset, path, matches in _CUSTOM_SHAPES:
        response = _fetch(http, urljoin(base, path), evidence)
        if response is not None and matches(_json(response)):
            evidence.append(f"{preset} reply shape at {path}")
            return "json-api", {"options": {"preset": preset}}
    return None


def _check_html(http: HttpClient, base: str, evidence: list[str]) -> tuple[str, dict[str, Any]] | None:
    response = _fetch(http, base, evidence)
    if response is not None and b"<html" in response.content[:4096].lower():
        evidence.append("an HTML page; selectors must be written by hand")
        return "html", {"options": {"item": "TODO", "fields": {"title": "TODO"}}}
    return None


_CHECKS = (
    (_check_ckan, 0.95), (_check_datagoid, 0.9), (_check_data_json, 0.9), (_check_dcat_rdf, 0.85),
    (_check_csw, 0.85), (_check_custom, 0.7), (_check_html, 0.2),
)


def _source_yaml(url: str, family: str, extra: dict[str, Any]) -> str:
    host = urlsplit(url).hostname or "sumber"
    slug = "-".join(part for part in host.replace(".", "-").split("-") if part)[:60] or "sumber"
    entry: dict[str, Any] = {"id": slug, "name": host, "family": family, "url": extra.get("url", url)}
    if "options" in extra:
        entry["options"] = extra["options"]
    return yaml.safe_dump({"sources": [entry]}, sort_keys=False, allow_unicode=True)


def probe(url: str, http: HttpClient) -> ProbeResult:
    """Return the family that `url` most likely runs, with the evidence and a source block."""
    base = url if url.endswith("/") else url + "/"
    evidence: list[str] = []
    for check, confidence in _CHECKS:
        try:
            found = check(http, base, evidence)
        except HimpunError as error:
            evidence.append(f"{check.__name__}: {error.code}")
            continue
        if found is not None:
            family, extra = found
            return ProbeResult(family, confidence, evidence, _source_yaml(url, family, extra))
    return ProbeResult(None, 0.0, evidence, "")
