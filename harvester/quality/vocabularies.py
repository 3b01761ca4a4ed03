"""Controlled vocabularies the quality checks compare against.

The file types are a subset of the EU file-type authority table
(http://publications.europa.eu/resource/authority/file-type); the media
types are IANA registrations. Open and machine-readable follow the EU
metadata quality assessment's own lists.
"""

from __future__ import annotations

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"

# EU file-type code -> IANA media type.
FILE_TYPES: dict[str, str] = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XML": "application/xml",
    "RDF_XML": "application/rdf+xml",
    "RDF_TURTLE": "text/turtle",
    "JSON_LD": "application/ld+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "PDF": "application/pdf",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "DOC": "application/msword",
    "HTML": "text/html",
    "TXT": "text/plain",
    "ZIP": "application/zip",
    "SHP": "application/x-shapefile",
    "KML": "application/vnd.google-earth.kml+xml",
    "GPKG": "application/geopackage+sqlite3",
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WMS_SRVC": "application/vnd.ogc.wms_xml",
    "WFS_SRVC": "application/vnd.ogc.wfs_xml",
}

NON_PROPRIETARY: frozenset[str] = frozenset({
    "CSV", "TSV", "JSON", "GEOJSON", "XML", "RDF_XML", "RDF_TURTLE", "JSON_LD", "ODS",
    "HTML", "TXT", "KML", "GPKG", "PNG", "PDF", "WMS_SRVC", "WFS_SRVC",
})

MACHINE_READABLE: frozenset[str] = frozenset({
    "CSV", "TSV", "JSON", "GEOJSON", "XML", "RDF_XML", "RDF_TURTLE", "JSON_LD", "ODS",
    "XLSX", "XLS", "KML", "GPKG", "SHP", "WMS_SRVC", "WFS_SRVC",
})

# Licence URIs that count as "from a vocabulary": SPDX and the EU licence table.
LICENCE_URI_PREFIXES: tuple[str, ...] = (
    "http://spdx.org/licenses/",
    "https://spdx.org/licenses/",
    "http://publications.europa.eu/resource/authority/licence/",
)

EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


def file_type_code(file_type_uri: str | None) -> str | None:
    """Return the EU file-type code of `file_type_uri`, or None when it is not from that table."""
    if not file_type_uri or not file_type_uri.startswith(EU_FILE_TYPE):
        return None
    code = file_type_uri.removeprefix(EU_FILE_TYPE)
    return code if code in FILE_TYPES else None
