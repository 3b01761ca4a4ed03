"""Parse JSON pages so that one bad value spoils only the record that contains it.

`parse_page` accepts what a strict parser rejects for the whole page and
leaves a marker where the bad value was:

- NaN, Infinity, an integer of more than 21 digits or a float that
  overflows becomes a `JsonFlaw` object (code `invalid-number`), and a
  shorter integer outside the 64-bit range gets the same code from
  `record_flaw`;
- an object with a repeated key keeps the first value and gains the key
  `DUPLICATE_KEY_MARK` (code `duplicate-key`), so a second value can never
  replace the first one unseen;
- NUL, lone surrogates and bytes that are not UTF-8 become lone surrogates
  (code `invalid-text`). PostgreSQL rejects NUL in text, so such a record
  is rejected on every backend alike;
- a value nested deeper than `PAGE_CUT_DEPTH` is replaced by
  `TOO_DEEP_MARK` (code `too-deep`).

Every marker makes `orjson.dumps` raise, and `RemoteRecord.content_hash()`
serializes the record with orjson. So `record_flaw` only walks a record
when its hash fails, and a clean record costs nothing more. Syntax errors
still fail the whole page, because no record boundary is known there.

The stdlib scanner with these hooks parsed a 1.5 MB page of 1,000 CKAN
packages in 18 to 20 ms, against 10 to 20 ms for `orjson.loads` (repeated
runs on the shared 2-CPU development container, Python 3.11.7). A `parse_int` hook would
take about 9 ms more, so it runs only when an integer is too long for
`int()`. Mapping the same 1,000 records takes a few hundred milliseconds.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["JsonFlaw", "parse_page", "record_flaw"]

# Deepest record accepted: orjson.dumps raises beyond 254 levels, so
# `record_flaw` rejects a deeper record on every path.
MAX_RECORD_DEPTH = 254
# Values deeper than this in a page are cut before the recursive stdlib
# scanner sees them. That parse runs in a new thread, whose recursion budget
# is the whole interpreter limit (1,000 by default), because the caller's
# stack may already use part of it. A cut value lies deeper than
# MAX_RECORD_DEPTH in its record, so cutting never changes an outcome.
PAGE_CUT_DEPTH = 400
MIN_INT = -(2**63)
MAX_INT = 2**64 - 1
# Longest integer text parsed as a number; longer ones cannot fit 64 bits.
MAX_INT_DIGITS = 21

# A lone surrogate cannot come from valid UTF-8 text, so these marks never
# equal a value a source sent as intended text.
_SURROGATE = "\udfff"
DUPLICATE_KEY_MARK = _SURROGATE + "duplicate-key"
TOO_DEEP_MARK = _SURROGATE + "too-deep"

_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonFlaw:
    """A value that cannot be stored, left in place of it. `code` is the job error code.

    It is deliberately not a dataclass: orjson serializes dataclasses, and
    `record_flaw` relies on `orjson.dumps` raising for this type.
    """

    __slots__ = ("code", "detail")

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail

    def __repr__(self) -> str:
        return f"JsonFlaw({self.code!r}, {self.detail!r})"


def parse_page(body: bytes | str) -> Any:
    """Parse a JSON page, leaving markers where values are bad; raise `ValueError` for a syntax error."""
    text = body if isinstance(body, str) else body.decode("utf-8", "surrogateescape")
    if "\x00" in text:
        text = text.replace("\x00", _SURROGATE)
    if "\\u0000" in text:
        text = _NUL_ESCAPE.sub(lambda match: match.group(1) + "\\udfff", text)
    try:
        return _loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError):
        # An integer longer than `sys.get_int_max_str_digits()`, or deep
        # nesting. A `parse_int` hook costs about half the parse time, so it
        # runs only on the pages that need it.
        pass
    return _in_new_thread(lambda: _loads(_cut_deep_values(text), parse_int=_integer))


def record_flaw(value: Any) -> JsonFlaw | None:
    """Return the first flaw in one record, or None when it can be hashed and stored.

    The check serializes the record with orjson and walks it only when that fails.
    """
    try:
        orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as error:
        return _find_flaw(value) or JsonFlaw("invalid-record", str(error))
    return None


def _in_new_thread(parse: Callable[[], Any]) -> Any:
    """Run `parse` on a new thread with a fresh recursion budget; re-raise its error here."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, parse()))
        except RecursionError:
            error = ValueError(f"unterminated value nested deeper than {PAGE_CUT_DEPTH} levels")
            outcome.append((False, error))
        except Exception as error:  # noqa: BLE001 - re-raised in the calling thread
            outcome.append((False, error))

    worker = threading.Thread(target=run, name="json-page-parse")
    worker.start()
    worker.join()
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value


def _loads(text: str, parse_int: Callable[[str], Any] | None = None) -> Any:
    return json.loads(text, strict=False, object_pairs_hook=_object, parse_constant=_constant,
                      parse_int=parse_int, parse_float=_float)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    values = dict(pairs)
    if len(values) == len(pairs):
        return values
    values = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in values:
            repeated.append(key)
        else:
            values[key] = value
    values[DUPLICATE_KEY_MARK] = repeated
    return values


def _constant(name: str) -> JsonFlaw:
    return JsonFlaw("invalid-number", f"{name} is not a JSON number")


def _integer(text: str) -> int | JsonFlaw:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return JsonFlaw("invalid-number", f"integer of {len(text)} digits is out of range")
    number = int(text)
    if not MIN_INT <= number <= MAX_INT:
        return JsonFlaw("invalid-number", f"integer {text} is outside the 64-bit range")
    return number


def _float(text: str) -> float | JsonFlaw:
    number = float(text)
    if not math.isfinite(number):
        return JsonFlaw("invalid-number", f"number {text[:40]} overflows a double")
    return number


def _find_flaw(root: Any) -> JsonFlaw | None:
    """Walk `root` without recursion and return the first flaw found."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_RECORD_DEPTH:
            return JsonFlaw("too-deep", f"nested more than {MAX_RECORD_DEPTH} levels")
        if isinstance(value, JsonFlaw):
            return value
        if isinstance(value, str):
            flaw = _text_flaw(value)
            if flaw is not None:
                return flaw
        elif isinstance(value, dict):
            if DUPLICATE_KEY_MARK in value:
                repeated = ", ".join(repr(key) for key in value[DUPLICATE_KEY_MARK][:5])
                return JsonFlaw("duplicate-key", f"repeated object key {repeated}")
            for key, item in value.items():
                flaw = _text_flaw(key) if isinstance(key, str) else None
                if flaw is not None:
                    return flaw
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, int) and not MIN_INT <= value <= MAX_INT:
            return JsonFlaw("invalid-number", f"integer {str(value)[:40]} is outside the 64-bit range")
    return None


def _text_flaw(text: str) -> JsonFlaw | None:
    if _SURROGATE_CHAR.search(text) is None:
        return None
    if text == TOO_DEEP_MARK:
        return JsonFlaw("too-deep", f"nested more than {PAGE_CUT_DEPTH} levels")
    return JsonFlaw("invalid-text", "text contains NUL, a lone surrogate or bytes that are not UTF-8")


def _cut_deep_values(text: str) -> str:
    """Replace every value that opens deeper than `PAGE_CUT_DEPTH` with `TOO_DEEP_MARK`.

    An unterminated deep value is left as it is, so the page still fails as invalid JSON.
    """
    pieces: list[str] = []
    depth = 0
    kept_until = 0
    cut_start: int | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == PAGE_CUT_DEPTH + 1 and cut_start is None:
                cut_start = match.start()
        elif token in "]}":
            depth -= 1
            if depth == PAGE_CUT_DEPTH and cut_start is not None:
                pieces.append(text[kept_until:cut_start])
                pieces.append('"\\udffftoo-deep"')
                kept_until = match.end()
                cut_start = None
    pieces.append(text[kept_until:])
    return "".join(pieces)

