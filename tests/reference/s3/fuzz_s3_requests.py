"""Hypothesis strategies of requests to the S3 wire of the reference endpoint, and the one function that sends
one (signed with conformance.sigv4 when its auth form says so, so that it reaches the handlers).

The values come from fixtures/fuzz/s3-vocabulary.toml (well-formed next to malformed: x-amz-date,
x-amz-content-sha256 forms, Authorization values, query values, CompleteMultipartUpload documents, aws-chunked
frames, Range, bucket names, ...); the keys from the JSS fuzz's key strategy
(tests/reference/fuzz_requests.py).
A request also draws its framing: a Content-Length, none, HTTP chunked, or an invalid Content-Length; and
sometimes an oversize header. Placeholders (``@BUCKET``, ``@UPLOAD0``, ``@SHA256``) are filled in when sent.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import time
import tomllib
import zlib
from dataclasses import dataclass

from fuzz_requests import encoded_keys
from hypothesis import strategies as st

from conformance import sigv4
from conformance.paths import fixtures_dir

VOCABULARY = tomllib.loads((fixtures_dir() / "fuzz" / "s3-vocabulary.toml").read_text(encoding="utf-8"))
HEADERS = VOCABULARY["headers"]
#: How each request is authenticated: SigV4 header (alice, bob, alice with a wrong secret), presigned
#: (alice), an Authorization value of the vocabulary, or none.
AUTH_FORMS = ["alice"] * 12 + ["bob", "wrong-secret", "presign", "presign"] + ["garbage"] * 3 + ["none"]
#: How the body is framed on the HTTP level (the last two close the connection: their answer is the last).
FRAMINGS = ["length"] * 16 + ["none", "chunked", "chunked", "bad-length"]
BAD_LENGTHS = ["abc", "-1", "1e3", "+5", "0x10", "99999999999999999999999", ""]
#: A header this long makes the head exceed the endpoint's 16 KiB bound.
OVERSIZE = 17 * 1024
HELLO_CRC32 = base64.b64encode(zlib.crc32(b"hello").to_bytes(4, "big")).decode()


@dataclass(frozen=True)
class S3FuzzRequest:
    """One generated S3 request, before its placeholders are filled in and it is signed."""

    method: str
    bucket: str
    key: str | None
    query: tuple[tuple[str, str | None], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    auth: str
    garbage: str  # the Authorization value of auth form "garbage"
    framing: str
    oversize: bool


def _pick(name: str) -> st.SearchStrategy:
    return st.sampled_from(VOCABULARY[name])


def mostly(value: str, values: list[str]) -> st.SearchStrategy:
    """`value` three times in four, else one of `values`: the well-formed value most requests need to get
    past authentication (hypothesis does not draw a list's items evenly)."""
    return st.integers(0, 3).flatmap(lambda n: st.just(value) if n < 3 else st.sampled_from(values))


@st.composite
def s3_queries(draw) -> tuple[tuple[str, str | None], ...]:
    """A real operation's query shape, its values drawn, then 0 to 4 extra names (often known ones)."""
    fills = {"#": _pick("numbers"), "@": _pick("upload_ids"), "$": _pick("texts")}
    pairs: list[tuple[str, str | None]] = []
    for item in draw(_pick("query_templates")):
        name, sep, value = item.partition("=")
        pairs.append((name, draw(fills[value]) if value in fills else value if sep else None))
    for _ in range(draw(st.sampled_from([0] * 8 + [1, 2, 4]))):
        name = draw(_pick("query_names"))
        value = draw(st.one_of(_pick("numbers"), _pick("texts"), _pick("upload_ids"), st.none()))
        pairs.append((name, value))
    return tuple(pairs)


@st.composite
def s3_headers(draw) -> tuple[tuple[str, str], ...]:
    """x-amz-date and x-amz-content-sha256 most of the time, then up to 4 other headers of the vocabulary."""
    headers = []
    for name, valid in (("x-amz-date", "@AMZDATE"), ("x-amz-content-sha256", "@SHA256")):
        if draw(st.integers(0, 9)) < 9:  # hypothesis leans to 0: present most of the time
            headers.append((name, draw(mostly(valid, HEADERS[name]))))
    others = sorted(set(HEADERS) - {"x-amz-date", "x-amz-content-sha256"})
    for name in draw(st.lists(st.sampled_from(others), max_size=4)):
        headers.append((name, draw(st.sampled_from(HEADERS[name]))))
    return tuple(headers)


BODIES = st.one_of(
    st.just(b""),
    st.just(b""),
    st.binary(max_size=64),
    st.sampled_from(VOCABULARY["bodies"]["complete"]).map(str.encode),
    st.sampled_from(VOCABULARY["bodies"]["complete"]).map(str.encode),
    st.sampled_from(VOCABULARY["bodies"]["chunked"]).map(str.encode),
    st.sampled_from(VOCABULARY["bodies"]["chunked"]).map(str.encode),
    st.sampled_from([b"<" * 70000, b"x" * 300000, b"\xff\xfe<\x00"]),
)

requests_strategy = st.builds(
    S3FuzzRequest,
    method=_pick("methods"),
    bucket=mostly("@BUCKET", VOCABULARY["buckets"]),
    # a third bucket requests (listings, bucket operations): encoded_keys() alone gives few
    key=st.integers(0, 2).flatmap(lambda n: st.none() if n == 2 else encoded_keys()),
    query=s3_queries(),
    headers=s3_headers(),
    body=BODIES,
    auth=st.sampled_from(AUTH_FORMS),
    garbage=st.sampled_from(VOCABULARY["authorization"]["garbage"]),
    framing=st.sampled_from(FRAMINGS),
    oversize=st.integers(0, 60).map(lambda n: n == 60),  # hypothesis leans to 0: rarely
)


@dataclass(frozen=True)
class Signer:
    """The credentials a generated request may be signed with."""

    access_key: str
    secret_key: str
    region: str


def _query_string(pairs) -> str:
    return "&".join(name if value is None else f"{name}={value}" for name, value in pairs)


def _body_values(body: bytes) -> dict[str, str]:
    return {
        "@SHA256": hashlib.sha256(body).hexdigest(),
        "@MD5": base64.b64encode(hashlib.md5(body).digest()).decode(),
        "@CRC32": base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode(),
        "@LENGTH": str(len(body)),
        "@HELLO_CRC32": HELLO_CRC32,
    }


def filled_request(
    request: S3FuzzRequest, fill: dict[str, str]
) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """(method, target, headers, body) of `request` with its placeholders replaced (no signature yet)."""
    body = request.body.replace(b"@ETAG", fill["@ETAG0"].encode())
    now = time.gmtime()
    values = {**fill, **_body_values(body), "@AMZDATE": time.strftime("%Y%m%dT%H%M%SZ", now),
              "@DAY": time.strftime("%Y%m%d", now)}

    def filled(text: str) -> str:
        for name in sorted(values, key=len, reverse=True):  # @UPLOAD0 before a shorter name it contains
            text = text.replace(name, values[name])
        return text

    bucket = filled(request.bucket)
    key = filled(request.key) if request.key is not None else None
    query = [(filled(name), filled(value) if value is not None else None) for name, value in request.query]
    path = "/" + bucket + ("/" + key if key is not None else "")
    target = path + ("?" + _query_string(query) if query else "")
    headers = [(name, filled(value)) for name, value in request.headers if filled(value) or name == "Host"]
    headers = [(name, value) for name, value in headers if name != "Host" or value]
    if request.oversize:
        headers.append(("x-amz-meta-oversize", "o" * OVERSIZE))
    return request.method, target, headers, body


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def sign_header(method: str, target: str, headers: list[tuple[str, str]], signer: Signer) -> str:
    """The SigV4 Authorization of the request, signing host and every x-amz-* header it carries (x-amz-date
    and x-amz-content-sha256 included; without them, the clock's date and UNSIGNED-PAYLOAD are signed)."""
    amz_date = _header(headers, "x-amz-date") or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    content_hash = _header(headers, "x-amz-content-sha256") or sigv4.UNSIGNED_PAYLOAD
    names = sorted({name.lower() for name, _ in headers if name.lower().startswith("x-amz-")} | {"host"})
    signed = sigv4.sign(
        method, target, headers, names, content_hash, signer.secret_key, amz_date, signer.region
    )
    return sigv4.authorization_header(signer.access_key, signed.scope, names, signed.signature)


def presign(method: str, target: str, headers: list[tuple[str, str]], signer: Signer) -> str:
    """`target` with the X-Amz-* query of a presigned URL (host signed, 600 s) appended."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    scope = sigv4.credential_scope(amz_date, signer.region, "s3")
    pairs = sigv4.presign_query(signer.access_key, scope, amz_date, 600, ["host"])
    extra = "&".join(f"{sigv4.uri_encode(k)}={sigv4.uri_encode(v)}" for k, v in pairs)
    unsigned_target = target + ("&" if "?" in target else "?") + extra
    content_hash = _header(headers, "x-amz-content-sha256") or sigv4.UNSIGNED_PAYLOAD
    signed = sigv4.sign(
        method, unsigned_target, headers, ["host"], content_hash, signer.secret_key, amz_date, signer.region
    )
    return unsigned_target + "&X-Amz-Signature=" + signed.signature


def send(connection: http.client.HTTPConnection, request: S3FuzzRequest, fill: dict[str, str],
         signers: dict[str, Signer], host: str):
    """Fill in `request`, authenticate it as its auth form says, send it on `connection`; returns (status,
    headers, body, closing): `closing` when the framing leaves the connection unusable after the answer."""
    method, target, headers, body = filled_request(request, fill)
    if not any(name == "Host" for name, _ in headers):
        headers.insert(0, ("Host", host))
    if request.auth in ("alice", "bob", "wrong-secret"):
        signer = signers["bob" if request.auth == "bob" else "alice"]
        if request.auth == "wrong-secret":
            signer = Signer(signer.access_key, signer.secret_key + "-wrong", signer.region)
        headers.append(("Authorization", sign_header(method, target, headers, signer)))
    elif request.auth == "presign":
        target = presign(method, target, headers, signers["alice"])
    elif request.auth == "garbage":
        day = time.strftime("%Y%m%d", time.gmtime())
        value = request.garbage.replace("@AK", signers["alice"].access_key).replace("@DAY", day)
        headers.append(("Authorization", value))
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers:
        connection.putheader(name, value.encode("utf-8"))
    closing = _frame(connection, request.framing, body)
    response = connection.getresponse()
    answer = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    return (*answer, closing or response.will_close)


def _frame(connection: http.client.HTTPConnection, framing: str, body: bytes) -> bool:
    """Send the rest of the head and the body as `framing` says; True when the connection must be closed
    after the answer (an invalid Content-Length: the server cannot know where the body ends)."""
    if framing == "chunked" and body:
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        connection.send(f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
        return False
    if framing == "bad-length":
        connection.putheader("Content-Length", BAD_LENGTHS[len(body) % len(BAD_LENGTHS)])
        connection.endheaders(body)
        return True
    if framing == "none" and not body:
        connection.endheaders()
        return False
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    return False
