"""Assembly of the parts of a completed upload into the object file (in process: reference.complete)."""

from __future__ import annotations

import os
import stat

import pytest

from conformance.reference import complete


@pytest.fixture
def parts(tmp_path):
    """Three part files of different sizes."""
    contents = [b"first part ", b"", b"third part, the longest of them"]
    paths = []
    for index, data in enumerate(contents):
        path = tmp_path / f"part-{index}"
        path.write_bytes(data)
        paths.append(path)
    return paths, b"".join(contents)


def test_parts_are_concatenated_in_the_given_order(parts, tmp_path):
    paths, expected = parts
    complete._assemble(paths, tmp_path / "object")
    assert (tmp_path / "object").read_bytes() == expected


def test_assembled_file_is_readable_by_its_owner_only(parts, tmp_path):
    complete._assemble(parts[0], tmp_path / "object")
    assert stat.S_IMODE(os.stat(tmp_path / "object").st_mode) == 0o600


def test_an_existing_target_is_never_overwritten(parts, tmp_path):
    (tmp_path / "object").write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        complete._assemble(parts[0], tmp_path / "object")
    assert (tmp_path / "object").read_bytes() == b"precious"


def test_copies_in_chunks(parts, tmp_path, monkeypatch):
    monkeypatch.setattr(complete, "COPY_CHUNK", 4)
    paths, expected = parts
    complete._assemble(paths, tmp_path / "object")
    assert (tmp_path / "object").read_bytes() == expected


def test_falls_back_to_sendfile_where_copy_file_range_is_refused(parts, tmp_path, monkeypatch):
    def refused(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refused)
    monkeypatch.setattr(complete, "COPY_CHUNK", 5)
    paths, expected = parts
    complete._assemble(paths, tmp_path / "object")
    assert (tmp_path / "object").read_bytes() == expected


def test_a_source_that_shrinks_while_copied_is_an_error(parts, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "copy_file_range", lambda *args: 0)
    with pytest.raises(OSError):  # not an endless loop
        complete._assemble(parts[0], tmp_path / "object")
