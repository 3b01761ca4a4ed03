"""schema.org Dataset description of a published dataset, for the JSON-LD block of its page."""

from __future__ import annotations

from typing import Any

from harvester.model import PublishedDataset
from web.sanitize import plain_text, safe_url


def schema_org_dataset(dataset: PublishedDataset, page_url: str) -> dict[str, Any]:
    """Describe `dataset` as a schema.org Dataset; only http(s) URLs are kept."""
    record = dataset.record
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": page_url,
        "url": page_url,
        "name": record.title,
        "description": plain_text(record.description) or record.title,
        "identifier": dataset.id,
        "isAccessibleForFree": True,
    }
    if record.keywords:
        data["keywords"] = record.keywords
    if record.publisher:
        data["publisher"] = {"@type": "GovernmentOrganization", "name": record.publisher.name}
    if record.creator:
        data["creator"] = {"@type": "GovernmentOrganization", "name": record.creator.name}
    if record.licence and safe_url(record.licence.uri):
        data["license"] = record.licence.uri
    if record.issued:
        data["datePublished"] = record.issued.isoformat()
    if record.modified:
        data["dateModified"] = record.modified.isoformat()

    spatial = [region.name or region.code for region in record.spatial]
    if spatial:
        data["spatialCoverage"] = spatial
    temporal = _temporal_coverage(dataset)
    if temporal:
        data["temporalCoverage"] = temporal

    downloads = [_data_download(distribution) for distribution in record.distributions]
    downloads = [download for download in downloads if download]
    if downloads:
        data["distribution"] = downloads
    return data


def _temporal_coverage(dataset: PublishedDataset) -> str | None:
    temporal = dataset.record.temporal
    if temporal is None or not (temporal.start or temporal.end):
        return None
    start = temporal.start.isoformat() if temporal.start else ".."
    end = temporal.end.isoformat() if temporal.end else ".."
    return f"{start}/{end}"


def _data_download(distribution: Any) -> dict[str, Any] | None:
    url = safe_url(distribution.download_url) or safe_url(distribution.access_url)
    if url is None:
        return None
    download: dict[str, Any] = {"@type": "DataDownload", "contentUrl": url}
    if distribution.format and distribution.format.media_type:
        download["encodingFormat"] = distribution.format.media_type
    if distribution.title:
        download["name"] = distribution.title
    return download
