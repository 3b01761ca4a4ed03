"""Find the header of a "Daftar Data" sheet and turn its rows into mapped dictionaries.

The header is the row among the first 30 with the most cells matching the
column table; title blocks above it are skipped. A merged header cell leaves
empty cells to its right (horizontal merge) or below it (vertical merge);
when the row under the header has text under such cells, it is read as a
sub-header and each column is matched by its sub-header text first, then by
its parent text. Only mapped columns are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from harvester.errors import ConfigError, SourceError
from harvester.settings import DEFAULT_CONFIG_DIR

__all__ = ["COLUMN_TABLE", "ColumnTable", "load_column_table", "repair_double_encoding", "table_rows"]

COLUMN_TABLE = DEFAULT_CONFIG_DIR / "connectors" / "spreadsheet-columns.yaml"
_HEADER_SCAN_ROWS = 30
_MOJIBAKE_MARKERS = ("Â", "Ã", "â€")

ColumnTable = dict[str, str]


def normalize_name(text: Any) -> str:
    """Return a column name lower-cased, without punctuation, with single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", str(text).lower()).split())


def load_column_table(path: Path = COLUMN_TABLE) -> ColumnTable:
    """Read the column table: normalized column name -> record field."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read spreadsheet column table {path}: {error}") from error

    table: ColumnTable = {}
    for field, names in (document or {}).get("columns", {}).items():
        for name in names:
            table[normalize_name(name)] = field
    return table


def repair_double_encoding(text: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252 or Latin-1 once ("Â°C" -> "°C").

    The text is re-encoded and decoded as UTF-8 only when that round trip
    succeeds, so correct text with a real "Â" is left alone.
    """
    if not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _match_count(row: tuple[Any, ...], table: ColumnTable) -> int:
    return sum(1 for cell in row if cell is not None and normalize_name(cell) in table)


def _is_sub_header(header: tuple[Any, ...], below: tuple[Any, ...], table: ColumnTable) -> bool:
    under_merge = any(cell is not None and (index >= len(header) or header[index] is None)
                      for index, cell in enumerate(below))
    return under_merge and _match_count(below, table) > 0


def _column_fields(header: tuple[Any, ...], sub: tuple[Any, ...] | None, table: ColumnTable) -> dict[int, str]:
    fields: dict[int, str] = {}
    parent: Any = None
    width = max(len(header), len(sub or ()))
    for index in range(width):
        own = header[index] if index < len(header) else None
        parent = own if own is not None else parent
        candidates = []
        if sub is not None and index < len(sub) and sub[index] is not None:
            candidates.append(sub[index])
        candidates.append(own if own is not None else parent)
        for candidate in candidates:
            field = table.get(normalize_name(candidate)) if candidate is not None else None
            if field is not None and field not in fields.values():
                fields[index] = field
                break
    return fields


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = repair_double_encoding(value).strip()
        return value or None
    return value


def table_rows(rows: Iterable[tuple[Any, ...]], table: ColumnTable, *, max_cells: int, where: str) -> Iterator[dict[str, Any]]:
    """Yield one dict of mapped fields per data row; raise SourceError without a header or past `max_cells`."""
    iterator = iter(rows)
    head = [tuple(row) for _, row in zip(range(_HEADER_SCAN_ROWS + 1), iterator)]
    best = max(range(len(head)), key=lambda index: _match_count(head[index], table), default=None)
    if best is None or _match_count(head[best], table) < 2:
        raise SourceError(f"{where}: no header row with two known column names in the first "
                          f"{_HEADER_SCAN_ROWS} rows", code="header-not-found")

    below = head[best + 1] if best + 1 < len(head) else None
    sub = below if below is not None and _is_sub_header(head[best], below, table) else None
    fields = _column_fields(head[best], sub, table)
    first_data = best + (2 if sub is not None else 1)

    cells = 0
    for row in [*head[first_data:], *iterator]:
        cells += len(row)
        if cells > max_cells:
            raise SourceError(f"{where}: more than {max_cells} cells", code="too-many-cells")
        values = {field: _clean(row[index]) for index, field in fields.items() if index < len(row)}
        if any(value is not None for value in values.values()):
            yield values
