"""data.go.id connector (family `datagoid`).

data.go.id answers 404 on the public CKAN Action API; its front end reaches
the internal CKAN through `POST /api/proxy` with a JSON body naming the
action URL. Replies are wrapped as `{"status": "200 OK", "message": "Sucess",
"result": ...}` (the misspelling is what the portal sends). Through the
proxy only `package_search`, `package_show` and `package_list` work, `rows`
is capped at 1000, and `fq` and facets are ignored, so filters go in `q`.
Records map exactly as for CKAN, with each organization being a Walidata.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode

from pydantic import Field

from connectors.base import ConnectorOptions
from connectors.ckan import CkanConnector, CkanOptions
from harvester.errors import RemoteError
from harvester.http import HttpStatusError

__all__ = ["DataGoIdConnector", "DataGoIdOptions"]

logger = logging.getLogger(__name__)


class DataGoIdOptions(CkanOptions):
    """Options of the data.go.id source. Organizations there are always Walidata."""

    proxy_path: str = Field(default="/api/proxy", description="Path of the proxy endpoint below the source URL.")
    organization_role: Literal["walidata"] = "walidata"


class DataGoIdConnector(CkanConnector):
    """Harvests data.go.id through its CKAN proxy."""

    family: ClassVar[str] = "datagoid"
    title: ClassVar[str] = "data.go.id (CKAN behind /api/proxy)"
    Options: ClassVar[type[ConnectorOptions]] = DataGoIdOptions

    options: DataGoIdOptions

    def call_action(self, action: str, params: dict[str, Any]) -> Any:
        """Call a CKAN action through the proxy and return the unwrapped `result`."""
        url = f"{self.source.url.rstrip('/')}{self.options.proxy_path}"
        endpoint = f"{self.options.api_path}/{action}"
        if params:
            endpoint = f"{endpoint}?{urlencode(params)}"
        body = {"endpoint": endpoint, "method": "GET", "body": {}, "token": ""}

        try:
            reply = self.http.post_json(url, json=body, per_record=True)
        except HttpStatusError as error:
            raise self._proxy_error(action, _json_or_none(error), error) from error
        return self._unwrap(action, reply)

    def _unwrap(self, action: str, reply: Any) -> Any:
        if not isinstance(reply, dict):
            raise RemoteError(f"source {self.source.id}: proxy reply to {action} is not an object")
        status = reply.get("status")
        if isinstance(status, str) and status.strip().startswith("200") and "result" in reply:
            return reply["result"]
        raise self._proxy_error(action, reply, None)

    def _proxy_error(self, action: str, reply: Any, error: HttpStatusError | None) -> RemoteError:
        """Describe a proxy failure: the envelope status, or a Spring error body."""
        detail = f"HTTP {error.status}" if error is not None else "no result"
        if isinstance(reply, dict):
            status = reply.get("status")
            message = reply.get("message") or reply.get("error")
            path = reply.get("path")
            detail = " ".join(str(part) for part in (status, message, path) if part not in (None, ""))
        return RemoteError(f"source {self.source.id}: data.go.id proxy failed for {action}: {detail}")


def _json_or_none(error: HttpStatusError) -> Any:
    try:
        return error.response.json()
    except RemoteError:
        return None
