"""HTTP routes of the DCAT-AP feed: /catalog, /catalog/deleted and /dataset/{id}.

Each document is offered as Turtle, N-Triples, RDF/XML and JSON-LD, by file
extension (`/catalog.ttl`) or by the Accept header (`/catalog`, Turtle when
the client accepts anything).

Hook for the web pages: `/dataset/{id}` asked for HTML calls
`app.state.dataset_html(request, dataset)` when the web package sets it, and
otherwise returns a minimal page linking the RDF forms.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from harvester.model import DatasetStatus, PublishedDataset
from harvester.quality import load_link_results
from publish.dcat.feed import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, CatalogPage, FeedPager, write_document
from publish.dcat.negotiation import choose_media_type
from publish.dcat.profile import DcatApProfile
from publish.dcat.writers import FORMATS, RdfFormat
from publish.errors import PublicApiError

logger = logging.getLogger(__name__)

router = APIRouter(tags=["DCAT-AP"])

EXTENSIONS: dict[str, RdfFormat] = {rdf_format.extension: rdf_format for rdf_format in FORMATS.values()}
EXTENSIONS["xml"] = FORMATS["rdfxml"]
MEDIA_TYPES: dict[str, RdfFormat] = {rdf_format.media_type: rdf_format for rdf_format in FORMATS.values()}
# Turtle first: it is the default when the client accepts anything.
OFFERED = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
HTML = "text/html"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _services(request: Request) -> Any:
    return request.app.state.services


def profile_for(request: Request, check_measurements: bool = False) -> DcatApProfile:
    """Return the profile for this app; `app.state.series_lookup` supplies series titles when set.

    The profile scores datasets with the link-check results in the data
    folder, the same results the dataset page uses. `check_measurements`
    adds a DQV measurement per quality check, for single-dataset documents.
    """
    services = _services(request)
    series_lookup = getattr(request.app.state, "series_lookup", None)
    link_results = load_link_results(services.settings.data_dir)
    return DcatApProfile(services.settings.base_url, series_lookup=series_lookup, link_results=link_results,
                         check_measurements=check_measurements)


def parse_modified_since(value: str | None) -> dt.datetime | None:
    """Parse an ISO date or date-time; a date means its midnight UTC and a naive time means UTC."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if "T" in text:
        # A "+" of a time zone offset arrives as a space when the client did not encode it.
        text = text.replace(" ", "+")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise PublicApiError(
            400,
            f"modified_since tidak valid: {value!r}; gunakan tanggal atau waktu ISO 8601, mis. 2025-01-31 "
            "atau 2025-01-31T08:00:00Z",
            f"invalid modified_since {value!r}; use an ISO 8601 date or date-time, e.g. 2025-01-31 "
            "or 2025-01-31T08:00:00Z",
            code="invalid-modified-since", field="modified_since",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _negotiate(request: Request, offered: list[str]) -> str:
    media_type = choose_media_type(request.headers.get("accept"), offered)
    if media_type is None:
        raise PublicApiError(
            406,
            "Format yang diminta tidak tersedia; tersedia: " + ", ".join(offered),
            "none of the requested formats is available; available: " + ", ".join(offered),
            code="not-acceptable",
        )
    return media_type


def _rdf_format(extension: str) -> RdfFormat:
    rdf_format = EXTENSIONS.get(extension)
    if rdf_format is None:
        raise PublicApiError(404, f"Format .{extension} tidak dikenal", f"unknown format .{extension}",
                             code="not-found")
    return rdf_format


def _stream(rdf_format: RdfFormat, chunks: Any, vary: bool) -> StreamingResponse:
    headers = {"Vary": "Accept"} if vary else {}
    media_type = rdf_format.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


# --- catalog -----------------------------------------------------------------------

def _catalog_response(request: Request, rdf_format: RdfFormat, path: str, page: int, page_size: int,
                      modified_since: str | None, after: str | None, vary: bool) -> StreamingResponse:
    since = parse_modified_since(modified_since)
    catalog_page = CatalogPage(number=page, size=page_size, modified_since=since, after=after or None)
    pager = FeedPager(_services(request).store, profile_for(request))
    total = pager.total(since)
    last = pager.last_page(total, page_size)
    if page > last:
        raise PublicApiError(404, f"Halaman {page} tidak ada; halaman terakhir {last}",
                             f"page {page} does not exist; the last page is {last}", code="not-found", field="page")

    base_url = profile_for(request).base_url

    def link(number: int, cursor: str | None) -> str:
        parameters: dict[str, str] = {"page": str(number)}
        if page_size != DEFAULT_PAGE_SIZE:
            parameters["page_size"] = str(page_size)
        if modified_since:
            parameters["modified_since"] = modified_since
        if cursor is not None:
            parameters["after"] = cursor
        return f"{base_url}{path}?{urlencode(parameters)}"

    writer = rdf_format.writer()
    chunks = write_document(writer, pager.page_resources(catalog_page, total, link))
    return _stream(rdf_format, chunks, vary)


PageParameter = Query(1, ge=1, description="Nomor halaman / page number, from 1")
PageSizeParameter = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Datasets per page (max 1000)")
SinceParameter = Query(None, description="Only datasets updated at or after this ISO 8601 date or date-time")
AfterParameter = Query(None, description="Keyset cursor from a `next` link: the last dataset id of the previous page")


@router.get("/catalog", summary="DCAT-AP catalog, format by Accept header")
def catalog(request: Request, page: int = PageParameter, page_size: int = PageSizeParameter,
            modified_since: str | None = SinceParameter, after: str | None = AfterParameter) -> Response:
    rdf_format = MEDIA_TYPES[_negotiate(request, OFFERED)]
    return _catalog_response(request, rdf_format, "/catalog", page, page_size, modified_since, after, vary=True)


@router.get("/catalog.{extension}", summary="DCAT-AP catalog as .ttl, .nt, .rdf, .xml or .jsonld")
def catalog_file(request: Request, extension: str, page: int = PageParameter, page_size: int = PageSizeParameter,
                 modified_since: str | None = SinceParameter, after: str | None = AfterParameter) -> Response:
    rdf_format = _rdf_format(extension)
    return _catalog_response(request, rdf_format, f"/catalog.{extension}", page, page_size, modified_since,
                             after, vary=False)


# --- tombstones ----------------------------------------------------------------------

def _deleted_response(request: Request, rdf_format: RdfFormat, modified_since: str | None,
                      vary: bool) -> StreamingResponse:
    since = parse_modified_since(modified_since) or EPOCH
    pager = FeedPager(_services(request).store, profile_for(request))
    return _stream(rdf_format, write_document(rdf_format.writer(), pager.tombstone_resources(since)), vary)


@router.get("/catalog/deleted", summary="Withdrawn datasets still in their grace period")
def deleted(request: Request, modified_since: str | None = SinceParameter) -> Response:
    rdf_format = MEDIA_TYPES[_negotiate(request, OFFERED)]
    return _deleted_response(request, rdf_format, modified_since, vary=True)


@router.get("/catalog/deleted.{extension}", summary="Withdrawn datasets as .ttl, .nt, .rdf, .xml or .jsonld")
def deleted_file(request: Request, extension: str, modified_since: str | None = SinceParameter) -> Response:
    return _deleted_response(request, _rdf_format(extension), modified_since, vary=False)


# --- one dataset -----------------------------------------------------------------------

def _find_dataset(request: Request, name: str) -> tuple[PublishedDataset | None, RdfFormat | None]:
    """Return the dataset `name` refers to and the format its extension requests, if any."""
    store = _services(request).store
    stem, dot, extension = name.rpartition(".")
    if dot and extension in EXTENSIONS:
        dataset = store.get_dataset(stem)
        if dataset is not None:
            return dataset, EXTENSIONS[extension]
    return store.get_dataset(name), None


def _not_found(name: str) -> PublicApiError:
    return PublicApiError(404, f"Dataset {name!r} tidak ditemukan", f"dataset {name!r} not found", code="not-found")


def _gone(dataset: PublishedDataset) -> PublicApiError:
    return PublicApiError(410, f"Dataset {dataset.id!r} sudah ditarik dari sumbernya",
                          f"dataset {dataset.id!r} was withdrawn by its source", code="gone")


def _link_page(request: Request, dataset: PublishedDataset) -> HTMLResponse:
    base = profile_for(request).dataset_uri(dataset.id)
    links = "".join(
        f'<li><a href="{html.escape(base)}.{rdf_format.extension}">{rdf_format.media_type}</a></li>'
        for rdf_format in FORMATS.values()
    )
    title = html.escape(dataset.record.title)
    body = (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><ul>{links}</ul></body></html>")
    return HTMLResponse(body, headers={"Vary": "Accept"})


@router.get("/dataset/{name}", summary="One dataset; .ttl, .nt, .rdf, .jsonld or by Accept header")
def dataset(request: Request, name: str) -> Response:
    found, rdf_format = _find_dataset(request, name)
    if found is None:
        raise _not_found(name)
    if found.status is DatasetStatus.WITHDRAWN:
        raise _gone(found)
    if not found.is_public:
        # Restricted, closed, unset and quarantined datasets look exactly like missing ones.
        raise _not_found(name)

    vary = rdf_format is None
    if rdf_format is None:
        media_type = _negotiate(request, [*OFFERED, HTML])
        if media_type == HTML:
            html_view = getattr(request.app.state, "dataset_html", None)
            return html_view(request, found) if html_view is not None else _link_page(request, found)
        rdf_format = MEDIA_TYPES[media_type]

    profile = profile_for(request, check_measurements=True)
    chunks = write_document(rdf_format.writer(), [profile.dataset(found)])
    return _stream(rdf_format, chunks, vary)


def dataset_path(dataset_id: str) -> str:
    """Return the path of a dataset's URI, for links from other modules."""
    return f"/dataset/{quote(dataset_id, safe='')}"
