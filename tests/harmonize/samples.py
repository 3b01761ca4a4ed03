"""Records built from the real samples in tests/harmonize/data.

CKAN, data.go.id and DCAT-US records go through the real connectors'
`map_record`. Garut, Trenggalek, Open Data Jabar and Keerom have no connector
yet, so small local mappings below build their records the way a connector
would: source wording in the `original` fields, nothing harmonized. Keerom's
inventory and Denpasar's OPD list are read as tables for the register tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from connectors import RemoteRecord, connector_class
from harvester.harmonize.dates import parse_datetime
from harvester.model import (
    AccessRights,
    Agent,
    Concept,
    DatasetRecord,
    Distribution,
    FileFormat,
    Provenance,
    Temporal,
)
from harvester.sources import SourceConfig

DATA = Path(__file__).resolve().parent / "data"
HARVESTED_AT = dt.datetime(2025, 8, 7, 9, 0, tzinfo=dt.timezone.utc)

SOURCES: dict[str, SourceConfig] = {
    "aceh": SourceConfig(id="satudata-aceh", name="Satu Data Aceh", family="dcat-us",
                         url="http://127.0.0.1/data.json", region="11", walidata="kemendagri:11",
                         options={"publisher_role": "opd"}),
    "datagoid": SourceConfig(id="data-go-id", name="data.go.id", family="datagoid", url="http://127.0.0.1/"),
    "muaraenim": SourceConfig(id="satudata-muaraenim", name="Satu Data Muara Enim", family="ckan",
                              url="http://127.0.0.1/", region="16.03", walidata="kemendagri:16.03",
                              access_default="terbuka", options={"organization_role": "opd"}),
    "garut": SourceConfig(id="satudata-garut", name="Satu Data Garut", family="garut",
                          url="http://127.0.0.1/", region="32.05", walidata="kemendagri:32.05"),
    "trenggalek": SourceConfig(id="satudata-trenggalek", name="Satu Data Trenggalek", family="trenggalek",
                               url="http://127.0.0.1/", region="35.03", access_default="terbuka"),
    "jabar": SourceConfig(id="opendata-jabar", name="Open Data Jabar", family="jabar",
                          url="http://127.0.0.1/", region="32", walidata="kemendagri:32"),
}


def _load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _provenance(source: SourceConfig, remote_id: str, raw: Any) -> Provenance:
    remote = RemoteRecord(remote_id=remote_id, raw=raw)
    return Provenance(source_id=source.id, remote_id=remote_id, harvested_at=HARVESTED_AT,
                      content_hash=remote.content_hash(), raw=raw)


def _map_with_connector(source: SourceConfig, remote_id: str, raw: Any) -> DatasetRecord:
    connector = connector_class(source.family)(source, http=None)  # type: ignore[arg-type]
    return connector.map_record(RemoteRecord(remote_id=remote_id, raw=raw))


def aceh_records() -> dict[str, DatasetRecord]:
    catalog = _load_json("satudata_acehprov_data_json_dcat_us_SAMPLED.json")
    return {entry["identifier"]: _map_with_connector(SOURCES["aceh"], entry["identifier"], entry)
            for entry in catalog["dataset"]}


def datagoid_records() -> dict[str, DatasetRecord]:
    page = _load_json("datagoid_proxy_package_search_rows2.json")["result"]["results"]
    return {package["name"]: _map_with_connector(SOURCES["datagoid"], package["id"], package) for package in page}


def muaraenim_records() -> dict[str, DatasetRecord]:
    page = _load_json("ckan_satudata_muaraenim_package_search_example.json")["result"]["results"]
    return {package["name"]: _map_with_connector(SOURCES["muaraenim"], package["id"], package) for package in page}


def garut_records() -> dict[str, DatasetRecord]:
    source = SOURCES["garut"]
    records: dict[str, DatasetRecord] = {}
    for item in _load_json("satudata_garutkab_api_datasets_page1_plus_opd_grup.json")["datasets"]["data"]:
        files = [Distribution(access_url=f"http://127.0.0.1/storage/{item['file_path']}",
                              format=FileFormat(original=item["file_name"].rsplit(".", 1)[-1]))] \
            if item.get("file_path") else []
        records[str(item["id"])] = DatasetRecord(
            title=item["judul"],
            description=item["deskripsi"],
            themes=[Concept(original=item["grup"]["name"])],
            creator=Agent(name=item["opd"]["name"], original=item["opd"]["name"]),
            frequency=Concept(original=item["priode_waktu"]),
            access=AccessRights(original=item["privasi"]),
            temporal=Temporal(label=item["range_years"]),
            modified=parse_datetime(item["date_upload"], HARVESTED_AT),
            issued=parse_datetime(item["created_at"]),
            distributions=files,
            provenance=_provenance(source, str(item["id"]), item),
        )
    return records


_NUMBER_PREFIX = re.compile(r"^\d+\.\s*")


def trenggalek_records() -> dict[str, DatasetRecord]:
    source = SOURCES["trenggalek"]
    records: dict[str, DatasetRecord] = {}
    for item in _load_json("satudata_trenggalekkab_discovered_datasets_645.json"):
        records[str(item["id"])] = DatasetRecord(
            title=_NUMBER_PREFIX.sub("", item["title"]),
            distributions=[Distribution(access_url=f"http://127.0.0.1{item['apiUrl']}",
                                        format=FileFormat(original="JSON"))],
            provenance=_provenance(source, str(item["id"]), item),
        )
    return records


def _labelled_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    label = None
    for line in text.splitlines():
        if line.startswith("LABEL: "):
            label = line[len("LABEL: "):].strip()
        elif label and line.startswith("  "):
            values[label] = (values.get(label, "") + " " + line.strip()).strip()
    return values


def jabar_records() -> dict[str, DatasetRecord]:
    source = SOURCES["jabar"]
    text = (DATA / "opendatajabar_od_20489_indeks_risiko_bencana_metadata.extracted.txt").read_text("utf-8")
    values = _labelled_values(text)
    start, end = values["Dimensi Dataset Awal"], values["Dimensi Dataset Akhir"]
    record = DatasetRecord(
        title=values["Judul Dataset"],
        description=values["Deskripsi"],
        themes=[Concept(original=values["Bidang Urusan"])],
        creator=Agent(name=values["Produsen"], original=values["Produsen"]),
        frequency=Concept(original=values["Frekuensi Dataset"]),
        temporal=Temporal(label=f"{start}-{end}"),
        modified=parse_datetime(values["Dataset Diperbarui"]),
        issued=parse_datetime(values["Dataset Dibuat"]),
        spatial_text=values["Cakupan Dataset"],
        provenance=_provenance(source, "od_20489", values),
    )
    return {"od_20489": record}


_SQL_VALUES = re.compile(r"\(((?:'(?:[^'\\]|\\.|'')*'|[^()'])*)\)")
_SQL_FIELD = re.compile(r"'((?:[^'\\]|\\.|'')*)'|(NULL)|(-?\d+)")


def _sql_rows(sql: str, table: str) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for statement in re.findall(rf"INSERT INTO `{table}` \([^)]*\) VALUES\s*(.*?);\s*$", sql, re.S | re.M):
        for values in _SQL_VALUES.findall(statement):
            fields = [quoted if quoted or not (null or number) else (None if null else number)
                      for quoted, null, number in _SQL_FIELD.findall(values)]
            rows.append([field.replace("''", "'") if isinstance(field, str) else field for field in fields])
    return rows


def keerom_tables() -> tuple[list[str], list[tuple[str, str]]]:
    """Return Keerom's government affairs (urusan) and its offices with their abbreviations."""
    sql = (DATA / "keerom_pusdalisbang_daftar_data_kelompok_2018_EXTRACT.sql").read_text(encoding="utf-8")
    affairs = [row[3] for row in _sql_rows(sql, "urusan") if row[1]]
    offices = [(row[1], row[2]) for row in _sql_rows(sql, "instansi")]
    return affairs, offices


def denpasar_offices() -> list[tuple[str, str]]:
    """Return Kota Denpasar's units (name, short name) at OPD level: six-digit ids only."""
    sql = (DATA / "opd_kota_denpasar_tb_opd.sql").read_text(encoding="utf-8")
    return [(row[1].strip(), row[2].strip()) for row in _sql_rows(sql, "tb_opd") if len(row[0]) <= 6]


def all_records() -> dict[str, dict[str, DatasetRecord]]:
    return {
        "aceh": aceh_records(),
        "datagoid": datagoid_records(),
        "muaraenim": muaraenim_records(),
        "garut": garut_records(),
        "trenggalek": trenggalek_records(),
        "jabar": jabar_records(),
    }
