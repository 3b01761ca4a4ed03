"""DCAT-US connector against the Satu Data Aceh data.json snapshot served on loopback."""

from __future__ import annotations

import json

import pytest

from demo.portals import Faults, PortalConfig, StaticPortal
from harvester.errors import InvalidRecordError, SourceError
from harvester.model import AccessLevel
from tests.conftest import DEMO_DATA
from tests.connectors.test_ckan import harvest

ACEH = DEMO_DATA / "satudata_acehprov_data_json_dcat_us_SAMPLED.json"


def aceh_portal(faults: Faults | None = None, content: bytes | None = None) -> PortalConfig:
    return PortalConfig({"/aceh": StaticPortal({"/data.json": content or ACEH}, faults)})


def test_aceh_catalog_mapped(portal_connector) -> None:
    connector = portal_connector(aceh_portal(), "dcat-us", "/aceh/data.json", walidata="Diskominfo Aceh")

    records, errors, _ = harvest(connector)

    assert errors == []
    assert len(records) == 113
    assert connector.state.complete is True
    assert all(record.access.level is AccessLevel.TERBUKA for record in records)


def test_aceh_first_record(portal_connector) -> None:
    connector = portal_connector(aceh_portal(), "dcat-us", "/aceh/data.json", walidata="Diskominfo Aceh")

    records, _, _ = harvest(connector)
    record = next(r for r in records if r.identifiers == ["ebd7c2d0-524b-4368-aac3-889403920290"])

    assert record.title == "parameter kualitas air laut menurut kabupaten/kota"
    assert record.creator is not None and record.creator.original == "DLHK"
    assert record.publisher is not None and record.publisher.name == "Diskominfo Aceh"
    assert record.themes == []
    assert record.extras == {"kategori": "Uncategorized"}
    assert record.contact_point is not None and record.contact_point.email == "diskominfo@acehprov.go.id"
    assert record.licence is not None and record.licence.uri == "https://creativecommons.org/licenses/by/4.0/"
    assert record.keywords == ["Parameter", "Laut", "Sampling"]
    assert record.modified is not None and record.modified.isoformat() == "2026-09-07T04:32:14+00:00"
    [distribution] = record.distributions
    assert distribution.format is not None and distribution.format.media_type == "text/html"


def test_categorized_record_theme(portal_connector) -> None:
    connector = portal_connector(aceh_portal(), "dcat-us", "/aceh/data.json")

    records, _, _ = harvest(connector)
    themed = [record for record in records if record.themes]

    assert len(themed) == 113 - 57
    assert all(record.themes[0].original != "Uncategorized" for record in themed)


def test_placeholder_dates_and_fields(portal_connector) -> None:
    catalog = json.loads(ACEH.read_text(encoding="utf-8"))
    entry = catalog["dataset"][0]
    entry.update(modified="-", issued="", accessLevel="non-public", accrualPeriodicity="R/P1Y",
                 temporal="2024-01-01/2024-12-31", prioritas_tahun="2025", keyword="a, b")
    entry["contactPoint"]["hasEmail"] = "mailto:data@acehprov.go.id"
    entry["distribution"].append({"downloadURL": "https://satudata.acehprov.go.id/x.csv", "format": "CSV",
                                  "mediaType": "text/csv"})
    catalog["dataset"] = [entry]
    content = json.dumps(catalog).encode("utf-8")
    connector = portal_connector(aceh_portal(content=content), "dcat-us", "/aceh/data.json",
                                 options={"publisher_role": "walidata"})

    [record], _, _ = harvest(connector)

    assert record.modified is None
    assert record.issued is None
    assert record.access.level is AccessLevel.TERTUTUP
    assert record.frequency is not None and record.frequency.original == "R/P1Y"
    assert record.temporal is not None and record.temporal.start.isoformat() == "2024-01-01"
    assert record.extras["prioritas_tahun"] == "2025"
    assert record.keywords == ["a", "b"]
    assert record.contact_point.email == "data@acehprov.go.id"
    assert record.publisher is not None and record.publisher.original == "DLHK"
    assert record.distributions[1].access_url == "https://satudata.acehprov.go.id/x.csv"


def test_empty_catalog_complete(portal_connector) -> None:
    connector = portal_connector(aceh_portal(Faults(empty=True)), "dcat-us", "/aceh/data.json")

    records, errors, _ = harvest(connector)

    assert records == []
    assert errors == []
    assert connector.state.complete is True


def test_malformed_entry_reported(portal_connector) -> None:
    catalog = json.loads(ACEH.read_text(encoding="utf-8"))
    catalog["dataset"][3] = {"title": "no identifier"}
    catalog["dataset"][4]["title"] = None
    catalog["dataset"].append(catalog["dataset"][0])
    connector = portal_connector(aceh_portal(content=json.dumps(catalog).encode()), "dcat-us", "/aceh/data.json")

    records, errors, _ = harvest(connector)

    assert len(records) == 111
    assert len(errors) == 3
    assert all(isinstance(error, InvalidRecordError) for error in errors)
    assert errors[-1].code == "duplicate-identifier"


def test_not_a_catalog(portal_connector) -> None:
    connector = portal_connector(aceh_portal(content=b'{"status": "Error"}'), "dcat-us", "/aceh/data.json")

    with pytest.raises(SourceError, match="not a DCAT-US catalog"):
        harvest(connector)
    assert connector.state.complete is False


def test_server_error_fails(portal_connector) -> None:
    connector = portal_connector(aceh_portal(Faults(error_page=0)), "dcat-us", "/aceh/data.json")

    with pytest.raises(SourceError) as caught:
        harvest(connector)
    assert caught.value.code == "http-500"
