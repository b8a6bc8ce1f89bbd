"""A driver for a third-party JSS client: ``jss-upload`` (PyPI, 0.1.6), which signs with the JSS "jingdong"
scheme and offers InitiateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload,
PutObject, GetObject, HeadObject and DeleteObject, each one HTTP request with `requests`.

``python -m conformance.sdk.drivers.thirdparty_jss_upload`` (after ``pip install jss-upload==0.1.6``). It uses
the client as its API offers it and adds nothing of its own (no retries: the client has none):

- multipart-upload: initiate, one upload_part per part of part_size, complete with the parts in ascending
  order; when a call fails, abort_multipart_upload and report "failed". Its init_multipart_upload takes no
  headers: a step with a storage class or encryption sends the same request through the client's generic
  ``execute`` (what its helpers call) with the x-jss- headers added.
- resume-upload, list-parts, list-uploads: the client has no ListParts nor ListMultipartUploads (only
  ListObjects): "unsupported".
- download: one get(), written to the destination.
- put-object: the client's put_data / put_file force an empty Content-Type and a Content-Disposition and take
  text only, so the request goes through ``execute`` (what they call) with the bytes, the Content-Type,
  Content-MD5 (32 hex digits, what JSS clients send) and ``x-jss-meta-*`` headers of the step.
- head: head() (its headers reported); get-range: get() with a Range header; list-objects:
  Bucket.list_object(maxKeys, prefix), which follows HasNext with the last key as marker; delete: delete();
  abort-upload: abort_multipart_upload(). A list-objects step with a delimiter: "unsupported" (list_object
  takes a delimiter but returns the Contents only, the CommonPrefixes are dropped; it pages by the last key
  of Contents, not by NextMarker).
- presign-get, presign-put: the client makes no presigned URL: "unsupported".
"""

from __future__ import annotations

import hashlib
import json
import sys


class Unsupported(Exception):
    """The client cannot perform the step."""


def _object(scenario: dict):
    from jss_upload.jss import Jss

    credentials = scenario["credentials"]
    jss = Jss(scenario["endpoint"], credentials["access_key"], credentials["secret_key"])
    return jss.bucket(scenario["bucket"]).object(scenario["key"])


def _initiate(obj, step: dict) -> str:
    headers = {}
    if step.get("storage_class") is not None:
        headers["x-jss-storage-class"] = step["storage_class"]
    if step.get("encryption") is not None:
        headers["x-jss-server-side-encryption"] = "true" if step["encryption"] else "false"
    if not headers:
        return obj.init_multipart_upload()
    uri = f"/{obj.bucket.name}/{obj.key}?uploads"
    response = obj.client.execute({"method": "POST", "uri": uri, "headers": headers})
    response.raise_for_status()
    return response.json()["UploadId"]


def multipart_upload(obj, step: dict) -> None:
    """Initiate, upload the parts, complete; abort when a call fails."""
    upload_id = _initiate(obj, step)
    try:
        parts = []
        with open(step["source"], "rb") as source:
            number = 0
            while data := source.read(step["part_size"]):
                number += 1
                headers = obj.upload_part(upload_id, number, data)
                parts.append({"PartNumber": number, "ETag": headers["ETag"].strip('"')})
        obj.complete_multipart_upload(upload_id, parts)
    except Exception:
        obj.abort_multipart_upload(upload_id)
        raise


def download(obj, step: dict) -> None:
    """One GetObject into the destination file."""
    response = obj.get()
    response.raise_for_status()
    with open(step["destination"], "wb") as out:
        out.write(response.content)


def put_object(obj, step: dict) -> None:
    """PutObject through the client's execute, with the step's headers."""
    with open(step["source"], "rb") as source:
        data = source.read()
    headers = {f"x-jss-meta-{name.lower()}": value for name, value in step.get("metadata", {}).items()}
    if step.get("content_type"):
        headers["content-type"] = step["content_type"]
    if step.get("content_md5"):
        headers["Content-MD5"] = hashlib.md5(data).hexdigest()
    uri = f"/{obj.bucket.name}/{obj.key}"
    obj.client.execute({"method": "PUT", "uri": uri, "headers": headers, "body": data}).raise_for_status()


def head(obj, step: dict) -> dict:
    """head(): what it returned, as the protocol's ``head``."""
    headers = obj.head()
    metadata = {name.lower()[len("x-jss-meta-"):]: value for name, value in headers.items()
                if name.lower().startswith("x-jss-meta-")}
    size = headers.get("Content-Length")
    return {"size": int(size) if size is not None else None, "etag": headers.get("ETag", "").strip('"'),
            "content_type": headers.get("Content-Type"), "metadata": metadata}


def get_range(obj, step: dict) -> None:
    """get() with a Range header into the destination file."""
    response = obj.get(headers={"Range": f"bytes={step['start']}-{step['end']}"})
    response.raise_for_status()
    with open(step["destination"], "wb") as out:
        out.write(response.content)


def list_objects(obj, step: dict) -> list[str]:
    """Bucket.list_object with the prefix and maxKeys (it pages by marker itself)."""
    return [item["Key"] for item in obj.bucket.list_object(maxKeys=step["max_keys"], prefix=step["prefix"])]


def delete(obj, step: dict) -> None:
    """delete()."""
    obj.delete().raise_for_status()


def abort_upload(obj, step: dict) -> None:
    """abort_multipart_upload() of the given upload."""
    obj.abort_multipart_upload(step["upload_id"]).raise_for_status()


WHY_UNSUPPORTED = {
    "resume-upload": "jss-upload has no ListParts nor ListMultipartUploads",
    "list-parts": "jss-upload has no ListParts nor ListMultipartUploads",
    "list-uploads": "jss-upload has no ListParts nor ListMultipartUploads",
    "presign-get": "jss-upload makes no presigned URL",
    "presign-put": "jss-upload makes no presigned URL",
}
#: Why a list-objects step with a delimiter is unsupported.
WHY_DELIMITED = ("jss-upload's Bucket.list_object sends delimiter but returns the Contents only: the "
                 "CommonPrefixes never reach the application")


def perform(obj, steps: list[dict]) -> dict:
    """Every step in order; what the result reports besides the status (``listed``, ``head``)."""
    handlers = {"multipart-upload": multipart_upload, "download": download, "put-object": put_object,
                "get-range": get_range, "delete": delete, "abort-upload": abort_upload}
    reported: dict = {}
    for step in steps:
        op = step["op"]
        if op == "head":
            reported["head"] = head(obj, step)
        elif op == "list-objects" and step.get("delimiter"):
            raise Unsupported(f"{op} ({WHY_DELIMITED})")
        elif op == "list-objects":
            reported["listed"] = {"objects": list_objects(obj, step)}
        elif op in handlers:
            handlers[op](obj, step)
        else:
            raise Unsupported(f"{op} ({WHY_UNSUPPORTED.get(op, 'not offered by jss-upload')})")
    return reported


def main() -> int:
    """Read the scenario, perform it with jss-upload, print the result line."""
    scenario = json.loads(sys.stdin.read())
    obj = _object(scenario)
    try:
        reported = perform(obj, scenario["steps"])
    except Unsupported as exc:
        print(json.dumps({"status": "unsupported", "unsupported": [str(exc)], "message": str(exc)}))
        return 0
    except Exception as exc:  # noqa: BLE001 - whatever the client raised is its failure
        print(json.dumps({"status": "failed", "message": f"{type(exc).__name__}: {exc}"[:500]}))
        return 0
    print(json.dumps({"status": "ok", **reported}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
