"""IRIs of the vocabulary terms the DCAT-AP profile writes, built from namespace constants."""

from __future__ import annotations

import functools

from harvester.model import AccessLevel
from publish.dcat.terms import IRI, NAMESPACES

RDF = NAMESPACES["rdf"]
RDFS = NAMESPACES["rdfs"]
XSD = NAMESPACES["xsd"]
DCAT = NAMESPACES["dcat"]
DCT = NAMESPACES["dct"]
FOAF = NAMESPACES["foaf"]
VCARD = NAMESPACES["vcard"]
SKOS = NAMESPACES["skos"]
ADMS = NAMESPACES["adms"]
PROV = NAMESPACES["prov"]
LOCN = NAMESPACES["locn"]
HYDRA = NAMESPACES["hydra"]
AS = NAMESPACES["as"]
DQV = NAMESPACES["dqv"]

# EU Publications Office authority tables, as DCAT-AP 3.0 recommends.
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
ACCESS_RIGHTS: dict[AccessLevel, IRI] = {
    AccessLevel.TERBUKA: IRI(EU_ACCESS_RIGHT + "PUBLIC"),
    AccessLevel.TERBATAS: IRI(EU_ACCESS_RIGHT + "RESTRICTED"),
    AccessLevel.TERTUTUP: IRI(EU_ACCESS_RIGHT + "NON_PUBLIC"),
}

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPDX_LICENSES = "http://spdx.org/licenses/"


@functools.cache
def term(namespace: str, local: str) -> IRI:
    """Return the IRI of `local` in `namespace`."""
    return IRI(namespace + local)
