"""Source configuration: one harvest source per entry of `sources.yaml`.

A source names its connector family, its URL and the context that the
harmonize stage needs (the Walidata that publishes it, its region, the access
level to assume when a record states none). Connector-specific options are
validated against the options model that each connector declares.

Loading a sources file checks every entry and reports every problem at once,
one line per problem in the form `source <id>: field <field>: <message>
(value: <value>)`. Besides the model, the file checks the URL scheme and
host, the region code against the shipped reference data, the cron
expression with APScheduler and the family against the connector registry.
Sources created through the admin API pass the admin API's own URL and
cron checks (server/admin/source_checks.py), which are stricter, and the
same region check.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harvester.errors import ConfigError
from harvester.http import redact_url
from harvester.model import AccessLevel, RegionSystem
from harvester.settings import DEFAULT_CONFIG_DIR

if TYPE_CHECKING:
    from harvester.harmonize.regions import RegionTable

SOURCE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_ENV_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")

URL_SCHEMES = ("http", "https")
# Families whose options can name a local file that is read instead of the
# source URL (connectors/spreadsheet.py reads `options.path`). With that option
# set, the URL is never fetched, so it may also be a path or a file: URL.
LOCAL_FILE_OPTIONS = {"spreadsheet": "path"}
# Maximum length, in characters, of a value repeated in a problem line.
MAX_VALUE_LENGTH = 120


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
    region: str | None = Field(
        default=None,
        description="Kemendagri code of the source's own region, e.g. 18.09. Loading a sources file also "
                    "accepts an undotted Kemendagri or BPS code and rewrites it to the dotted Kemendagri code.",
    )
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


def _expand_environment(text: str, origin: str) -> str:
    """Replace `${NAME}` and `${NAME:-default}` with environment values."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value is None:
            if default is None:
                raise ConfigError(f"{origin}: variabel lingkungan {name} tidak diatur dan tidak punya bawaan / "
                                  f"environment variable {name} is not set and has no default")
            return default
        return value

    return _ENV_REFERENCE.sub(replace, text)


# Problem lines ---------------------------------------------------------


def _render_value(location: tuple[str | int, ...], value: object) -> str:
    """Render an invalid value for a problem line, masking credentials."""
    from harvester.credentials import is_secret_option  # imported here: harvester.credentials imports this module

    if any(isinstance(part, str) and is_secret_option(part) for part in location):
        return "***"
    if isinstance(value, str) and location and location[-1] == "url" and ("@" in value or "?" in value):
        value = redact_url(value)
    text = repr(value)
    if len(text) > MAX_VALUE_LENGTH:
        text = text[:MAX_VALUE_LENGTH - 3] + "..."
    return text


def problem_line(source_label: str, location: tuple[str | int, ...], message: str,
                 value: object = None, *, show_value: bool = True) -> str:
    """Format one problem as `source <id>: field <field>: <message> (value: <value>)`."""
    parts = [f"source {source_label}"]
    if location:
        parts.append("field " + ".".join(str(part) for part in location))
    parts.append(message)
    line = ": ".join(parts)
    if show_value:
        line += f" (value: {_render_value(location, value)})"
    return line


def validation_problems(error: ValidationError, source_label: str,
                        prefix: tuple[str | int, ...] = ()) -> list[str]:
    """Turn a pydantic ValidationError into problem lines, without pydantic's error types and URLs.

    `prefix` is the location of the validated value inside the source entry,
    such as `("options",)` for a connector's options model.
    """
    lines = []
    for detail in error.errors(include_url=False):
        location = prefix + tuple(detail["loc"])
        message = detail["msg"]
        if detail["type"] == "value_error" and "error" in detail.get("ctx", {}):
            message = str(detail["ctx"]["error"])  # without pydantic's "Value error, " prefix
        # A missing field has no value of its own: pydantic passes the enclosing mapping.
        show_value = detail["type"] != "missing"
        lines.append(problem_line(source_label, location, message, detail.get("input"), show_value=show_value))
    return lines


def describe_problems(origin: str, problems: list[str]) -> str:
    """Build the message of a sources file with problems: a lead line, then one indented line per problem."""
    count = len(problems)
    lead = f"{origin}: {count} masalah pada sumber / {count} source problem{'s' if count != 1 else ''}:"
    return "\n".join([lead, *(f"  {problem}" for problem in problems)])


# Checks beyond the model -----------------------------------------------


@functools.lru_cache(maxsize=1)
def _shipped_regions() -> RegionTable:
    """Load the region table of the shipped reference data once per process."""
    from harvester.harmonize.regions import RegionTable  # imported here: the harmonizer imports this module

    return RegionTable.from_config(DEFAULT_CONFIG_DIR)


def _url_problem(url: str, family: str, options: dict[str, Any]) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as error:
        return f"URL tidak valid / invalid URL: {error}"

    if parts.scheme.lower() in URL_SCHEMES and parts.hostname and not any(char.isspace() for char in url):
        return None
    local_option = LOCAL_FILE_OPTIONS.get(family)
    if local_option and options.get(local_option) and parts.scheme.lower() in ("", "file"):
        return None
    if local_option:
        return (f"harus URL http atau https dengan host, kecuali opsi {local_option} diisi / must be an http or "
                f"https URL with a host, unless options.{local_option} names a local file")
    return "harus URL http atau https dengan host / must be an http or https URL with a host"


def normalized_region(value: str) -> tuple[str | None, str | None]:
    """Return the dotted Kemendagri 2025 code of `value` and None, or None and the problem.

    The sources file and the admin API both accept a region through this check.
    """
    regions = _shipped_regions()
    code = value.strip()
    if regions.get(code) is not None:
        return code, None

    parsed = regions.parse_code(code)
    if parsed.problem is None and parsed.codes and parsed.codes[0].system is RegionSystem.KEMENDAGRI:
        return parsed.codes[0].code, None
    problem = ("kode wilayah tidak dikenal / unknown region code: not in the shipped Kemendagri 2025 list or "
               "BPS 2020 crosswalk; use a dotted Kemendagri code such as 18.09")
    if parsed.kind == "ambiguous":
        problem += f" ({parsed.problem})"
    return None, problem


def _cron_problem(expression: str) -> str | None:
    try:
        CronTrigger.from_crontab(expression, timezone=dt.UTC)
    except ValueError as error:
        return (f"ekspresi cron tidak valid / invalid cron expression: {error}; "
                "a cron expression has 5 fields: minute hour day month day-of-week")
    return None


def _family_problem(family: str) -> str | None:
    from connectors import families  # imported here: the connectors import this module

    known = families()
    if family in known:
        return None
    return f"keluarga konektor tidak dikenal / unknown connector family; known families: {', '.join(known)}"


def _value_problems(label: str, values: dict[str, Any]) -> list[str]:
    """Check the family, URL, region and cron among `values`. A value that is absent or not a string is skipped."""
    problems = []
    family, url, region = values.get("family"), values.get("url"), values.get("region")
    schedule = values.get("schedule")
    cron = schedule.get("cron") if isinstance(schedule, dict) else None
    options = values.get("options") if isinstance(values.get("options"), dict) else {}

    if isinstance(family, str) and (problem := _family_problem(family)):
        problems.append(problem_line(label, ("family",), problem, family))
    if isinstance(url, str) and (problem := _url_problem(url, str(family), options)):
        problems.append(problem_line(label, ("url",), problem, url))
    if isinstance(region, str) and (problem := normalized_region(region)[1]):
        problems.append(problem_line(label, ("region",), problem, region))
    if isinstance(cron, str) and (problem := _cron_problem(cron)):
        problems.append(problem_line(label, ("schedule", "cron"), problem, cron))
    return problems


def check_values(source: SourceConfig) -> tuple[SourceConfig, list[str]]:
    """Check what the model leaves open: family, URL, region and cron.

    Returns the source, with its region rewritten to the dotted Kemendagri
    code when it was given as an undotted or BPS code, and its problem lines.
    """
    problems = _value_problems(source.id, source.model_dump(include={"family", "url", "region", "schedule", "options"}))
    if not problems and source.region is not None:
        region, _ = normalized_region(source.region)
        if region != source.region:
            source = source.model_copy(update={"region": region})
    return source, problems


# Files -----------------------------------------------------------------


@dataclass
class SourcesCheck:
    """Result of checking a sources document: the sources that passed and every problem found."""

    origin: str
    sources: list[SourceConfig] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def raise_for_problems(self) -> None:
        """Raise one ConfigError that lists every problem, if there is any."""
        if self.problems:
            raise ConfigError(describe_problems(self.origin, self.problems))


def _entries(text: str, origin: str) -> list[Any]:
    """Return the `sources` list of a YAML document, or raise ConfigError naming the file."""
    try:
        document = yaml.safe_load(_expand_environment(text, origin))
    except yaml.YAMLError as error:
        raise ConfigError(f"{origin}: YAML tidak valid / invalid YAML: {error}") from error

    if not isinstance(document, dict) or "sources" not in document:
        raise ConfigError(f"{origin}: kunci 'sources' tidak ada / missing 'sources' key: the file must be a "
                          "mapping with a 'sources' list, e.g. 'sources: []'")
    entries = document["sources"]
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: 'sources' harus berupa daftar / 'sources' must be a list, got "
                          f"{_yaml_kind(entries)}; write 'sources: []' for a file without sources")
    return entries


def _yaml_kind(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    return f"the {type(value).__name__} {_render_value((), value)}"


def check_sources(text: str, origin: str = "<string>") -> SourcesCheck:
    """Check every entry of a sources YAML document and collect all problems.

    Raises ConfigError only when the document itself is unusable (invalid
    YAML, an unset environment variable, no `sources` list).
    """
    result = SourcesCheck(origin=origin)
    seen: set[str] = set()
    for position, entry in enumerate(_entries(text, origin), start=1):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else f"#{position}"
        try:
            source = SourceConfig.model_validate(entry)
        except ValidationError as error:
            result.problems += validation_problems(error, label)
            # Check the other values too, so one run lists every problem of the entry.
            if isinstance(entry, dict):
                failed = {detail["loc"][0] for detail in error.errors() if detail["loc"]}
                others = {name: value for name, value in entry.items() if name not in failed}
                result.problems += _value_problems(label, others)
            continue

        source, problems = check_values(source)
        if source.id in seen:
            problems.append(problem_line(source.id, ("id",), "id sumber dipakai dua kali / source id is used twice",
                                         source.id))
        seen.add(source.id)
        result.problems += problems
        if not problems:
            result.sources.append(source)
    return result


def parse_sources(text: str, origin: str = "<string>") -> list[SourceConfig]:
    """Parse a sources YAML document into validated source configurations.

    Raises ConfigError naming `origin` and listing every problem found.
    """
    result = check_sources(text, origin)
    result.raise_for_problems()
    return result.sources


def check_sources_file(path: Path) -> SourcesCheck:
    """Read a sources YAML file and check every entry, as `check_sources` does."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"berkas sumber tidak ditemukan / sources file not found: {path}") from error
    return check_sources(text, origin=str(path))


def load_sources(path: Path) -> list[SourceConfig]:
    """Read and validate a sources YAML file."""
    result = check_sources_file(path)
    result.raise_for_problems()
    return result.sources
