"""The DCAT-AP 3.0 profile: maps a `PublishedDataset` to a `Resource` tree.

docs/dcat.md contains the mapping table (DCAT property, our field, fallbacks);
change it in the same commit as this module. Every node the feed points to
carries its class (foaf:Agent, dct:Location, dct:Frequency...) so the feed
passes the DCAT-AP class-range shapes without the EU vocabularies loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from harvester.model import (
    Agent,
    Concept,
    ContactPoint,
    Distribution,
    Licence,
    PublishedDataset,
    RegionCode,
    SourceCopy,
    Temporal,
)
from harvester.quality import LinkCheckResult
from publish.dcat.quality import HAS_QUALITY_MEASUREMENT, quality_measurement_nodes
from publish.dcat.terms import IRI, RDF_TYPE, Literal, Resource, clean_text, safe_iri
from publish.dcat.vocabularies import (
    ACCESS_RIGHTS,
    ADMS,
    DCAT,
    DCT,
    FOAF,
    IANA_MEDIA_TYPES,
    LOCN,
    PROV,
    SKOS,
    SPDX_LICENSES,
    VCARD,
    XSD,
    term,
)

__all__ = ["CatalogInfo", "DcatApProfile", "SeriesInfo"]

_XSD_DATETIME = XSD + "dateTime"
_XSD_DATE = XSD + "date"
# DCAT 3 gives dcat:byteSize the range xsd:nonNegativeInteger, but the DCAT-AP
# 3.0.0 SHACL shapes require xsd:decimal, and validators run the shapes.
_XSD_BYTE_SIZE = XSD + "decimal"

_DATASET = term(DCAT, "Dataset")
_DISTRIBUTION = term(DCAT, "Distribution")
_SERIES = term(DCAT, "DatasetSeries")
_CATALOG = term(DCAT, "Catalog")
_AGENT = term(FOAF, "Agent")
_ORGANIZATION = term(FOAF, "Organization")
_DOCUMENT = term(FOAF, "Document")
_KIND = term(VCARD, "Kind")
_LOCATION = term(DCT, "Location")
_PERIOD = term(DCT, "PeriodOfTime")
_FREQUENCY = term(DCT, "Frequency")
_RIGHTS = term(DCT, "RightsStatement")
_LICENSE_DOCUMENT = term(DCT, "LicenseDocument")
_MEDIA_TYPE_OR_EXTENT = term(DCT, "MediaTypeOrExtent")
_MEDIA_TYPE = term(DCT, "MediaType")
_CONCEPT = term(SKOS, "Concept")
_IDENTIFIER = term(ADMS, "Identifier")
_ENTITY = term(PROV, "Entity")

# Distinct agents, regions and vocabulary terms kept built; far more than a catalog has.
_MAX_SHARED_NODES = 50_000

_YEAR_SUFFIX = re.compile(r"\s*(\btahun\b\s*)?\b(19|20)\d{2}\b\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    """Text the feed publishes about Himpun's own catalog."""

    title: str = "Himpun: katalog metadata Satu Data Indonesia"
    description: str = (
        "Katalog gabungan metadata dataset dari portal Satu Data Indonesia, dipanen dan diselaraskan oleh Himpun. "
        "Federated catalog of dataset metadata harvested from Satu Data Indonesia portals."
    )
    publisher_name: str = "Himpun"


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """A dataset series (dcat:DatasetSeries): a run of yearly or periodic datasets."""

    id: str
    title: str
    description: str | None = None
    frequency_uri: str | None = None
    modified: dt.datetime | None = None


SeriesLookup = Callable[[str], "SeriesInfo | None"]


def _text(value: str | None) -> Literal | None:
    cleaned = clean_text(value)
    return Literal(cleaned) if cleaned else None


def _datetime(value: dt.datetime | None) -> Literal | None:
    return Literal(value.isoformat(), _XSD_DATETIME) if value is not None else None


def _date(value: dt.date | None) -> Literal | None:
    return Literal(value.isoformat(), _XSD_DATE) if value is not None else None


def _segment(value: str) -> str:
    """Percent-encode one path segment of a Himpun URI."""
    return quote(value, safe="")


class DcatApProfile:
    """Maps published datasets, series and the catalog itself to DCAT-AP 3.0 resources."""

    def __init__(self, base_url: str, catalog: CatalogInfo | None = None,
                 series_lookup: SeriesLookup | None = None,
                 link_results: Mapping[str, LinkCheckResult] | None = None,
                 check_measurements: bool = False) -> None:
        self.base_url = base_url.rstrip("/")
        self.catalog_info = catalog or CatalogInfo()
        self.series_lookup = series_lookup
        # Link-check results by URL for the quality score's reachability checks.
        # Without them those checks are "unknown" and earn nothing.
        self.link_results = link_results
        # Whether datasets carry a DQV measurement per quality check besides the
        # score and the dimensions. Only single-dataset documents set it.
        self.check_measurements = check_measurements
        self.catalog_uri = IRI(f"{self.base_url}/catalog")
        self._shared: dict[str, Resource] = {}

    def _shared_node(self, key: str, build: Callable[[], Resource | None]) -> Resource | None:
        """Return the cached node for `key`, building it once; shared nodes are written once per document."""
        node = self._shared.get(key)
        if node is None:
            node = build()
            if node is None:
                return None
            node.shared_key = key
            if len(self._shared) >= _MAX_SHARED_NODES:
                self._shared.clear()
            self._shared[key] = node
        return node

    # --- URIs ---------------------------------------------------------------

    def dataset_uri(self, dataset_id: str) -> IRI:
        return IRI(f"{self.base_url}/dataset/{_segment(dataset_id)}")

    def series_uri(self, series_id: str) -> IRI:
        return IRI(f"{self.base_url}/series/{_segment(series_id)}")

    def organization_uri(self, identifier: str) -> IRI:
        return IRI(f"{self.base_url}/organization/{_segment(identifier)}")

    def region_uri(self, region: RegionCode) -> IRI:
        system = region.system.value
        return IRI(f"{self.base_url}/region/{system}/{_segment(region.edition)}/{_segment(region.code)}")

    # --- catalog and series ---------------------------------------------------

    def catalog(self, dataset_ids: list[str] | None = None) -> Resource:
        """Return the dcat:Catalog node, linking the given datasets."""
        info = self.catalog_info
        node = Resource(self.catalog_uri)
        node.add(RDF_TYPE, _CATALOG)
        node.add(term(DCT, "title"), Literal(info.title))
        node.add(term(DCT, "description"), Literal(info.description))

        publisher = Resource(None)
        publisher.add(RDF_TYPE, _AGENT)
        publisher.add(term(FOAF, "name"), Literal(info.publisher_name))
        node.add(term(DCT, "publisher"), publisher)

        homepage = Resource(IRI(self.base_url + "/"))
        homepage.add(RDF_TYPE, _DOCUMENT)
        node.add(term(FOAF, "homepage"), homepage)

        for dataset_id in dataset_ids or []:
            node.add(term(DCAT, "dataset"), self.dataset_uri(dataset_id))
        return node

    def catalog_link(self, dataset_id: str) -> Resource:
        """Return a one-triple catalog node linking one dataset, for streaming long feeds."""
        return Resource(self.catalog_uri, [(term(DCAT, "dataset"), self.dataset_uri(dataset_id))])

    def series(self, info: SeriesInfo) -> Resource:
        """Return a dcat:DatasetSeries node; DCAT-AP requires its title and description."""
        node = Resource(self.series_uri(info.id))
        node.add(RDF_TYPE, _SERIES)
        node.add(term(DCT, "title"), Literal(clean_text(info.title) or info.id))
        node.add(term(DCT, "description"), Literal(clean_text(info.description) or clean_text(info.title) or info.id))
        node.add(term(DCT, "accrualPeriodicity"), self._frequency_uri(info.frequency_uri))
        node.add(term(DCT, "modified"), _datetime(info.modified))
        return node

    def _series_for(self, dataset: PublishedDataset) -> Resource:
        """Return the series of `dataset`, from the lookup or derived from the dataset title."""
        series_id = dataset.series_id or ""
        info = self.series_lookup(series_id) if self.series_lookup else None
        if info is None:
            # TODO: drop this fallback once the dedupe stage stores series titles.
            title = _YEAR_SUFFIX.sub("", dataset.record.title).strip() or dataset.record.title
            info = SeriesInfo(id=series_id, title=title)
        return self.series(info)

    # --- dataset ---------------------------------------------------------------

    def dataset(self, dataset: PublishedDataset) -> Resource:
        """Return the dcat:Dataset node of `dataset` with everything it links to."""
        record = dataset.record
        node = Resource(self.dataset_uri(dataset.id))
        node.add(RDF_TYPE, _DATASET)

        title = clean_text(record.title) or dataset.id
        node.add(term(DCT, "title"), Literal(title))
        node.add(term(DCT, "description"), Literal(clean_text(record.description) or title))
        node.add(term(DCT, "identifier"), Literal(dataset.id))
        self._add_keywords(node, record.keywords)
        for concept in record.themes:
            node.add(term(DCAT, "theme"), self._theme(concept))

        node.add(term(DCT, "publisher"), self._agent(record.publisher))
        node.add(term(DCT, "creator"), self._agent(record.creator))
        node.add(term(DCAT, "contactPoint"), self._contact(record.contact_point))
        self._add_spatial(node, record.spatial, record.spatial_text)
        node.add(term(DCT, "temporal"), self._temporal(record.temporal))
        node.add(term(DCT, "issued"), _datetime(record.issued))
        node.add(term(DCT, "modified"), _datetime(record.modified))
        node.add(term(DCT, "accrualPeriodicity"), self._frequency(record.frequency))
        node.add(term(DCT, "accessRights"), self._access_rights(record.access.level))
        node.add(term(DCAT, "landingPage"), self._document(record.landing_page))

        self._add_identifiers(node, record.identifiers, dataset.sources)
        for copy in dataset.sources:
            node.add(term(PROV, "wasDerivedFrom"), self._derived_from(copy))
        if dataset.series_id:
            node.add(term(DCAT, "inSeries"), self._series_for(dataset))

        for position, distribution in enumerate(record.distributions):
            node.add(term(DCAT, "distribution"), self._distribution(dataset, position, distribution))
        for measurement in quality_measurement_nodes(dataset, self.link_results, self.check_measurements):
            node.add(HAS_QUALITY_MEASUREMENT, measurement)
        return node

    def _add_keywords(self, node: Resource, keywords: list[str]) -> None:
        seen: set[str] = set()
        for keyword in keywords:
            cleaned = clean_text(keyword)
            if cleaned and cleaned not in seen:
                seen.add(cleaned)
                node.add(term(DCAT, "keyword"), Literal(cleaned))

    def _theme(self, concept: Concept) -> Resource | None:
        key = f"theme|{concept.uri}|{concept.label}|{concept.original}"
        return self._shared_node(key, lambda: self._build_theme(concept))

    def _build_theme(self, concept: Concept) -> Resource | None:
        uri = safe_iri(concept.uri)
        if uri is None:
            return None
        theme = Resource(uri)
        theme.add(RDF_TYPE, _CONCEPT)
        label = clean_text(concept.label) or clean_text(concept.original) or uri.rsplit("/", 1)[-1]
        theme.add(term(SKOS, "prefLabel"), Literal(label))
        return theme

    def _agent(self, agent: Agent | None) -> Resource | None:
        if agent is None:
            return None
        if agent.identifier:
            return self._shared_node(f"agent|{agent.identifier}|{agent.name}", lambda: self._build_agent(agent))
        return self._build_agent(agent)

    def _build_agent(self, agent: Agent) -> Resource | None:
        name = clean_text(agent.name) or clean_text(agent.original)
        if name is None:
            return None
        uri = self.organization_uri(agent.identifier) if agent.identifier else None
        node = Resource(uri)
        node.add(RDF_TYPE, _AGENT)
        node.add(RDF_TYPE, _ORGANIZATION)
        node.add(term(FOAF, "name"), Literal(name))
        return node

    def _contact(self, contact: ContactPoint | None) -> Resource | None:
        if contact is None:
            return None
        email = clean_text(contact.email)
        mailto = safe_iri("mailto:" + email) if email and "@" in email else None
        url = safe_iri(contact.url)
        name = clean_text(contact.name)
        if not (name or mailto or url):
            return None
        node = Resource(None)
        node.add(RDF_TYPE, _KIND)
        node.add(term(VCARD, "fn"), Literal(name) if name else None)
        node.add(term(VCARD, "hasEmail"), mailto)
        node.add(term(VCARD, "hasURL"), url)
        return node

    def _add_spatial(self, node: Resource, regions: list[RegionCode], spatial_text: str | None) -> None:
        for region in regions:
            key = f"region|{region.system.value}|{region.edition}|{region.code}|{region.name}"
            node.add(term(DCT, "spatial"), self._shared_node(key, lambda region=region: self._location(region)))
        text = clean_text(spatial_text)
        if not regions and text:
            location = Resource(None)
            location.add(RDF_TYPE, _LOCATION)
            location.add(term(LOCN, "geographicName"), Literal(text))
            node.add(term(DCT, "spatial"), location)

    def _location(self, region: RegionCode) -> Resource:
        location = Resource(self.region_uri(region))
        location.add(RDF_TYPE, _LOCATION)
        location.add(term(DCT, "identifier"), Literal(region.code))
        location.add(term(LOCN, "geographicName"), _text(region.name))
        return location

    def _temporal(self, temporal: Temporal | None) -> Resource | None:
        if temporal is None or (temporal.start is None and temporal.end is None):
            return None
        period = Resource(None)
        period.add(RDF_TYPE, _PERIOD)
        period.add(term(DCAT, "startDate"), _date(temporal.start))
        period.add(term(DCAT, "endDate"), _date(temporal.end))
        return period

    def _frequency(self, frequency: Concept | None) -> Resource | None:
        return self._frequency_uri(frequency.uri) if frequency is not None else None

    def _typed_term(self, uri: str | None, rdf_class: IRI) -> Resource | None:
        """Return a vocabulary term typed with `rdf_class`, as the class-range shapes require."""
        if uri is None:
            return None

        def build() -> Resource | None:
            iri = safe_iri(uri)
            return Resource(iri, [(RDF_TYPE, rdf_class)]) if iri is not None else None

        return self._shared_node(f"term|{rdf_class}|{uri}", build)

    def _frequency_uri(self, uri: str | None) -> Resource | None:
        return self._typed_term(uri, _FREQUENCY)

    def _access_rights(self, level: object) -> Resource | None:
        return self._typed_term(ACCESS_RIGHTS.get(level), _RIGHTS)  # type: ignore[call-overload]

    def _document(self, url: str | None) -> Resource | None:
        iri = safe_iri(url)
        if iri is None:
            return None
        return Resource(iri, [(RDF_TYPE, _DOCUMENT)])

    def _add_identifiers(self, node: Resource, identifiers: list[str], sources: list[SourceCopy]) -> None:
        for identifier in identifiers:
            notation = clean_text(identifier)
            if notation:
                node.add(term(ADMS, "identifier"), self._identifier(notation, None))
        for copy in sources:
            node.add(term(ADMS, "identifier"), self._identifier(copy.remote_id, copy.source_id))

    @staticmethod
    def _identifier(notation: str, agency: str | None) -> Resource:
        identifier = Resource(None)
        identifier.add(RDF_TYPE, _IDENTIFIER)
        identifier.add(term(SKOS, "notation"), Literal(notation))
        identifier.add(term(ADMS, "schemaAgency"), _text(agency))
        return identifier

    def _derived_from(self, copy: SourceCopy) -> Resource:
        entity = Resource(safe_iri(copy.remote_url))
        entity.add(RDF_TYPE, _ENTITY)
        entity.add(term(DCT, "identifier"), Literal(copy.remote_id))
        entity.add(term(PROV, "generatedAtTime"), _datetime(copy.harvested_at))
        return entity

    # --- distribution ------------------------------------------------------------

    def _distribution(self, dataset: PublishedDataset, position: int, distribution: Distribution) -> Resource:
        key = distribution.remote_id or str(position)
        node = Resource(IRI(f"{self.dataset_uri(dataset.id)}/distribution/{_segment(key)}"))
        node.add(RDF_TYPE, _DISTRIBUTION)

        download = safe_iri(distribution.download_url)
        access = safe_iri(distribution.access_url) or download
        access = access or safe_iri(dataset.record.landing_page) or self.dataset_uri(dataset.id)
        node.add(term(DCAT, "accessURL"), access)
        node.add(term(DCAT, "downloadURL"), download)

        node.add(term(DCT, "title"), _text(distribution.title))
        node.add(term(DCT, "description"), _text(distribution.description))
        self._add_format(node, distribution)
        if distribution.byte_size is not None and distribution.byte_size >= 0:
            node.add(term(DCAT, "byteSize"), Literal(str(distribution.byte_size), _XSD_BYTE_SIZE))
        node.add(term(DCT, "issued"), _datetime(distribution.issued))
        node.add(term(DCT, "modified"), _datetime(distribution.modified))
        node.add(term(DCT, "license"), self._licence(distribution.licence or dataset.record.licence))
        return node

    def _add_format(self, node: Resource, distribution: Distribution) -> None:
        file_format = distribution.format
        if file_format is None:
            return
        node.add(term(DCT, "format"), self._typed_term(file_format.file_type_uri, _MEDIA_TYPE_OR_EXTENT))
        media_type = clean_text(file_format.media_type)
        if media_type and "/" in media_type:
            node.add(term(DCAT, "mediaType"), self._typed_term(IANA_MEDIA_TYPES + media_type.lower(), _MEDIA_TYPE))

    def _licence(self, licence: Licence | None) -> Resource | None:
        if licence is None:
            return None
        key = f"licence|{licence.uri}|{licence.spdx_id}|{licence.title}"
        return self._shared_node(key, lambda: self._build_licence(licence))

    def _build_licence(self, licence: Licence) -> Resource | None:
        uri = safe_iri(licence.uri)
        if uri is None and licence.spdx_id:
            uri = safe_iri(SPDX_LICENSES + licence.spdx_id)
        if uri is None:
            return None
        node = Resource(uri)
        node.add(RDF_TYPE, _LICENSE_DOCUMENT)
        node.add(term(DCT, "title"), _text(licence.title or licence.spdx_id))
        return node
