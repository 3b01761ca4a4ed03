"""The XML gate: every XML document a connector parses passes through here first.

A document that declares a DOCTYPE or an ENTITY is rejected before any parser
sees it, so no DTD is loaded, no entity is expanded and no external resource
is fetched (billion laughs, XXE). Documents that pass are parsed by lxml with
entity resolution, DTD loading and network access switched off.

The scan is a byte search after decoding the declared or BOM-detected
encoding, so a `<!DOCTYPE` inside a CDATA section or a comment is rejected
too. Harvested metadata has no reason to carry one, and a false rejection is
safer than a missed declaration.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from harvester.errors import SourceError

__all__ = ["DTD_FORBIDDEN", "check_xml", "parse_xml", "safe_parser"]

DTD_FORBIDDEN = "dtd-forbidden"
INVALID_XML = "invalid-xml"

_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

# Byte-order marks and the encodings they announce, longest first so that
# UTF-32 LE is not taken for UTF-16 LE.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Encodings recognised from the first bytes of a document without a BOM.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


def _decode_for_scan(data: bytes) -> str:
    """Decode `data` well enough to search it for markup declarations."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    for signature, encoding in _SIGNATURES:
        if data.startswith(signature):
            return data.decode(encoding, errors="replace")
    # Every ASCII-compatible encoding (UTF-8, ISO-8859-x, cp1252) spells the
    # declaration keywords with the same bytes, so Latin-1 is enough here.
    return data.decode("latin-1")


def check_xml(data: bytes, *, where: str) -> None:
    """Raise SourceError `dtd-forbidden` when `data` declares a DOCTYPE or an ENTITY.

    `where` names the document (a URL or an archive member) in the message.
    """
    match = _DECLARATION.search(_decode_for_scan(data))
    if match is not None:
        keyword = match.group(1).upper()
        raise SourceError(
            f"{where}: XML declares <!{keyword}>; DTDs and entities are not accepted",
            code=DTD_FORBIDDEN,
        )


def safe_parser() -> etree.XMLParser:
    """Build an lxml parser that never resolves entities, loads DTDs or opens URLs."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, where: str) -> etree._Element:
    """Check `data` at the gate and parse it; return the root element.

    Raises SourceError `dtd-forbidden` for declarations and `invalid-xml` for
    a document that is not well-formed.
    """
    check_xml(data, where=where)
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise SourceError(f"{where}: invalid XML: {error}", code=INVALID_XML) from error

    if root.getroottree().docinfo.doctype:
        raise SourceError(f"{where}: XML declares a DOCTYPE", code=DTD_FORBIDDEN)
    return root
