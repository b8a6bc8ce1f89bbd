"""The S3 wire's deviations (negative controls), each checked directly at the reference endpoint: a server
with that deviation alone switched on does the specific wrong thing, where the faithful `--wire s3` server
(the session's ``s3_reference``) does not. The wire-neutral success-status deviations that the S3 front now
honours too are checked on one server with all of them on (each touches another operation)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

import boto3
import botocore.exceptions
import pytest
import requests
from ref_helpers import ALICE, NORTH, USERS, RefUser
from s3_signing import path, signed_request

from conformance.reference.deviations import DEVIATIONS
from conformance.reference.launch import ReferenceProcess, start_reference

BUCKET = "deviant-north"
STRANGER = RefUser("nobody", "AKNOBODY000000000", "whatever")
WIRE_S3 = ["--wire", "s3"]
#: The S3 front's own deviations: every one has a check below.
S3_DEVIATIONS = sorted(name for name in DEVIATIONS if name.startswith("s3-"))
CHECKED: set[str] = set()


@pytest.fixture
def deviant() -> Iterator[Callable[[str], tuple[ReferenceProcess, Callable]]]:
    """A maker of `--wire s3` servers with one deviation on: (the process, its boto3 client maker), Alice's
    bucket BUCKET created in cn-north-1."""
    started: list[ReferenceProcess] = []

    def make(*deviations: str):
        process = start_reference(users=USERS, deviations=deviations, extra_args=WIRE_S3)
        started.append(process)

        def client(region: str = NORTH, secret: str = ALICE.secret_key):
            return boto3.client(
                "s3", endpoint_url=process.endpoints[region], region_name=region,
                aws_access_key_id=ALICE.access_key, aws_secret_access_key=secret,
            )

        client(NORTH).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": NORTH})
        return process, client

    yield make
    for process in started:
        process.stop()


def _code(error: botocore.exceptions.ClientError) -> str:
    return error.response["Error"]["Code"]


def _children(response: requests.Response) -> dict[str, str]:
    root = ElementTree.fromstring(response.content)
    return {child.tag.rpartition("}")[2]: child.text or "" for child in root}


def checks(name: str):
    """Mark the decorated test as the check of deviation `name` (a registered one); the error-element
    deviations are checked by one parametrized test, registered below it."""
    assert name in DEVIATIONS, name
    CHECKED.add(name)
    return lambda function: function


def test_ref_s3_every_s3_deviation_has_a_check():
    assert S3_DEVIATIONS and sorted(CHECKED) == S3_DEVIATIONS


@checks("s3-accept-any-signature")
def test_ref_s3_deviation_accept_any_signature(deviant, s3, s3_reference, s3_north):
    process, client = deviant("s3-accept-any-signature")
    assert BUCKET in [b["Name"] for b in client(NORTH, secret="wrong").list_buckets()["Buckets"]]
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    assert signed_request(process.endpoints[NORTH], "GET", f"/{BUCKET}", at=an_hour_ago).status_code == 200
    assert signed_request(process.endpoints[NORTH], "GET", f"/{BUCKET}", user=STRANGER).status_code == 403
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3(NORTH, secret="wrong").list_buckets()
    assert _code(refused.value) == "SignatureDoesNotMatch"


@checks("s3-clock-skew-window-5-minutes")
def test_ref_s3_deviation_clock_skew_window_5_minutes(deviant, s3_reference, s3_north):
    process, _ = deviant("s3-clock-skew-window-5-minutes")
    ten_minutes_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    answer = signed_request(process.endpoints[NORTH], "GET", f"/{BUCKET}", at=ten_minutes_ago)
    assert (answer.status_code, _children(answer)["Code"]) == (403, "RequestTimeTooSkewed")
    faithful = signed_request(s3_reference.endpoints[NORTH], "GET", f"/{s3_north}", at=ten_minutes_ago)
    assert faithful.status_code == 200


@checks("s3-unknown-access-key-signature-mismatch")
def test_ref_s3_deviation_unknown_access_key_signature_mismatch(deviant):
    process, _ = deviant("s3-unknown-access-key-signature-mismatch")
    answer = signed_request(process.endpoints[NORTH], "GET", f"/{BUCKET}", user=STRANGER)
    assert (answer.status_code, _children(answer)["Code"]) == (403, "SignatureDoesNotMatch")


@checks("s3-presigned-signature-in-canonical-query")
def test_ref_s3_deviation_presigned_signature_in_canonical_query(deviant, s3, s3_north):
    _, client = deviant("s3-presigned-signature-in-canonical-query")
    for make, bucket in ((client, BUCKET), (s3, s3_north)):
        make(NORTH).put_object(Bucket=bucket, Key="k", Body=b"x")
    params = {"Bucket": BUCKET, "Key": "k"}
    url = client(NORTH).generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    assert requests.get(url, timeout=10).status_code == 403
    params = {"Bucket": s3_north, "Key": "k"}
    assert requests.get(s3(NORTH).generate_presigned_url("get_object", Params=params), timeout=10).ok


@checks("s3-storage-class-header-unsigned")
def test_ref_s3_deviation_storage_class_header_unsigned(deviant, s3, s3_north, s3_key):
    _, client = deviant("s3-storage-class-header-unsigned")
    assert client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="plain")["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="k", StorageClass="STANDARD")
    assert _code(refused.value) == "SignatureDoesNotMatch"
    assert s3(NORTH).create_multipart_upload(Bucket=s3_north, Key=s3_key, StorageClass="STANDARD")["UploadId"]


@checks("s3-content-type-header-unsigned")
def test_ref_s3_deviation_content_type_header_unsigned(deviant, s3, s3_north, s3_key):
    _, client = deviant("s3-content-type-header-unsigned")
    assert client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="plain")["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="k", ContentType="text/plain")
    assert _code(refused.value) == "SignatureDoesNotMatch"
    faithful = s3(NORTH).create_multipart_upload(Bucket=s3_north, Key=s3_key, ContentType="text/plain")
    assert faithful["UploadId"]


@checks("s3-anonymous-list-buckets-allowed")
def test_ref_s3_deviation_anonymous_list_buckets_allowed(deviant, s3_reference):
    process, _ = deviant("s3-anonymous-list-buckets-allowed")
    answer = requests.get(process.endpoints[NORTH] + "/", timeout=10)
    assert answer.status_code == 200 and "Buckets" in _children(answer)
    assert requests.get(s3_reference.endpoints[NORTH] + "/", timeout=10).status_code == 403


@pytest.mark.parametrize(
    ("deviation", "element"),
    [("s3-error-without-message", "Message"), ("s3-error-without-request-id", "RequestId")],
)
def test_ref_s3_deviation_error_without_element(deviant, deviation, element):
    process, _ = deviant(deviation)
    answer = signed_request(process.endpoints[NORTH], "GET", path(BUCKET, "no-such-key"))
    error = _children(answer)
    assert answer.status_code == 404 and error["Code"] == "NoSuchKey"
    assert element not in error and {"Code", "Message", "Resource", "RequestId"} - {element} <= set(error)


CHECKED.update({"s3-error-without-message", "s3-error-without-request-id"})


@checks("s3-initiate-omits-bucket")
def test_ref_s3_deviation_initiate_omits_bucket(deviant):
    process, _ = deviant("s3-initiate-omits-bucket")
    answer = signed_request(process.endpoints[NORTH], "POST", path(BUCKET, "k") + "?uploads")
    fields = _children(answer)
    assert answer.status_code == 200 and "Bucket" not in fields
    assert fields["Key"] == "k" and fields["UploadId"]


def _one_part_upload(client, bucket: str, key: str, **initiate) -> tuple[str, list[dict]]:
    """An upload of `key` with one part uploaded: (its UploadId, the part list to complete it)."""
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key, **initiate)["UploadId"]
    part = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"part")
    return upload_id, [{"PartNumber": 1, "ETag": part["ETag"]}]


@checks("s3-complete-omits-location")
def test_ref_s3_deviation_complete_omits_location(deviant):
    _, client = deviant("s3-complete-omits-location")
    upload_id, parts = _one_part_upload(client(NORTH), BUCKET, "k")
    done = client(NORTH).complete_multipart_upload(
        Bucket=BUCKET, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts}
    )
    assert "Location" not in done and done["Key"] == "k" and done["ETag"]


@checks("s3-complete-malformed-xml-500")
def test_ref_s3_deviation_complete_malformed_xml_500(deviant, s3_reference, s3_north, s3_key):
    process, client = deviant("s3-complete-malformed-xml-500")
    upload_id, _ = _one_part_upload(client(NORTH), BUCKET, "k")
    answer = signed_request(process.endpoints[NORTH], "POST", path(BUCKET, "k") + f"?uploadId={upload_id}",
                            body=b"<CompleteMultipartUpload><Part>")
    assert (answer.status_code, _children(answer)["Code"]) == (500, "InternalError")
    faithful_id = s3_reference_upload(s3_reference, s3_north, s3_key)
    faithful = signed_request(s3_reference.endpoints[NORTH], "POST",
                              path(s3_north, s3_key) + f"?uploadId={faithful_id}",
                              body=b"<CompleteMultipartUpload><Part>")
    assert (faithful.status_code, _children(faithful)["Code"]) == (400, "MalformedXML")


def s3_reference_upload(reference: ReferenceProcess, bucket: str, key: str) -> str:
    """The UploadId of a new upload of `key` on `reference`, initiated with a raw signed request."""
    answer = signed_request(reference.endpoints[NORTH], "POST", path(bucket, key) + "?uploads")
    return _children(answer)["UploadId"]


@checks("s3-complete-etag-of-hex-digests")
def test_ref_s3_deviation_complete_etag_of_hex_digests(deviant):
    _, client = deviant("s3-complete-etag-of-hex-digests")
    upload_id, parts = _one_part_upload(client(NORTH), BUCKET, "k")
    done = client(NORTH).complete_multipart_upload(
        Bucket=BUCKET, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts}
    )
    part_hex = hashlib.md5(b"part").hexdigest()
    assert done["ETag"] == f'"{hashlib.md5(part_hex.encode()).hexdigest()}-1"'
    assert done["ETag"] != f'"{hashlib.md5(bytes.fromhex(part_hex)).hexdigest()}-1"'


@checks("s3-list-parts-omits-storage-class")
def test_ref_s3_deviation_list_parts_omits_storage_class(deviant, s3, s3_north, s3_key):
    _, client = deviant("s3-list-parts-omits-storage-class")
    upload_id, _ = _one_part_upload(client(NORTH), BUCKET, "k")
    listed = client(NORTH).list_parts(Bucket=BUCKET, Key="k", UploadId=upload_id)
    assert "StorageClass" not in listed and listed["Parts"][0]["PartNumber"] == 1
    faithful_id, _ = _one_part_upload(s3(NORTH), s3_north, s3_key)
    faithful = s3(NORTH).list_parts(Bucket=s3_north, Key=s3_key, UploadId=faithful_id)
    assert faithful["StorageClass"] == "STANDARD"


@checks("s3-list-uploads-omits-initiated")
def test_ref_s3_deviation_list_uploads_omits_initiated(deviant):
    _, client = deviant("s3-list-uploads-omits-initiated")
    upload_id = client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="k")["UploadId"]
    (upload,) = client(NORTH).list_multipart_uploads(Bucket=BUCKET)["Uploads"]
    assert upload["UploadId"] == upload_id and "Initiated" not in upload


@checks("s3-initiate-sse-not-echoed")
def test_ref_s3_deviation_initiate_sse_not_echoed(deviant, s3, s3_north, s3_key):
    _, client = deviant("s3-initiate-sse-not-echoed")
    upload = client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="k", ServerSideEncryption="AES256")
    assert upload["UploadId"] and "ServerSideEncryption" not in upload
    faithful = s3(NORTH).create_multipart_upload(Bucket=s3_north, Key=s3_key, ServerSideEncryption="AES256")
    assert faithful["ServerSideEncryption"] == "AES256"


#: The wire-neutral success-status deviations the S3 front answers with too: (deviation, status, request).
STATUSES = [
    ("initiate-answers-201", 201, ("POST", "/{bucket}/status-check?uploads")),
    ("complete-answers-201", 201, None),
    ("list-parts-answers-206", 206, None),
    ("list-uploads-answers-206", 206, ("GET", "/{bucket}?uploads")),
    ("list-objects-answers-206", 206, ("GET", "/{bucket}")),
    ("list-buckets-answers-203", 203, ("GET", "/")),
    ("upload-part-answers-201", 201, None),
]


def test_ref_s3_success_status_deviations_reach_the_s3_front(deviant):
    process, client = deviant(*(name for name, _, _ in STATUSES))
    endpoint = process.endpoints[NORTH]
    statuses = {}
    for name, _, request in STATUSES:
        if request is not None:
            method, target = request
            statuses[name] = signed_request(endpoint, method, target.format(bucket=BUCKET)).status_code
    upload_id = client(NORTH).create_multipart_upload(Bucket=BUCKET, Key="k")["UploadId"]
    part_target = path(BUCKET, "k") + f"?partNumber=1&uploadId={upload_id}"
    part = signed_request(endpoint, "PUT", part_target, body=b"x")
    statuses["upload-part-answers-201"] = part.status_code
    parts = [{"PartNumber": 1, "ETag": part.headers["ETag"]}]
    listed = signed_request(endpoint, "GET", path(BUCKET, "k") + f"?uploadId={upload_id}")
    statuses["list-parts-answers-206"] = listed.status_code
    body = "".join(
        f"<Part><PartNumber>{p['PartNumber']}</PartNumber><ETag>{p['ETag']}</ETag></Part>" for p in parts
    )
    document = f"<CompleteMultipartUpload>{body}</CompleteMultipartUpload>".encode()
    completed = signed_request(endpoint, "POST", path(BUCKET, "k") + f"?uploadId={upload_id}", body=document)
    statuses["complete-answers-201"] = completed.status_code
    assert statuses == {name: status for name, status, _ in STATUSES}


def test_ref_s3_faithful_server_answers_200_where_the_status_deviations_do_not(s3_reference, s3_north):
    endpoint = s3_reference.endpoints[NORTH]
    for method, target in (request for _, _, request in STATUSES if request is not None):
        answer = signed_request(endpoint, method, target.format(bucket=s3_north))
        assert answer.status_code == 200, (method, target)
