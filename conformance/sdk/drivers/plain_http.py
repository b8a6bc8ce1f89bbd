"""What the third-party S3 drivers do without their SDK: the plain HTTP transfers of a presigned URL (no SDK
signing, the URL is used as the SDK made it) and the Content-MD5 a user computes for a PutObject."""

from __future__ import annotations

import base64
import hashlib

import requests

TIMEOUT = 60
CHUNK = 1024 * 1024


class PresignedTransferFailed(Exception):
    """A presigned URL was answered with an error status (the scenario's result is "failed")."""


def _checked(response: requests.Response, what: str) -> requests.Response:
    if response.status_code >= 300:
        raise PresignedTransferFailed(f"{what} answered {response.status_code}")
    return response


def get_to_file(url: str, destination: str) -> None:
    """GET the presigned `url` with a plain HTTP client; the body written to `destination`."""
    with requests.get(url, stream=True, timeout=TIMEOUT) as response:
        _checked(response, "presigned GET")
        with open(destination, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)


def put_file(url: str, source: str) -> None:
    """PUT the file `source` to the presigned `url` with a plain HTTP client (Content-Length from the file,
    no other header)."""
    with open(source, "rb") as body:
        _checked(requests.put(url, data=body, timeout=TIMEOUT), "presigned PUT")


def content_md5(path: str) -> str:
    """The Content-MD5 header value of the file's bytes: base64 of their MD5 digest."""
    digest = hashlib.md5()  # noqa: S324 - the header's algorithm, not a security use
    with open(path, "rb") as source:
        while data := source.read(CHUNK):
            digest.update(data)
    return base64.b64encode(digest.digest()).decode("ascii")
