"""Helpers of the signature tests: a raw HTTP request parser, the vector loader, and parametrization.

The parser is deliberately independent of conformance.signing: it reads request.txt as a client would have
sent it (request line, headers in order with duplicates kept, body) and nothing more.

Tests ask for:
- ``vector_stage``: parametrized with (case id, stage), one test id ``<case>/<stage>`` per pair;
- ``vector_id``: parametrized with every case id;
- ``load_vector``: a function ``(case id) -> Vector``;
- ``parse_request``: the raw request parser ``(bytes) -> RawRequest``;
- ``vector_ids``: the sorted list of every case id (folder names).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.paths import fixtures_dir

CONTEXT_FILE = "context.toml"
REQUEST_FILE = "request.txt"
COMMON_STAGES = ("canonical-headers", "canonical-resource", "string-to-sign", "signature")
HEADER_FINAL_STAGE = "authorization"
PRESIGNED_FINAL_STAGE = "signed-url"
END_TO_END = "end-to-end"


def vectors_dir() -> Path:
    """The folder holding one sub-folder per signature case."""
    return fixtures_dir() / "signature"


def case_ids() -> list[str]:
    """Every case id (sub-folder name), sorted."""
    return sorted(p.name for p in vectors_dir().iterdir() if p.is_dir())


def stages_of(case_id: str) -> list[str]:
    """The stage names checked for one case: the four common ones, the final one, then end-to-end.

    Decided from the files present, without parsing anything, so a broken folder still gets its test ids
    (and fails them) instead of breaking collection.
    """
    folder = vectors_dir() / case_id
    presigned = (folder / f"{PRESIGNED_FINAL_STAGE}.txt").exists()
    final = PRESIGNED_FINAL_STAGE if presigned else HEADER_FINAL_STAGE
    return [*COMMON_STAGES, final, END_TO_END]


@dataclass(frozen=True)
class RawRequest:
    """One HTTP/1.1 request as sent: request line, headers (order and duplicates kept, raw values), body."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes

    def values(self, name: str) -> list[str]:
        """Every value of header `name` (case-insensitive), without the whitespace around it."""
        return [value.strip(" \t") for key, value in self.headers if key.lower() == name.lower()]

    def header(self, name: str) -> str:
        """The first value of header `name` without surrounding whitespace, or "" when absent."""
        found = self.values(name)
        return found[0] if found else ""

    @property
    def host(self) -> str:
        return self.header("Host")

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query_names(self) -> list[str]:
        """The raw names of the query parameters, in order (not decoded)."""
        query = self.target.partition("?")[2]
        return [item.partition("=")[0] for item in query.split("&") if item]


def parse_raw_request(data: bytes) -> RawRequest:
    """Parse request.txt: LF line ends, ``Name:value`` headers, an empty line, then the body bytes.

    Raises ValueError when the text is not such a request.
    """
    head, separator, body = data.partition(b"\n\n")
    if not separator:
        raise ValueError("no empty line after the headers")
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ValueError("request line or headers are not ASCII") from exc
    request_line, *header_lines = text.split("\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"malformed request line: {request_line!r}")
    method, target, version = parts
    headers = []
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or " " in name or "\t" in name:
            raise ValueError(f"malformed header line: {line!r}")
        headers.append((name, value))
    return RawRequest(method, target, version, headers, body)


@dataclass(frozen=True)
class Vector:
    """One signature case folder, loaded."""

    id: str
    folder: Path
    context: dict[str, Any]
    request: RawRequest
    files: dict[str, bytes] = field(repr=False)

    @property
    def presigned(self) -> bool:
        return "expires" in self.context

    @property
    def host_bucket(self) -> str | None:
        return self.context.get("virtual_host_bucket")

    def expected(self, stage: str) -> str:
        """The stored value of a stage (file ``<stage>.txt``), exactly as stored."""
        return self.files[f"{stage}.txt"].decode("utf-8")


def load_vector(case_id: str) -> Vector:
    """Load one case folder; raises (OSError, ValueError, tomllib.TOMLDecodeError) when it is broken."""
    folder = vectors_dir() / case_id
    context = tomllib.loads((folder / CONTEXT_FILE).read_text(encoding="utf-8"))
    request = parse_raw_request((folder / REQUEST_FILE).read_bytes())
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return Vector(case_id, folder, context, request, files)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "vector_stage" in metafunc.fixturenames:
        pairs = [(case, stage) for case in case_ids() for stage in stages_of(case)]
        metafunc.parametrize("vector_stage", pairs, ids=[f"{case}/{stage}" for case, stage in pairs])
    if "vector_id" in metafunc.fixturenames:
        metafunc.parametrize("vector_id", case_ids())


@pytest.fixture(name="load_vector")
def load_vector_fixture():
    """The vector loader, ``(case id) -> Vector``."""
    return load_vector


@pytest.fixture(name="parse_request")
def parse_request_fixture():
    """The raw request parser, ``(bytes) -> RawRequest``."""
    return parse_raw_request


@pytest.fixture(name="vector_ids")
def vector_ids_fixture() -> list[str]:
    """Every case id, sorted."""
    return case_ids()
