"""Generated requests (fuzz_s3_requests.py) against a confined ``serve --wire s3``: never a 5xx, every 4xx the
S3 Error XML with a Code and its request id, every 2xx XML document well-formed, a request signed with the
right secret never refused SignatureDoesNotMatch, the server alive and answering afterwards, an object put
before the fuzz intact after it, nothing written outside its data dir.

Deterministic (derandomized) and bounded: JSS_FUZZ_EXAMPLES requests (default 300, the slice the project's
tests and CI run); the long run is ``tox -e fuzz`` (10,000), which runs the JSS wire's fuzz too.
"""

from __future__ import annotations

import collections
import http.client
import os
from urllib.parse import urlsplit
from xml.etree import ElementTree

import boto3
from fuzz_s3_requests import Signer, requests_strategy, send
from hypothesis import HealthCheck, given, settings
from ref_helpers import ALICE, BOB, NORTH, USERS

from conformance.reference.launch import start_reference

EXAMPLES = int(os.environ.get("JSS_FUZZ_EXAMPLES", "300"))
SENTINEL = os.urandom(256 * 1024)


def boto_client(url: str, user=ALICE):
    """A boto3 client (default configuration) for the endpoint `url` of cn-north-1."""
    return boto3.client("s3", endpoint_url=url, region_name=NORTH, aws_access_key_id=user.access_key,
                        aws_secret_access_key=user.secret_key)


def seed_server(alice, bob, marker: str) -> dict[str, str]:
    """Buckets, an object, three uploads (one with a part) to aim at, and a sentinel object no generated
    request names (its key is outside every key the strategy draws): the placeholders' values."""
    bucket, bob_bucket = f"fuzz-{marker}", f"fuzz-bob-{marker}"
    alice.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": NORTH})
    bob.create_bucket(Bucket=bob_bucket, CreateBucketConfiguration={"LocationConstraint": NORTH})
    alice.put_object(Bucket=bucket, Key="existing", Body=b"existing object")
    alice.put_object(
        Bucket=bucket, Key=f"sentinel/{marker}", Body=SENTINEL, StorageClass="REDUCED_REDUNDANCY",
        ServerSideEncryption="AES256",
    )
    fill = {"@BUCKET": bucket, "@BOB_BUCKET": bob_bucket, "@MARKER": marker}
    return {**fill, **fresh_uploads(alice, bucket)}


def fresh_uploads(alice, bucket: str) -> dict[str, str]:
    """Three new uploads (keys upload-0..2), the first with part 1: @UPLOAD0..2 and @ETAG0."""
    uploads = [alice.create_multipart_upload(Bucket=bucket, Key=f"upload-{n}")["UploadId"] for n in range(3)]
    part = alice.upload_part(
        Bucket=bucket, Key="upload-0", UploadId=uploads[0], PartNumber=1, Body=b"part one"
    )
    ids = {f"@UPLOAD{n}": upload_id for n, upload_id in enumerate(uploads)}
    return {**ids, "@ETAG0": part["ETag"].strip('"')}


def ended_an_upload(method: str, query, status: int) -> bool:
    """True when the request may have completed or aborted one of the seeded uploads."""
    return status < 300 and method in ("POST", "DELETE") and "uploadId" in str(query)


def signed_right(request) -> bool:
    """True when the request is signed with its user's own secret (header or presigned) and its generated
    query carries no X-Amz-* parameter of its own (a second X-Amz-Signature is a wrong signature)."""
    own = any(name.lower().startswith("x-amz-") for name, _ in request.query)
    return request.auth in ("alice", "bob", "presign") and not own


def error_problems(status: int, method: str, headers: dict, body: bytes) -> list[str]:
    """What is wrong with an error answer of the S3 wire: [] when it has an x-amz-request-id and (but for
    HEAD) an XML ``<Error>`` body with a non-empty Code and the same RequestId."""
    problems = []
    request_id = headers.get("x-amz-request-id")
    if not request_id:
        problems.append("no x-amz-request-id")
    if "x-jss-request-id" in headers:
        problems.append("an x-jss-request-id on the S3 wire")
    if method == "HEAD":
        return problems
    if headers.get("content-type") != "application/xml":
        problems.append(f"content-type {headers.get('content-type')!r}")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return [*problems, f"not XML: {body[:80]!r}"]
    if root.tag != "Error" or not (root.findtext("Code") or "").strip():
        problems.append(f"not an Error with a Code: {body[:120]!r}")
    elif root.findtext("RequestId") != request_id:
        problems.append("RequestId differs from x-amz-request-id")
    return problems


def well_formed(body: bytes) -> bool:
    """True when `body` is a well-formed XML document."""
    try:
        ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return False
    return True


def error_code(method: str, body: bytes) -> str:
    """The Code of an error body ("(HEAD)" for a HEAD, which has none)."""
    if method == "HEAD":
        return "(HEAD)"
    return ElementTree.fromstring(body).findtext("Code") or ""


def test_generated_s3_requests_never_get_a_5xx_nor_a_bad_error_body(tmp_path):
    root = tmp_path / "confined"
    with start_reference(users=USERS, data_dir=root / "data", extra_args=["--wire", "s3"]) as process:
        url = process.endpoints[NORTH]
        alice, bob = boto_client(url), boto_client(url, BOB)
        marker = "fuzzmark" + os.urandom(4).hex()
        fill = seed_server(alice, bob, marker)
        parts = urlsplit(url)
        host = parts.netloc
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        signers = {user.name: Signer(user.access_key, user.secret_key, NORTH) for user in (ALICE, BOB)}
        statuses: collections.Counter[int] = collections.Counter()
        codes: collections.Counter[str] = collections.Counter()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(request=requests_strategy)
        def exchange(request) -> None:
            try:
                status, headers, body, closing = send(connection, request, fill, signers, host)
            except (http.client.HTTPException, OSError) as exc:
                connection.close()
                raise AssertionError(f"no answer: {exc!r} for {request!r}") from exc
            if closing:
                connection.close()
            statuses[status] += 1
            if ended_an_upload(request.method, request.query, status):
                fill.update(fresh_uploads(alice, fill["@BUCKET"]))
            if status < 300 and headers.get("content-type") == "application/xml":
                assert well_formed(body), f"{status} {body[:300]!r} for {request!r}"
            if status >= 400:
                problems = error_problems(status, request.method, headers, body)
                assert not problems, f"{status} {problems} for {request!r}"
                code = error_code(request.method, body)
                codes[code] += 1
                # conformance.sigv4 signs what the endpoint verifies, whatever the generated target
                assert not (signed_right(request) and code == "SignatureDoesNotMatch"), repr(request)
            assert status < 500, f"{status} {body[:300]!r} for {request!r}"

        exchange()
        connection.close()
        print(f"\ns3 fuzz: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
        print(f"s3 fuzz: error codes {dict(codes.most_common())}")
        assert process.process.poll() is None, "the server died"
        sentinel = alice.get_object(Bucket=fill["@BUCKET"], Key=f"sentinel/{marker}")
        assert sentinel["Body"].read() == SENTINEL
        assert sentinel["StorageClass"] == "REDUCED_REDUNDANCY"
        assert sentinel["ServerSideEncryption"] == "AES256"
        alice.put_object(Bucket=fill["@BUCKET"], Key="after-the-fuzz", Body=b"still answering")
        after = alice.get_object(Bucket=fill["@BUCKET"], Key="after-the-fuzz")
        assert after["Body"].read() == b"still answering"
        log = process.stderr_tail(100_000)
        assert "Exception in ASGI application" not in log and "unexpected error" not in log
    assert [path.name for path in root.iterdir()] == ["data"]
    data_dir = root / "data"
    outside = [p for p in tmp_path.parent.rglob(f"*{marker}*") if data_dir not in p.parents]
    assert not outside  # inside the data dir is fine: the generated requests may name a bucket with it
