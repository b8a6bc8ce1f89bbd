"""Expectations for the OPEN behaviours: fixtures/expectations/defaults.toml merged with a profile's [expect].

An unknown key, or a value of another type than the default's, is an :class:`ExpectationError`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conformance.paths import fixtures_dir


class ExpectationError(ValueError):
    """An [expect] table that does not fit the defaults (one line)."""


def default_expectations_path() -> Path:
    """fixtures/expectations/defaults.toml."""
    return fixtures_dir() / "expectations" / "defaults.toml"


def load_default_expectations(path: Path | None = None) -> dict[str, Any]:
    """The default expectations (empty when the file does not exist)."""
    path = path or default_expectations_path()
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def merge_expectations(
    defaults: Mapping[str, Any], overrides: Mapping[str, Any], where: str = "expect"
) -> dict:
    """`defaults` updated by `overrides`; an unknown key or a value of another type is a ExpectationError."""
    merged = dict(defaults)
    for key, value in overrides.items():
        if key not in defaults:
            known = ", ".join(sorted(defaults)) or "none"
            raise ExpectationError(f"[{where}] has unknown key {key!r} (known: {known})")
        default = defaults[key]
        if isinstance(default, Mapping):
            if not isinstance(value, Mapping):
                raise ExpectationError(f"[{where}] {key} must be a table")
            merged[key] = merge_expectations(default, value, f"{where}.{key}")
        elif not _same_kind(default, value):
            raise ExpectationError(
                f"[{where}] {key} must be of type {type(default).__name__}, not {type(value).__name__}"
            )
        else:
            merged[key] = value
    return merged


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float) and isinstance(value, int | float):
        return isinstance(value, int) or isinstance(default, float)
    return isinstance(value, type(default))


def freeze(value: Any) -> Any:
    """A read-only copy (mappings become MappingProxyType, lists tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The plain (JSON-able) form of a frozen value."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value
