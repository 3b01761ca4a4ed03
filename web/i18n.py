"""Page language: Indonesian by default, English on request, from gettext catalogs.

The language comes from `?lang=` first, then the language cookie, then the
default. Catalogs live in web/locale/<lang>/LC_MESSAGES/messages.mo; see
docs/web.md for refreshing them with Babel.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from babel.support import NullTranslations, Translations
from starlette.requests import Request

logger = logging.getLogger(__name__)

LOCALES: tuple[str, ...] = ("id", "en")
DEFAULT_LOCALE = "id"
LANGUAGE_COOKIE = "himpun_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def get_translations(locale: str) -> NullTranslations:
    """Load the compiled catalog of `locale`; an unknown locale falls back to the default."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    translations = Translations.load(str(LOCALE_DIR), [locale], domain="messages")
    if not isinstance(translations, Translations):
        logger.warning("no compiled catalog for locale %s in %s; showing message ids", locale, LOCALE_DIR)
    return translations


def requested_locale(request: Request) -> str | None:
    """Return the supported locale named by `?lang=`, if any."""
    value = request.query_params.get("lang")
    return value if value in LOCALES else None


def select_locale(request: Request) -> str:
    """Return the page language for `request`: query parameter, then cookie, then Indonesian."""
    requested = requested_locale(request)
    if requested:
        return requested
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return cookie if cookie in LOCALES else DEFAULT_LOCALE
