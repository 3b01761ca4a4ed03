"""Index documents for the index tests: real portal titles plus small hand-made sets."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from index.base import IndexDocument, Labelled

FIXTURES = Path(__file__).resolve().parent / "fixtures"

LAMPUNG = Labelled(key="18", label="Lampung")
PESAWARAN = Labelled(key="18.09", label="Kabupaten Pesawaran")
BANDAR_LAMPUNG = Labelled(key="18.71", label="Kota Bandar Lampung")
ACEH = Labelled(key="11", label="Aceh")
CSV = Labelled(key="CSV", label="CSV")
XLSX = Labelled(key="XLSX", label="XLSX")
CC_BY = Labelled(key="CC-BY-4.0", label="Creative Commons Attribution 4.0")


@functools.cache
def real_records() -> list[dict]:
    """Return the records of the real-title fixture (Aceh, Trenggalek, data.go.id)."""
    return json.loads((FIXTURES / "real_titles.json").read_text(encoding="utf-8"))["records"]


def real_documents() -> list[IndexDocument]:
    """Build one public document per real record, with the publisher as a facet."""
    documents: list[IndexDocument] = []
    for number, record in enumerate(real_records()):
        publisher = record["publisher"].strip()
        modified = None
        if record["modified"]:
            modified = dt.datetime.fromisoformat(record["modified"].replace("Z", "+00:00"))
            modified = modified if modified.tzinfo else modified.replace(tzinfo=dt.UTC)
        documents.append(IndexDocument(
            id=f"real-{number:04d}",
            title=record["title"],
            description=record["description"],
            keywords=record["keywords"],
            publisher=Labelled(key=publisher.lower().replace(" ", "-"), label=publisher) if publisher else None,
            province=[ACEH] if record["source"] == "aceh" else [],
            modified=modified,
            access_level="terbuka",
            content_hash=f"hash-{number}",
        ))
    return documents


def make_document(document_id: str, title: str, **values: object) -> IndexDocument:
    """Build a public, active document; `values` override any field."""
    fields: dict[str, object] = {"access_level": "terbuka", "status": "active", "content_hash": f"hash-{document_id}"}
    fields.update(values)
    return IndexDocument(id=document_id, title=title, **fields)


def facet_documents() -> list[IndexDocument]:
    """Five documents with known facet values, for facet, filter, sort and paging tests."""
    dinkes = Labelled(key="dinkes-18.09", label="Dinas Kesehatan Kabupaten Pesawaran")
    dinkes_kota = Labelled(key="dinkes-18.71", label="Dinas Kesehatan Kota Bandar Lampung")
    disdik = Labelled(key="disdik-18.71", label="Dinas Pendidikan Kota Bandar Lampung")
    walidata_pesawaran = Labelled(key="diskominfo-18.09", label="Diskominfo Kabupaten Pesawaran")
    walidata_bandar = Labelled(key="diskominfo-18.71", label="Diskominfo Kota Bandar Lampung")
    health = Labelled(key="https://example.org/theme/kesehatan", label="Kesehatan")
    education = Labelled(key="https://example.org/theme/pendidikan", label="Pendidikan")
    return [
        make_document("doc-1", "Jumlah Puskesmas Tahun 2021", publisher=walidata_pesawaran, creator=dinkes,
                      province=[LAMPUNG], regency=[PESAWARAN], theme=[health], format=[CSV, XLSX], licence=CC_BY,
                      year=[2021], modified=dt.datetime(2024, 1, 5, tzinfo=dt.UTC)),
        make_document("doc-2", "Jumlah Tenaga Medis Tahun 2022", publisher=walidata_pesawaran, creator=dinkes,
                      province=[LAMPUNG], regency=[PESAWARAN], theme=[health], format=[CSV], licence=CC_BY,
                      year=[2022], modified=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)),
        make_document("doc-3", "Angka Partisipasi Sekolah Tahun 2022", publisher=walidata_bandar, creator=disdik,
                      province=[LAMPUNG], regency=[BANDAR_LAMPUNG], theme=[education], format=[XLSX],
                      year=[2022], modified=dt.datetime(2023, 7, 9, tzinfo=dt.UTC)),
        make_document("doc-4", "Balita Gizi Buruk Tahun 2021-2022", publisher=walidata_bandar, creator=dinkes_kota,
                      province=[LAMPUNG], regency=[BANDAR_LAMPUNG], theme=[health, education], format=[CSV],
                      year=[2021, 2022], modified=None),
        make_document("doc-5", "Rasio Guru dan Murid Tahun 2023", publisher=walidata_bandar, creator=disdik,
                      province=[LAMPUNG], regency=[BANDAR_LAMPUNG], theme=[education], licence=CC_BY,
                      year=[2023], modified=dt.datetime(2025, 2, 2, tzinfo=dt.UTC)),
    ]


def hidden_documents() -> list[IndexDocument]:
    """Documents that a public search must never return: restricted, closed, unset, withdrawn."""
    return [
        make_document("hidden-terbatas", "Jumlah Puskesmas Rahasia Terbatas", access_level="terbatas"),
        make_document("hidden-tertutup", "Jumlah Puskesmas Rahasia Tertutup", access_level="tertutup"),
        make_document("hidden-unset", "Jumlah Puskesmas Rahasia Tanpa Kelas", access_level=None),
        make_document("hidden-withdrawn", "Jumlah Puskesmas Rahasia Ditarik", status="withdrawn"),
        make_document("hidden-quarantined", "Jumlah Puskesmas Rahasia Karantina", status="quarantined"),
    ]
