"""The Harmonizer: runs every mapping of the harmonize stage over one record.

Order matters: organizations first (their regions are context for the
rest), then regions, topics (an OPD's topic is the fallback), licences,
formats, frequency, access level and dates.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from harvester import privacy
from harvester.harmonize import dates
from harvester.harmonize.access import AccessTable
from harvester.harmonize.findings import Finding
from harvester.harmonize.formats import FormatTable
from harvester.harmonize.frequencies import FrequencyTable
from harvester.harmonize.licences import LicenceTable
from harvester.harmonize.organizations import OrganizationRegister, OrgMatch
from harvester.harmonize.regions import RegionTable
from harvester.harmonize.topics import TopicScheme
from harvester.model import Agent, DatasetRecord, Distribution, RegionCode
from harvester.settings import DEFAULT_CONFIG_DIR
from harvester.sources import SourceConfig

logger = logging.getLogger(__name__)

__all__ = ["Harmonizer"]

SOURCE_REGION_DETAIL = "wilayah sumber dipakai / source region used: the record names no region"
PUBLISHER_REGION_DETAIL = "wilayah Walidata dipakai / Walidata region used: the record names no region"
CANDIDATE_DETAIL = "organisasi baru untuk ditinjau / new organization, listed for review"


class Harmonizer:
    """Maps records onto reference codes using the tables under config/."""

    def __init__(self, config_dir: Path | None = None) -> None:
        self.config_dir = config_dir or DEFAULT_CONFIG_DIR
        self.regions = RegionTable.from_config(self.config_dir)
        self.organizations = OrganizationRegister.from_config(self.config_dir, self.regions)
        self.topics = TopicScheme.from_config(self.config_dir)
        self.licences = LicenceTable.from_config(self.config_dir)
        self.formats = FormatTable.from_config(self.config_dir)
        self.frequencies = FrequencyTable.from_config(self.config_dir)
        self.access = AccessTable.from_config(self.config_dir)
        self.privacy = privacy.PersonalDataDetector.from_config(self.config_dir)
        self._source_walidata: dict[str, OrgMatch | None] = {}
        # The tables live as long as the process: move them out of the collector's
        # reach, or every full collection walks some 100,000 region objects.
        gc.collect()
        gc.freeze()

    @classmethod
    def from_config(cls, config_dir: Path) -> Harmonizer:
        return cls(config_dir)

    def harmonize(self, record: DatasetRecord, source: SourceConfig) -> list[Finding]:
        """Harmonize `record` in place and return what could not be mapped."""
        findings: list[Finding] = []
        context = source.region if source.region and self.regions.get(source.region) else None

        creator_topic = self._organizations(record, source, context, findings)
        region_context = context or self._agent_region(record.publisher)
        self._spatial(record, source, region_context, findings)
        self._themes(record, creator_topic, findings)
        self._licences(record, findings)
        self._formats(record, findings)
        self._frequency(record, findings)
        self._access(record, source, findings)
        self._dates(record, findings)
        findings.extend(self.privacy.findings(record))
        return findings

    # Organizations -----------------------------------------------------

    @staticmethod
    def _agent_region(agent: Agent | None) -> str | None:
        return agent.region.code if agent is not None and agent.region is not None else None

    def _walidata_of_source(self, source: SourceConfig, context: str | None) -> OrgMatch | None:
        if source.id not in self._source_walidata:
            match = self.organizations.resolve(source.walidata, context) if source.walidata else None
            if match is None and context is not None:
                match = self.organizations.walidata_for_region(self._government_region(context))
            self._source_walidata[source.id] = match if match is None or match.kind == "walidata" else None
        return self._source_walidata[source.id]

    def _government_region(self, code: str) -> str:
        """Return the province, regency or city that governs `code` (a district belongs to its regency)."""
        return ".".join(code.split(".")[:2])

    def _walidata_from_extras(self, record: DatasetRecord) -> OrgMatch | None:
        title = record.extras.get("harvest_source_title")
        if not isinstance(title, str):
            return None
        code = self.regions.from_harvest_source_title(title)
        return self.organizations.walidata_for_region(code) if code else None

    def _organizations(self, record: DatasetRecord, source: SourceConfig, context: str | None,
                       findings: list[Finding]) -> str | None:
        """Harmonize publisher and creator; return the creator's topic id for the topic fallback."""
        publisher_match: OrgMatch | None = None
        publisher_text = self._agent_text(record.publisher)

        if publisher_text:
            publisher_match = self.organizations.resolve(publisher_text, context)
            if publisher_match is None:
                findings.append(Finding("publisher", publisher_text, "unmapped", CANDIDATE_DETAIL))
            elif publisher_match.kind == "opd":
                # A regional portal names the producing OPD where the Walidata belongs.
                if record.creator is None:
                    record.creator = Agent(name=record.publisher.name, original=publisher_text)
                publisher_match = None
                record.publisher = None
            else:
                record.publisher = self.organizations.to_agent(publisher_match, publisher_text,
                                                               record.publisher.url)

        if record.publisher is None:
            walidata = self._walidata_from_extras(record) or self._walidata_of_source(source, context)
            if walidata is not None:
                record.publisher = self.organizations.to_agent(walidata, None)

        scope = context or self._agent_region(record.publisher)
        return self._creator(record, scope, findings)

    @staticmethod
    def _agent_text(agent: Agent | None) -> str | None:
        if agent is None:
            return None
        return (agent.original or agent.name or "").strip() or None

    def _creator(self, record: DatasetRecord, scope: str | None, findings: list[Finding]) -> str | None:
        creator_text = self._agent_text(record.creator)
        if creator_text is None:
            return self._creator_from_keywords(record, scope)

        match = self.organizations.resolve(creator_text, scope)
        if match is None or match.kind != "opd":
            findings.append(Finding("creator", creator_text, "unmapped", CANDIDATE_DETAIL))
            return None
        if match.identifier is None:
            findings.append(Finding("creator", creator_text, "ambiguous",
                                    "OPD tanpa wilayah / OPD without a region"))
        record.creator = self.organizations.to_agent(match, creator_text, record.creator.url)
        return match.topic

    def _creator_from_keywords(self, record: DatasetRecord, scope: str | None) -> str | None:
        """Find the OPD among the keywords, where some portals put its full name."""
        for keyword in record.keywords:
            if len(keyword.split()) < 2:
                continue
            match = self.organizations.resolve(keyword, scope)
            if match is not None and match.kind == "opd" and match.identifier is not None:
                record.creator = self.organizations.to_agent(match, keyword)
                return match.topic
        return None

    # Regions -----------------------------------------------------------

    def _spatial(self, record: DatasetRecord, source: SourceConfig, context: str | None,
                 findings: list[Finding]) -> None:
        if record.spatial:
            record.spatial = self._normalize_codes(record.spatial, findings)
            if record.spatial:
                return

        if record.spatial_text and self._spatial_from_text(record, record.spatial_text, context, findings):
            return
        if self._spatial_from_title(record, context, findings):
            return

        publisher_region = self._agent_region(record.publisher)
        if publisher_region is not None and publisher_region != source.region:
            record.spatial = [self.regions.kemendagri(publisher_region)]
            findings.append(Finding("spatial", publisher_region, "inferred", PUBLISHER_REGION_DETAIL))
        elif context is not None:
            record.spatial = [self.regions.kemendagri(context)]
            findings.append(Finding("spatial", context, "inferred", SOURCE_REGION_DETAIL))
        else:
            findings.append(Finding("spatial", "", "unmapped", "tidak ada wilayah / no region found"))

    def _normalize_codes(self, codes: list[RegionCode], findings: list[Finding]) -> list[RegionCode]:
        result: list[RegionCode] = []
        for code in codes:
            parsed = self.regions.parse_code(code.code, code.system)
            if parsed.problem:
                findings.append(Finding("spatial", code.original or code.code, parsed.kind, parsed.problem))
            for item in parsed.codes:
                item = item.model_copy(update={"original": code.original or code.code})
                if item not in result:
                    result.append(item)
        return result

    def _spatial_from_text(self, record: DatasetRecord, text: str, context: str | None,
                           findings: list[Finding]) -> bool:
        value = text.strip()
        if value.replace(".", "").isdigit():
            parsed = self.regions.parse_code(value)
            if parsed.problem:
                findings.append(Finding("spatial", value, parsed.kind, parsed.problem))
            record.spatial = list(parsed.codes)
            return bool(parsed.codes)

        resolution = self.regions.resolve_name(value, context)
        if resolution.code is not None:
            record.spatial = [self.regions.kemendagri(resolution.code, value)]
            return True
        if resolution.ambiguous:
            findings.append(Finding("spatial", value, "ambiguous", "kandidat / candidates: "
                                    + ", ".join(resolution.candidates)))
            return False
        return self._apply_text_regions(record, value, context, findings)

    def _spatial_from_title(self, record: DatasetRecord, context: str | None, findings: list[Finding]) -> bool:
        return self._apply_text_regions(record, record.title, context, findings)

    def _apply_text_regions(self, record: DatasetRecord, text: str, context: str | None,
                            findings: list[Finding]) -> bool:
        regions = self.regions.find_in_text(text, context)
        for fragment, candidates in regions.ambiguous:
            findings.append(Finding("spatial", fragment, "ambiguous",
                                    "kandidat / candidates: " + ", ".join(candidates)))
        if not regions.found:
            return False
        record.spatial = [self.regions.kemendagri(code, fragment) for code, fragment in regions.found]
        return True

    # Vocabularies ------------------------------------------------------

    def _themes(self, record: DatasetRecord, creator_topic: str | None, findings: list[Finding]) -> None:
        mapped = [theme for theme in record.themes if theme.uri]
        for theme in record.themes:
            if theme.uri or theme.original is None or self.topics.is_placeholder(theme.original):
                continue
            topic = self.topics.by_label(theme.original)
            if topic is None:
                findings.append(Finding("theme", theme.original, "unmapped", "kategori tidak dikenal / unknown category"))
                continue
            for concept in self.topics.concepts(topic, theme.original, inferred=False):
                if concept.uri not in {m.uri for m in mapped}:
                    mapped.append(concept)

        if not mapped:
            topic = self.topics.infer([record.title, *record.keywords], prefer=creator_topic)
            if topic is not None:
                mapped = self.topics.concepts(topic, None, inferred=True)
                findings.append(Finding("theme", topic.id, "inferred", "dari judul, kata kunci atau OPD / "
                                        "from title, keywords or OPD"))
            else:
                findings.append(Finding("theme", record.title[:120], "unmapped", "tidak ada topik / no topic"))
        record.themes = mapped

    def _licences(self, record: DatasetRecord, findings: list[Finding]) -> None:
        record.licence = self._licence(record.licence, findings)
        for distribution in record.distributions:
            distribution.licence = self._licence(distribution.licence, findings)

    def _licence(self, licence, findings: list[Finding]):  # type: ignore[no-untyped-def]
        if licence is None or licence.spdx_id:
            return licence
        result = self.licences.map(licence.original)
        if not result.mapped:
            findings.append(Finding("licence", licence.original or "", "unmapped"))
        return result.licence

    def _formats(self, record: DatasetRecord, findings: list[Finding]) -> None:
        for distribution in record.distributions:
            self._format(distribution, findings)

    def _format(self, distribution: Distribution, findings: list[Finding]) -> None:
        current = distribution.format
        if current is not None and current.file_type_uri:
            return
        declared = current.original if current is not None else None
        media_type = current.media_type if current is not None else None
        url = distribution.download_url or distribution.access_url
        result = self.formats.map(declared, url, media_type)

        distribution.format = result.format
        if not result.mapped:
            findings.append(Finding("format", declared or "", "unmapped"))
        elif result.format is not None and result.format.conflict:
            findings.append(Finding("format", declared or "", "conflict", result.format.conflict))

    def _frequency(self, record: DatasetRecord, findings: list[Finding]) -> None:
        current = record.frequency
        if current is not None and current.uri:
            return
        if current is not None and current.original and current.original.strip() not in ("", "-"):
            code = self.frequencies.code(current.original)
            if code is None:
                findings.append(Finding("frequency", current.original, "unmapped"))
                return
            record.frequency = self.frequencies.concept(code, current.original)
            return

        if record.description:
            code = self.frequencies.code_in_sentence(record.description.lower())
            if code is not None:
                record.frequency = self.frequencies.concept(code, None, inferred=True)

    def _access(self, record: DatasetRecord, source: SourceConfig, findings: list[Finding]) -> None:
        result = self.access.decide(record.access, source.access_default)
        record.access = result.rights
        if not result.mapped:
            findings.append(Finding("access", record.access.original or "", "unmapped",
                                    "ditahan / held back"))

    def _dates(self, record: DatasetRecord, findings: list[Finding]) -> None:
        for field in ("issued", "modified"):
            value = getattr(record, field)
            if dates.is_placeholder_date(value):
                setattr(record, field, None)
                findings.append(Finding(field, value.isoformat(), "unmapped", "tanggal pengganti / placeholder date"))

        temporal = record.temporal
        if temporal is not None and temporal.start is None and temporal.end is None and temporal.label:
            parsed = dates.parse_period(temporal.label)
            if parsed is None:
                findings.append(Finding("temporal", temporal.label, "unmapped"))
                record.temporal = None if temporal.label.strip() in ("", "-") else temporal
            else:
                record.temporal = parsed.model_copy(update={"label": temporal.label})
            if record.temporal is not None:
                return
        if record.temporal is None:
            record.temporal = dates.temporal_in_text(record.title)
