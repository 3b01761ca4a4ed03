"""Make harvested text safe to place in HTML, in URL attributes and in JSON-LD.

Harvested titles and descriptions are untrusted. Descriptions may carry HTML,
so they go through nh3 with a short allowlist; every link keeps only an
http or https target. Search snippets come from the index already escaped,
with <mark> tags around matches, and become markup only after a check that
nothing else is in them.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup, escape

LINK_SCHEMES = frozenset({"http", "https"})

_ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "code", "pre", "blockquote"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_MARK_TAG = re.compile(r"</?mark>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


def safe_url(url: str | None) -> str | None:
    """Return `url` when it is an absolute http(s) URL with a host, else None.

    URLs with whitespace or control characters are rejected too, because
    browsers strip some of them and could then read another scheme.
    """
    if not url:
        return None
    candidate = url.strip()
    if _CONTROL_OR_SPACE.search(candidate):
        return None

    parts = urlsplit(candidate)
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return None
    return candidate


def clean_html(text: str | None) -> Markup:
    """Return harvested HTML reduced to simple formatting and http(s) links.

    Plain text keeps its line breaks as <br>.
    """
    if not text:
        return Markup("")
    if "<" not in text:
        text = str(escape(text)).replace("\n", "<br>")

    cleaned = nh3.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes=set(LINK_SCHEMES),
        url_relative="deny",
        link_rel="nofollow noopener noreferrer ugc",
    )
    return Markup(cleaned)


def plain_text(text: str | None) -> str:
    """Return harvested HTML as plain text: tags dropped, entities decoded, for autoescaped output."""
    if not text:
        return ""
    stripped = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html.unescape(stripped).split())


def safe_highlight(snippet: str | None) -> Markup | None:
    """Return an index snippet as markup, or None unless it is escaped text with <mark> tags only."""
    if not snippet:
        return None
    without_marks = _MARK_TAG.sub("", snippet)
    without_entities = _ENTITY.sub("", without_marks)
    if any(character in without_entities for character in "<>&\"'"):
        return None
    return Markup(snippet)


def json_for_script(data: Any) -> Markup:
    """Serialize `data` as JSON that cannot end or comment out its <script> element.

    `<`, `>` and `&` become \\u escapes, so `</script>` and `<!--` never
    appear literally; U+2028 and U+2029 are escaped for old JavaScript parsers.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, replacement in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                                   ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(character, replacement)
    return Markup(text)
