from harvester.dedupe.normalize import normalize_url, title_tokens
from harvester.dedupe.period import Period, find_period
from harvester.dedupe.normalize import fold_text


def test_url_scheme_and_host_case_ignored():
    assert normalize_url("HTTP://Data.KamparKab.go.id/dataset/x") == normalize_url("https://data.kamparkab.go.id/dataset/x")


def test_url_default_port_and_trailing_slash_ignored():
    assert normalize_url("https://data.example.go.id:443/a/b/") == normalize_url("https://data.example.go.id/a/b")
    assert normalize_url("http://data.example.go.id:80/") == normalize_url("https://data.example.go.id")


def test_url_other_port_kept():
    assert normalize_url("http://data.example.go.id:8080/a") != normalize_url("http://data.example.go.id/a")


def test_url_tracking_parameters_dropped():
    plain = normalize_url("https://example.go.id/file.csv?id=3")
    tracked = normalize_url("https://example.go.id/file.csv?utm_source=x&id=3&fbclid=abc#top")
    assert tracked == plain


def test_url_content_parameters_kept():
    assert normalize_url("https://example.go.id/d?id=3") != normalize_url("https://example.go.id/d?id=4")


def test_url_invalid_inputs_return_none():
    assert normalize_url(None) is None
    assert normalize_url("") is None
    assert normalize_url("javascript:alert(1)") is None
    assert normalize_url("ftp://example.go.id/file") is None
    assert normalize_url("http://[::1") is None


def test_title_tokens_strip_numbering_and_entities():
    assert title_tokens("399. DATA ATLET &amp; PELATIH") == ["data", "atlet", "pelatih"]


def test_period_year_and_quarter():
    assert find_period(fold_text("Inflasi Triwulan III 2024")).period == Period(year=2024, kind="quarter", part=3)
    assert find_period(fold_text("Inflasi TW II 2024")).period == Period(year=2024, kind="quarter", part=2)


def test_period_semester_term_month_and_range():
    assert find_period(fold_text("Data Semester I 2023")).period == Period(year=2023, kind="semester", part=1)
    assert find_period(fold_text("Data Caturwulan II 2023")).period == Period(year=2023, kind="term", part=2)
    assert find_period(fold_text("KEJADIAN BENCANA NOPEMBER")).period == Period(year=None, kind="month", part=11)
    assert find_period(fold_text("Masa Jabatan 2019-2024")).period == Period(year=2019, end_year=2024)


def test_period_absent():
    assert find_period(fold_text("Indeks Kualitas Air Laut")) is None


def test_period_sort_key_orders_parts_within_year():
    quarters = [Period(2024, kind="quarter", part=part) for part in (3, 1, 4, 2)]
    ordered = sorted(quarters + [Period(2023)], key=Period.sort_key)
    assert ordered[0] == Period(2023)
    assert [period.part for period in ordered[1:]] == [1, 2, 3, 4]
