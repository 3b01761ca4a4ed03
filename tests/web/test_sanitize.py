"""Harvested text made safe for HTML, URL attributes and JSON-LD."""

from __future__ import annotations

import json

import pytest

from web.sanitize import clean_html, json_for_script, plain_text, safe_highlight, safe_url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>x</b>",
    "vbscript:x", "//evil.example/x", "/relative", "https://a.id/has space", "", None,
])
def test_safe_url_rejects(url: str | None) -> None:
    assert safe_url(url) is None


def test_safe_url_keeps_http_and_https() -> None:
    assert safe_url("https://satudata.acehprov.go.id/datasets/1") == "https://satudata.acehprov.go.id/datasets/1"
    assert safe_url("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000/x"


def test_clean_html_drops_script_and_handlers() -> None:
    cleaned = str(clean_html('<p onclick="x()">a<script>alert(1)</script><img src=x onerror=alert(1)></p>'))
    assert "script" not in cleaned
    assert "onclick" not in cleaned
    assert "<img" not in cleaned


def test_clean_html_keeps_only_http_links() -> None:
    cleaned = str(clean_html('<a href="javascript:alert(1)">a</a><a href="https://a.id/">b</a>'))
    assert "javascript" not in cleaned
    assert 'href="https://a.id/"' in cleaned


def test_plain_text_escapes_later() -> None:
    assert plain_text("<b>Jumlah</b> &amp; <script>x</script>penduduk") == "Jumlah & penduduk"


def test_highlight_accepts_marks_only() -> None:
    assert safe_highlight("Indeks <mark>Kualitas</mark> &amp; &lt;b&gt;") is not None
    assert safe_highlight("<mark onclick=x>a</mark>") is None
    assert safe_highlight("<b>a</b>") is None
    assert safe_highlight("a & b") is None


def test_json_for_script_cannot_close_script() -> None:
    text = str(json_for_script({"description": "</script><script>alert(1)</script><!-- x"}))
    assert "</script" not in text.lower()
    assert "<!--" not in text
    assert json.loads(text)["description"].startswith("</script>")
