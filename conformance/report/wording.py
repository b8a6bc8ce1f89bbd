"""Clause sentences in the wording of a wire: the catalogue's sentence is JSS wording ("jingdong", JSON
bodies, x-jss- headers); fixtures/wording/s3.toml gives, by clause id, the S3 wording where it differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from conformance.catalogue import CatalogueError, Clause
from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml

#: The wire whose wording the catalogue's own sentences use.
CATALOGUE_WIRE = "jss"


def wording_path(wire: str) -> Path:
    """fixtures/wording/<wire>.toml."""
    return fixtures_dir() / "wording" / f"{wire}.toml"


def load_wording(wire: str = "s3", path: str | Path | None = None) -> dict[str, str]:
    """The sentences of `wire` by clause id (empty when the file does not exist)."""
    path = Path(path) if path is not None else wording_path(wire)
    if not path.is_file():
        return {}
    table = read_toml(path, CatalogueError).get("sentence", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise CatalogueError(f"{path}: [sentence] must map clause ids to non-empty strings")
    return {clause_id: sentence.strip() for clause_id, sentence in table.items()}


def sentences(clause: Clause, wires: Iterable[str], s3_wording: Mapping[str, str]) -> list[tuple[str, str]]:
    """(wire label, sentence) lines of `clause` for columns of `wires`: the JSS sentence when a jss-wire
    column is shown (label ""), the S3 one beneath it (label "S3") when it differs; under s3-wire columns
    only, the S3 wording alone (label "")."""
    wires = set(wires)
    s3 = s3_wording.get(clause.id)
    if s3 is None or "s3" not in wires:
        return [("", clause.sentence)]
    if CATALOGUE_WIRE not in wires:
        return [("", s3)]
    return [("", clause.sentence), ("S3", s3)]
