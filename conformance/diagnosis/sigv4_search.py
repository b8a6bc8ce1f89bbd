"""Which known client mistake reproduces a wrong SigV4 signature exactly.

The server's canonical request is built from the request as sent with the stages of :mod:`conformance.sigv4`
(the path, the query, the headers SignedHeaders names, the payload line, the credential scope); when the
client's signature differs, each stage is rebuilt as each known mistake builds it (and pairs of mistakes from
different stages) until one gives the client's signature. Every variant names its mistakes by the stable ids
of fixtures/diagnosis/sigv4-mistakes.toml.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import unquote

from conformance import sigv4
from conformance.diagnosis.signature import USUAL_CONTENT_TYPES
from conformance.diagnosis.sigv4_request import SigV4Request

#: Regions a client falls back to when not told the endpoint's (the AWS SDKs' default first).
FALLBACK_REGIONS = ("us-east-1", "")
MAX_MISTAKES = 2
#: (mistake id, what exactly) pairs naming what a variant of a stage did wrong; empty for the correct one.
Made = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Scope:
    """The credential scope a signature is computed under."""

    date: str
    region: str
    service: str
    terminator: str

    def text(self) -> str:
        """``date/region/service/terminator``."""
        return "/".join([self.date, self.region, self.service, self.terminator])


@dataclass(frozen=True)
class Expected:
    """The server's stages for the request as sent."""

    canonical_request: str
    string_to_sign: str
    signature: str
    scope: str


@lru_cache(maxsize=64)
def _signing_key(secret: str, scope: Scope) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (scope.date, scope.region, scope.service, scope.terminator):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def _string_to_sign(amz_date: str, scope: Scope, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "\n".join([sigv4.ALGORITHM, amz_date, scope.text(), digest])


def _unique(variants: Iterable[tuple[Made, str]]) -> list[tuple[Made, str]]:
    """Variants whose value differs from every earlier one (the correct one first)."""
    seen: set[str] = set()
    kept = []
    for made, value in variants:
        if value not in seen:
            seen.add(value)
            kept.append((made, value))
    return kept


def path_variants(view: SigV4Request) -> list[tuple[Made, str]]:
    """The canonical URI, correct first, then encoded twice and not encoded."""
    correct = sigv4.canonical_uri_from_wire(view.raw_path)
    return _unique([
        ((), correct),
        ((("path-encoded-twice", ""),), sigv4.uri_encode(correct, encode_slash=False)),
        ((("path-not-encoded", ""),), unquote(view.raw_path) or "/"),
    ])


def query_variants(view: SigV4Request) -> list[tuple[Made, str]]:
    """The canonical query, correct first, then unsorted, not encoded, both, and as sent."""
    pairs = sigv4.parse_query(view.raw_query)
    unsorted, unencoded = (("query-not-sorted", ""),), (("query-not-encoded", ""),)
    items = [item for item in view.raw_query.split("&") if item]
    as_sent_made = unencoded + (unsorted if items != sorted(items) else ())
    return _unique([
        ((), sigv4.canonical_query(pairs)),
        (unsorted, "&".join(f"{sigv4.uri_encode(k)}={sigv4.uri_encode(v)}" for k, v in pairs)),
        (unencoded, "&".join(f"{k}={v}" for k, v in sorted(pairs))),
        (unsorted + unencoded, "&".join(f"{k}={v}" for k, v in pairs)),
        (as_sent_made, "&".join(f"{k}={v}" if "=" in item else k
                                for item in items for k, _, v in [item.partition("=")])),
    ])


def _header_block(values: list[tuple[str, str]], names: list[str], fold=sigv4.canonical_header_value) -> str:
    merged: dict[str, list[str]] = {}
    for name, value in values:
        if name.lower() in names:
            merged.setdefault(name.lower(), []).append(fold(value))
    block = "".join(f"{name}:{','.join(merged.get(name, ['']))}\n" for name in sorted(set(names)))
    return block + "\n" + sigv4.signed_headers(names)


def _replaced(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(n, value if n.lower() == name else v) for n, v in headers]


def _changed_values(headers: list[tuple[str, str]], names: list[str]) -> Iterator[tuple[str, str]]:
    """(header, value) a client is known to sign while sending another: the host with or without its port,
    a usual Content-Type."""
    sent = {n.lower(): v.strip() for n, v in headers}
    host = sent.get("host")
    if "host" in names and host:
        name, colon, port = host.rpartition(":")
        if colon and port.isdigit() and "]" not in port:
            yield "host", name
        else:
            yield from (("host", f"{host}:{port}") for port in ("80", "443"))
    if "content-type" in names:
        yield from (("content-type", usual) for usual in USUAL_CONTENT_TYPES)


def header_variants(view: SigV4Request) -> list[tuple[Made, str]]:
    """Canonical headers + LF + SignedHeaders, correct first, then as each known mistake builds them."""
    names = [name.lower() for name in view.signed_names]
    headers = [(n, v) for n, v in view.headers if n.lower() != "authorization"]
    variants: list[tuple[Made, str]] = [((), _header_block(headers, names))]
    variants.append(((("header-value-not-trimmed", ""),), _header_block(headers, names, fold=lambda v: v)))
    for name in dict.fromkeys(n.lower() for n, _ in headers if n.lower() not in names):
        variants.append(((("header-signed-but-not-listed", name),), _header_block(headers, [*names, name])))
    for name, value in _changed_values(headers, names):
        variants.append(((("signed-header-changed", f"{name}: {value!r}"),),
                         _header_block(_replaced(headers, name, value), names)))
    return _unique(variants)


def payload_variants(view: SigV4Request, body: bytes | None) -> list[tuple[Made, str]]:
    """The payload line, correct (the one the server signs) first, then the ones clients sign by mistake."""
    candidates = [sigv4.EMPTY_SHA256, sigv4.UNSIGNED_PAYLOAD]
    if body is not None:
        candidates.insert(0, sigv4.payload_hash(body))
    return _unique([((), view.payload_line)] + [
        ((("payload-hash-not-as-sent", f"signed {line[:16]}..." if len(line) > 20 else f"signed {line}"),),
         line) for line in candidates
    ])


def _next_day(date: str, days: int) -> str | None:
    try:
        return (datetime.strptime(date, "%Y%m%d") + timedelta(days=days)).strftime("%Y%m%d")
    except ValueError:
        return None


def scope_variants(view: SigV4Request, regions: Iterable[str]) -> list[tuple[Made, Scope]]:
    """The credential scope, as the Credential names it first, then as a key derived for another region or
    another day gives it."""
    named = Scope(view.scope_date, view.region, view.service, view.terminator)
    variants: list[tuple[Made, Scope]] = [((), named)]
    for region in dict.fromkeys([*regions, *FALLBACK_REGIONS]):
        if region != view.region:
            variants.append(((("scope-region-wrong", f"signed for {region!r}, named {view.region!r}"),),
                             Scope(named.date, region, named.service, named.terminator)))
    for days in (-1, 1):
        day = _next_day(view.scope_date, days)
        if day is not None:
            variants.append(((("scope-date-wrong", f"signed for {day}, named {view.scope_date}"),),
                             Scope(day, named.region, named.service, named.terminator)))
    return variants


def expected(view: SigV4Request, method: str, secret: str) -> Expected:
    """The server's canonical request, string to sign and signature for the request as sent."""
    canonical = "\n".join([
        method, path_variants(view)[0][1], query_variants(view)[0][1], header_variants(view)[0][1],
        view.payload_line,
    ])
    scope = scope_variants(view, ())[0][1]
    text = _string_to_sign(view.amz_date, scope, canonical)
    return Expected(canonical, text, sigv4.signature(_signing_key(secret, scope), text), scope.text())


def search(view: SigV4Request, method: str, secret: str, body: bytes | None,
           regions: Iterable[str] = ()) -> list[tuple[str, str]] | None:
    """The fewest mistakes (at most two, from different stages) that reproduce the client's signature: [] when
    it is correct, None when nothing known reproduces it."""
    stages = [path_variants(view), query_variants(view), header_variants(view),
              payload_variants(view, body)]
    scopes = scope_variants(view, regions)
    sent = view.signature.encode("utf-8", "replace")
    best: list[tuple[str, str]] | None = None
    for combo in itertools.product(*stages, scopes):
        made = [m for variant_made, _ in combo for m in variant_made]
        if len(made) > MAX_MISTAKES or (best is not None and len(made) >= len(best)):
            continue
        (_, path), (_, query), (_, headers), (_, payload), (_, scope) = combo
        canonical = "\n".join([method, path, query, headers, payload])
        text = _string_to_sign(view.amz_date, scope, canonical)
        if hmac.compare_digest(sigv4.signature(_signing_key(secret, scope), text).encode(), sent):
            best = made
            if not made:
                break
    return best
