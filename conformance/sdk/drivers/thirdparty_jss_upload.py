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
"""

from __future__ import annotations

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


def main() -> int:
    """Read the scenario, perform it with jss-upload, print the result line."""
    scenario = json.loads(sys.stdin.read())
    obj = _object(scenario)
    handlers = {"multipart-upload": multipart_upload, "download": download}
    try:
        for step in scenario["steps"]:
            if step["op"] not in handlers:
                raise Unsupported(f"{step['op']} (jss-upload has no ListParts nor ListMultipartUploads)")
            handlers[step["op"]](obj, step)
    except Unsupported as exc:
        print(json.dumps({"status": "unsupported", "unsupported": [str(exc)], "message": str(exc)}))
        return 0
    except Exception as exc:  # noqa: BLE001 - whatever the client raised is its failure
        print(json.dumps({"status": "failed", "message": f"{type(exc).__name__}: {exc}"[:500]}))
        return 0
    print(json.dumps({"status": "ok"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
