"""Topic and frequency labels on the dataset page and in the topic facet, in both languages."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from harvester.harmonize import frequencies
from harvester.harmonize.reference import load_yaml
from harvester.harmonize.topics import EU_THEME_LABELS
from harvester.model import Concept, PublishedDataset
from tests.web.catalog import Catalog
from web.i18n import LOCALE_DIR
from web.labels import EU_DATA_THEME, EU_FREQUENCY, EU_FREQUENCY_NAMES, EU_THEME_NAMES

HTML = {"Accept": "text/html"}
RDF_DATASET_ID = "dcat-rdf-eu-uris"


def indonesian_catalog() -> dict[str, str]:
    with open(LOCALE_DIR / "id" / "LC_MESSAGES" / "messages.po", "rb") as file:
        return {message.id: message.string for message in read_po(file) if isinstance(message.id, str)}


def metadata_value(page: str, term: str) -> str:
    match = re.search(rf"<dt>{term}</dt>\s*<dd>(.*?)</dd>", page, re.DOTALL)
    assert match is not None, f"no {term} row"
    return match.group(1)


@pytest.fixture
def rdf_dataset(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> PublishedDataset:
    """A public dataset whose topic and frequency are bare EU URIs, as DCAT RDF sources send them."""
    store = catalog.services.store
    template = next(store.iter_datasets(public_only=True))
    record = template.record.model_copy(update={
        "themes": [Concept(uri=f"{EU_DATA_THEME}SOCI")],
        "frequency": Concept(uri=f"{EU_FREQUENCY}ANNUAL", original=f"{EU_FREQUENCY}ANNUAL"),
    })
    dataset = template.model_copy(update={"id": RDF_DATASET_ID, "record": record})
    get_dataset = store.get_dataset
    monkeypatch.setattr(store, "get_dataset",
                        lambda dataset_id: dataset if dataset_id == RDF_DATASET_ID else get_dataset(dataset_id))
    return dataset


def test_eu_uris_show_indonesian_labels(client: TestClient, rdf_dataset: PublishedDataset) -> None:
    page = client.get(f"/dataset/{rdf_dataset.id}?lang=id", headers=HTML).text
    assert metadata_value(page, "Topik") == "Kependudukan dan masyarakat"
    assert metadata_value(page, "Frekuensi pembaruan") == "Tahunan"


def test_eu_uris_show_english_labels(client: TestClient, rdf_dataset: PublishedDataset) -> None:
    page = client.get(f"/dataset/{rdf_dataset.id}?lang=en", headers=HTML).text
    assert metadata_value(page, "Topic") == "Population and society"
    assert metadata_value(page, "Update frequency") == "Annual"


def test_himpun_topic_in_english(client: TestClient, catalog: Catalog) -> None:
    topics = catalog.services.harmonizer.topics
    dataset = next(dataset for dataset in catalog.services.store.iter_datasets(public_only=True)
                   if any((theme.uri or "").startswith(topics.base_uri) for theme in dataset.record.themes))
    theme = next(theme for theme in dataset.record.themes if (theme.uri or "").startswith(topics.base_uri))
    topic = topics.get(theme.uri.removeprefix(topics.base_uri))
    assert topic is not None
    assert topic.label_en != topic.label

    english = metadata_value(client.get(f"/dataset/{dataset.id}?lang=en", headers=HTML).text, "Topic")
    indonesian = metadata_value(client.get(f"/dataset/{dataset.id}?lang=id", headers=HTML).text, "Topik")
    assert topic.label_en in english
    assert topic.label not in english
    assert topic.label in indonesian
    assert "europa.eu" not in english


def test_theme_facet_in_english(client: TestClient, catalog: Catalog) -> None:
    topics = catalog.services.harmonizer.topics
    page = client.get("/?lang=en", headers=HTML).text
    facet = page.split("<h2>Topic</h2>", 1)[1].split("</section>", 1)[0]
    links = re.findall(r'theme=([^"&]+)[^>]*>([^<]+)</a>', facet)
    labelled = [(topics.get(key.rsplit("%2F", 1)[-1]), label) for key, label in links]
    himpun_topics = [(topic, label) for topic, label in labelled if topic is not None]
    assert himpun_topics
    for topic, label in himpun_topics:
        assert label == topic.label_en


def test_catalog_repeats_eu_theme_labels() -> None:
    translations = indonesian_catalog()
    assert set(EU_THEME_NAMES) == set(EU_THEME_LABELS)
    for code, english in EU_THEME_NAMES.items():
        assert translations[english] == EU_THEME_LABELS[code], code


def test_catalog_repeats_frequency_labels(catalog: Catalog) -> None:
    translations = indonesian_catalog()
    document = load_yaml(catalog.services.settings.config_dir / frequencies.FREQUENCIES_FILE)
    for item in document["frequencies"]:
        assert item["code"] in EU_FREQUENCY_NAMES, item["code"]
        assert translations[EU_FREQUENCY_NAMES[item["code"]]] == item["label"], item["code"]


def test_parser_codes_have_names() -> None:
    parsed = {*frequencies._PERIOD_CODES.values(), *frequencies._TIMES_CODES.values(), "HOURLY"}
    assert parsed <= set(EU_FREQUENCY_NAMES)
