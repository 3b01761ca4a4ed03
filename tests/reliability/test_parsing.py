"""Parsing and bad input at job level: paging loops and bad records never cause withdrawals.

The XML gate, JSON-LD contexts, spreadsheet bombs, robots.txt and charset
rows are asserted next to each connector in tests/connectors and
tests/http; docs/reliability.md names each test.
"""

from __future__ import annotations

from demo.portals import CkanPortal, Faults, PortalConfig, serve_portals
from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.services import Services
from tests.reliability.conftest import ckan_source, client_for, package

PACKAGES = [package(number) for number in range(1, 26)]


def harvest(services: Services, portal: CkanPortal, *, full: bool = True):  # noqa: ANN201 - a JobReport
    with serve_portals(PortalConfig({"/ckan": portal})) as base_url:
        source = ckan_source(f"{base_url}/ckan")
        with client_for(services, source) as http:
            return run_harvest(services, source, http=http, full=full)


def test_repeated_page_fails_without_withdrawals(services: Services) -> None:
    assert harvest(services, CkanPortal(PACKAGES)).counts.added == 25

    report = harvest(services, CkanPortal(PACKAGES, Faults(ignore_start=True)))

    assert report.state is JobState.FAILED
    assert [error.code for error in report.errors] == ["pagination-loop"]
    assert report.counts.withdrawn == 0
    assert services.store.count_datasets(public_only=True) == 25


def test_malformed_record_rejected_others_stored(services: Services) -> None:
    faults = Faults(malformed_page=1, malformed_record={"id": "rusak", "title": {"bukan": "teks"}})
    report = harvest(services, CkanPortal(PACKAGES, faults))

    assert report.state is JobState.SUCCEEDED_WITH_ERRORS
    assert report.counts.rejected == 1
    assert report.counts.added == 24


def test_duplicate_identifier_stored_once(services: Services) -> None:
    report = harvest(services, CkanPortal(PACKAGES[:10] + [dict(PACKAGES[0])]))

    assert report.counts.added == 10
    assert services.store.count_datasets() == 10


def test_server_error_on_third_page_withdraws_nothing(services: Services) -> None:
    assert harvest(services, CkanPortal(PACKAGES)).state is JobState.SUCCEEDED

    report = harvest(services, CkanPortal(PACKAGES[:22], Faults(error_page=2, error_status=500)))

    assert report.state is JobState.FAILED
    assert report.complete is False
    assert report.counts.withdrawn == 0
    assert services.store.count_datasets(public_only=True) == 25
