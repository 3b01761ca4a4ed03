"""Connectors, one module per portal family, registered by family name."""

from __future__ import annotations

import importlib

from connectors.base import Connector, ConnectorOptions, ListingState, RemoteRecord
from harvester.errors import ConfigError

__all__ = ["Connector", "ConnectorOptions", "ListingState", "RemoteRecord", "connector_class", "families"]

# Family name -> "module:Class". Modules load on first use, so a broken or
# heavy optional family (scrapy for HTML portals) never slows the others.
_REGISTRY: dict[str, str] = {
    "ckan": "connectors.ckan:CkanConnector",
    "datagoid": "connectors.datagoid:DataGoIdConnector",
    "dcat-us": "connectors.dcat_us:DcatUsConnector",
    "dcat-rdf": "connectors.dcat_rdf:DcatRdfConnector",
    "csw": "connectors.csw:CswConnector",
    "bps": "connectors.bps:BpsConnector",
    "json-api": "connectors.declarative:DeclarativeConnector",
    "spreadsheet": "connectors.spreadsheet:SpreadsheetConnector",
    "html": "connectors.html:HtmlConnector",
}


def register(family: str, target: str) -> None:
    """Register a connector class, given as "module:Class", under a family name."""
    _REGISTRY[family] = target


def families(*, shipped_only: bool = False) -> list[str]:
    """Return the registered family names; `shipped_only` leaves out families registered from outside this package."""
    if shipped_only:
        return sorted(family for family, target in _REGISTRY.items() if target.startswith("connectors."))
    return sorted(_REGISTRY)


def connector_class(family: str) -> type[Connector]:
    """Return the connector class registered for `family`."""
    try:
        target = _REGISTRY[family]
    except KeyError:
        raise ConfigError(
            f"unknown connector family {family!r}; known families: {', '.join(families())}"
        ) from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)
