"""The per-account body bound on the S3 wire (issue 21 item 4): a CompleteMultipartUpload body beyond the
account's slots is answered 503 SlowDown as the Error XML, with Retry-After."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit
from xml.etree import ElementTree

from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from ref_helpers import ALICE, USERS
from s3_signing import _GivenPayloadAuth, signed_request

from conformance.reference.launch import start_reference

UNSIGNED = "UNSIGNED-PAYLOAD"
#: A complete body this large takes an account slot (more than 64 KiB).
LARGE = 70 * 1024


def _signed_head(endpoint: str, method: str, target: str, headers: dict[str, str]) -> bytes:
    """A SigV4-signed request head (UNSIGNED-PAYLOAD) for `target`, to send by hand."""
    headers = {**headers, "x-amz-content-sha256": UNSIGNED}
    request = AWSRequest(method=method, url=endpoint + target, headers=headers)
    auth = _GivenPayloadAuth(Credentials(ALICE.access_key, ALICE.secret_key), "cn-north-1", UNSIGNED)
    auth.add_auth(request)
    prepared = request.prepare()
    lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in prepared.headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _code(response) -> str:
    return ElementTree.fromstring(response.content).findtext("Code")


def test_a_body_past_the_account_slots_is_answered_503_slowdown_xml_with_retry_after(tmp_path):
    args = ["--wire", "s3", "--max-bodies-per-account", "1", "--body-slot-wait", "0.5"]
    with start_reference(users=USERS, data_dir=tmp_path / "data", extra_args=args) as process:
        endpoint = process.endpoints["cn-north-1"]
        assert signed_request(endpoint, "PUT", "/fair-s3").status_code == 200
        upload_ids = []
        for key in ("held", "probe"):
            response = signed_request(endpoint, "POST", f"/fair-s3/{key}?uploads=")
            assert response.status_code == 200, response.text
            upload_ids.append(ElementTree.fromstring(response.content).findtext("{*}UploadId"))
        parts = urlsplit(endpoint)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as holder:
            head = _signed_head(endpoint, "POST", f"/fair-s3/held?uploadId={upload_ids[0]}",
                                {"Content-Length": str(LARGE), "Host": parts.netloc})
            holder.sendall(head + b"<CompleteMultipartUpload>")
            deadline, refused = time.monotonic() + 10, None
            while refused is None and time.monotonic() < deadline:
                # Not a part list: if it got the slot first, a 400 that changes nothing; then again.
                target = f"/fair-s3/probe?uploadId={upload_ids[1]}"
                response = signed_request(endpoint, "POST", target, body=b"x" * LARGE)
                if response.status_code == 503:
                    refused = response
        assert refused is not None, "no complete body of the account was refused while its slot was held"
        assert _code(refused) == "SlowDown"
        assert int(refused.headers["Retry-After"]) >= 1
        assert "x-amz-request-id" in refused.headers
