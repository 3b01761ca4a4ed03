"""The YAML description of a custom JSON API, read by the declarative connector.

A description names the list endpoint, its paging scheme, the JMESPath to the
items, an optional detail endpoint, an error-envelope rule and one JMESPath
expression per record field. Shipped descriptions live in
`config/connectors/json-api/<name>.yaml`; a source picks one with `options.preset` and
may override any part inline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import jmespath
import yaml
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harvester.errors import ConfigError
from harvester.settings import DEFAULT_CONFIG_DIR

__all__ = ["ApiDescription", "DetailRule", "ErrorRule", "ListRule", "PagingRule", "load_description"]

PRESET_DIR = DEFAULT_CONFIG_DIR / "connectors" / "json-api"

FIELD_NAMES = (
    "remote_id", "title", "description", "keywords", "publisher", "creator", "modified", "issued",
    "frequency", "topic", "licence", "access", "landing_page", "distributions", "region", "extras",
)
Transform = Literal["strip", "html_to_text", "strip_number_prefix", "split_commas"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_expression(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        jmespath.compile(value)
    except JMESPathError as error:
        raise ValueError(f"invalid JMESPath expression {value!r}: {error}") from error
    return value


class PagingRule(_Strict):
    """The paging scheme of the list endpoint: page number, offset, cursor or next URL."""

    scheme: Literal["none", "page", "offset", "cursor", "next_url"] = "none"
    page_param: str = "page"
    first_page: int = 1
    last_page: str | None = Field(default=None, description="JMESPath to the number of the last page.")
    offset_param: str = "skip"
    limit_param: str = "limit"
    limit: int = Field(default=100, ge=1)
    total: str | None = Field(default=None, description="JMESPath to the total number of items.")
    cursor_param: str = "cursor"
    cursor: str | None = Field(default=None, description="JMESPath to the next cursor; empty at the end.")
    next_url: str | None = Field(default=None, description="JMESPath to the next page URL; null at the end.")
    max_pages: int = Field(default=10_000, ge=1)

    @field_validator("last_page", "total", "cursor", "next_url")
    @classmethod
    def _compile(cls, value: str | None) -> str | None:
        return _check_expression(value)


class ListRule(_Strict):
    """The list endpoint and where its items are."""

    path: str = Field(default="", description="Path or absolute URL of the list, relative to the source URL.")
    params: dict[str, str] = Field(default_factory=dict)
    items: str = Field(default="@", description="JMESPath to the list of items in a page.")
    paging: PagingRule = Field(default_factory=PagingRule)

    @field_validator("items")
    @classmethod
    def _compile(cls, value: str | None) -> str | None:
        return _check_expression(value)


class DetailRule(_Strict):
    """An endpoint fetched once per item; its reply is stored under `detail` in the raw record."""

    path: str = Field(description="Template such as /json/{id}; names are JMESPath-free item keys.")
    select: str = Field(default="@", description="JMESPath to the part of the detail reply to keep.")


class ErrorRule(_Strict):
    """A JMESPath condition that marks an HTTP 200 body as an error, and where its message is."""

    when: str = Field(description="JMESPath that is true for an error body, e.g. status != 'OK'.")
    message: str | None = Field(default=None, description="JMESPath to the error message.")

    @field_validator("when", "message")
    @classmethod
    def _compile(cls, value: str | None) -> str | None:
        return _check_expression(value)


class ApiDescription(_Strict):
    """A complete description of one custom JSON API."""

    title: str = ""
    listing: ListRule = Field(default_factory=ListRule)
    detail: DetailRule | None = None
    error: list[ErrorRule] = Field(default_factory=list)
    fields: dict[str, str] = Field(default_factory=dict, description="Record field -> JMESPath over the item.")
    transforms: dict[str, list[Transform]] = Field(
        default_factory=dict, description="Record field -> text clean-ups applied in order.")

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELD_NAMES))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known fields: {', '.join(FIELD_NAMES)}")
        for name in ("remote_id", "title"):
            if name not in value:
                raise ValueError(f"fields.{name} is required")
        for expression in value.values():
            _check_expression(expression)
        return value


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_preset(name: str, preset_dir: Path) -> dict[str, Any]:
    path = preset_dir / f"{name}.yaml"
    if not name.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        known = sorted(found.stem for found in preset_dir.glob("*.yaml"))
        raise ConfigError(f"unknown json-api preset {name!r}; known presets: {', '.join(known)}")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping")
    return document


def load_description(preset: str | None, inline: dict[str, Any], *, preset_dir: Path = PRESET_DIR) -> ApiDescription:
    """Return the API description: the named preset with the inline parts merged over it."""
    document = _read_preset(preset, preset_dir) if preset else {}
    try:
        return ApiDescription.model_validate(_merge(document, inline))
    except ValidationError as error:
        raise ConfigError(f"invalid json-api description {preset or '(inline)'}: {error}") from error
