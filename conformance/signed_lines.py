"""Change exactly one line of what a request signs: the JSS StringToSign or the S3 SigV4 canonical request.

A line is named as in fixtures/cases/signature_lines.toml: on the JSS wire ``verb``, ``content-md5``,
``content-type``, ``date``, ``resource`` (the CanonicalizedResource) or an ``x-jss-`` header name (its
CanonicalizedHeaders line); on the S3 wire ``method``, ``path``, ``query``, ``payload`` (the payload hash,
the last line) or ``header:<name>`` (that signed header's line). The change is one of
``{replace = "value"}``, ``{append = "text"}``, ``{sub = ["old", "new"]}`` (first occurrence) or
``{shift_seconds = N}`` (a Date or X-Amz-Date value moved by N seconds). The result is meant for
:attr:`conformance.client.SigningOptions.alter_signed`: the request is sent as built and signed over the
changed text, so the server receives a request that differs from what was signed on exactly that line.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

#: Fixed positions of the first lines of the JSS StringToSign.
JSS_POSITIONS = {"verb": 0, "content-md5": 1, "content-type": 2, "date": 3}
#: Fixed positions of the first lines of a SigV4 canonical request.
S3_POSITIONS = {"method": 0, "path": 1, "query": 2}
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


class LineNotSigned(ValueError):
    """The line to change is not in the signed text (the request does not carry it)."""


def line_changer(wire: str, line: str, change: Mapping[str, Any]) -> Callable[[str], str]:
    """A function that changes line `line` of a `wire` ("jss" | "s3") signed text by `change`, and raises
    LineNotSigned when the text has no such line or the change leaves it as it was."""

    def alter(text: str) -> str:
        lines = text.split("\n")
        index, prefix = _locate(wire, line, lines)
        value = lines[index][len(prefix):]
        changed = prefix + _changed_value(value, change)
        if changed == lines[index]:
            raise LineNotSigned(f"the change {dict(change)} leaves the {line} line as it was")
        lines[index] = changed
        return "\n".join(lines)

    return alter


def _locate(wire: str, line: str, lines: list[str]) -> tuple[int, str]:
    """The index of `line` in `lines` and the prefix (a header's ``name:``) that the change keeps."""
    positions = JSS_POSITIONS if wire == "jss" else S3_POSITIONS
    if line in positions:
        return positions[line], ""
    if wire == "jss" and line == "resource":
        return len(lines) - 1, ""
    if wire == "s3" and line == "payload":
        return len(lines) - 1, ""
    name = line.removeprefix("header:") if wire == "s3" else line
    first, last = (4, len(lines) - 1) if wire == "jss" else (3, len(lines) - 2)
    for index in range(first, last):
        if lines[index].startswith(f"{name.lower()}:"):
            return index, f"{name.lower()}:"
    raise LineNotSigned(f"no {line!r} line in the signed text of the {wire} wire")


def _changed_value(value: str, change: Mapping[str, Any]) -> str:
    if "replace" in change:
        return str(change["replace"])
    if "append" in change:
        return value + str(change["append"])
    if "sub" in change:
        old, new = change["sub"]
        if old not in value:
            raise LineNotSigned(f"{old!r} is not in the signed line")
        return value.replace(old, new, 1)
    if "shift_seconds" in change:
        return _shifted(value, int(change["shift_seconds"]))
    raise ValueError(f"unknown change {dict(change)}")


def _shifted(value: str, seconds: int) -> str:
    """An RFC 1123 Date or an ISO 8601 basic X-Amz-Date moved by `seconds`, in the same form."""
    delta = datetime.timedelta(seconds=seconds)
    try:
        moment = datetime.datetime.strptime(value, AMZ_DATE_FORMAT)
    except ValueError:
        return format_datetime(parsedate_to_datetime(value) + delta, usegmt=True)
    return (moment + delta).strftime(AMZ_DATE_FORMAT)
