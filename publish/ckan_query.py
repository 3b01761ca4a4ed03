"""Parsing of CKAN `package_search` parameters (q, fq, sort, facet.field) into a Himpun search plan.

Supported `fq` clauses, joined by spaces or AND: `field:value`,
`field:"quoted value"`, `+field:value`, `field:(a OR b)`,
`field:a OR field:b` and `metadata_modified:[FROM TO *]`. Repeating a field
widens it (OR), where CKAN's Solr would narrow it (AND). Anything else,
such as an exclusion `-field:value`, is rejected with a message that lists
what works, instead of being ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from index.base import FACETS
from publish.errors import PublicApiError

__all__ = ["FIELD_TO_FACET", "SearchPlan", "parse_facet_fields", "parse_fq", "parse_q", "parse_sort"]

# CKAN field names, and our own facet names, mapped to index facets.
FIELD_TO_FACET: dict[str, str] = {
    "organization": "publisher",
    "owner_org": "publisher",
    "res_format": "format",
    "license_id": "licence",
    "groups": "theme",
    **{facet: facet for facet in FACETS},
}

_SORTS: dict[str, str] = {
    "score desc": "relevance",
    "score desc, metadata_modified desc": "relevance",
    "relevance": "relevance",
    "metadata_modified desc": "modified_desc",
    "metadata_modified asc": "modified_asc",
    "title_string asc": "title_asc",
    "title asc": "title_asc",
    "name asc": "title_asc",
    "id asc": "id_asc",
}

_CLAUSE = re.compile(
    r"""\+?(?P<field>[A-Za-z_.]+):
        (?: "(?P<quoted>(?:[^"\\]|\\.)*)"
          | \[(?P<range>[^\]]*)\]
          | \((?P<group>[^)]*)\)
          | (?P<bare>[^\s"()\[\]]+) )""",
    re.VERBOSE,
)


def _invalid(field_name: str, message_id: str, message_en: str) -> PublicApiError:
    return PublicApiError(409, message_id, message_en, code="validation-error", field=field_name)


@dataclass
class SearchPlan:
    """The request of one package_search, in Himpun's terms."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    modified_since: dt.datetime | None = None


def _parse_time(value: str) -> dt.datetime:
    text = value.strip()
    if text.upper().startswith("NOW"):
        raise _invalid("fq", "Tanggal relatif (NOW) tidak didukung; gunakan waktu ISO 8601",
                       "relative dates (NOW) are not supported; use an ISO 8601 time")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid("fq", f"Waktu tidak valid di fq: {value!r}", f"invalid time in fq: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _parse_range(plan: SearchPlan, field_name: str, text: str) -> None:
    lower, separator, upper = text.partition(" TO ")
    if field_name != "metadata_modified" or not separator or upper.strip() != "*":
        raise _invalid("fq", f"Rentang hanya didukung sebagai metadata_modified:[WAKTU TO *], bukan {field_name}:[{text}]",
                       f"ranges are supported only as metadata_modified:[TIME TO *], not {field_name}:[{text}]")
    if lower.strip() != "*":
        plan.modified_since = _parse_time(lower)


def parse_fq(fq: str | None, plan: SearchPlan) -> None:
    """Add the clauses of `fq` to `plan`; raise PublicApiError (409) on a clause that is not supported."""
    if not fq:
        return
    position = 0
    previous_field: str | None = None
    for match in _CLAUSE.finditer(fq):
        field_name = match.group("field")
        gap = fq[position:match.start()].strip()
        # "a:x OR a:y" is the same as repeating the field; OR across fields has no equivalent.
        or_same_field = gap.upper() == "OR" and field_name == previous_field
        if gap and gap.upper() != "AND" and not or_same_field:
            raise _invalid("fq", f"Bagian fq tidak didukung: {gap!r}", f"unsupported part of fq: {gap!r}")
        position = match.end()
        previous_field = field_name

        if match.group("range") is not None:
            _parse_range(plan, field_name, match.group("range"))
            continue
        facet = FIELD_TO_FACET.get(field_name)
        if facet is None:
            known = ", ".join(sorted(FIELD_TO_FACET)) + ", metadata_modified"
            raise _invalid("fq", f"Field {field_name!r} tidak didukung di fq; didukung: {known}",
                           f"field {field_name!r} is not supported in fq; supported: {known}")
        if match.group("group") is not None:
            values = [v.strip().strip('"') for v in re.split(r"\s+OR\s+", match.group("group")) if v.strip()]
        elif match.group("quoted") is not None:
            values = [re.sub(r"\\(.)", r"\1", match.group("quoted"))]
        else:
            values = [match.group("bare")]
        plan.filters.setdefault(facet, []).extend(values)

    rest = fq[position:].strip()
    if rest and rest.upper() != "AND":
        raise _invalid("fq", f"Bagian fq tidak didukung: {rest!r}", f"unsupported part of fq: {rest!r}")


def parse_q(q: str | None, plan: SearchPlan) -> None:
    """Set the free text of `plan`; `*:*` and an empty q match everything, and field clauses act as fq."""
    text = (q or "").strip()
    if text in ("", "*:*", "*"):
        return
    fielded = [m for m in _CLAUSE.finditer(text) if m.group("field") in FIELD_TO_FACET or m.group("range")]
    if fielded:
        parse_fq(" ".join(m.group(0) for m in fielded), plan)
        for match in reversed(fielded):
            text = text[:match.start()] + text[match.end():]
    plan.text = " ".join(text.split())


def parse_sort(sort: str | None) -> str:
    """Return the Himpun sort for a CKAN sort string: a SearchQuery sort or `id_asc`."""
    if not sort:
        return "relevance"
    key = ", ".join(part.strip().lower() for part in sort.split(","))
    key = " ".join(key.split())
    if key not in _SORTS:
        known = "; ".join(sorted(_SORTS))
        raise _invalid("sort", f"Urutan {sort!r} tidak didukung; didukung: {known}",
                       f"sort {sort!r} is not supported; supported: {known}")
    return _SORTS[key]


def parse_facet_fields(value: str | None) -> dict[str, str]:
    """Return {requested CKAN field: index facet} for a `facet.field` JSON list."""
    if not value:
        return {}
    try:
        names = json.loads(value)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise _invalid("facet.field", "facet.field harus daftar JSON, mis. [\"organization\",\"res_format\"]",
                       "facet.field must be a JSON list, e.g. [\"organization\",\"res_format\"]")
    unknown = [name for name in names if name not in FIELD_TO_FACET]
    if unknown:
        known = ", ".join(sorted(FIELD_TO_FACET))
        raise _invalid("facet.field", f"Facet tidak didukung: {', '.join(unknown)}; didukung: {known}",
                       f"unsupported facets: {', '.join(unknown)}; supported: {known}")
    return {name: FIELD_TO_FACET[name] for name in names}
