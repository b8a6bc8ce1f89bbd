"""The S3 wire's payload forms for UploadPart, signed with conformance.sigv4 (the suite's own SigV4):

- ``signed``: ``x-amz-content-sha256`` is the part's hex SHA-256 (the client hashes every byte, the server
  checks it);
- ``unsigned``: UNSIGNED-PAYLOAD (no body hash on either side);
- ``chunked``: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, the part framed in aws-chunked chunks of `CHUNK_SIZE`, each
  with its chained chunk signature (the client hashes and signs every chunk, the server verifies each).

The other calls (initiate, complete, HEAD, delete) go as `S3Wire` sends them; only the parts, the bytes that
make the throughput, change form.
"""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import urlsplit

from conformance import sigv4

from .wire import Body, Query, WireError, encode_query, object_path, strip_quotes
from .wire_s3 import S3Wire

FORMS = ("signed", "unsigned", "chunked")
CHUNK_SIZE = 64 * 1024  # the AWS SDK for JavaScript's and the Go SDK's chunk size


def _amz_date() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def chunk_signed_body(body: Body, key: bytes, amz_date: str, scope: str, seed: str) -> bytes:
    """`body` in aws-chunked framing, every chunk (and the final empty one) signed, chained on `seed`."""
    view = memoryview(body)
    chunks = [view[i : i + CHUNK_SIZE] for i in range(0, len(view), CHUNK_SIZE)] + [b""]
    signatures = sigv4.chunk_signatures(key, amz_date, scope, seed, chunks)
    out = bytearray()
    for chunk, signature in zip(chunks, signatures, strict=True):
        out += b"%x;chunk-signature=%s\r\n" % (len(chunk), signature.encode())
        out += chunk
        out += b"\r\n"
    return bytes(out)


class S3FormWire(S3Wire):
    """An S3 wire whose UploadPart sends its body in one of `FORMS`."""

    def __init__(self, form: str, *args, **kwargs) -> None:
        if form not in FORMS:
            raise ValueError(f"unknown S3 payload form {form!r} (known: {', '.join(FORMS)})")
        super().__init__(*args, **kwargs)
        self.form = form

    def _signed_headers(self, method: str, url: str, headers: dict[str, str], content_hash: str) -> dict:
        """`headers` with Host, X-Amz-Date, X-Amz-Content-SHA256 and the SigV4 Authorization added."""
        split = urlsplit(url)
        amz_date = _amz_date()
        headers = {**headers, "host": split.netloc, "x-amz-date": amz_date}
        headers["x-amz-content-sha256"] = content_hash
        target = split.path + (f"?{split.query}" if split.query else "")
        signed = sigv4.sign(method, target, headers, list(headers), content_hash,
                            self._credentials.secret_key, amz_date, self._region)
        headers["authorization"] = sigv4.authorization_header(
            self._credentials.access_key, signed.scope, list(headers), signed.signature
        )
        return headers

    def upload_part(self, key: str, upload_id: str, number: int, body: Body) -> str:
        """Upload one part in this wire's form; return its ETag without quotes."""
        query: Query = [("partNumber", str(number)), ("uploadId", upload_id)]
        url = self.endpoint + object_path(self.bucket, key) + "?" + encode_query(query)
        if self.form == "chunked":
            headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(body))}
            headers = self._signed_headers("PUT", url, headers, sigv4.STREAMING_PAYLOAD)
            amz_date = headers["x-amz-date"]
            signing_key = sigv4.signing_key(self._credentials.secret_key, amz_date, self._region, "s3")
            scope = sigv4.credential_scope(amz_date, self._region, "s3")
            seed = sigv4.parse_authorization(headers["authorization"]).signature
            data: Body = chunk_signed_body(body, signing_key, amz_date, scope, seed)
        else:
            signed = self.form == "signed"
            content_hash = hashlib.sha256(body).hexdigest() if signed else sigv4.UNSIGNED_PAYLOAD
            headers, data = self._signed_headers("PUT", url, {}, content_hash), body
        response = self.session.request("PUT", url, data=data, headers=headers, timeout=self.timeout)
        if response.status_code != 200:
            raise WireError(f"s3-{self.form} PUT part {number} -> {response.status_code} "
                            f"{response.content[:300]!r}")
        return strip_quotes(response.headers.get("ETag", ""))

