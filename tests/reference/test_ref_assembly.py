"""Assembly of the parts of a completed upload into the object file (in process: reference.complete)."""

from __future__ import annotations

import os
import stat

import pytest

from conformance.reference import complete
from conformance.reference.concat import ConcatReader, Pins


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


def test_concat_reader_reads_the_files_end_to_end_from_any_position(parts):
    paths, expected = parts
    with ConcatReader(paths) as reader:
        for start in range(len(expected) + 1):
            for count in (1, 5, 13, len(expected)):
                reader.seek(start)
                assert reader.read(count) == expected[start : start + count], (start, count)


def test_pinned_files_are_unlinked_only_after_their_last_reader_closes(parts):
    paths, expected = parts
    pins = Pins()
    pins.pin(paths)
    pins.pin(paths[:1])
    with ConcatReader(paths, on_close=lambda: pins.release(paths)) as reader:
        for path in paths:
            pins.unlink(path)
        assert all(path.exists() for path in paths)
        assert reader.read(len(expected)) == expected
    assert [path.exists() for path in paths] == [True, False, False]
    pins.release(paths[:1])
    assert not paths[0].exists()
    unpinned = paths[0].with_name("unpinned")
    unpinned.write_bytes(b"x")
    pins.unlink(unpinned)
    assert not unpinned.exists()


class _Temp:
    def __init__(self, folder):
        self.folder, self.count = folder, 0

    def temp_path(self, label):
        self.count += 1
        return self.folder / f"{label}.{self.count}"


def test_few_parts_are_linked_not_copied(parts, tmp_path):
    paths, expected = parts
    (tmp_path / "tmp").mkdir()
    linked = complete._gather(paths, _Temp(tmp_path / "tmp"), len(paths))
    assert [os.stat(p).st_ino for p in linked] == [os.stat(p).st_ino for p in paths]
    with ConcatReader(linked) as reader:
        assert reader.read(len(expected) + 10) == expected


def test_many_parts_are_copied_into_one_file(parts, tmp_path):
    paths, expected = parts
    (tmp_path / "tmp").mkdir()
    assembled = complete._gather(paths, _Temp(tmp_path / "tmp"), len(paths) - 1)
    assert assembled.read_bytes() == expected
