"""The aws-chunked decoder of the S3 front (``conformance.reference.s3.payload``), fed in every split: the
decoded bytes, the trailer checked, and the malformed frames refused with 400."""

from __future__ import annotations

import base64
import zlib

import pytest

from conformance import sigv4
from conformance.reference.errors import JssError
from conformance.reference.s3.chunked import ChunkedDecoder
from conformance.reference.s3.sigv4_check import StreamSigning

DATA = b"0123456789abcdef" * 5


def _trailer(data: bytes) -> bytes:
    return b"x-amz-checksum-crc32:" + base64.b64encode(zlib.crc32(data).to_bytes(4, "big")) + b"\r\n"


def _framed(data: bytes, size: int = 7, trailer: bytes | None = None) -> bytes:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    return body + b"0\r\n" + (trailer if trailer is not None else _trailer(data)) + b"\r\n"


def _decode(body: bytes, split: int) -> bytes:
    decoder = ChunkedDecoder("crc32")
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


def _signed_frames(signing: StreamSigning, data: bytes, size: int, wrong: int | None = None) -> list[bytes]:
    chunks = [data[i : i + size] for i in range(0, len(data), size)] + [b""]
    signatures = sigv4.chunk_signatures(signing.key, signing.amz_date, signing.scope, signing.seed, chunks)
    if wrong is not None:
        signatures[wrong] = "f" * 64
    frames = [
        b"%x;chunk-signature=%s\r\n%s" % (len(c), s.encode(), c + b"\r\n" if c else b"")
        for c, s in zip(chunks, signatures, strict=True)
    ]
    return [*frames, b"\r\n"]


SIGNING = StreamSigning.of_request("secret", "20261207T080000Z", "cn-north-1", "s3", "a" * 64)


@pytest.mark.parametrize("split", [1, 7, 4096])
def test_ref_s3_signed_chunks_decode_in_any_split(split):
    decoder = ChunkedDecoder(None, SIGNING)
    body = b"".join(_signed_frames(SIGNING, DATA, 16))
    out = b"".join(decoder.feed(body[i : i + split]) for i in range(0, len(body), split))
    decoder.check_end(len(DATA))
    assert out == DATA


@pytest.mark.parametrize("wrong", [0, 3, 5])
def test_ref_s3_signed_chunk_mismatch_is_raised_at_that_chunk(wrong):
    decoder = ChunkedDecoder(None, SIGNING)
    frames = _signed_frames(SIGNING, DATA, 16, wrong=wrong)  # 5 chunks of 16 bytes, the final empty one
    for frame in frames[:wrong]:
        decoder.feed(frame)
    with pytest.raises(JssError) as info:
        decoder.feed(frames[wrong])
    assert (info.value.status, info.value.code) == (403, "SignatureDoesNotMatch")
