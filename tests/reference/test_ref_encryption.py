"""Encryption at rest: encrypted puts and encrypted uploads are stored with AES-GCM, decrypted on GET."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from ref_helpers import MiB, assert_error, md5_hex

from conformance.reference.crypto import KEY_ENV

PART = 5 * MiB


def recognisable_plaintext(size: int) -> tuple[bytes, bytes]:
    """A body made of one random 32-byte marker repeated, and the marker."""
    marker = os.urandom(16).hex().encode()
    return (marker * (size // len(marker) + 1))[:size], marker


def files_containing(root: Path, needle: bytes) -> list[Path]:
    """Every regular file under `root` whose bytes contain `needle` (a file the server deletes in the
    background while the walk runs, e.g. a completed upload's trash, holds nothing any more)."""
    found = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                found.append(path)
        except FileNotFoundError:
            continue
    return found


def test_encrypted_put_is_not_stored_in_plaintext(api, reference, north_bucket, key):
    body, marker = recognisable_plaintext(200_000)
    api.put(north_bucket, key, body, {"x-jss-server-side-encryption": "true"})
    assert files_containing(reference.data_dir, marker) == []
    got = api.call("GET", north_bucket, key)
    assert got.content == body and got.headers["ETag"] == f'"{md5_hex(body)}"'


def test_unencrypted_put_is_stored_as_is(api, reference, north_bucket, key):
    # the control of the test above: the search does find a plaintext object
    body, marker = recognisable_plaintext(1000)
    api.put(north_bucket, key, body)
    assert files_containing(reference.data_dir, marker) != []


def test_encrypted_upload_parts_and_object_are_not_stored_in_plaintext(api, reference, north_bucket, key):
    body, marker = recognisable_plaintext(2 * PART + 12345)
    parts = [body[:PART], body[PART : 2 * PART], body[2 * PART :]]
    upload_id = api.initiate(north_bucket, key, {"x-jss-server-side-encryption": "true"})
    etags = [api.upload_part(north_bucket, key, upload_id, n, data) for n, data in enumerate(parts, 1)]
    assert files_containing(reference.data_dir, marker) == []  # the parts, at rest
    response = api.complete(north_bucket, key, upload_id, list(enumerate(etags, 1)))
    assert response.status_code == 200
    assert response.json()["ETag"] == hashlib.md5("".join(etags).encode()).hexdigest()
    assert files_containing(reference.data_dir, marker) == []  # the object, at rest
    got = api.call("GET", north_bucket, key)
    assert got.content == body
    assert got.headers["x-jss-server-side-encryption"] == "true"


def test_range_of_encrypted_multipart_object_across_parts(api, north_bucket, key):
    body = os.urandom(PART + 3000)
    upload_id = api.initiate(north_bucket, key, {"x-jss-server-side-encryption": "true"})
    one = api.upload_part(north_bucket, key, upload_id, 1, body[:PART])
    two = api.upload_part(north_bucket, key, upload_id, 2, body[PART:])
    assert api.complete(north_bucket, key, upload_id, [(1, one), (2, two)]).status_code == 200
    for start, end in (
        (PART - 10, PART + 10),
        (0, 0),
        (PART, PART + 2999),
        (17, MiB + 5),
        (2 * MiB, 3 * MiB),
    ):
        response = api.call("GET", north_bucket, key, headers={"Range": f"bytes={start}-{end}"})
        assert response.status_code == 206
        assert response.content == body[start : end + 1], (start, end)


def test_key_file_is_private(reference, api, north_bucket, key):
    api.put(north_bucket, key, b"x", {"x-jss-server-side-encryption": "true"})
    key_file = reference.data_dir / "keys" / "sse.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert len(key_file.read_bytes()) == 32


def test_tampered_encrypted_object_is_a_500_not_plaintext_garbage(make_reference):
    server = make_reference()
    bucket = server.create_bucket()
    server.put(bucket, "k", b"authentic content", {"x-jss-server-side-encryption": "true"})
    data_files = [p for p in (server.reference.data_dir / "buckets").rglob("*.data")]
    assert len(data_files) == 1
    stored = bytearray(data_files[0].read_bytes())
    stored[15] ^= 0x01  # a ciphertext byte
    data_files[0].write_bytes(bytes(stored))
    assert_error(server.call("GET", bucket, "k"), 500, "InternalError")


def test_key_from_environment_and_state_across_restarts(make_reference, monkeypatch, tmp_path):
    monkeypatch.setenv(KEY_ENV, "11" * 32)
    data_dir = tmp_path / "data"
    first = make_reference(data_dir=data_dir)
    bucket = first.create_bucket()
    first.put(bucket, "k", b"kept across restarts", {"x-jss-server-side-encryption": "true"})
    upload_id = first.initiate(bucket, "pending")
    first.reference.stop()
    assert not (data_dir / "keys").exists()  # the key came from the environment
    second = make_reference(data_dir=data_dir)
    assert second.call("GET", bucket, "k").content == b"kept across restarts"
    assert second.call("GET", bucket, "pending", f"uploadId={upload_id}").status_code == 200


@pytest.mark.parametrize("bad_key", ["abc", "zz" * 32, "QUJD"])
def test_malformed_key_in_environment_refuses_to_start(make_reference, monkeypatch, bad_key):
    from conformance.reference.launch import ReferenceStartError

    monkeypatch.setenv(KEY_ENV, bad_key)
    with pytest.raises(ReferenceStartError, match=KEY_ENV):
        make_reference()
