"""Every line of what a request signs, on both wires: a request that includes the line, signed correctly, is
accepted; the same request signed over a text in which only that line differs is refused with 403
SignatureDoesNotMatch (the code is asserted, never the message).

The rows are fixtures/cases/signature_lines.toml; the one-line change is conformance.signed_lines'.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance import operations as ops
from conformance.cases.support import md5_hex, params, small_part, table
from conformance.client import SigningOptions
from conformance.signed_lines import line_changer

LINES = table("signature_lines")["line"]

Send = Callable[[SigningOptions | None], object]


def _request(operation: str, client, bucket: str, key: str, headers: dict[str, str]) -> Send:
    """A function sending the row's request with the given signing (an upload is initiated first for the
    operations that take an UploadId)."""
    if operation == "initiate":
        return lambda signing: ops.initiate(client, bucket, key, headers=headers, signing=signing)
    upload_id = ops.initiate(client, bucket, key).upload_id
    if operation == "upload_part":
        return lambda signing: ops.upload_part(
            client, bucket, key, upload_id, 1, small_part(), headers=headers, signing=signing
        )
    if operation == "list_parts":
        return lambda signing: ops.list_parts(client, bucket, key, upload_id, signing=signing)
    raise ValueError(f"unknown operation {operation!r} in signature_lines.toml")


def _headers(row) -> dict[str, str]:
    values = {"part_md5": md5_hex(small_part())}
    return {name: value.format(**values) for name, value in row.get("headers", {}).items()}


@pytest.mark.clause("signature.wrong-signature")
@pytest.mark.parametrize("row", params(LINES))
def test_multipart_signed_line_included_accepted_and_changed_alone_rejected(
    jss_client, jss_bucket, jss_key, row
):
    send = _request(row["operation"], jss_client, jss_bucket.name, jss_key, _headers(row))
    changed = SigningOptions(alter_signed=line_changer(row["wire"], row["line"], row["change"]))

    with ops.checking(row["clause"]):
        send(None)  # signed over the request as sent: any 2xx
    answer = ops.answer_of(send, changed)

    with ops.checking(row["clause"], "signature.wrong-signature"):
        ops.assert_error(answer, 403, "SignatureDoesNotMatch")
