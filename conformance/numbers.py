"""The one strict way to read a number from a request: ASCII digits only, bounded length, bounded value.

`str.isdigit` accepts characters ``int`` refuses (``²``) and ``int`` accepts characters no HTTP grammar
allows (``٣``, ``_``, spaces, a sign); an integer of thousands of digits costs quadratic time and hits
Python's conversion limit. Every parser of the reference endpoint, and the HTTP-date parser of
``conformance.signing``, reads its numbers through :func:`parse_decimal`. Standard library only.
"""

from __future__ import annotations

import re

#: Enough digits for any 64-bit value; longer strings are refused before any conversion.
MAX_DIGITS = 19
#: The largest value of a 64-bit signed integer (byte offsets, lengths, timestamps).
INT64_MAX = 2**63 - 1
#: The largest value of a 32-bit signed integer (paging parameters, part numbers).
INT32_MAX = 2**31 - 1

_DIGITS = re.compile(r"[0-9]+")


class NotADecimal(ValueError):
    """The text is not a non-empty string of ASCII digits."""


class DecimalTooLarge(ValueError):
    """The text is ASCII digits, but its value is above the bound."""


def parse_decimal(text: str | bytes, maximum: int = INT64_MAX, *, max_digits: int = MAX_DIGITS) -> int:
    """The value of `text`, a string of ASCII digits ``0-9`` (no sign, no space, no underscore).

    Raises NotADecimal when `text` is anything else, DecimalTooLarge when it has more than `max_digits`
    digits once leading zeros are dropped, or its value is above `maximum` (both are ValueError).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise NotADecimal("not ASCII digits") from exc
    if not isinstance(text, str) or _DIGITS.fullmatch(text) is None:
        raise NotADecimal(f"not ASCII digits: {text[:40]!r}")
    significant = text.lstrip("0")
    if len(significant) > max_digits:
        raise DecimalTooLarge(f"more than {max_digits} digits")
    value = int(significant or "0")
    if value > maximum:
        raise DecimalTooLarge(f"above {maximum}")
    return value


def parse_bounded(text: str | bytes, maximum: int) -> int:
    """Like :func:`parse_decimal`, but a well-formed value above `maximum` (however long) is `maximum`.

    For fields whose meaning saturates (a byte position past any object). NotADecimal when malformed.
    """
    try:
        return parse_decimal(text, maximum)
    except DecimalTooLarge:
        return maximum
