"""The catalogue of SigV4 client mistakes (fixtures/diagnosis/sigv4-mistakes.toml): stable id, clause,
one-line description, and how each is found ("search": re-signing with it reproduces the client's signature;
"check": read off the request)."""

from __future__ import annotations

from functools import cache

from conformance.diagnosis.signature import Mistake
from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml

CATALOGUE = ("diagnosis", "sigv4-mistakes.toml")
KINDS = ("search", "check", "both")


@cache
def catalogue() -> dict[str, tuple[str, str, str]]:
    """Every mistake id with its (kind, clause, description), in the file's order."""
    document = read_toml(fixtures_dir().joinpath(*CATALOGUE))
    entries = {}
    for entry in document["mistake"]:
        if entry["kind"] not in KINDS or entry["id"] in entries:
            raise ValueError(f"{'/'.join(CATALOGUE)}: bad or repeated entry {entry['id']!r}")
        entries[entry["id"]] = (entry["kind"], entry["clause"], entry["description"])
    return entries


def mistake(mistake_id: str, specifics: str = "") -> Mistake:
    """The Mistake `mistake_id` (KeyError for an id not in the catalogue), its description followed by
    `specifics` (which header, which chunk, ...) when given."""
    _, clause, description = catalogue()[mistake_id]
    return Mistake(mistake_id, clause, f"{description} ({specifics})" if specifics else description)
