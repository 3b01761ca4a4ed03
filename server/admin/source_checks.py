"""Checks a source configuration must pass before the admin API stores it.

The URL check resolves the host name and compares every address with the
egress policy, but never connects: a URL that points at loopback, private,
link-local or cloud metadata addresses is rejected before anything is
fetched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger
from pydantic import ValidationError

from connectors import connector_class
from harvester.egress import EgressGuard, Resolver
from harvester.errors import ConfigError, FetchError
from harvester.http import HttpPolicy
from harvester.settings import Settings
from harvester.sources import Schedule, SourceConfig, normalized_region
from server.admin.auth import Principal
from server.admin.errors import AdminApiError

__all__ = ["check_source", "parse_source", "shortest_cron_gap"]

# Fire times sampled to find the shortest gap of a cron expression.
CRON_SAMPLES = 500


def parse_source(body: dict[str, Any]) -> SourceConfig:
    """Validate a request body as a `SourceConfig`, raising 422 with the problems.

    A region given as an undotted Kemendagri or a BPS code comes back as the
    dotted Kemendagri code, as it does from a sources file.
    """
    try:
        source = SourceConfig.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise _invalid(f"Konfigurasi sumber tidak valid: {problems}", f"invalid source configuration: {problems}",
                       "invalid-source") from error

    if source.region is None:
        return source
    region, problem = normalized_region(source.region)
    if problem is not None:
        raise _invalid(f"Kode wilayah {source.region!r} tidak dikenal; pakai kode Kemendagri bertitik seperti 18.09",
                       f"unknown region code {source.region!r}; use a dotted Kemendagri code such as 18.09",
                       "invalid-region", field="region")
    return source.model_copy(update={"region": region})


def check_source(source: SourceConfig, principal: Principal, settings: Settings,
                 resolver: Resolver | None = None) -> None:
    """Run every check on a source a principal wants to store; raise `AdminApiError` on the first failure."""
    _check_walidata(source, principal)
    _check_options(source, principal)
    _check_url(source, settings, resolver)
    if source.schedule is not None:
        _check_schedule(source.schedule, settings.min_schedule_minutes)


def _check_walidata(source: SourceConfig, principal: Principal) -> None:
    if principal.is_admin:
        return
    if source.walidata is None or source.walidata not in principal.walidata:
        scope = ", ".join(sorted(principal.walidata)) or "-"
        raise AdminApiError(403, f"Sumber harus milik Walidata token ini ({scope})",
                            f"the source must name a Walidata of this token ({scope})",
                            code="walidata-not-allowed", field="walidata")


def _check_options(source: SourceConfig, principal: Principal) -> None:
    http_options = source.options.get("http")
    if isinstance(http_options, dict) and http_options.get("allowlist") and not principal.is_admin:
        raise AdminApiError(403, "Hanya admin yang boleh mengatur options.http.allowlist",
                            "only an admin may set options.http.allowlist", code="allowlist-admin-only",
                            field="options.http.allowlist")
    try:
        connector_class(source.family).parse_options(source)
        HttpPolicy().for_source(source)
    except ConfigError as error:
        raise _invalid(f"Opsi sumber tidak valid: {error}", f"invalid source options: {error}",
                       "invalid-options", field="options") from error


def _check_url(source: SourceConfig, settings: Settings, resolver: Resolver | None) -> None:
    parts = urlsplit(source.url)
    if parts.username is not None or parts.password is not None:
        # The message leaves the URL out, so the credential is not echoed back.
        raise _invalid("URL tidak boleh memuat nama pengguna atau kata sandi; simpan kredensial di opsi "
                       "kredensial konektor (misalnya key_env)",
                       "the URL must not contain a user name or password; put the credential in the "
                       "connector's credential options (for example key_env)", "credentials-in-url",
                       field="url")

    allowlist = HttpPolicy.from_settings(settings).for_source(source).allowlist
    try:
        EgressGuard(allowlist, resolver).check_url(source.url)
    except FetchError as error:
        raise _url_rejected(error, parts.scheme, parts.hostname) from error


def _url_rejected(error: FetchError, scheme: str, host: str | None) -> AdminApiError:
    # Messages name the scheme or host only: a URL may carry a key in its query.
    if error.code == "scheme-not-allowed":
        return _invalid(f"Skema URL {scheme!r} tidak diizinkan, hanya http dan https",
                        f"URL scheme {scheme!r} is not allowed, only http and https", error.code, field="url")
    if error.code == "blocked-address":
        return _invalid(f"Host {host} mengarah ke alamat yang diblokir (loopback, privat, link-local atau "
                        f"metadata): {error}", f"host {host} points to a blocked address: {error}",
                        error.code, field="url")
    return _invalid(f"Host {host} tidak dapat diperiksa: {error}", f"host {host} could not be checked: {error}",
                    error.code, field="url")


def _check_schedule(schedule: Schedule, min_minutes: int) -> None:
    if schedule.interval_minutes is not None and schedule.interval_minutes < min_minutes:
        raise _too_frequent(schedule.interval_minutes, min_minutes)
    if schedule.cron is None:
        return
    try:
        gap = shortest_cron_gap(schedule.cron)
    except ValueError as error:
        raise _invalid(f"Ekspresi cron tidak valid: {error}", f"invalid cron expression: {error}",
                       "invalid-schedule", field="schedule.cron") from error
    if gap < dt.timedelta(minutes=min_minutes):
        raise _too_frequent(gap.total_seconds() / 60, min_minutes)


def shortest_cron_gap(expression: str) -> dt.timedelta:
    """Return the shortest time between fire times of a crontab expression, over its next runs."""
    trigger = CronTrigger.from_crontab(expression, timezone=dt.UTC)
    previous: dt.datetime | None = None
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    shortest = dt.timedelta.max
    for _ in range(CRON_SAMPLES):
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        if previous is not None:
            shortest = min(shortest, fire - previous)
        previous, now = fire, fire + dt.timedelta(microseconds=1)
    return shortest


def _too_frequent(minutes: float, min_minutes: int) -> AdminApiError:
    return _invalid(f"Jadwal terlalu sering: tiap {minutes:g} menit, minimal {min_minutes} menit",
                    f"schedule too frequent: every {minutes:g} min, the minimum is {min_minutes} min",
                    "schedule-too-frequent", field="schedule")


def _invalid(message_id: str, message_en: str, code: str, *, field: str | None = None) -> AdminApiError:
    return AdminApiError(422, message_id, message_en, code=code, field=field)
