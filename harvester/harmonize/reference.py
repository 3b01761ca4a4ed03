"""Loaders for the reference tables under config/reference and config/vocabularies.

Each loader reads its file once per process: results are cached by path and
modification time, so a second Harmonizer in the same process costs nothing
and an edited file is read again.
"""

from __future__ import annotations

import csv
import logging
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from harvester.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "CrosswalkRow",
    "RegionRow",
    "convert_wilayah_sql",
    "load_crosswalk",
    "load_regions",
    "load_yaml",
    "region_level",
]

REGIONS_FILE = Path("reference/regions/kemendagri-2025.csv")
REGION_ALIASES_FILE = Path("reference/regions/aliases.csv")
CROSSWALK_DIR = Path("reference/crosswalk")
ORGANIZATIONS_FILE = Path("reference/organizations.yaml")
VOCABULARY_DIR = Path("vocabularies")

# One value tuple of an INSERT statement: ('11.01','Kabupaten Aceh Selatan').
# SQL doubles a quote inside a string ('Pasi Kuala Ba''u').
_SQL_ROW = re.compile(r"\('([0-9.]+)','((?:[^']|'')*)'\)")


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One Kemendagri region: dotted code, official name and level."""

    code: str
    name: str
    level: str


@dataclass(frozen=True, slots=True)
class CrosswalkRow:
    """One BPS code with its Kemendagri counterpart, undotted as the crosswalk prints it."""

    bps_code: str
    bps_name: str
    kemendagri_code: str
    kemendagri_name: str


def region_level(code: str) -> str:
    """Return the level of a dotted Kemendagri code.

    Regency-level codes 71-79 are cities. In a village code the first digit
    of the last part tells a kelurahan (1) from a desa (2); both are villages here.
    """
    parts = code.split(".")
    if len(parts) == 1:
        return "province"
    if len(parts) == 2:
        return "city" if parts[1].startswith("7") else "regency"
    if len(parts) == 3:
        return "district"
    return "village"


def convert_wilayah_sql(sql_text: str) -> list[RegionRow]:
    """Parse the INSERT rows of the `wilayah (kode, nama)` dump into region rows."""
    rows: list[RegionRow] = []
    for match in _SQL_ROW.finditer(sql_text):
        code, name = match.group(1), match.group(2).replace("''", "'")
        rows.append(RegionRow(code=code, name=name.strip(), level=region_level(code)))
    return rows


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError as error:
        raise ConfigError(f"reference file not found: {path}") from error


@lru_cache(maxsize=16)
def _load_regions(path: Path, stamp: float) -> tuple[RegionRow, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(row for row in handle if not row.startswith("#"))
        rows = tuple(RegionRow(sys.intern(r["code"]), r["name"], sys.intern(r["level"])) for r in reader)
    logger.info("loaded %d regions from %s", len(rows), path)
    return rows


def load_regions(path: Path) -> tuple[RegionRow, ...]:
    """Read the region list (columns code, name, level); lines starting with # are comments."""
    return _load_regions(path, _stamp(path))


@lru_cache(maxsize=16)
def _load_crosswalk(directory: Path, stamp: float) -> tuple[CrosswalkRow, ...]:
    rows: list[CrosswalkRow] = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(row for row in handle if not row.startswith("#"))
            for r in reader:
                rows.append(CrosswalkRow(r["kode_bps"].strip(), r["nama_bps"].strip(),
                                         r["kode_dagri"].strip(), r["nama_dagri"].strip()))
    logger.info("loaded %d crosswalk rows from %s", len(rows), directory)
    return tuple(rows)


def load_crosswalk(directory: Path) -> tuple[CrosswalkRow, ...]:
    """Read every crosswalk CSV (kode_bps, nama_bps, kode_dagri, nama_dagri) in `directory`."""
    if not directory.is_dir():
        raise ConfigError(f"crosswalk folder not found: {directory}")
    stamp = max((p.stat().st_mtime for p in directory.glob("*.csv")), default=0.0)
    return _load_crosswalk(directory, stamp)


@lru_cache(maxsize=64)
def _load_yaml(path: Path, stamp: float) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from error


def load_yaml(path: Path) -> Any:
    """Read a YAML table once per process and modification time."""
    return _load_yaml(path, _stamp(path))


def load_csv_pairs(path: Path) -> list[tuple[str, str]]:
    """Read a two-column CSV with a header; a missing file yields no rows."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(row for row in handle if not row.startswith("#"))
        next(reader, None)
        return [(row[0].strip(), row[1].strip()) for row in reader if len(row) >= 2]


def main(argv: list[str]) -> int:
    """Convert the Kemendagri SQL dump into the region CSV: `python -m ... SQL CSV`."""
    if len(argv) != 2:
        print("usage: python -m harvester.harmonize.reference WILAYAH_SQL OUTPUT_CSV", file=sys.stderr)
        return 2
    rows = convert_wilayah_sql(Path(argv[0]).read_text(encoding="utf-8"))
    with Path(argv[1]).open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Kemendagri region codes, Kepmendagri 300.2.2-2138 of 2025; origin in ../SOURCES.md\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level"])
        writer.writerows((row.code, row.name, row.level) for row in rows)
    print(f"{len(rows)} regions written to {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
