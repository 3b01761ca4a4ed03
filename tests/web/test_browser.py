"""Headless Chromium against the app served by uvicorn on 127.0.0.1, with the harvested catalogue.

Runs Debian's /usr/bin/chromium through Playwright with flags that keep the
browser from making connections of its own. Screenshots go to docs/screenshots when
HIMPUN_UPDATE_SCREENSHOTS=1, to a temporary folder otherwise.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import BrowserContext, Page, Route, sync_playwright

from tests.conftest import REPOSITORY_ROOT
from tests.web.catalog import ADMIN_PASSWORD, Catalog, needs_review_job

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# The committed screenshots are refreshed only on request, so a test run leaves the checkout clean:
# HIMPUN_UPDATE_SCREENSHOTS=1 pytest tests/web -m browser
SCREENSHOTS = (REPOSITORY_ROOT / "docs" / "screenshots" if os.environ.get("HIMPUN_UPDATE_SCREENSHOTS") == "1"
               else Path(tempfile.mkdtemp(prefix="himpun-screenshots-")))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Records any attempt of a harvested payload to run script, and any dialog.
XSS_PROBE = "window.__xss = undefined; window.alert = function () { window.__xss = 'alert'; };"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 10 seconds")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, base_url: str) -> Iterator[BrowserContext]:
    """A Chromium profile in a fresh folder, shared by the tests of this module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; install the Debian package chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1280, "height": 900}, base_url=base_url,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    browser.clear_cookies()
    opened = browser.new_page()
    opened.add_init_script(XSS_PROBE)
    outside: list[str] = []

    def stay_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    opened.route("**/*", stay_local)
    yield opened
    opened.close()
    assert not outside, f"pages requested non-loopback URLs: {outside}"


def _assert_inert(page: Page) -> None:
    assert page.evaluate("window.__xss") is None


def test_search_and_filter_by_facet(page: Page) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.get_by_label("Cari di katalog").fill("kualitas air")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url(re.compile(r"q=kualitas"))
    assert page.locator("mark").count() > 0
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=False)

    before = page.locator("#results-title").inner_text()
    page.locator(".facet a[href*='creator=']").first.click()
    page.wait_for_url(re.compile(r"creator="))
    assert page.locator(".active-filters").is_visible()
    assert page.locator("#results-title").inner_text() != before or page.locator(".result").count() > 0
    _assert_inert(page)


def test_open_dataset_and_follow_provenance(page: Page, catalog: Catalog) -> None:
    page.goto("/")
    page.goto(f"/dataset/{catalog.provenance_dataset_id}")
    assert page.locator("h1").count() == 1
    assert page.locator("script[type='application/ld+json']").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "dataset.png"), full_page=True)

    page.locator("a.original-link").first.click()
    page.wait_for_url(catalog.original_url)
    assert page.locator("h1").inner_text() == "Rekaman asli"


def test_switch_language(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Search datasets").is_visible()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Bahasa Indonesia").click()
    assert page.locator("html").get_attribute("lang") == "id"


def test_hostile_records_stay_inert(page: Page, catalog: Catalog) -> None:
    hostile = [dataset for dataset in catalog.services.store.iter_datasets()
               if dataset.sources[0].remote_id.startswith("xss-")]
    page.goto("/?q=banjir")
    _assert_inert(page)
    for dataset in hostile:
        page.goto(f"/dataset/{dataset.id}")
        page.wait_for_load_state("load")
        assert page.locator("script").count() == 1
        for link in page.locator("a").all():
            href = (link.get_attribute("href") or "").lower()
            assert not href.startswith(("javascript:", "data:"))
        _assert_inert(page)


def test_operator_approves_review(page: Page, catalog: Catalog) -> None:
    store = catalog.services.store
    held = next(dataset for dataset in store.iter_datasets(public_only=True)
                if dataset.id != catalog.provenance_dataset_id and not dataset.sources[0].remote_id.startswith("xss-"))
    job_id = needs_review_job(store, catalog.source.id, [held.sources[0].remote_id])

    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/admin/login"))
    page.get_by_label("Kata sandi").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name=f"Pekerjaan {job_id}").click()
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_url(re.compile(rf"/admin/jobs/{job_id}$"))
    assert "perlu ditinjau" not in page.locator("main").inner_text()
    assert not store.get_dataset(held.id).is_public

    page.goto("/admin/quality")
    assert page.locator("svg").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "quality.png"), full_page=True)
