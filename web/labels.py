"""Display labels of topic and frequency URIs in the page language.

Records keep the Indonesian label that the harmonizer wrote, and DCAT RDF
sources often give only an EU data-theme or frequency URI without a label.
Pages look the URI up instead: Himpun topics in the topic scheme, which has
an Indonesian and an English label, and EU codes in the tables below, whose
English names are gettext message ids translated in web/locale.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from harvester.harmonize.topics import EU_DATA_THEME, TopicScheme, displayed_themes
from harvester.model import Concept
from harvester.quality.vocabularies import EU_FREQUENCY
from web.deps import get_services
from web.i18n import get_translations, select_locale


def N_(message: str) -> str:
    """Mark `message` for extraction by Babel; the page translates it when it renders."""
    return message


# English names of the EU data-theme table. The Indonesian catalog repeats
# EU_THEME_LABELS of harvester.harmonize.topics, and tests/web/test_labels.py
# checks that the two agree.
EU_THEME_NAMES = {
    "AGRI": N_("Agriculture, fisheries, forestry and food"),
    "ECON": N_("Economy and finance"),
    "EDUC": N_("Education, culture and sport"),
    "ENER": N_("Energy"),
    "ENVI": N_("Environment"),
    "GOVE": N_("Government and public sector"),
    "HEAL": N_("Health"),
    "INTR": N_("International issues"),
    "JUST": N_("Justice, legal system and public safety"),
    "OP_DATPRO": N_("Provisional data"),
    "REGI": N_("Regions and cities"),
    "SOCI": N_("Population and society"),
    "TECH": N_("Science and technology"),
    "TRAN": N_("Transport"),
}

# English names of the EU frequency table for every code that
# config/vocabularies/frequencies.yaml lists or the frequency parser returns.
# The Indonesian catalog repeats the labels of frequencies.yaml.
EU_FREQUENCY_NAMES = {
    "HOURLY": N_("Hourly"),
    "DAILY": N_("Daily"),
    "DAILY_2": N_("Twice a day"),
    "WEEKLY": N_("Weekly"),
    "WEEKLY_2": N_("Semiweekly"),
    "WEEKLY_3": N_("Three times a week"),
    "BIWEEKLY": N_("Biweekly"),
    "MONTHLY": N_("Monthly"),
    "MONTHLY_2": N_("Semimonthly"),
    "MONTHLY_3": N_("Three times a month"),
    "BIMONTHLY": N_("Bimonthly"),
    "QUARTERLY": N_("Quarterly"),
    "ANNUAL_3": N_("Three times a year"),
    "ANNUAL_2": N_("Semiannual"),
    "ANNUAL": N_("Annual"),
    "BIENNIAL": N_("Biennial"),
    "TRIENNIAL": N_("Triennial"),
    "QUADRENNIAL": N_("Quadrennial"),
    "QUINQUENNIAL": N_("Quinquennial"),
    "DECENNIAL": N_("Decennial"),
    "IRREG": N_("Irregular"),
    "CONT": N_("Continuous"),
    "NEVER": N_("Never"),
}


def _code(uri: str, base: str) -> str | None:
    return uri.removeprefix(base).strip("/") if uri.startswith(base) else None


class VocabularyLabels:
    """Label lookup for one page language: `gettext` translates the EU names, `locale` picks the topic label."""

    def __init__(self, topics: TopicScheme, locale: str, gettext: Callable[[str], str]) -> None:
        self._topics = topics
        self._english = locale == "en"
        self._gettext = gettext

    def theme(self, concept: Concept) -> str:
        """Return the label of a topic: the scheme's or EU table's name, else the stored label or value."""
        uri = concept.uri or ""
        topic_id = _code(uri, self._topics.base_uri)
        topic = self._topics.get(topic_id) if topic_id else None
        if topic is not None:
            return topic.label_en if self._english else topic.label

        code = _code(uri, EU_DATA_THEME)
        if code in EU_THEME_NAMES:
            return self._gettext(EU_THEME_NAMES[code])
        return concept.label or concept.original or uri

    def theme_key(self, key: str, label: str) -> str:
        """Return the label of a theme facet value, whose key is the concept URI or a label slug."""
        return self.theme(Concept(uri=key, label=label)) if "://" in key else label

    def shown_themes(self, themes: list[Concept]) -> list[str]:
        """Return the distinct labels of the record's Himpun topics, or of its EU themes when it has none."""
        labels = [self.theme(concept) for concept in displayed_themes(themes)]
        return [label for label in dict.fromkeys(labels) if label]

    def frequency(self, concept: Concept) -> str:
        """Return the label of an update frequency: the EU table's name, else the stored label or value."""
        code = _code(concept.uri or "", EU_FREQUENCY)
        if code in EU_FREQUENCY_NAMES:
            return self._gettext(EU_FREQUENCY_NAMES[code])
        return concept.label or concept.original or concept.uri or ""


def vocabulary_labels(request: Request) -> VocabularyLabels:
    """Return the label lookup in the request's language."""
    locale = select_locale(request)
    return VocabularyLabels(get_services(request).harmonizer.topics, locale, get_translations(locale).gettext)
