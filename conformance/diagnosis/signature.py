"""Which known client mistake reproduces a wrong JSS signature exactly.

The correct signature is computed with the stages of :mod:`conformance.signing`; when the client's differs,
the StringToSign is rebuilt with each known canonicalization mistake (and pairs of mistakes from different
stages) until one gives the client's signature. The answer names the mistake and the clause it breaks; when
none reproduces it, the server's StringToSign is given so the client can put its own beside it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from conformance import signing
from conformance.numbers import parse_decimal

#: Content-Type values clients are known to sign while sending another (or none).
USUAL_CONTENT_TYPES = (
    "application/octet-stream", "binary/octet-stream", "application/json", "text/plain",
    "application/x-www-form-urlencoded", "application/xml",
)
#: The query parameters of a JSS presigned URL (all three, or it is malformed).
PRESIGN_NAMES = ("Expires", "AccessKey", "Signature")
#: The clause of "only the documented sub-resources are signed" (max-parts, prefix, ... are not).
DOCUMENTED_SUBRESOURCES = "signature.canonical-resource.documented-subresources"
#: A run of two or more whitespace characters, or a tab, inside a header value.
INNER_PADDING = re.compile(r"[ \t]{2,}|\t")


@dataclass(frozen=True)
class Mistake:
    """A known client mistake: its name, the clause it breaks, what the client did."""

    name: str
    clause: str
    description: str


@dataclass
class SentRequest:
    """A request as it arrived: method, target as sent, headers as sent (names with their case)."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    host_bucket: str | None = None  # the bucket of a virtual-host request (from the Host header)
    body: bytes | None = None  # the body when it was kept (CompleteMultipartUpload)
    body_length: int = 0
    received_at: float | None = None  # unix seconds the server received it (None: now); SigV4 clock checks
    endpoint_regions: tuple[str, ...] = ()  # the receiving endpoint's regions, when known (SigV4 scope)

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), None when absent."""
        values = [value for key, value in self.headers if key.lower() == name]
        return ",".join(v.strip() for v in values) if values else None


@dataclass
class SignatureDiagnosis:
    """The verdict on a request's signature."""

    verdict: str  # PASS, FAIL, or NONE (anonymous request)
    clause: str
    mode: str = "header"  # header or presigned
    mistakes: list[Mistake] = field(default_factory=list)
    detail: str = ""
    expected_string_to_sign: str = ""
    expected_canonical_request: str = ""  # SigV4 only

    def as_dict(self) -> dict:
        """JSON form (the string to sign only when no mistake explains a mismatch)."""
        data = {"clause": self.clause, "verdict": self.verdict, "mode": self.mode, "detail": self.detail}
        if self.mistakes:
            data["mistakes"] = [m.name for m in self.mistakes]
        if self.expected_string_to_sign:
            data["expected_string_to_sign"] = self.expected_string_to_sign
        if self.expected_canonical_request:
            data["expected_canonical_request"] = self.expected_canonical_request
        return data


def _subresources_text(pairs: list[tuple[str, str | None]]) -> str:
    return "&".join(k if v is None else f"{k}={v}" for k, v in pairs)


def _with_query(path: str, pairs: list[tuple[str, str | None]]) -> str:
    return path + ("?" + _subresources_text(pairs) if pairs else "")


def resource_variants(request: SentRequest) -> Iterator[tuple[Mistake | None, str]]:
    """The CanonicalizedResource, correct first, then as each known mistake builds it."""
    bucket, key, query = signing.split_request_target(request.target, request.host_bucket)
    path = signing.canonical_resource(bucket, key)
    signed = signing.signed_subresources(query)
    yield None, _with_query(path, signed)
    names = [k for k, _ in signed]
    if "uploads" in names:
        yield Mistake("uploads-omitted", "initiate.signature.uploads-subresource",
                      "signed without ?uploads in the CanonicalizedResource"), path
    for left_out in dict.fromkeys(n for n in names if n != "uploads"):
        yield Mistake(f"subresource-omitted:{left_out}", "signature.subresource-order",
                      f"signed without the sub-resource {left_out} in the CanonicalizedResource"), \
            _with_query(path, [(k, v) for k, v in signed if k != left_out])
    if len(set(names)) > 1:
        yield Mistake("subresources-none", "signature.subresource-order",
                      "signed without any sub-resource in the CanonicalizedResource"), path
    as_sent = [(k, v) for k, v in query if k in signing.SIGNED_SUBRESOURCES]
    if as_sent != signed:
        yield Mistake("subresources-unsorted", "signature.subresource-order",
                      "signed the sub-resources in the order sent, not sorted"), _with_query(path, as_sent)
    doc_order = sorted(signed, key=lambda pair: pair[0] != "uploadId")
    if doc_order != signed and doc_order != as_sent:
        yield Mistake("subresources-doc-order", "signature.subresource-order",
                      "signed uploadId before partNumber, in the documentation page's order"), \
            _with_query(path, doc_order)
    everything = [(k, v) for k, v in query if k not in PRESIGN_NAMES]
    by_name = sorted(everything, key=lambda pair: (pair[0], pair[1] or ""))  # a value may be None
    for form, pairs in (("in the order sent", everything), ("sorted by name", by_name)):
        if pairs != signed and pairs != as_sent:
            yield Mistake("unsigned-query-signed", DOCUMENTED_SUBRESOURCES,
                          f"signed every query parameter ({form}), not only the documented sub-resources"), \
                _with_query(path, pairs)
    if key is not None and quote(key, safe="/") != key:
        encoded = signing.canonical_resource(bucket, quote(key, safe="/"))
        yield Mistake("key-percent-encoded", "signature.canonical-resource.key-form",
                      "signed the key percent-encoded instead of decoded"), _with_query(encoded, signed)
    if request.host_bucket:
        bare = path.removeprefix(f"/{bucket}") or "/"
        yield Mistake("virtual-host-bucket-missing", "signature.canonical-resource.virtual-host",
                      "signed a virtual-host request without /bucket in the CanonicalizedResource"), \
            _with_query(bare, signed)


def headers_variants(request: SentRequest) -> Iterator[tuple[Mistake | None, str]]:
    """The CanonicalizedHeaders, correct first, then as each known mistake builds them."""
    correct = signing.canonical_headers(request.headers)
    yield None, correct
    jss = [(n, v.strip()) for n, v in request.headers if n.strip().lower().startswith(signing.HEADER_PREFIX)]
    if not jss:
        return
    merged: dict[str, list[str]] = {}
    for name, value in jss:
        merged.setdefault(name.lower(), []).append(value)
    yield Mistake("headers-not-signed", "signature.header.accepted",
                  "sent x-jss- headers but signed an empty CanonicalizedHeaders"), ""
    unsorted = "".join(f"{n}:{','.join(v)}\n" for n, v in merged.items())
    if unsorted != correct:
        yield Mistake("headers-unsorted", "signature.canonical-headers.sorted",
                      "signed the x-jss- headers in the order sent, not sorted by name"), unsorted
    yield Mistake("headers-untrimmed", "signature.canonical-headers.trimmed",
                  "signed 'name: value' lines, a space after the colon"), \
        "".join(f"{n}: {','.join(v)}\n" for n, v in sorted(merged.items()))
    yield from padded_value_variants(request, correct)
    cased = "".join(f"{n.strip()}:{v}\n" for n, v in sorted(jss, key=lambda pair: pair[0].strip().lower()))
    if any(n.strip() != n.strip().lower() for n, _ in jss):
        yield Mistake("headers-not-lowercased", "signature.canonical-headers.lowercase",
                      "signed the x-jss- header names with their case as sent"), cased
    if any(len(values) > 1 for values in merged.values()):
        separate = "".join(f"{n}:{v}\n" for n, values in sorted(merged.items()) for v in values)
        yield Mistake("duplicates-not-joined", "signature.canonical-headers.duplicates",
                      "signed a repeated x-jss- header as separate lines, not joined by ','"), separate
        last = "".join(f"{n}:{values[-1]}\n" for n, values in sorted(merged.items()))
        yield Mistake("duplicates-last-only", "signature.canonical-headers.duplicates",
                      "signed only the last value of a repeated x-jss- header"), last


def _canonical_lines(pairs: list[tuple[str, str]]) -> str:
    """CanonicalizedHeaders of x-jss- `pairs` whose values are taken as given (no trimming)."""
    merged: dict[str, list[str]] = {}
    for name, value in pairs:
        merged.setdefault(name.strip().lower(), []).append(value)
    return "".join(f"{n}:{','.join(v)}\n" for n, v in sorted(merged.items()))


def padded_value_variants(request: SentRequest, correct: str) -> Iterator[tuple[Mistake, str]]:
    """The padded-value mistakes: a value signed with the spaces around it (untrimmed), or with its inner runs
    of spaces folded to one (SigV4's rule; JSS keeps a value's inner spaces). On the wire the server's HTTP
    parser drops a value's leading whitespace but keeps its trailing one: the untrimmed form is tried as
    received and with the trailing padding mirrored in front (a value padded on both sides)."""
    jss = [(n, v) for n, v in request.headers if n.strip().lower().startswith(signing.HEADER_PREFIX)]
    if any(v != v.strip() for _, v in jss):
        untrimmed = Mistake("header-value-untrimmed", "signature.canonical-headers.trimmed",
                            "signed an x-jss- header value with its padding, not trimmed")
        as_sent = _canonical_lines(jss)
        yield untrimmed, as_sent
        mirrored = _canonical_lines([(n, v[len(v.rstrip()):] + v if v == v.lstrip() else v) for n, v in jss])
        if mirrored != as_sent:
            yield untrimmed, mirrored
    if any(INNER_PADDING.search(v.strip()) for _, v in jss):
        folded = _canonical_lines([(n, " ".join(v.split())) for n, v in jss])
        if folded != correct:
            yield Mistake("header-value-folded", "signature.canonical-headers.trimmed",
                          "folded the runs of spaces inside an x-jss- header value to one space; JSS "
                          "trims only the ends of a value"), folded


def _md5_variants(sent: str) -> Iterator[tuple[Mistake | None, str]]:
    yield None, sent
    if not sent:
        return
    yield Mistake("content-md5-not-signed", "signature.content-md5.hex",
                  "sent Content-MD5 but signed an empty Content-MD5 line"), ""
    try:
        if len(sent) == 32:
            yield Mistake("content-md5-signed-base64", "signature.content-md5.hex",
                          "sent Content-MD5 as hex but signed its base64 form"), \
                base64.b64encode(bytes.fromhex(sent)).decode()
        else:
            yield Mistake("content-md5-signed-hex", "signature.content-md5.hex",
                          "sent Content-MD5 as base64 but signed its hex form"), \
                base64.b64decode(sent, validate=True).hex()
    except (ValueError, binascii.Error):
        return


def _type_variants(sent: str) -> Iterator[tuple[Mistake | None, str]]:
    yield None, sent
    if sent:
        yield Mistake("content-type-not-signed", "signature.header.accepted",
                      f"sent Content-Type {sent!r} but signed an empty Content-Type line"), ""
    for usual in USUAL_CONTENT_TYPES:
        if usual != sent:
            yield Mistake(f"content-type-signed-as:{usual}", "signature.header.accepted",
                          f"signed Content-Type {usual!r} but sent {sent or 'none'!r}"), usual


def _date_variants(
    request: SentRequest, presigned_expires: str | None
) -> Iterator[tuple[Mistake | None, str]]:
    date = request.header("date") or ""
    if presigned_expires is None:
        yield None, date
        if date:
            yield Mistake("date-not-signed", "signature.header.accepted",
                          "sent a Date header but signed an empty Date line"), ""
        return
    yield None, presigned_expires
    if date:
        yield Mistake("presigned-signed-date", "signature.presigned.accepted",
                      "signed the Date header where a presigned URL signs Expires"), date
    try:
        seconds = parse_decimal(presigned_expires)
    except ValueError:  # not ASCII digits ('²' passes str.isdigit), or too long
        return
    yield Mistake("presigned-expires-milliseconds", "signature.presigned.accepted",
                  "signed Expires in milliseconds"), str(seconds * 1000)


def _presign_params(request: SentRequest) -> dict[str, str] | None:
    _, _, query = signing.split_request_target(request.target, request.host_bucket)
    found = {k: v or "" for k, v in query if k in PRESIGN_NAMES}
    return found if found else None


def diagnose_signature(request: SentRequest, secret_for) -> SignatureDiagnosis:
    """The verdict on the signature of `request`; `secret_for(access_key)` gives a secret key or None."""
    presign = _presign_params(request)
    authorization = request.header("authorization")
    if presign is None and authorization is None:
        return SignatureDiagnosis("NONE", "signature.header.accepted", detail="anonymous request")
    mode = "presigned" if presign is not None else "header"
    clause = "signature.presigned.accepted" if presign is not None else "signature.header.accepted"
    if presign is not None and set(presign) != set(PRESIGN_NAMES):
        missing = ", ".join(name for name in PRESIGN_NAMES if name not in presign)
        return SignatureDiagnosis("FAIL", "signature.malformed-authorization", mode,
                                  detail=f"the presigned URL lacks {missing}")
    try:
        if presign is not None:
            access_key, sent = presign["AccessKey"], presign["Signature"]
        else:
            access_key, sent = signing.parse_authorization(authorization)
    except ValueError:
        return SignatureDiagnosis("FAIL", "signature.malformed-authorization", mode, detail="malformed")
    secret = secret_for(access_key)
    if secret is None:
        return SignatureDiagnosis("FAIL", "signature.unknown-access-key", mode, detail="unknown access key")
    return _search(request, secret, sent, presign["Expires"] if presign else None, clause, mode)


def _search(request: SentRequest, secret: str, sent: str, expires: str | None, clause: str, mode: str):
    stages = [
        list(resource_variants(request)),
        list(headers_variants(request)),
        list(_md5_variants(request.header("content-md5") or "")),
        list(_type_variants(request.header("content-type") or "")),
        list(_date_variants(request, expires)),
    ]
    method = request.method.upper()
    correct_sts = signing.string_to_sign(
        method, stages[2][0][1], stages[3][0][1], stages[4][0][1], stages[1][0][1], stages[0][0][1]
    )
    best: list[Mistake] | None = None
    for combo in itertools.product(*stages):
        mistakes = [m for m, _ in combo if m is not None]
        if len(mistakes) > 2 or (best is not None and len(mistakes) >= len(best)):
            continue
        (_, resource), (_, headers), (_, md5), (_, ctype), (_, date) = combo
        sts = signing.string_to_sign(method, md5, ctype, date, headers, resource)
        if hmac.compare_digest(signing.signature(secret, sts).encode(), sent.encode("utf-8", "replace")):
            best = mistakes
            if not mistakes:
                break
    if best is not None and not best:
        return SignatureDiagnosis("PASS", clause, mode, detail="matches")
    if best:
        text = "; ".join(m.description for m in best)
        return SignatureDiagnosis("FAIL", best[0].clause, mode, best, f"the client {text}")
    return SignatureDiagnosis(
        "FAIL", clause, mode, detail="no known mistake reproduces the signature",
        expected_string_to_sign=correct_sts,
    )
