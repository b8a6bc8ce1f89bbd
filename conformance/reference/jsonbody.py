"""JSON request bodies read with bounds: a nesting depth checked before parsing, integers through
``conformance.numbers``, every failure a ValueError."""

from __future__ import annotations

import json
import re

from conformance.numbers import INT32_MAX, parse_decimal

#: A JSON string (with its escapes), or an unterminated one up to the end: its brackets do not count
#: towards the depth. Possessive, and every quote starts a match, so the scan is linear in the body.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_AS_SQUARE = bytes.maketrans(b"{}", b"[]")


class TooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""


def nesting_depth_exceeds(body: bytes, depth: int) -> bool:
    """True when the arrays and objects of `body` nest deeper than `depth` (strings ignored).

    Linear time, no recursion: the brackets outside strings are kept, then the innermost ``[]`` pairs are
    removed `depth` times; anything left was nested deeper (or unbalanced, which the parser refuses too).
    """
    brackets = _STRING.sub(b"", body).translate(_AS_SQUARE, _NOT_BRACKETS)
    for _ in range(depth):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return bool(brackets)


def _integer(text: str) -> int:
    negative = text.startswith("-")
    value = parse_decimal(text[1:] if negative else text, INT32_MAX)
    return -value if negative else value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse_bounded_json(body: bytes, max_depth: int) -> object:
    """The JSON document `body` (UTF-8); ValueError when it is not JSON, nests deeper than `max_depth`,
    or holds an integer outside the 32-bit range or NaN / Infinity."""
    if nesting_depth_exceeds(body, max_depth):
        raise TooDeep(f"nested deeper than {max_depth}")
    try:
        return json.loads(body, parse_int=_integer, parse_constant=_no_constant)
    except RecursionError as exc:  # not reachable within max_depth; kept as a ValueError all the same
        raise TooDeep("nested too deep") from exc
