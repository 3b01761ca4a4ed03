"""The property checks behind the quality score.

Each check returns the share of its points a dataset earns, from 0.0 to
1.0, or None when it cannot tell (a URL that was never link-checked).
Distribution checks earn the share of distributions that pass. Labels and
fixes are English gettext message ids, marked with `N_` so Babel extracts
them; the web catalogs hold their Indonesian and English text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from harvester.model import Distribution, PublishedDataset, RegionSystem
from harvester.quality.linkcheck import LinkCheckResult
from harvester.quality.model import Dimension
from harvester.quality.vocabularies import (
    EU_FREQUENCY,
    LICENCE_URI_PREFIXES,
    MACHINE_READABLE,
    NON_PROPRIETARY,
    file_type_code,
)

LinkResults = Mapping[str, LinkCheckResult]
CheckFunction = Callable[[PublishedDataset, LinkResults], float | None]

# Dates before this year are placeholders (the epoch year 1970 is common).
EARLIEST_PLAUSIBLE_YEAR = 1971


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it here."""
    return message


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    dimension: Dimension
    max_points: int
    label: str
    fix: str
    function: CheckFunction


def _share(distributions: list[Distribution], passes: Callable[[Distribution], bool]) -> float:
    if not distributions:
        return 0.0
    return sum(1 for distribution in distributions if passes(distribution)) / len(distributions)


def _reachable_share(urls: list[str | None], links: LinkResults) -> float | None:
    checked = [links[url] for url in urls if url and url in links]
    if not urls or not checked:
        return None if urls else 0.0
    return sum(1 for result in checked if result.ok) / len(urls)


def _plausible(value: dt.datetime | None) -> bool:
    return value is not None and value.year >= EARLIEST_PLAUSIBLE_YEAR


def _file_type(distribution: Distribution) -> str | None:
    return file_type_code(distribution.format.file_type_uri) if distribution.format else None


def _keywords(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if any(keyword.strip() for keyword in dataset.record.keywords) else 0.0


def _themes(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if any(theme.uri for theme in dataset.record.themes) else 0.0


def _spatial(dataset: PublishedDataset, links: LinkResults) -> float:
    record = dataset.record
    return 1.0 if record.spatial or (record.spatial_text or "").strip() else 0.0


def _temporal(dataset: PublishedDataset, links: LinkResults) -> float:
    temporal = dataset.record.temporal
    if temporal is None:
        return 0.0
    if temporal.start or temporal.end:
        return 1.0
    return 0.5 if temporal.label else 0.0


def _access_url_reachable(dataset: PublishedDataset, links: LinkResults) -> float | None:
    urls = [distribution.access_url for distribution in dataset.record.distributions]
    return _reachable_share(urls, links)


def _download_url(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions, lambda distribution: bool(distribution.download_url))


def _download_url_reachable(dataset: PublishedDataset, links: LinkResults) -> float | None:
    urls = [distribution.download_url for distribution in dataset.record.distributions]
    return _reachable_share(urls, links)


def _format(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions,
                  lambda distribution: bool(distribution.format and (distribution.format.label
                                                                     or distribution.format.original)))


def _media_type(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions,
                  lambda distribution: bool(distribution.format and distribution.format.media_type))


def _format_vocabulary(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions, lambda distribution: _file_type(distribution) is not None)


def _non_proprietary(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions, lambda distribution: _file_type(distribution) in NON_PROPRIETARY)


def _machine_readable(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions, lambda distribution: _file_type(distribution) in MACHINE_READABLE)


def _licence(dataset: PublishedDataset, links: LinkResults) -> float:
    licence = dataset.record.licence
    return 1.0 if licence and (licence.spdx_id or licence.uri or licence.title) else 0.0


def _licence_vocabulary(dataset: PublishedDataset, links: LinkResults) -> float:
    licence = dataset.record.licence
    if licence is None:
        return 0.0
    from_vocabulary = bool(licence.spdx_id) or (licence.uri or "").startswith(LICENCE_URI_PREFIXES)
    return 1.0 if from_vocabulary else 0.0


def _access_rights(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if dataset.record.access.level is not None else 0.0


def _contact_point(dataset: PublishedDataset, links: LinkResults) -> float:
    contact = dataset.record.contact_point
    return 1.0 if contact and (contact.email or contact.url or contact.phone) else 0.0


def _publisher(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if dataset.record.publisher else 0.0


def _rights(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if str(dataset.record.extras.get("rights") or "").strip() else 0.0


def _byte_size(dataset: PublishedDataset, links: LinkResults) -> float:
    return _share(dataset.record.distributions, lambda distribution: bool(distribution.byte_size))


def _issued(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if _plausible(dataset.record.issued) else 0.0


def _modified(dataset: PublishedDataset, links: LinkResults) -> float:
    return 1.0 if _plausible(dataset.record.modified) else 0.0


def _creator(dataset: PublishedDataset, links: LinkResults) -> float:
    creator = dataset.record.creator
    if creator is None:
        return 0.0
    return 1.0 if creator.identifier else 0.5


def _walidata_register(dataset: PublishedDataset, links: LinkResults) -> float:
    publisher = dataset.record.publisher
    return 1.0 if publisher and publisher.identifier else 0.0


def _frequency(dataset: PublishedDataset, links: LinkResults) -> float:
    frequency = dataset.record.frequency
    if frequency is None:
        return 0.0
    if (frequency.uri or "").startswith(EU_FREQUENCY):
        return 1.0
    return 0.5 if frequency.original or frequency.label else 0.0


def _region_code(dataset: PublishedDataset, links: LinkResults) -> float:
    systems = {region.system for region in dataset.record.spatial}
    return 1.0 if RegionSystem.KEMENDAGRI in systems else 0.0


def _access_level_stated(dataset: PublishedDataset, links: LinkResults) -> float:
    access = dataset.record.access
    return 1.0 if access.level is not None and not access.defaulted else 0.0


F, A, I, R, C, S = (Dimension.FINDABILITY, Dimension.ACCESSIBILITY, Dimension.INTEROPERABILITY,
                    Dimension.REUSABILITY, Dimension.CONTEXTUALITY, Dimension.SATU_DATA)

CHECKS: tuple[Check, ...] = (
    Check("keywords", F, 30, N_("Keywords"),
          N_("Add keywords that people would search for, such as the subject and the region."), _keywords),
    Check("themes", F, 30, N_("Topics"),
          N_("Assign at least one topic from the topic list."), _themes),
    Check("spatial", F, 20, N_("Spatial coverage"),
          N_("State the region the data covers."), _spatial),
    Check("temporal", F, 20, N_("Temporal coverage"),
          N_("State the period the data covers with a start and an end date."), _temporal),
    Check("access-url-reachable", A, 50, N_("Access URL reachable"),
          N_("Repair or replace the access URLs that do not answer with HTTP 200."), _access_url_reachable),
    Check("download-url", A, 20, N_("Download URL"),
          N_("Give every distribution a direct download URL."), _download_url),
    Check("download-url-reachable", A, 30, N_("Download URL reachable"),
          N_("Repair or replace the download URLs that do not answer with HTTP 200."), _download_url_reachable),
    Check("format", I, 20, N_("Format"),
          N_("State the file format of every distribution."), _format),
    Check("media-type", I, 10, N_("Media type"),
          N_("State the media type of every distribution, such as text/csv."), _media_type),
    Check("format-vocabulary", I, 10, N_("Format from a controlled vocabulary"),
          N_("Use a format name from the EU file-type list, such as CSV, XLSX or JSON."), _format_vocabulary),
    Check("non-proprietary", I, 20, N_("Non-proprietary format"),
          N_("Also offer the data in an open format such as CSV or JSON."), _non_proprietary),
    Check("machine-readable", I, 20, N_("Machine-readable format"),
          N_("Offer the data as a table or structured file, not only as PDF, image or web page."),
          _machine_readable),
    Check("licence", R, 20, N_("Licence"),
          N_("State the licence, for example CC BY 4.0."), _licence),
    Check("licence-vocabulary", R, 10, N_("Licence from a controlled vocabulary"),
          N_("Name the licence by its SPDX identifier, such as CC-BY-4.0."), _licence_vocabulary),
    Check("access-rights", R, 10, N_("Access rights"),
          N_("State the access level: terbuka, terbatas or tertutup."), _access_rights),
    Check("contact-point", R, 20, N_("Contact point"),
          N_("Add a contact e-mail address or web page for questions about the data."), _contact_point),
    Check("publisher", R, 10, N_("Publisher (Walidata)"),
          N_("Name the Walidata that publishes the dataset."), _publisher),
    Check("rights", C, 5, N_("Rights statement"),
          N_("Add a rights statement saying who holds the rights to the data."), _rights),
    Check("byte-size", C, 5, N_("File size"),
          N_("State the file size of every distribution in bytes."), _byte_size),
    Check("issued", C, 5, N_("Issue date"),
          N_("State the date the dataset was first published; placeholder years such as 1970 do not count."),
          _issued),
    Check("modified", C, 5, N_("Modification date"),
          N_("State the date of the last change; placeholder years such as 1970 do not count."), _modified),
    Check("creator", S, 10, N_("Producer (OPD)"),
          N_("Name the OPD that produces the data, as listed in the organization register."), _creator),
    Check("walidata-register", S, 10, N_("Walidata in the organization register"),
          N_("Use the Walidata name exactly as listed in the organization register."), _walidata_register),
    Check("frequency", S, 10, N_("Update frequency"),
          N_("State how often the data is updated, such as tahunan or bulanan."), _frequency),
    Check("region-code", S, 10, N_("Kemendagri region code"),
          N_("Give the region as a Kemendagri code, such as 18.09 for Kabupaten Pesawaran."), _region_code),
    Check("access-level-stated", S, 10, N_("Access level stated by the source"),
          N_("Record the access level in the source portal instead of relying on a default."),
          _access_level_stated),
)

# Shown instead of the fix while a URL check has no link-check result yet.
NOT_CHECKED_FIX = N_("Not checked yet: run the link check on this dataset's distributions.")
