"""Evaluate a description's field expressions over one raw item and build record fields.

Values stay as the source wrote them (`original`): a relative date such as
"4 jam yang lalu" is kept in `extras` when it is not an ISO date, and HTML
descriptions are reduced to text only when the description asks for it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import jmespath
from lxml import html as lxml_html

from connectors.declarative_config import ApiDescription
from harvester.errors import InvalidRecordError
from harvester.model import Agent, Concept, Distribution, FileFormat, Licence

__all__ = ["apply_transforms", "evaluate", "record_fields"]

_NUMBER_PREFIX = re.compile(r"^\s*\d+\s*[.)]\s+")


def evaluate(expression: str | None, data: Any) -> Any:
    """Return the value of a JMESPath expression over `data`, None when unset."""
    if not expression:
        return None
    return jmespath.search(expression, data)


def _html_to_text(value: str) -> str:
    if "<" not in value:
        return html.unescape(value)
    fragment = lxml_html.fragment_fromstring(value, create_parent="div")
    return " ".join(" ".join(fragment.itertext()).split())


def apply_transforms(value: Any, transforms: list[str]) -> Any:
    """Apply the named clean-ups to a text value; lists are cleaned item by item."""
    if isinstance(value, list):
        return [apply_transforms(item, transforms) for item in value]
    if not isinstance(value, str):
        return value
    for transform in transforms:
        if transform == "strip":
            value = value.strip()
        elif transform == "html_to_text":
            value = _html_to_text(value)
        elif transform == "strip_number_prefix":
            value = _NUMBER_PREFIX.sub("", value)
        elif transform == "split_commas":
            return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _datetime(value: Any) -> dt.datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [text for text in (_text(item) for item in value) if text]


def _distributions(value: Any) -> list[Distribution]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    found = []
    for entry in value:
        if not isinstance(entry, dict) or not _text(entry.get("url")):
            continue
        declared = _text(entry.get("format"))
        found.append(Distribution(
            title=_text(entry.get("title")),
            access_url=_text(entry.get("url")),
            download_url=_text(entry.get("download_url")),
            format=FileFormat(original=declared) if declared else None,
        ))
    return found


def _agent(value: Any) -> Agent | None:
    name = _text(value)
    return Agent(name=name, original=name) if name else None


def _concept(value: Any) -> Concept | None:
    original = _text(value)
    return Concept(original=original) if original else None


def record_fields(description: ApiDescription, raw: Any, *, remote_id: str) -> dict[str, Any]:
    """Return `DatasetRecord` fields (without provenance) for one raw item.

    Raises InvalidRecordError when the title is missing.
    """
    values = {name: evaluate(expression, raw) for name, expression in description.fields.items()}
    for name, transforms in description.transforms.items():
        if name in values:
            values[name] = apply_transforms(values[name], transforms)

    title = _text(values.get("title"))
    if not title:
        raise InvalidRecordError(f"record {remote_id} has no title", remote_id=remote_id)

    extras = dict(values["extras"]) if isinstance(values.get("extras"), dict) else {}
    for name in ("modified", "issued"):
        if _text(values.get(name)) and _datetime(values.get(name)) is None:
            extras[f"{name}_original"] = _text(values.get(name))

    topic = _concept(values.get("topic"))
    licence_text = _text(values.get("licence"))
    access_text = _text(values.get("access"))
    fields: dict[str, Any] = {
        "title": title,
        "description": _text(values.get("description")),
        "keywords": _keywords(values.get("keywords")),
        "themes": [topic] if topic else [],
        "publisher": _agent(values.get("publisher")),
        "creator": _agent(values.get("creator")),
        "modified": _datetime(values.get("modified")),
        "issued": _datetime(values.get("issued")),
        "frequency": _concept(values.get("frequency")),
        "licence": Licence(original=licence_text) if licence_text else None,
        "landing_page": _text(values.get("landing_page")),
        "distributions": _distributions(values.get("distributions")),
        "spatial_text": _text(values.get("region")),
        "identifiers": [remote_id],
        "extras": extras,
    }
    if access_text:
        fields["access"] = {"original": access_text}
    return fields
