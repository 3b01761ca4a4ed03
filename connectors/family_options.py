"""The options base shared by the portal-family connectors."""

from __future__ import annotations

from pydantic import Field

from connectors.base import ConnectorOptions
from harvester.http import HttpSourceOptions

__all__ = ["FamilyOptions"]


class FamilyOptions(ConnectorOptions):
    """Connector options plus the per-source HTTP overrides that `HttpClient` reads."""

    http: HttpSourceOptions | None = Field(
        default=None, description="Per-source HTTP overrides: size cap, deadline, delay, allowlist.")
