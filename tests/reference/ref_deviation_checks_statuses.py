"""Direct HTTP checks of the success-status deviations (group "statuses"; registry: ref_deviation_registry).

Each runs on a server with its deviation alone switched on; the checks arrange with raw calls (the Api's
helpers assert the documented statuses) and each looks at the status of its own operation only.
"""

from __future__ import annotations

import json

from ref_deviation_registry import check
from ref_helpers import Api


def _upload_id(api: Api, bucket: str, key: str) -> str:
    return api.call("POST", bucket, key, "uploads").json()["UploadId"]


@check("initiate-answers-201", "statuses")
def _initiate_201(api, bucket):
    assert api.call("POST", bucket, "k", "uploads").status_code == 201


@check("complete-answers-201", "statuses")
def _complete_201(api, bucket):
    upload_id = _upload_id(api, bucket, "k")
    etag = api.call("PUT", bucket, "k", f"partNumber=1&uploadId={upload_id}", data=b"x").headers["ETag"]
    body = json.dumps({"Part": [{"PartNumber": 1, "ETag": etag.strip('"')}]}).encode()
    assert api.call("POST", bucket, "k", f"uploadId={upload_id}", data=body).status_code == 201


@check("upload-part-answers-201", "statuses")
def _upload_part_201(api, bucket):
    upload_id = _upload_id(api, bucket, "k")
    answer = api.call("PUT", bucket, "k", f"partNumber=1&uploadId={upload_id}", data=b"x")
    assert (answer.status_code, answer.headers["ETag"]) == (201, '"9dd4e461268c8034f5c8564e155c67a6"')


@check("list-parts-answers-206", "statuses")
def _list_parts_206(api, bucket):
    upload_id = _upload_id(api, bucket, "k")
    assert api.call("GET", bucket, "k", f"uploadId={upload_id}").status_code == 206


@check("list-uploads-answers-206", "statuses")
def _list_uploads_206(api, bucket):
    _upload_id(api, bucket, "k")
    assert api.call("GET", bucket, None, "uploads").status_code == 206


@check("put-object-answers-201", "statuses")
def _put_201(api, bucket):
    assert api.call("PUT", bucket, "k", data=b"x").status_code == 201


@check("get-object-answers-206", "statuses")
def _get_206(api, bucket):
    api.call("PUT", bucket, "k", data=b"whole")
    response = api.call("GET", bucket, "k")
    assert (response.status_code, response.content) == (206, b"whole")


@check("head-object-answers-204", "statuses")
def _head_204(api, bucket):
    api.call("PUT", bucket, "k", data=b"x")
    assert api.call("HEAD", bucket, "k").status_code == 204


@check("delete-object-answers-200", "statuses")
def _delete_200(api, bucket):
    api.call("PUT", bucket, "k", data=b"x")
    assert api.call("DELETE", bucket, "k").status_code == 200


@check("list-objects-answers-206", "statuses")
def _list_objects_206(api, bucket):
    assert api.call("GET", bucket).status_code == 206


@check("list-buckets-answers-203", "statuses")
def _list_buckets_203(api, bucket):
    assert api.call("GET").status_code == 203
