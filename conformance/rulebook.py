"""The two axes of a target: its wire (how requests are framed and signed) and its rulebook (what the answers
must be).

A profile names its wire with ``dialect`` (or its synonym ``wire``): ``jss`` (JSON bodies, "jingdong"
signatures) or ``s3`` (the S3 REST API). It names its rulebook with ``rules``: ``jss`` (JD Cloud's JSS
documentation) or ``s3`` (Amazon's S3 API reference); without ``rules`` the rulebook is the wire's. JD Cloud's
S3-compatible API is the s3 wire under jss rules; an AWS-compatible store is the s3 wire under s3 rules. The
jss wire has no s3 rulebook (no AWS page says anything of a "jingdong" request).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WIRES = ("jss", "s3")
RULEBOOKS = ("jss", "s3")
#: The rulebooks each wire can be judged by.
RULEBOOKS_OF_WIRE = {"jss": ("jss",), "s3": ("jss", "s3")}


class RulebookError(ValueError):
    """The profile's wire or rulebook is unusable; the message is one line."""


def _named(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RulebookError(f"the profile field {key!r} must be a non-empty string")
    return value.strip()


def wire_and_rules(document: Mapping[str, Any]) -> tuple[str, str]:
    """The (wire, rulebook) a parsed profile names: ``dialect`` or ``wire`` (not both, unless equal) and
    ``rules`` (default: the wire's)."""
    dialect, wire = _named(document, "dialect"), _named(document, "wire")
    if dialect and wire and dialect != wire:
        raise RulebookError(f"the profile names two wires: dialect {dialect!r} and wire {wire!r}")
    chosen = dialect or wire
    if chosen is None:
        raise RulebookError("the profile lacks the field 'dialect' (the wire: jss or s3)")
    if chosen not in WIRES:
        raise RulebookError(f"unknown dialect {chosen!r} (known: {', '.join(WIRES)})")
    rules = _named(document, "rules") or chosen
    return chosen, check_rules(chosen, rules)


def check_rules(wire: str, rules: str) -> str:
    """`rules` when it is a rulebook `wire` can be judged by, else RulebookError."""
    if rules not in RULEBOOKS:
        raise RulebookError(f"unknown rules {rules!r} (known: {', '.join(RULEBOOKS)})")
    if rules not in RULEBOOKS_OF_WIRE[wire]:
        raise RulebookError(f"rules {rules!r} cannot judge the {wire} wire (it can: "
                            f"{', '.join(RULEBOOKS_OF_WIRE[wire])})")
    return rules
