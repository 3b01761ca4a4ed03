"""Source configuration: one harvest source per entry of `sources.yaml`.

A source names its connector family, its URL and the context that the
harmonize stage needs (the Walidata that publishes it, its region, the access
level to assume when a record states none). Connector-specific options are
validated against the options model that each connector declares.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harvester.errors import ConfigError
from harvester.model import AccessLevel

SOURCE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_ENV_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


class Schedule(BaseModel):
    """When a source runs: a cron expression or an interval, plus random jitter."""

    model_config = ConfigDict(extra="forbid")

    cron: str | None = None
    interval_minutes: int | None = Field(default=None, ge=1)
    jitter_seconds: int = Field(default=300, ge=0)
    full_every: int = Field(default=7, ge=1, description="Every Nth run is a full reconciliation run.")


class SourceConfig(BaseModel):
    """One configured harvest source."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    family: str
    url: str
    enabled: bool = True
    walidata: str | None = Field(default=None, description="Publisher (Walidata) when records name none.")
    region: str | None = Field(default=None, description="Kemendagri code of the source's own region, e.g. 18.09.")
    access_default: AccessLevel | None = Field(
        default=None,
        description="Access level for records that state none. Unset means such records are held back.",
    )
    priority: int = Field(default=50, description="Higher wins when copies of one dataset are merged.")
    schedule: Schedule | None = None
    max_records: int | None = Field(default=None, ge=1)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not SOURCE_ID_PATTERN.match(value):
            raise ValueError(
                f"source id {value!r} is invalid: use 2-63 lowercase letters, digits and hyphens"
            )
        return value


def _expand_environment(text: str) -> str:
    """Replace `${NAME}` and `${NAME:-default}` with environment values."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value is None:
            if default is None:
                raise ConfigError(f"environment variable {name} is not set and has no default")
            return default
        return value

    return _ENV_REFERENCE.sub(replace, text)


def parse_sources(text: str, origin: str = "<string>") -> list[SourceConfig]:
    """Parse a sources YAML document into validated source configurations."""
    try:
        document = yaml.safe_load(_expand_environment(text)) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{origin}: invalid YAML: {error}") from error

    entries = document.get("sources", []) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: expected a mapping with a 'sources' list")

    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        try:
            source = SourceConfig.model_validate(entry)
        except ValidationError as error:
            label = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
            raise ConfigError(f"{origin}: source {label} is invalid: {error}") from error
        if source.id in seen:
            raise ConfigError(f"{origin}: source id {source.id!r} is used twice")
        seen.add(source.id)
        sources.append(source)
    return sources


def load_sources(path: Path) -> list[SourceConfig]:
    """Read and validate a sources YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"sources file not found: {path}") from error
    return parse_sources(text, origin=str(path))
