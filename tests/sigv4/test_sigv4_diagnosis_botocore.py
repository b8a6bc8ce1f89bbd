"""The SigV4 diagnosis on requests signed by botocore (a client the suite judges): as signed they pass; a
botocore request mutated after signing, the way a proxy or a client's own middleware does, is named for
exactly the mistake the mutation makes."""

from __future__ import annotations

import calendar
import datetime
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from freezegun import freeze_time

from conformance.diagnosis import SentRequest, diagnose_signature

AK, SK = "AKIDDIAGBOTO", "diag-boto/secret"  # made up, not a real secret
CREDS = Credentials(AK, SK)
WHEN = datetime.datetime(2026, 12, 7, 8, 0, 0)
RECEIVED = calendar.timegm(WHEN.timetuple()) + 2
REGION = "cn-north-1"
URL = "https://bucket.s3.cn-north-1.example.test/dir/key%20with%20spaces.bin?partNumber=3&uploadId=u%2B1"


def secret_for(access_key: str) -> str | None:
    return SK if access_key == AK else None


def signed(region: str = REGION, body: bytes = b"part bytes", headers=None) -> AWSRequest:
    request = AWSRequest(method="PUT", url=URL, headers=dict(headers or {"Content-Type": "text/plain"}),
                         data=body)
    with freeze_time(WHEN):
        S3SigV4Auth(CREDS, "s3", region).add_auth(request)
    return request


def as_sent(request: AWSRequest) -> SentRequest:
    split = urlsplit(request.url)
    target = split.path + (f"?{split.query}" if split.query else "")
    headers = [("Host", split.netloc), *request.headers.items()]
    body = request.body if isinstance(request.body, bytes) else (request.body or b"")
    return SentRequest(request.method, target, headers, body=body, received_at=RECEIVED,
                       endpoint_regions=(REGION,))


def names(request: AWSRequest) -> list[str]:
    return [m.name for m in diagnose_signature(as_sent(request), secret_for).mistakes]


def test_a_botocore_header_signed_request_passes():
    diagnosis = diagnose_signature(as_sent(signed()), secret_for)

    assert (diagnosis.verdict, diagnosis.mode) == ("PASS", "header")
    assert diagnosis.clause == "signature.s3.accepted"


def test_a_botocore_presigned_url_passes():
    request = AWSRequest(method="GET", url=URL.split("?")[0], headers={})
    with freeze_time(WHEN):
        S3SigV4QueryAuth(CREDS, "s3", REGION, expires=900).add_auth(request)

    diagnosis = diagnose_signature(as_sent(request), secret_for)

    assert (diagnosis.verdict, diagnosis.mode) == ("PASS", "presigned")


def _content_type_replaced(request: AWSRequest) -> AWSRequest:
    request.headers.replace_header("Content-Type", "application/octet-stream")
    return request


def _meta_added(request: AWSRequest) -> AWSRequest:
    request.headers["x-amz-meta-added-later"] = "1"
    return request


def _body_replaced(request: AWSRequest) -> AWSRequest:
    request.data = b"other bytes"
    return request


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_content_type_replaced, "signed-header-changed"),
        (_meta_added, "header-not-in-signed-headers"),
        (_body_replaced, "payload-hash-mismatch"),
        (lambda _: signed(region="us-east-1"), "scope-region-wrong"),
    ],
    ids=["content-type-after-signing", "amz-header-after-signing", "body-after-signing", "default-region"],
)
def test_a_mutated_botocore_request_names_exactly_the_mutation(mutate, expected):
    assert names(mutate(signed())) == [expected]
