"""The Himpun topic scheme: source categories and inferred topics mapped to SKOS concepts.

Each concept also names an EU data theme, so a record gets two themes: the
Himpun concept and its EU data-theme counterpart, which DCAT-AP feeds need.
A record without a usable category gets a topic inferred from its title and
keywords by weighted keyword rules (a phrase of n words scores n).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from harvester.errors import ConfigError
from harvester.harmonize.reference import VOCABULARY_DIR, load_yaml
from harvester.harmonize.text import fold
from harvester.model import Concept

logger = logging.getLogger(__name__)

__all__ = ["Topic", "TopicScheme"]

TOPICS_FILE = VOCABULARY_DIR / "topics.yaml"
_MAX_PHRASE_WORDS = 4


EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"

# Indonesian names of the EU data themes (publications.europa.eu authority table "data-theme").
EU_THEME_LABELS = {
    "AGRI": "Pertanian, perikanan, kehutanan dan pangan",
    "ECON": "Ekonomi dan keuangan",
    "EDUC": "Pendidikan, budaya dan olahraga",
    "ENER": "Energi",
    "ENVI": "Lingkungan",
    "GOVE": "Pemerintahan dan sektor publik",
    "HEAL": "Kesehatan",
    "INTR": "Isu internasional",
    "JUST": "Peradilan, sistem hukum dan keamanan publik",
    "OP_DATPRO": "Data sementara",
    "REGI": "Wilayah dan kota",
    "SOCI": "Kependudukan dan masyarakat",
    "TECH": "Ilmu pengetahuan dan teknologi",
    "TRAN": "Transportasi",
}


def displayed_themes(themes: list[Concept]) -> list[Concept]:
    """Return the themes outside the EU data-theme table, or all themes when there are none.

    The harmonizer adds the EU counterpart of every Himpun topic for the DCAT
    feed, so showing both in a facet or on a page would repeat each topic.
    """
    own = [concept for concept in themes if not (concept.uri or "").startswith(EU_DATA_THEME)]
    return own or themes


def eu_theme_label(uri: str) -> str:
    """Return the Indonesian name of an EU data theme URI, or its code when the code is unknown."""
    code = uri.rstrip("/").rsplit("/", 1)[-1]
    return EU_THEME_LABELS.get(code, code)


@dataclass(frozen=True, slots=True)
class Topic:
    """One concept of the scheme with its URIs."""

    id: str
    label: str
    label_en: str
    uri: str
    eu_theme_uri: str


class TopicScheme:
    """Label, alias and keyword indexes over topics.yaml."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.base_uri: str = document["base_uri"]
        self.title: str = document.get("title", "")
        theme_base: str = document["eu_theme_base"]
        self._unmapped = {fold(str(value)) for value in document.get("unmapped_categories") or []}
        self._topics: dict[str, Topic] = {}
        self._labels: dict[str, str] = {}
        self._keywords: dict[str, list[tuple[str, int]]] = {}
        self._alt_labels: dict[str, list[str]] = {}

        for item in document.get("concepts") or []:
            topic = Topic(id=item["id"], label=item["label"], label_en=item.get("label_en", item["label"]),
                          uri=self.base_uri + item["id"], eu_theme_uri=theme_base + item["eu_theme"])
            self._topics[topic.id] = topic
            self._alt_labels[topic.id] = list(item.get("aliases") or [])
            for label in [topic.id.replace("-", " "), topic.label, *self._alt_labels[topic.id]]:
                self._labels.setdefault(fold(label), topic.id)
            for keyword in item.get("keywords") or []:
                phrase = fold(str(keyword))
                self._keywords.setdefault(phrase, []).append((topic.id, len(phrase.split())))

    @classmethod
    def from_config(cls, config_dir: Path) -> TopicScheme:
        """Build the scheme from config/vocabularies/topics.yaml."""
        document = load_yaml(config_dir / TOPICS_FILE)
        if not isinstance(document, dict) or "concepts" not in document:
            raise ConfigError(f"{config_dir / TOPICS_FILE}: expected a mapping with base_uri and concepts")
        return cls(document)

    def get(self, topic_id: str) -> Topic | None:
        return self._topics.get(topic_id)

    def by_label(self, text: str) -> Topic | None:
        """Return the topic whose label, alias or id matches `text` after folding."""
        topic_id = self._labels.get(fold(text))
        return self._topics[topic_id] if topic_id else None

    def is_placeholder(self, text: str) -> bool:
        """True for category values that mean "no category" ("Uncategorized", "-")."""
        return fold(text) in self._unmapped or not fold(text)

    def infer(self, texts: Iterable[str], prefer: str | None = None) -> Topic | None:
        """Score each topic by the keyword phrases found in `texts`; the highest score wins.

        `prefer` (a topic id, usually the OPD's topic) wins ties and decides
        when no keyword matches.
        """
        scores: dict[str, int] = {}
        for text in texts:
            words = fold(text).split()
            for size in range(1, _MAX_PHRASE_WORDS + 1):
                for start in range(len(words) - size + 1):
                    for topic_id, weight in self._keywords.get(" ".join(words[start:start + size]), ()):
                        scores[topic_id] = scores.get(topic_id, 0) + weight

        if not scores:
            return self._topics.get(prefer) if prefer else None
        best = max(scores.values())
        leaders = [topic_id for topic_id, score in scores.items() if score == best]
        chosen = prefer if prefer in leaders else leaders[0]
        return self._topics[chosen]

    def concepts(self, topic: Topic, original: str | None, inferred: bool) -> list[Concept]:
        """Return the Himpun concept and its EU data theme as record themes."""
        return [
            Concept(uri=topic.uri, label=topic.label, original=original, inferred=inferred),
            Concept(uri=topic.eu_theme_uri, label=eu_theme_label(topic.eu_theme_uri),
                    original=original, inferred=inferred),
        ]

    def render_skos(self) -> str:
        """Render the scheme as a SKOS concept scheme in Turtle."""
        graph = Graph()
        graph.bind("skos", SKOS)
        graph.bind("dct", DCTERMS)
        scheme = URIRef(self.base_uri)
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, DCTERMS.title, Literal(self.title)))

        for topic in self._topics.values():
            concept = URIRef(topic.uri)
            graph.add((concept, RDF.type, SKOS.Concept))
            graph.add((concept, SKOS.inScheme, scheme))
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
            graph.add((concept, SKOS.prefLabel, Literal(topic.label, lang="id")))
            graph.add((concept, SKOS.prefLabel, Literal(topic.label_en, lang="en")))
            graph.add((concept, SKOS.notation, Literal(topic.id)))
            for alias in self._alt_labels[topic.id]:
                graph.add((concept, SKOS.altLabel, Literal(alias, lang="id")))
            graph.add((concept, SKOS.closeMatch, URIRef(topic.eu_theme_uri)))
        return graph.serialize(format="turtle")

    def __len__(self) -> int:
        return len(self._topics)

    def ids(self) -> list[str]:
        return list(self._topics)
