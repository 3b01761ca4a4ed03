"""Personal data detector: NIK, NIP, Indonesian mobile numbers and personal e-mail addresses.

UU 27/2022 forbids publishing personal data, and real catalogue exports have
carried national ID numbers, civil-servant numbers and private phone numbers
in free text. The harmonize stage runs `PersonalDataDetector.findings()` over
every record. Each hit becomes a `Finding` of kind `personal-data`, and the
store quarantines a record with such a finding, so no public output shows it.

A finding never holds the detected value: `mask()` keeps the first and last
two characters and replaces the rest, so the finding tells an operator where
to look without copying the personal data into the store.

The checks are structural, so numbers that merely have the right length are
not flagged:

- NIK: 16 digits. Digits 1-6 are a Kemendagri district code (PP.KK.CC) that
  exists in the region list, digits 7-12 a birth date DDMMYY with 40 added to
  the day for women, digits 13-16 a serial other than 0000.
- NIP: 18 digits, optionally grouped 8-6-1-3: birth date YYYYMMDD, the
  appointment year and month YYYYMM (at least 17 years after birth and not in
  the future), a sex digit 1 or 2, and a serial other than 000.
- Mobile numbers: +62 8 or 08, a mobile prefix (81, 82, 83, 85, 87, 88, 89),
  and 9 to 12 digits from the 8 onwards. Spaces, dots and hyphens may group them.
- E-mail: an address outside government and institutional domains (go.id,
  ac.id, sch.id, mil.id, desa.id, or.id, gov, edu, int) whose local part does
  not name an office or a role (dinkes, bappeda, humas, info, ...).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harvester.harmonize.findings import Finding
from harvester.harmonize.reference import load_regions
from harvester.model import DatasetRecord
from harvester.settings import DEFAULT_CONFIG_DIR

__all__ = ["PERSONAL_DATA", "PersonalDataDetector", "PersonalDataHit", "mask"]

logger = logging.getLogger(__name__)

PERSONAL_DATA = "personal-data"
REGIONS_FILE = Path("reference") / "regions" / "kemendagri-2025.csv"

PersonalDataKind = Literal["nik", "nip", "phone", "email"]

_NIK = re.compile(r"(?<![\d])(\d{16})(?![\d])")
_NIP = re.compile(r"(?<![\d])(\d{8}) ?(\d{6}) ?([12]) ?(\d{3})(?![\d])")
_PHONE = re.compile(r"(?<![\d+])(?:\+62|0)[ .-]?8[1235789](?:[ .-]?\d){7,10}(?![\d])")
# Every pattern below needs an "@" or a run of at least nine digits (with
# spaces, dots or dashes between them), so one C-level search skips most texts.
_CANDIDATE = re.compile(r"@|\d(?:[ .-]?\d){8}")
_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")

INSTITUTIONAL_SUFFIXES = (".go.id", ".ac.id", ".sch.id", ".mil.id", ".desa.id", ".or.id",
                          ".gov", ".edu", ".int")

# Local-part words of office and role mailboxes, which are published on purpose.
ROLE_WORDS = frozenset({
    "admin", "administrator", "bappeda", "bapperida", "bappelitbangda", "bkd", "bkpsdm", "bpbd", "bpkad",
    "bps", "contact", "cs", "data", "desa", "dinas", "diskominfo", "dlh", "dp3a", "dpmptsp", "dpupr",
    "geoportal", "helpdesk", "humas", "info", "informasi", "kabupaten", "kantor", "kecamatan", "kelurahan",
    "kominfo", "kota", "layanan", "opendata", "pemkab", "pemkot", "pemprov", "pengaduan", "ppid",
    "provinsi", "puskesmas", "redaksi", "satudata", "sekretariat", "setda", "setwan", "statistik",
    "support", "upt", "uptd", "walidata",
})
# Sectors that follow "dis" or "din" in OPD abbreviations: dispangan, dinkes, disdukcapil.
OPD_SECTORS = ("dik", "dukcapil", "hub", "kanak", "kannak", "kes", "kominfo", "lh", "naker", "pangan",
               "par", "perindag", "perkim", "pmd", "pora", "porapar", "pupr", "sos", "tan", "pertan")

EARLIEST_BIRTH_YEAR = 1930
MIN_APPOINTMENT_AGE = 17


@dataclass(frozen=True, slots=True)
class PersonalDataHit:
    """One detected piece of personal data. Only the `masked` form is kept, never the value itself."""

    kind: PersonalDataKind
    field: str
    masked: str


def mask(value: str) -> str:
    """Return `value` with all but its first and last two characters replaced by `*`."""
    compact = value.strip()
    if len(compact) <= 4:
        return "*" * len(compact)
    return compact[:2] + "*" * (len(compact) - 4) + compact[-2:]


def _valid_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


class PersonalDataDetector:
    """Finds personal data in the public text fields of a record."""

    def __init__(self, district_codes: frozenset[str], *, today: dt.date | None = None) -> None:
        self.district_codes = district_codes
        self.today = today or dt.date.today()

    @classmethod
    def from_config(cls, config_dir: Path | None = None) -> PersonalDataDetector:
        """Build the detector with the district codes of the region list under `config_dir`."""
        rows = load_regions((config_dir or DEFAULT_CONFIG_DIR) / REGIONS_FILE)
        districts = frozenset(row.code.replace(".", "") for row in rows if row.level == "district")
        return cls(districts)

    # -- single checks ----------------------------------------------------------

    def is_nik(self, digits: str) -> bool:
        """Return True when 16 digits have the NIK structure: district, birth date, serial."""
        if len(digits) != 16 or not digits.isdigit():
            return False
        if digits[:6] not in self.district_codes or digits[12:] == "0000":
            return False
        day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
        if day > 40:
            day -= 40
        # The two-digit year may be in either century, so 29 February needs a leap year in one of them.
        return any(_valid_date(century + year, month, day) for century in (1900, 2000))

    def is_nip(self, birth: str, appointment: str, sex: str, serial: str) -> bool:
        """Return True when the four NIP groups form a plausible civil-servant number."""
        if sex not in ("1", "2") or serial == "000":
            return False
        birth_year, birth_month, birth_day = int(birth[:4]), int(birth[4:6]), int(birth[6:8])
        if not EARLIEST_BIRTH_YEAR <= birth_year <= self.today.year - MIN_APPOINTMENT_AGE:
            return False
        if not _valid_date(birth_year, birth_month, birth_day):
            return False
        appointed_year, appointed_month = int(appointment[:4]), int(appointment[4:6])
        if not 1 <= appointed_month <= 12:
            return False
        if appointed_year < birth_year + MIN_APPOINTMENT_AGE:
            return False
        return (appointed_year, appointed_month) <= (self.today.year, self.today.month)

    @staticmethod
    def is_personal_email(local: str, domain: str) -> bool:
        """Return True for an address outside institutional domains whose local part names no office."""
        domain = domain.lower().rstrip(".")
        if domain.endswith(INSTITUTIONAL_SUFFIXES) or domain in {suffix[1:] for suffix in INSTITUTIONAL_SUFFIXES}:
            return False
        words = [word for word in re.split(r"[._%+\-\d]+", local.lower()) if word]
        return not any(_is_role_word(word) for word in words)

    # -- scanning -----------------------------------------------------------------

    def scan_text(self, text: str, field: str) -> Iterator[PersonalDataHit]:
        """Yield every personal-data hit in `text`, attributed to `field`."""
        if not text or not _CANDIDATE.search(text):
            return
        nip_spans: list[tuple[int, int]] = []
        for match in _NIP.finditer(text):
            if self.is_nip(*match.groups()):
                nip_spans.append(match.span())
                yield PersonalDataHit("nip", field, mask(match.group(0)))
        for match in _NIK.finditer(text):
            if self.is_nik(match.group(1)):
                yield PersonalDataHit("nik", field, mask(match.group(1)))
        for match in _PHONE.finditer(text):
            if not any(start <= match.start() < end for start, end in nip_spans):
                yield PersonalDataHit("phone", field, mask(match.group(0)))
        for match in _EMAIL.finditer(text):
            if self.is_personal_email(match.group(1), match.group(2)):
                yield PersonalDataHit("email", field, mask(match.group(0)))

    def scan_record(self, record: DatasetRecord) -> list[PersonalDataHit]:
        """Return the hits in every text field of `record` that a public output can show."""
        hits: list[PersonalDataHit] = []
        for field, text in _public_texts(record):
            hits.extend(self.scan_text(text, field))
        return hits

    def findings(self, record: DatasetRecord) -> list[Finding]:
        """Return one `personal-data` finding per hit, with the masked value only."""
        hits = self.scan_record(record)
        if hits:
            logger.info("record %s of source %s contains %d personal-data values and is quarantined",
                        record.provenance.remote_id, record.provenance.source_id, len(hits))
        return [
            Finding(hit.field, hit.masked, PERSONAL_DATA,  # type: ignore[arg-type]
                    f"data pribadi ({hit.kind}) ditahan untuk ditinjau / personal data ({hit.kind}) held for review")
            for hit in hits
        ]


def _is_role_word(word: str) -> bool:
    if word in ROLE_WORDS:
        return True
    return any(word in (f"dis{sector}", f"din{sector}") for sector in OPD_SECTORS)


def _public_texts(record: DatasetRecord) -> Iterator[tuple[str, str]]:
    """Yield (field, text) for every text a public page, feed or export may show."""
    yield "title", record.title
    if record.description:
        yield "description", record.description
    for keyword in record.keywords:
        yield "keywords", keyword
    if record.spatial_text:
        yield "spatial_text", record.spatial_text
    for name, agent in (("publisher", record.publisher), ("creator", record.creator)):
        if agent is not None:
            yield name, agent.name
    contact = record.contact_point
    if contact is not None:
        for name in ("name", "email", "phone"):
            value = getattr(contact, name)
            if value:
                yield f"contact_point.{name}", value
    for distribution in record.distributions:
        for name in ("title", "description"):
            value = getattr(distribution, name)
            if value:
                yield f"distributions.{name}", value
    for key, value in record.extras.items():
        if isinstance(value, str):
            yield f"extras.{key}", value
