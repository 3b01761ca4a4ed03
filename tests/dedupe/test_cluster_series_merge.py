import datetime as dt
import json
from pathlib import Path

from harvester.dedupe.candidate import build_candidate
from harvester.dedupe.cluster import Decisions, build_clusters
from harvester.dedupe.evaluation import evaluate, load_pairs
from harvester.dedupe.loops import origin_source_for
from harvester.dedupe.merge import Copy, merge_copies
from harvester.dedupe.series import group_series
from harvester.model import AccessLevel, AccessRights, Distribution
from harvester.sources import SourceConfig

from tests.dedupe.helpers import make_record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dedupe"
TRENGGALEK = Path(__file__).resolve().parent.parent / "fixtures" / "dedupe" / "trenggalek_titles.json"


def test_labelled_pairs_precision_and_recall():
    pairs = load_pairs(FIXTURES / "labeled_pairs.jsonl")
    result = evaluate(pairs)
    assert len(pairs) >= 300
    assert result.precision >= 0.98, result.mistakes
    assert result.recall >= 0.90, result.mistakes


def test_clusters_join_transitively():
    records = [
        make_record("prov", "1", "Produksi Padi", urls=("https://a.go.id/padi.csv",)),
        make_record("datagoid", "2", "Produksi Padi Kampar", urls=("https://a.go.id/padi.csv",),
                    identifiers=("11111111-1111-1111-1111-111111111111",)),
        make_record("kampar", "3", "Padi", identifiers=("11111111-1111-1111-1111-111111111111",)),
        make_record("kampar", "4", "Produksi Jagung"),
    ]
    clusters = build_clusters([build_candidate(record) for record in records])
    sizes = sorted(len(cluster.members) for cluster in clusters)
    assert sizes == [1, 3]


def test_split_decision_keeps_records_apart():
    records = [
        make_record("trenggalek", "7", "DATA ATLET PRESTASI", region="35.03"),
        make_record("trenggalek", "426", "4. DATA ATLET PRESTASI", region="35.03"),
    ]
    candidates = [build_candidate(record) for record in records]
    assert len(build_clusters(candidates)) == 1

    decisions = Decisions(split={frozenset({("trenggalek", "7"), ("trenggalek", "426")})})
    assert len(build_clusters(candidates, decisions)) == 2


def test_confirm_decision_joins_records():
    records = [make_record("a", "1", "Produksi Padi"), make_record("b", "2", "Luas Panen Padi")]
    decisions = Decisions(confirmed={frozenset({("a", "1"), ("b", "2")})})
    clusters = build_clusters([build_candidate(record) for record in records], decisions)
    assert len(clusters) == 1
    assert clusters[0].matches[frozenset({("a", "1"), ("b", "2")})].reasons == ("confirmed by an operator",)


def test_series_groups_years_in_order():
    titles = ["Jumlah Penduduk Tahun 2023", "Jumlah Penduduk Tahun 2021", "Jumlah Penduduk Tahun 2022",
              "Jumlah Penduduk Menurut Kecamatan Tahun 2022", "Jumlah Penduduk Menurut Kecamatan Tahun 2023",
              "Jumlah Penduduk Menurut Jenis Kelamin Tahun 2023"]
    members = [(f"d{index}", build_candidate(make_record("a", str(index), title))) for index, title in enumerate(titles)]
    series = {item.title: item for item in group_series(members)}
    assert set(series) == {"Jumlah Penduduk", "Jumlah Penduduk Menurut Kecamatan"}
    assert [member.period.year for member in series["Jumlah Penduduk"].members] == [2021, 2022, 2023]
    assert [member.dataset_id for member in series["Jumlah Penduduk Menurut Kecamatan"].members] == ["d3", "d4"]


def test_series_orders_quarters_and_months():
    titles = ["Inflasi Triwulan III 2024", "Inflasi Triwulan I 2024", "Inflasi Triwulan IV 2023"]
    members = [(title, build_candidate(make_record("a", title, title))) for title in titles]
    (series,) = group_series(members)
    assert [member.dataset_id for member in series.members] == [
        "Inflasi Triwulan IV 2023", "Inflasi Triwulan I 2024", "Inflasi Triwulan III 2024"]


def test_series_real_trenggalek_months():
    titles = json.loads(TRENGGALEK.read_text())
    candidates = [build_candidate(make_record("trenggalek", str(index), title, region="35.03"))
                  for index, title in enumerate(titles)]
    by_key = {candidate.key: candidate for candidate in candidates}

    # Numbered repeats merge first, so each month is one dataset of the series.
    clusters = build_clusters(candidates)
    members = [(cluster.members[0][1], by_key[cluster.members[0]]) for cluster in clusters]
    by_title = {item.title: item for item in group_series(members)}

    disasters = by_title["KEJADIAN BENCANA"]
    assert [member.period.part for member in disasters.members] == list(range(1, 13))
    assert "REKAP KEJADIAN BENCANA TIAP KECAMATAN" not in by_title


def test_merge_prefers_priority_then_unions_lists():
    low = make_record("datagoid", "1", "ANGKA KEMATIAN IBU", urls=("https://a.go.id/x.xlsx",))
    low.description = "Salinan data.go.id"
    low.keywords = ["kesehatan", "ibu"]
    high = make_record("kampar", "2", "Angka Kematian Ibu", urls=("http://a.go.id/x.xlsx/", "https://a.go.id/y.csv"))
    high.keywords = ["Kesehatan", "AKI"]

    merged = merge_copies([Copy(low, priority=10), Copy(high, priority=80)])
    assert merged.title == "Angka Kematian Ibu"
    assert merged.description == "Salinan data.go.id"
    assert merged.keywords == ["Kesehatan", "AKI", "ibu"]
    assert len(merged.distributions) == 2
    assert merged.provenance.source_id == "kampar"


def test_merge_prefers_completeness_then_recency():
    older = make_record("a", "1", "Old", modified=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    newer = make_record("b", "2", "New", modified=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    assert merge_copies([Copy(older), Copy(newer)]).title == "New"

    fuller = make_record("c", "3", "Full", modified=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    fuller.distributions = [Distribution(access_url="https://a.go.id/f.csv")]
    fuller.description = "lengkap"
    assert merge_copies([Copy(newer), Copy(fuller)]).title == "Full"


def test_merge_keeps_strictest_access():
    public = make_record("a", "1", "X")
    public.access = AccessRights(level=AccessLevel.TERBUKA)
    closed = make_record("b", "2", "X")
    closed.access = AccessRights(level=AccessLevel.TERTUTUP)
    assert merge_copies([Copy(public, 90), Copy(closed, 10)]).access.level is AccessLevel.TERTUTUP


def test_origin_source_from_harvest_source_title():
    sources = [
        SourceConfig(id="kampar", name="Satu Data Kampar", family="ckan", url="https://data.kamparkab.go.id",
                     walidata="Kabupaten Kampar"),
        SourceConfig(id="datagoid", name="data.go.id", family="datagoid", url="https://data.go.id"),
    ]
    copy = make_record("datagoid", "1", "AKI", extras={"harvest_source_title": "Kabupaten Kampar - CKAN"})
    assert origin_source_for(copy, sources) == "kampar"

    by_url = make_record("datagoid", "2", "AKI", urls=("https://data.kamparkab.go.id/dataset/x/resource/y",))
    assert origin_source_for(by_url, sources) == "kampar"

    unrelated = make_record("datagoid", "3", "AKI", extras={"harvest_source_title": "Kota Batu - CKAN"})
    assert origin_source_for(unrelated, sources) is None


def test_landing_page_equal_to_distribution_url():
    page = "https://satudata.acehprov.go.id/datasets/ebd7c2d0"
    record = make_record("aceh", "1", "Indeks Kualitas Air Laut", urls=(page,))
    record.landing_page = page
    clusters = build_clusters([build_candidate(record)])
    assert [cluster.members for cluster in clusters] == [[("aceh", "1")]]
