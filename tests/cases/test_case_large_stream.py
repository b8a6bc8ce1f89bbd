"""The generated large object (conformance.cases.streams): deterministic, position-addressable, hashed as
sent, dropped on request, and the download digests agree with the upload side."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests

from conformance.cases.streams import (
    BLOCK,
    DownloadDigests,
    DroppedConnection,
    GeneratedObject,
    object_digest,
    parse_size,
)

SOURCE = GeneratedObject("test", 2 * BLOCK + 12345, BLOCK + 7)


def _read_all(stream, chunk: int = 16384) -> bytes:
    out = bytearray()
    while data := stream.read(chunk):
        out += data
    return bytes(out)


def _whole(source: GeneratedObject) -> bytes:
    return b"".join(source.block(i) for i in range(-(-source.size // BLOCK)))[: source.size]


def test_case_stream_parts_cover_the_object_and_hash_what_they_send():
    whole = _whole(SOURCE)
    parts = [SOURCE.part(n) for n in range(1, SOURCE.part_count + 1)]
    data = [_read_all(p) for p in parts]
    assert b"".join(data) == whole
    assert [p.md5.hexdigest() for p in parts] == [hashlib.md5(d).hexdigest() for d in data]
    assert [len(d) for d in data] == [BLOCK + 7, BLOCK + 7, 12345 - 14]


def test_case_stream_seek_to_start_restarts_the_hashes():
    part = SOURCE.part(2)
    _read_all(part)
    part.seek(0)
    data = _read_all(part, 1000)
    assert part.md5.hexdigest() == hashlib.md5(data).hexdigest()
    assert part.seek(0, io.SEEK_END) == BLOCK + 7


def test_case_stream_drops_after_the_given_bytes():
    part = SOURCE.part(1, drop_after=1000)
    assert len(part.read(4000)) == 1000
    with pytest.raises(DroppedConnection):
        part.read(1)


def test_case_stream_has_a_content_length_for_requests():
    prepared = requests.Request("PUT", "http://127.0.0.1/x", data=SOURCE.part(3)).prepare()
    assert prepared.headers["Content-Length"] == str(12345 - 14)
    assert "Transfer-Encoding" not in prepared.headers


def test_case_download_digests_match_the_upload_side():
    parts = [SOURCE.part(n) for n in range(1, SOURCE.part_count + 1)]
    whole = b"".join(_read_all(p) for p in parts)
    digests = DownloadDigests(SOURCE.part_size)
    for start in range(0, len(whole), 70000):
        digests.update(whole[start:start + 70000])
    digests.finish()
    assert digests.size == SOURCE.size
    assert digests.part_md5 == [p.md5.hexdigest() for p in parts]
    assert digests.digest == object_digest([p.sha256.digest() for p in parts])


@pytest.mark.parametrize(("text", "size"), [("512MiB", 512 * 2**20), ("20 MiB", 20 * 2**20), ("1000", 1000),
                                            ("3kib", 3072), ("1GiB", 2**30)])
def test_case_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5MiB", "2 PiB", "MiB"])
def test_case_parse_size_refuses(text):
    with pytest.raises(ValueError):
        parse_size(text)
