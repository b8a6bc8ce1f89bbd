"""Direct HTTP checks of the access deviations (conformance/reference/ownership.py): a caller that does not
own the bucket (bob, or an anonymous request) gets through where the faithful server answers 403 (registry
and rules: ref_deviation_registry.py). The bucket is alice's.

Group "access" switches on every deviation that opens an operation, and the code deviation (seen on a
DeleteObject, which none of them opens); group "access-late" the refusal after the work alone, since the
others open every operation it moves.
"""

from __future__ import annotations

import json

from ref_deviation_registry import check, error_is
from ref_helpers import BOB

ANONYMOUS = None


def _upload_with_part(api, bucket, key="k"):
    """alice's upload of `key` with part 1; returns (upload id, etag)."""
    upload_id = api.initiate(bucket, key)
    return upload_id, api.upload_part(bucket, key, upload_id, 1, b"alice's part")


@check("initiate-in-any-bucket", "access")
def _initiate(api, bucket):
    response = api.call("POST", bucket, "k", "uploads", user=ANONYMOUS)
    assert response.status_code == 200 and response.json()["UploadId"], response.text


@check("list-uploads-public", "access")
def _list_uploads(api, bucket):
    api.initiate(bucket, "k")
    response = api.call("GET", bucket, None, "uploads", user=ANONYMOUS)
    assert response.status_code == 200, response.text
    assert [upload["Key"] for upload in response.json()["Upload"]] == ["k"]


@check("upload-id-is-capability", "access")
def _upload_part(api, bucket):
    upload_id, _ = _upload_with_part(api, bucket)
    response = api.call("PUT", bucket, "k", f"partNumber=1&uploadId={upload_id}", data=b"x", user=ANONYMOUS)
    assert response.status_code == 200, response.text


@check("list-parts-by-upload-id", "access")
def _list_parts(api, bucket):
    upload_id, etag = _upload_with_part(api, bucket)
    response = api.call("GET", bucket, "k", f"uploadId={upload_id}", user=BOB)
    assert response.status_code == 200 and response.json()["Part"][0]["ETag"] == etag, response.text


@check("complete-by-upload-id", "access")
def _complete(api, bucket):
    upload_id, etag = _upload_with_part(api, bucket)
    body = json.dumps({"Part": [{"PartNumber": 1, "ETag": etag}]}).encode()
    response = api.call("POST", bucket, "k", f"uploadId={upload_id}", data=body, user=ANONYMOUS)
    assert response.status_code == 200, response.text
    assert api.call("GET", bucket, "k").content == b"alice's part"


@check("foreign-abort-allowed", "access")
def _abort(api, bucket):
    upload_id, _ = _upload_with_part(api, bucket)
    response = api.call("DELETE", bucket, "k", f"uploadId={upload_id}", user=BOB)
    assert response.status_code == 204, response.text
    error_is(api.call("GET", bucket, "k", f"uploadId={upload_id}"), 404, "NoSuchUpload")


@check("foreign-overwrite-allowed", "access")
def _overwrite(api, bucket):
    api.put(bucket, "o", b"alice's object")
    assert api.call("PUT", bucket, "o", data=b"bob's", user=BOB).status_code == 200
    assert api.call("GET", bucket, "o").content == b"bob's"


@check("anonymous-object-reads-allowed", "access")
def _anonymous_read(api, bucket):
    api.put(bucket, "o", b"alice's object")
    response = api.call("GET", bucket, "o", user=ANONYMOUS)
    assert (response.status_code, response.content) == (200, b"alice's object"), response.text


@check("any-account-reads-objects", "access")
def _account_read(api, bucket):
    api.put(bucket, "o", b"alice's object")
    response = api.call("GET", bucket, "o", user=BOB)
    assert (response.status_code, response.content) == (200, b"alice's object"), response.text


@check("foreign-account-code-bucket-not-belong-to", "access")
def _code(api, bucket):
    api.put(bucket, "o", b"alice's object")
    error_is(api.call("DELETE", bucket, "o", user=BOB), 403, "BucketNotBelongTo")
    error_is(api.call("DELETE", bucket, "o", user=ANONYMOUS), 403, "AccessDenied")


@check("ownership-checked-after-the-write", "access-late")
def _late(api, bucket):
    api.put(bucket, "o", b"alice's object")
    error_is(api.call("PUT", bucket, "o", data=b"bob's", user=BOB), 403, "AccessDenied")
    assert api.call("GET", bucket, "o").content == b"bob's"
