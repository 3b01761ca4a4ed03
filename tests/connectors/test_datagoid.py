"""data.go.id connector against the simulated /api/proxy serving the recorded replies."""

from __future__ import annotations

import json

import pytest

from demo.portals import DataGoIdPortal, Faults, PortalConfig, load_packages, multiply_packages
from harvester.errors import RemoteError, SourceError
from tests.conftest import DEMO_DATA
from tests.connectors.test_ckan import harvest

ROWS = DEMO_DATA / "datagoid_proxy_package_search_rows2.json"
KAMPAR = DEMO_DATA / "datagoid_proxy_package_show_kampar.json"
SPRING_404 = DEMO_DATA / "datagoid_proxy_spring_404.json"


def test_paging_through_proxy(portal_connector) -> None:
    portal = DataGoIdPortal(multiply_packages(load_packages(ROWS), 3))
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid",
                                 options={"rows": 2})

    records, errors, _ = harvest(connector)

    assert errors == []
    assert len(records) == 6
    assert connector.state.pages == 3
    assert connector.state.complete is True
    assert all(request == "POST /api/proxy" for request in portal.requests)


def test_kampar_record_mapping(portal_connector) -> None:
    portal = DataGoIdPortal(load_packages(KAMPAR))
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid")

    [record], errors, _ = harvest(connector)

    assert errors == []
    assert record.title == "Angka kematian ibu (AKI) tahun 2025"
    assert record.description == "Angka kematian ibu (AKI)"
    assert record.publisher is not None and record.publisher.original == "Kabupaten Kampar"
    assert record.creator is None
    assert record.licence is None
    assert record.access.level is None
    assert record.extras["harvest_source_title"] == "Kabupaten Kampar - CKAN"
    assert record.identifiers == ["00003d3a-754f-41f7-91f7-e2ef772354c7", "angka-kematian-ibu-aki14",
                                  "5a8839ee-fb73-46a0-a7a5-4dc6ae07bfe2"]
    assert record.landing_page == "https://dinkes.kamparkab.go.id/"
    [distribution] = record.distributions
    assert distribution.format is not None and distribution.format.original == "XLSX"
    assert distribution.format.conflict is None
    assert distribution.byte_size == 80508
    assert record.modified is not None and record.modified.year == 2026


def test_csw_record_extras(portal_connector) -> None:
    packages = [package for package in load_packages(ROWS) if package["name"].startswith("skpg")]
    portal = DataGoIdPortal(packages)
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid")

    [record], _, _ = harvest(connector)

    assert record.frequency is not None and record.frequency.original == "monthly"
    assert "0a347356-b37e-4a50-b298-8d73c4de69dd" in record.identifiers
    assert record.extras["spatial"].startswith('{"type": "Polygon"')
    assert record.keywords == ["gizi", "indonesia", "kerawanan-pangan", "skpg"]
    assert record.contact_point is not None and record.contact_point.email == "dispangan.sumbar@gmail.com"


def test_envelope_error_fails(portal_connector) -> None:
    portal = DataGoIdPortal(load_packages(ROWS), Faults(error_page=0, error_status=500, retry_after="0"))
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid",
                                 max_retries=1)

    with pytest.raises(RemoteError, match="500 ERROR"):
        harvest(connector)
    assert connector.state.complete is False


def test_spring_404_reported(portal_connector) -> None:
    portal = DataGoIdPortal(load_packages(ROWS))
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid")

    with pytest.raises(RemoteError, match="404 Not Found /api/3/action/group_list"):
        connector.call_action("group_list", {})

    recorded = json.loads(SPRING_404.read_text(encoding="utf-8"))
    assert recorded["path"] == "/api/3/action/group_list"


def test_status_not_ok_in_200(portal_connector) -> None:
    portal = DataGoIdPortal(load_packages(ROWS))
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid")

    with pytest.raises(SourceError, match="404 NOT_FOUND Data not found"):
        connector._unwrap("package_show", {"status": "404 NOT_FOUND", "message": "Data not found"})


def test_package_list_served(portal_connector) -> None:
    listing = json.loads((DEMO_DATA / "datagoid_proxy_package_list_5.json").read_text(encoding="utf-8"))
    portal = DataGoIdPortal(load_packages(ROWS), package_list=listing["result"])
    connector = portal_connector(PortalConfig({"/datagoid": portal}), "datagoid", "/datagoid")

    assert connector.call_action("package_list", {}) == ["000", "00004", "00009", "0001", "00012"]
