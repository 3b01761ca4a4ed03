"""CKAN connector against the simulated CKAN portal serving real recorded packages."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from connectors.base import RemoteRecord
from demo.portals import CkanPortal, Faults, PortalConfig, load_packages, multiply_packages
from harvester.errors import InvalidRecordError, PaginationError, RecordError, SourceError
from harvester.model import AccessLevel
from tests.conftest import DEMO_DATA

MUARA_ENIM = DEMO_DATA / "ckan_satudata_muaraenim_package_search_example.json"
DATAGOID_ROWS = DEMO_DATA / "datagoid_proxy_package_search_rows2.json"


def real_packages() -> list[dict]:
    return load_packages(MUARA_ENIM) + load_packages(DATAGOID_ROWS)


def harvest(connector) -> tuple[list, list[RecordError], list[RemoteRecord]]:
    records, errors, remotes = [], [], []
    for remote in connector.list_records():
        remotes.append(remote)
        if remote.error is not None:
            errors.append(remote.error)
            continue
        try:
            records.append(connector.map_record(remote))
        except RecordError as error:
            errors.append(error)
    return records, errors, remotes


def test_paging_three_pages(portal_connector) -> None:
    packages = multiply_packages(real_packages(), 2)
    portal = CkanPortal(packages)
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan", options={"rows": 2})

    records, errors, remotes = harvest(connector)

    assert errors == []
    assert len(records) == 6
    assert len({remote.remote_id for remote in remotes}) == 6
    assert connector.state.complete is True
    assert connector.state.pages == 3
    assert connector.state.reported_total == 6


def test_empty_catalog_complete(portal_connector) -> None:
    portal = CkanPortal(real_packages(), Faults(empty=True))
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan")

    records, errors, _ = harvest(connector)

    assert records == []
    assert errors == []
    assert connector.state.complete is True


def test_malformed_record_reported(portal_connector) -> None:
    packages = multiply_packages(real_packages(), 2)
    portal = CkanPortal(packages, Faults(malformed_page=1))
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan", options={"rows": 2})

    records, errors, _ = harvest(connector)

    assert len(records) == 5
    assert len(errors) == 1
    assert isinstance(errors[0], InvalidRecordError)
    assert connector.state.complete is True


def test_untitled_record_rejected(portal_connector) -> None:
    packages = real_packages()
    broken = copy.deepcopy(packages[0])
    broken.update(id="ffffffff-0000-0000-0000-000000000000", title="", name=None)
    portal = CkanPortal([*packages, broken])
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan")

    records, errors, _ = harvest(connector)

    assert len(records) == 3
    assert [error.remote_id for error in errors] == ["ffffffff-0000-0000-0000-000000000000"]


def test_server_error_fails_source(portal_connector) -> None:
    portal = CkanPortal(multiply_packages(real_packages(), 2), Faults(error_page=1, retry_after="0"))
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan", options={"rows": 2})

    with pytest.raises(SourceError) as caught:
        harvest(connector)

    assert caught.value.code == "http-500"
    assert connector.state.complete is False
    assert sum("package_search" in request for request in portal.requests) == 1 + 4


def test_server_error_recovers(portal_connector) -> None:
    portal = CkanPortal(multiply_packages(real_packages(), 2),
                        Faults(error_page=1, error_status=503, error_times=1, retry_after="1"))
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan", options={"rows": 2})

    records, errors, _ = harvest(connector)

    assert len(records) == 6
    assert connector.state.complete is True


def test_repeated_page_stops(portal_connector) -> None:
    portal = CkanPortal(multiply_packages(real_packages(), 2), Faults(ignore_start=True))
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan", options={"rows": 2})

    with pytest.raises(PaginationError) as caught:
        harvest(connector)

    assert caught.value.code == "pagination-loop"
    assert connector.state.complete is False


def test_incremental_query(portal_connector) -> None:
    portal = CkanPortal(real_packages())
    since = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan", since=since)

    records, _, _ = harvest(connector)

    assert connector.search_query() == "metadata_modified:[2026-07-01T00:00:00Z TO *]"
    assert connector.state.incremental is True
    assert sorted(record.title for record in records) == [
        "Angka kematian ibu (AKI) tahun 2025", "SKPG SUMATERA BARAT APRIL 2023"]


def test_muara_enim_mapping(portal_connector) -> None:
    portal = CkanPortal(load_packages(MUARA_ENIM))
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan",
                                 options={"organization_role": "opd"}, walidata="Diskominfo Muara Enim")

    [record], errors, _ = harvest(connector)

    assert errors == []
    assert record.publisher is not None and record.publisher.name == "Diskominfo Muara Enim"
    assert record.creator is not None
    assert record.creator.original == "Diskominfo"
    assert record.creator.name == "Dinas Komunikasi Informastika Statistik dan Persandian"
    assert record.extras["2023"] == "75"
    assert record.extras["Tahun 2022"] == "75"
    assert record.licence is not None and record.licence.original == "cc-by"
    [distribution] = record.distributions
    assert distribution.format is not None
    assert distribution.format.original == "CSV"
    assert distribution.format.media_type == "image/png"
    assert distribution.format.conflict == "format CSV does not match media type image/png"
    assert distribution.byte_size == 37986
    assert record.landing_page.endswith("/ckan/dataset/hasil-evaluasi-akuntabilitas-kinerja-intansi-pemerintah-akip")


def test_walidata_role_and_private(portal_connector) -> None:
    package = copy.deepcopy(load_packages(MUARA_ENIM)[0])
    package["private"] = True
    package["notes"] = "Data &amp; informasi &quot;AKIP&quot;"
    package["tags"].append({"name": "No keyword provided"})
    package["metadata_created"] = "1970-01-01T00:00:00"
    package["metadata_modified"] = "-"
    package["resources"].append({"id": "r2", "name": "tanpa URL", "format": "xlxs", "url": ""})
    portal = CkanPortal([package])
    connector = portal_connector(PortalConfig({"/ckan": portal}), "ckan", "/ckan")

    [record], _, _ = harvest(connector)

    assert record.publisher is not None and record.publisher.original == "Diskominfo"
    assert record.access.level is AccessLevel.TERTUTUP
    assert record.is_public is False
    assert record.description == 'Data & informasi "AKIP"'
    assert "No keyword provided" not in record.keywords
    assert record.issued is None
    assert record.modified is None
    assert record.distributions[1].access_url is None
    assert record.distributions[1].format.original == "xlxs"
