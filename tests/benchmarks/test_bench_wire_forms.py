"""The wire comparison of benchmarks/upload_throughput.py (``--wires``) at a smoke size: each of the four
wires (JSS; S3 signed payload, UNSIGNED-PAYLOAD, chunk-signed) uploads a 6 MiB multipart object to the
reference endpoint and gets the object it sent; the benchmark's chunk-signed framing is what the endpoint's
decoder verifies."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from benchlib.payload import Payload  # noqa: E402
from benchlib.report import MiB  # noqa: E402
from benchlib.wire_forms import FORM_LABELS, JSS_NAME, wire_servers  # noqa: E402
from benchlib.wire_s3_forms import CHUNK_SIZE, chunk_signed_body  # noqa: E402

from conformance.reference.errors import JssError  # noqa: E402
from conformance.reference.s3.chunked import ChunkedDecoder  # noqa: E402
from conformance.reference.s3.sigv4_check import StreamSigning  # noqa: E402

SMOKE_SIZE, SMOKE_PART = 6 * MiB, 5 * MiB
SIGNING = StreamSigning.of_request("bench-secret", "20261207T080000Z", "cn-north-1", "s3", "b" * 64)


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE * 3 + 17])
def test_bench_chunk_signed_body_is_what_the_endpoint_verifies(size):
    body = bytes(range(256)) * (size // 256) + bytes(size % 256)
    framed = chunk_signed_body(body, SIGNING.key, SIGNING.amz_date, SIGNING.scope, SIGNING.seed)
    decoder = ChunkedDecoder(None, SIGNING)
    assert decoder.feed(framed) == body
    decoder.check_end(len(body))


def test_bench_chunk_signed_body_with_another_seed_is_refused():
    framed = chunk_signed_body(b"x" * 100, SIGNING.key, SIGNING.amz_date, SIGNING.scope, "c" * 64)
    with pytest.raises(JssError) as info:
        ChunkedDecoder(None, SIGNING).feed(framed)
    assert info.value.code == "SignatureDoesNotMatch"


def test_bench_every_wire_uploads_the_smoke_payload():
    payload = Payload(SMOKE_SIZE, SMOKE_PART)
    with ExitStack() as stack:
        session = stack.enter_context(requests.Session())
        servers = wire_servers(stack, session, timeout=60)
        assert [server.name for server in servers] == list(FORM_LABELS)
        assert servers[0].name == JSS_NAME
        for server in servers:
            wire, key = server.wire, f"smoke/{server.name}.bin"
            upload_id = wire.initiate(key)
            numbers = range(1, payload.part_count + 1)
            etags = [wire.upload_part(key, upload_id, n, payload.part(n)) for n in numbers]
            assert etags == payload.part_etags, server.name
            expected = payload.jss_etag if wire.dialect == "jss" else payload.s3_etag
            assert wire.complete(key, upload_id, etags) == expected, server.name
            assert wire.head(key) == (SMOKE_SIZE, expected), server.name
