"""One rule for "not supported", read from fixtures/not-supported.toml.

An answer that says the store does not implement a feature (an HTTP status the file lists, 501; the error
code NotImplemented; or a code the target's rulebook lists as meaning that) makes the case NOT_IMPLEMENTED;
any other refusal is judged by the case (a refused MUST is FAIL). Both clients apply
:func:`raise_if_not_supported` to every answer they get; nothing else decides it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import requests

from conformance.error_body import error_code
from conformance.outcomes import NotImplementedByTarget
from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml


class NotSupportedFileError(ValueError):
    """fixtures/not-supported.toml is missing or malformed; the message is one line."""


@dataclass(frozen=True)
class NotSupportedRule:
    """The statuses and error codes that say "not implemented" under one rulebook."""

    statuses: frozenset[int]
    codes: frozenset[str]


@functools.cache
def rule_of(rulebook: str) -> NotSupportedRule:
    """The rule under `rulebook` ("jss" | "s3"): the file's common statuses and codes plus the rulebook's."""
    document = read_toml(fixtures_dir() / "not-supported.toml", NotSupportedFileError)
    own = document.get("rules", {}).get(rulebook, {})
    statuses = document.get("statuses", [])
    codes = [*document.get("codes", []), *own.get("codes", [])]
    if not all(isinstance(s, int) for s in statuses) or not all(isinstance(c, str) for c in codes):
        raise NotSupportedFileError("fixtures/not-supported.toml: statuses are integers, codes strings")
    return NotSupportedRule(frozenset(statuses), frozenset(codes))


def not_supported(response: requests.Response, rulebook: str, *, read_body: bool = True) -> str | None:
    """Why `response` says the store does not implement the request (None when it does not say so).
    `read_body`: the body may be read (False for a streamed answer: its status alone decides)."""
    rule = rule_of(rulebook)
    if response.status_code in rule.statuses:
        return f"answered {response.status_code}"
    if response.status_code < 400 or not read_body:
        return None
    code = error_code(response.content)
    return f"answered {response.status_code} {code}" if code in rule.codes else None


def raise_if_not_supported(response: requests.Response, rulebook: str, request_line: str, *,
                           read_body: bool = True) -> None:
    """NotImplementedByTarget when `response` says the store does not implement `request_line`'s feature."""
    why = not_supported(response, rulebook, read_body=read_body)
    if why:
        raise NotImplementedByTarget(f"{request_line} {why} (the store does not implement it)")
