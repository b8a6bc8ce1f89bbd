"""The aws-chunked decoder of the S3 front (``conformance.reference.s3.payload``), fed in every split: the
decoded bytes, the trailer checked, and the malformed frames refused with 400."""

from __future__ import annotations

import base64
import zlib

import pytest

from conformance.reference.errors import JssError
from conformance.reference.s3.payload import _ChunkedDecoder

DATA = b"0123456789abcdef" * 5


def _trailer(data: bytes) -> bytes:
    return b"x-amz-checksum-crc32:" + base64.b64encode(zlib.crc32(data).to_bytes(4, "big")) + b"\r\n"


def _framed(data: bytes, size: int = 7, trailer: bytes | None = None) -> bytes:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    return body + b"0\r\n" + (trailer if trailer is not None else _trailer(data)) + b"\r\n"


def _decode(body: bytes, split: int) -> bytes:
    decoder = _ChunkedDecoder("crc32")
    out = b"".join(decoder.feed(body[i : i + split]) for i in range(0, len(body), split))
    decoder.check_end()
    return out


@pytest.mark.parametrize("split", [1, 2, 5, 13, 4096])
def test_ref_s3_chunked_decodes_in_any_split(split):
    assert _decode(_framed(DATA), split) == DATA


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_framed(DATA, trailer=_trailer(b"other")), "BadDigest"),
        (_framed(DATA, trailer=b""), "MalformedTrailerError"),
        (_framed(DATA)[:-2], "IncompleteBody"),
        (_framed(DATA) + b"extra", "IncompleteBody"),
        (b"zz\r\n", "IncompleteBody"),
        (b"3\r\nabcd\r\n0\r\n\r\n", "IncompleteBody"),
    ],
    ids=["wrong-trailer", "no-trailer", "truncated", "trailing-bytes", "bad-size", "chunk-longer-than-size"],
)
def test_ref_s3_chunked_refuses_malformed_bodies(body, code):
    with pytest.raises(JssError) as info:
        _decode(body, 3)
    assert (info.value.status, info.value.code) == (400, code)
