"""Jinja2 rendering of the HTML pages, one autoescaping environment per language.

Every page response carries the Content-Security-Policy below: scripts and
styles only from this site, no inline script, no plugins, no framing. The
JSON-LD block is a data block, which the policy does not execute.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.i18n import LANGUAGE_COOKIE, LOCALES, get_translations, requested_locale, select_locale
from web.sanitize import clean_html, json_for_script, plain_text, safe_highlight, safe_url

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@functools.cache
def environment(locale: str) -> jinja2.Environment:
    """Build the template environment of `locale` with its translations and filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(get_translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        safe_url=safe_url,
        clean_html=clean_html,
        plain_text=plain_text,
        highlight=safe_highlight,
        json_for_script=json_for_script,
        date=functools.partial(_format_date, locale=locale),
        number=functools.partial(_format_number, locale=locale),
    )
    env.globals["locale"] = locale
    env.globals["language_url"] = language_url
    env.globals["locales"] = LOCALES
    return env


def _format_date(value: dt.date | dt.datetime | None, locale: str) -> str:
    if value is None:
        return ""
    return format_date(value, format="long", locale=locale)


def _format_number(value: float | int, locale: str) -> str:
    return format_decimal(value, locale=locale)


def language_url(request: Request, locale: str) -> str:
    """Return the current page's path and query with `lang` set to `locale`."""
    pairs = [(name, value) for name, value in request.query_params.multi_items() if name != "lang"]
    pairs.append(("lang", locale))
    return f"{request.url.path}?{urlencode(pairs)}"


def gettext_for(request: Request) -> Any:
    """Return the gettext function of the request's language, for strings built in Python."""
    return get_translations(select_locale(request)).gettext


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render `template` in the request's language with the security headers set.

    When the request names a language with `?lang=`, the choice is stored
    in a cookie so later pages keep it.
    """
    locale = select_locale(request)
    page = environment(locale).get_template(template).render(request=request, **context)
    response = HTMLResponse(page, status_code=status_code, headers=SECURITY_HEADERS)

    if requested_locale(request):
        response.set_cookie(LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_MAX_AGE,
                            httponly=True, samesite="lax")
    return response
