"""Encryption at rest: AES-256-GCM, one random 96-bit nonce per stored file (segment).

Key handling:
- The key is 32 bytes. If the environment variable ``JSS_REFERENCE_SSE_KEY`` is set, it is the key, written as
  64 hex characters or as base64 of 32 bytes (anything else refuses to start). Nothing is written to disk.
- Otherwise the key lives in ``<data-dir>/keys/sse.key`` (32 raw bytes). The first start of a data dir creates
  it from ``os.urandom`` with ``O_CREAT | O_EXCL`` and mode 0600 (the ``keys`` folder is 0700); later starts
  read it back, so a data dir stays readable across restarts. Deleting the file makes the encrypted objects of
  that data dir unreadable. The key is never logged.

Stored segment layout: ``nonce (12 bytes) || ciphertext || GCM tag (16 bytes)``; the plaintext size is kept in
the object's or part's metadata. An encrypted object assembled from parts is the concatenation of its parts'
segments, so completing an encrypted upload copies ciphertext and never decrypts. A reader decrypts a segment
as a stream and verifies its tag at the segment's end. The first piece of a response is decrypted before the
status line is sent, so a tampered small object is a 500 JSON error; past that, a mismatch aborts the
response.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_ENV = "JSS_REFERENCE_SSE_KEY"
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
SEGMENT_OVERHEAD = NONCE_SIZE + TAG_SIZE
READ_CHUNK = 1024 * 1024


class SseKeyError(ValueError):
    """The key in the environment is malformed."""


def _key_from_env(value: str) -> bytes:
    value = value.strip()
    try:
        key = bytes.fromhex(value) if len(value) == 2 * KEY_SIZE else base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise SseKeyError(f"{KEY_ENV} must be 64 hex characters or base64 of 32 bytes") from exc
    if len(key) != KEY_SIZE:
        raise SseKeyError(f"{KEY_ENV} must hold exactly 32 bytes")
    return key


def load_or_create_key(data_dir: Path) -> bytes:
    """The data dir's encryption key (see the module docstring for where it comes from)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return _key_from_env(from_env)
    key_dir = data_dir / "keys"
    key_dir.mkdir(mode=0o700, exist_ok=True)
    key_path = key_dir / "sse.key"
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = key_path.read_bytes()
        if len(key) != KEY_SIZE:
            raise SseKeyError(f"{key_path} does not hold a 32-byte key") from None
        return key
    key = os.urandom(KEY_SIZE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class SegmentEncryptor:
    """Encrypts one stored file: ``header()`` first, then ``update()`` per chunk, then ``finalize()``."""

    def __init__(self, key: bytes) -> None:
        self.nonce = os.urandom(NONCE_SIZE)
        self._encryptor = Cipher(algorithms.AES(key), modes.GCM(self.nonce)).encryptor()

    def header(self) -> bytes:
        """The bytes that open the segment (the nonce)."""
        return self.nonce

    def update(self, plaintext: bytes) -> bytes:
        """Ciphertext for `plaintext`."""
        return self._encryptor.update(plaintext)

    def finalize(self) -> bytes:
        """The bytes that close the segment (remaining ciphertext and the tag)."""
        tail = self._encryptor.finalize()
        return tail + self._encryptor.tag


def decrypt_segment(
    key: bytes, handle: BinaryIO, segment_start: int, plain_size: int, skip: int = 0, take: int | None = None
) -> Iterator[bytes]:
    """Plaintext of the segment at `segment_start` in `handle`: `take` bytes (default all) from `skip`.

    The whole segment is decrypted so its tag is checked; InvalidTag is raised at its end when it does not
    verify. The last piece (up to 1 MiB) is held back until the tag verifies, so a tampered segment of up to
    1 MiB yields nothing; for a longer one, bytes already yielded cannot be taken back (the caller aborts).
    """
    take = plain_size - skip if take is None else take
    handle.seek(segment_start + NONCE_SIZE + plain_size)
    tag = handle.read(TAG_SIZE)
    handle.seek(segment_start)
    nonce = handle.read(NONCE_SIZE)
    decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
    position, remaining = 0, plain_size
    withheld = b""  # the last piece is only released once the tag has verified
    while remaining:
        chunk = handle.read(min(READ_CHUNK, remaining))
        if not chunk:
            raise ValueError("encrypted segment is truncated")
        remaining -= len(chunk)
        plain = decryptor.update(chunk)
        low, high = max(skip - position, 0), min(skip + take - position, len(plain))
        position += len(plain)
        if withheld:
            yield withheld
        withheld = plain[low:high] if low < high else b""
    decryptor.finalize()
    if withheld:
        yield withheld
