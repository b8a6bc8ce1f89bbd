"""Hypothesis strategies of requests to the reference endpoint, and the one function that sends one.

A generated request is a method, a bucket, a key (percent-encoded as a client would, or with raw escapes,
dot segments, control characters, bad UTF-8), a query (known parameter names with numbers of every kind,
duplicates, unknown names), headers (Date, Content-MD5, Range, storage class, encryption flag, metadata,
repeated names), a body (bytes, or a complete-like JSON document with odd numbers and nesting) and an
authentication form: signed by a known user with the suite's signer (so it gets past authentication),
presigned, garbage, malformed, unknown access key or none. Placeholders (``@UPLOAD0``, ``@BUCKET``) are
filled in from the running server's fixtures when the request is sent.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

from conformance import signing

HUGE = "9" * 4301
SMALL = st.integers(min_value=0, max_value=12).map(str)
NUMBERS = st.one_of(
    SMALL,
    SMALL,
    st.integers(min_value=-3, max_value=10002).map(str),
    st.sampled_from(
        ["", "0", "00", "1", "10000", "10001", "2147483647", "2147483648", str(2**63), HUGE, "%C2%B2",
         "%D9%A3", "1e3", "1.0", "-0", "+1", "%201", "1_0", "0x10", "%00", "1%00"]
    ),
)
PARAMETERS = [
    "uploads", "uploadId", "partNumber", "max-uploads", "maxKeys", "max-parts", "part-number-marker",
    "prefix", "marker", "delimiter", "key-marker", "upload-id-marker", "Expires", "AccessKey", "Signature",
    "acl", "versionId", "contentType", "UploadId", "uploads%20", "%75ploads",
]
UPLOAD_IDS = st.sampled_from(
    ["@UPLOAD0"] * 4 + ["@UPLOAD1", "@UPLOAD2", "", "0" * 32, "../../etc", "%2E%2E"]
)
ESCAPES = ["%2E%2E/", "../", "./", "%2F", "%00", "%0A", "%7F", "%FF%FE", "%C2%B2", "%", "%zz", "%E2%82", "//"]
KEY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=24
)
PLAIN_KEY = st.one_of(st.sampled_from(["existing", "upload-0", "upload-1", "k", "dir/k", "é ü/x"]),
                      st.text(alphabet="abcxyz/-_.é 0", min_size=1, max_size=12))
DATES = st.sampled_from(
    ["@NOW"] * 20 + ["@SKEWED", "Thu, 13 Jul 99999999999999999999 02:37:31 GMT",
     "Thu, 13 Jul 2017 02:37:31 +99999999999999999999", "Thu, 13 Jul 2017 02:37:31 +0000", "yesterday",
     "Thu, 31 Feb 2017 02:37:31 GMT", "", "@NOW-RFC850"]
)
RANGES = st.one_of(
    st.builds(lambda a, b: f"bytes={a}-{b}", NUMBERS | st.just(""), NUMBERS | st.just("")),
    st.sampled_from(["bytes=0-0,2-3", "bytes=-", "items=0-1", "bytes=²-3", "bytes = 0-1"]),
)
AUTH_FORMS = ["alice"] * 10 + ["bob", "presign", "presign", "garbage", "malformed", "unknown", "none"]
METHODS = ["GET"] * 3 + ["PUT"] * 3 + ["POST"] * 3 + ["DELETE"] * 2 + ["HEAD"] * 2 + ["OPTIONS", "PATCH"]
#: Query shapes of the real operations, their numbers drawn from NUMBERS, their ids from UPLOAD_IDS.
TEMPLATES = [
    [], [], ["uploads"], ["uploads", "max-uploads=#", "prefix=upload"], ["uploadId=@", "partNumber=#"],
    ["partNumber=#", "uploadId=@"], ["uploadId=@"], ["uploadId=@", "max-parts=#", "part-number-marker=#"],
    ["maxKeys=#", "prefix=", "delimiter=/"], ["uploads", "key-marker=upload-0", "upload-id-marker=@"],
]


@dataclass(frozen=True)
class FuzzRequest:
    """One generated request, before its placeholders are filled in and it is signed."""

    method: str
    bucket: str
    key: str | None
    query: tuple[tuple[str, str | None], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    auth: str
    date: str


@st.composite
def encoded_keys(draw) -> str | None:
    """A key as it appears on the wire (percent-encoded), or None for a bucket request."""
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return None
    if shape < 7:
        return quote(draw(PLAIN_KEY), safe="/")
    pieces = draw(st.lists(st.one_of(KEY_TEXT.map(lambda t: quote(t, safe="/")), st.sampled_from(ESCAPES)),
                           min_size=1, max_size=4))
    return "@MARKER" + "".join(pieces) if draw(st.booleans()) else "".join(pieces)


@st.composite
def queries(draw) -> tuple[tuple[str, str | None], ...]:
    """An operation's query shape, then known names (often repeated) with numbers, upload ids or text."""
    pairs: list[tuple[str, str | None]] = []
    for item in draw(st.sampled_from(TEMPLATES)):
        name, sep, value = item.partition("=")
        value = draw(NUMBERS) if value == "#" else draw(UPLOAD_IDS) if value == "@" else value
        pairs.append((name, value if sep else None))
    for _ in range(draw(st.sampled_from([0] * 8 + [1, 2, 4]))):
        name = draw(st.sampled_from(PARAMETERS) | KEY_TEXT.map(lambda t: quote(t, safe="")))
        if name in ("uploads", "acl") and draw(st.booleans()):
            pairs.append((name, None))
        elif name in ("uploadId", "upload-id-marker", "UploadId"):
            pairs.append((name, draw(UPLOAD_IDS)))
        else:
            pairs.append((name, draw(NUMBERS | KEY_TEXT.map(lambda t: quote(t, safe="")))))
    return tuple(pairs)


@st.composite
def header_lists(draw) -> tuple[tuple[str, str], ...]:
    """Optional JSS headers, some malformed, some repeated."""
    choices = {
        "Content-MD5": st.sampled_from(["@MD5", "@MD5-BASE64", "0" * 32, "zz", "", "AAAA"]),
        "Content-Type": st.sampled_from(["text/plain", "application/json", "", "é/è"]),
        "x-jss-storage-class": st.sampled_from(["STANDARD", "REDUCED_REDUNDANCY", "standard", "GLACIER", ""]),
        "x-jss-server-side-encryption": st.sampled_from(["true", "false", "TRUE", "yes", ""]),
        "Range": RANGES,
        "x-jss-meta-note": KEY_TEXT.map(lambda t: t.encode("utf-8").decode("latin-1")),
        "X-JSS-Meta-Case": st.sampled_from(["a", "b"]),
    }
    headers = []
    for name in draw(st.lists(st.sampled_from(sorted(choices)), max_size=3)):
        value = draw(choices[name])
        headers.append((name, "".join(ch for ch in value if ch not in "\r\n\x00")))
    return tuple(headers)


def _complete_document(numbers: list[str], nesting: int) -> bytes:
    parts = ",".join(f'{{"PartNumber": {n}, "ETag": "@ETAG"}}' for n in numbers)
    return ("[" * nesting + f'{{"Part": [{parts}]}}' + "]" * nesting).encode()


BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=64),
    st.builds(
        _complete_document,
        st.lists(NUMBERS.filter(lambda n: "%" not in n and n), max_size=3),
        st.sampled_from([0, 0, 0, 1, 40, 5000]),
    ),
    st.sampled_from([b"[" * 100000, b"{}", b'{"Part": []}', b"null", b'{"Part": [1]}', b"\xff\xfe"]),
)

requests_strategy = st.builds(
    FuzzRequest,
    method=st.sampled_from(METHODS),
    bucket=st.sampled_from(["@BUCKET"] * 16 + ["@BOB_BUCKET", "nosuch-bucket", "", "UP", "%2E%2E", "a" * 70,
                                               "_testbench"]),
    key=encoded_keys(),
    query=queries(),
    headers=header_lists(),
    body=BODIES,
    auth=st.sampled_from(AUTH_FORMS),
    date=DATES,
)


def _query_string(pairs) -> str:
    return "&".join(name if value is None else f"{name}={value}" for name, value in pairs)


def send(connection: http.client.HTTPConnection, request: FuzzRequest, fill: dict[str, str], users: dict):
    """Fill in the placeholders of `request`, sign it as its auth form says, send it on `connection`;
    returns (status, headers, body)."""
    def filled(text: str) -> str:
        for name, value in fill.items():
            text = text.replace(name, value)
        return text

    bucket, key = filled(request.bucket), filled(request.key) if request.key is not None else None
    query = [(filled(name), filled(value) if value is not None else None) for name, value in request.query]
    date = {"@NOW": signing.http_date(), "@SKEWED": signing.http_date(float(fill["@TIME"]) - 3600),
            "@NOW-RFC850": "Thursday, 13-Jul-17 02:37:31 GMT"}.get(request.date, request.date)
    body = request.body.replace(b"@ETAG", fill["@ETAG0"].encode())
    headers = [(name, filled(value)) for name, value in request.headers]
    headers = [(n, signing_md5(body, v) if v.startswith("@MD5") else v) for n, v in headers]
    if date:
        headers.append(("Date", date))
    path = "/" + bucket + ("/" + key if key is not None else "")
    target = path + ("?" + _query_string(query) if query else "")
    if request.auth == "presign":
        user = users["alice"]
        expires = int(float(fill["@TIME"])) + 600
        resource = _resource_or_garbage(target)
        signed = signing.presign(request.method, resource, headers, user.access_key, user.secret_key, expires)
        target += ("&" if query else "?") + signed.signed_url_query
    if request.auth in ("alice", "bob"):
        user = users[request.auth]
        signed = signing.sign_request(
            request.method, _resource_or_garbage(target), headers, user.access_key, user.secret_key
        )
        headers.append(("Authorization", signed.authorization))
    elif request.auth == "garbage":
        headers.append(("Authorization", f"jingdong {users['alice'].access_key}:garbage="))
    elif request.auth == "malformed":
        headers.append(("Authorization", "jingdong no-colon-here"))
    elif request.auth == "unknown":
        headers.append(("Authorization", "jingdong AKNOBODY:c2lnbmF0dXJl"))
    connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", "127.0.0.1")
    for name, value in headers:
        connection.putheader(name, value.encode("utf-8"))
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def _resource_or_garbage(target: str) -> str:
    try:
        return signing.resource_from_target(target)
    except UnicodeDecodeError:  # not UTF-8 once decoded: the server refuses it before any signature check
        return "/"


def signing_md5(body: bytes, form: str) -> str:
    """The Content-MD5 of `body`, as hex or base64."""
    digest = hashlib.md5(body)
    return base64.b64encode(digest.digest()).decode() if form.endswith("BASE64") else digest.hexdigest()


def error_body_problems(status: int, method: str, headers: dict, body: bytes) -> list[str]:
    """What is wrong with an error response: [] when it is the documented JSON error with a request id."""
    problems = []
    request_id = headers.get("x-jss-request-id")
    if not request_id:
        problems.append("no x-jss-request-id")
    if method == "HEAD":
        return problems
    if headers.get("content-type") != "application/json;charset=UTF-8":
        problems.append(f"content-type {headers.get('content-type')!r}")
    try:
        document = json.loads(body)
    except ValueError:
        return [*problems, f"not JSON: {body[:80]!r}"]
    if not isinstance(document, dict) or set(document) != {"code", "message", "resource", "requestId"}:
        problems.append(f"keys {sorted(document) if isinstance(document, dict) else document!r}")
    elif document["requestId"] != request_id:
        problems.append("requestId differs from x-jss-request-id")
    return problems
