"""The staged SigV4 vectors of fixtures/sigv4/ and the value conformance.sigv4 gives for each stage.

Each stage is computed from the parsed request and the *stored* value of the stage before it, so one wrong
stage fails once and names itself instead of dragging the later stages down. The request parser reads
request.txt as the AWS suite writes it (request line, headers in order, a line starting with whitespace
continuing the previous value, empty line, body) and imports nothing from the module under test.
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance import sigv4
from conformance.paths import fixtures_dir

VECTORS = Path(fixtures_dir()) / "sigv4"
HEADER_STAGES = ("canonical-request", "string-to-sign", "signature", "authorization")
QUERY_STAGES = ("canonical-request", "string-to-sign", "signature", "presigned-query")


@dataclass
class Vector:
    """One case folder: its context, parsed request and stored stage files."""

    case: str
    context: dict[str, Any]
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    def expected(self, name: str) -> str:
        """The stored value of a stage file, byte for byte."""
        return (VECTORS / self.case / f"{name}.txt").read_bytes().decode("utf-8")

    def has(self, name: str) -> bool:
        """Whether the case stages `name`."""
        return (VECTORS / self.case / f"{name}.txt").is_file()

    @property
    def amz_date(self) -> str:
        """The context's timestamp as YYYYMMDDTHHMMSSZ."""
        when = datetime.datetime.fromisoformat(self.context["timestamp"].replace("Z", "+00:00"))
        return when.strftime("%Y%m%dT%H%M%SZ")

    @property
    def scope(self) -> str:
        return sigv4.credential_scope(self.amz_date, self.context["region"], self.context["service"])

    @property
    def key(self) -> bytes:
        c = self.context
        return sigv4.signing_key(c["secret_key"], self.amz_date, c["region"], c["service"])


def parse_request(raw: bytes) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """(method, target, headers, body) of a request.txt."""
    head, _, body = raw.partition(b"\n\n")
    lines = head.decode("utf-8").split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rpartition(" ")[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return method, target, headers, body


def case_ids() -> list[str]:
    """Every staged case folder, sorted."""
    return sorted(p.name for p in VECTORS.iterdir() if (p / "context.toml").is_file())


def load(case: str) -> Vector:
    """Read one case folder."""
    context = tomllib.loads((VECTORS / case / "context.toml").read_text("utf-8"))
    method, target, headers, body = parse_request((VECTORS / case / "request.txt").read_bytes())
    path, _, query = target.partition("?")
    return Vector(case, context, method, path, query, headers, body)


def _names(headers: list[tuple[str, str]]) -> list[str]:
    return [name.lower() for name, _ in headers]


def header_signed(vector: Vector) -> tuple[list[tuple[str, str]], list[str]]:
    """The headers as signed in the Authorization form: the request's plus what the signer adds."""
    headers = list(vector.headers)
    have = set(_names(headers))
    if "x-amz-date" not in have:
        headers.append(("X-Amz-Date", vector.amz_date))
    if vector.context.get("sign_body") and "x-amz-content-sha256" not in have:
        headers.append(("X-Amz-Content-Sha256", sigv4.payload_hash(vector.body)))
    if "session_token" in vector.context:
        headers.append(("X-Amz-Security-Token", vector.context["session_token"]))
    return headers, _names(headers)


def content_hash(vector: Vector) -> str:
    """The payload line: the context's (streaming forms) or the SHA-256 of the body."""
    return vector.context.get("payload_hash") or sigv4.payload_hash(vector.body)


def query_pairs(vector: Vector) -> list[tuple[str, str]]:
    """The presigned form's query: the request's own parameters plus the signed X-Amz-* ones."""
    c = vector.context
    extra = sigv4.presign_query(
        c["access_key"], vector.scope, vector.amz_date, c["expires"], _names(vector.headers),
        c.get("session_token"),
    )
    return sigv4.parse_query(vector.query) + extra


def compute(vector: Vector, mode: str, stage: str) -> str:
    """The value conformance.sigv4 gives for `stage` of `mode` ("header" or "query")."""
    if stage == "canonical-request":
        if mode == "header":
            headers, names = header_signed(vector)
            query = sigv4.canonical_query(sigv4.parse_query(vector.query))
        else:
            headers, names = vector.headers, _names(vector.headers)
            query = sigv4.canonical_query(query_pairs(vector))
        path = sigv4.canonical_uri_from_wire(vector.path)
        return sigv4.canonical_request(vector.method, path, query, headers, names, content_hash(vector))
    if stage == "string-to-sign":
        request = vector.expected(f"{mode}-canonical-request")
        return sigv4.string_to_sign(vector.amz_date, vector.scope, request)
    if stage == "signature":
        return sigv4.signature(vector.key, vector.expected(f"{mode}-string-to-sign"))
    if stage == "presigned-query":
        signed = sigv4.presigned_query_string(query_pairs(vector)[len(sigv4.parse_query(vector.query)):],
                                              vector.expected("query-signature"))
        return f"{vector.query}&{signed}" if vector.query else signed
    if stage == "authorization":
        names = header_signed(vector)[1]
        sig = vector.expected("header-signature")
        return sigv4.authorization_header(vector.context["access_key"], vector.scope, names, sig)
    if stage == "chunk-signatures":
        c = vector.context
        chunks = [c["chunk_fill"].encode() * size for size in c["chunk_sizes"]]
        seed = vector.expected("header-signature")
        return "\n".join(sigv4.chunk_signatures(vector.key, vector.amz_date, vector.scope, seed, chunks))
    if stage == "trailer-string-to-sign":
        previous = vector.expected("chunk-signatures").split("\n")[-1]
        trailer = sigv4.canonical_trailer(list(vector.context["trailers"].items()))
        return sigv4.trailer_string_to_sign(vector.amz_date, vector.scope, previous, trailer)
    if stage == "trailer-signature":
        return sigv4.signature(vector.key, vector.expected("trailer-string-to-sign"))
    raise AssertionError(f"unknown stage {stage!r}")


def staged_stages() -> list[tuple[str, str]]:
    """Every (case, "<mode>-<stage>") pair whose expected file is staged."""
    pairs = []
    for case in case_ids():
        folder = VECTORS / case
        for mode, stages in (("header", HEADER_STAGES), ("query", QUERY_STAGES)):
            pairs += [(case, f"{mode}-{s}") for s in stages if (folder / f"{mode}-{s}.txt").is_file()]
        for name in ("chunk-signatures", "trailer-string-to-sign", "trailer-signature"):
            if (folder / f"{name}.txt").is_file():
                pairs.append((case, name))
    return pairs


def compute_named(vector: Vector, name: str) -> str:
    """compute() for a stage file name ("header-signature", "chunk-signatures", ...)."""
    if name.startswith(("chunk-", "trailer-")):
        return compute(vector, "header", name)
    mode, _, stage = name.partition("-")
    return compute(vector, mode, stage)
