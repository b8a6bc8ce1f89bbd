"""ListMultipartUploads from the upload index (issue 21 item 4) answers what the scan of every manifest
answered (its reference, kept for the deviations that filter or reorder): on random upload sets, prefixes,
markers and page sizes, on both wires' orders, and after complete, abort, an upload removed behind the
index's back, and a restart (the index built again from disk)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.reference import upload_index
from conformance.reference.config import ServerConfig
from conformance.reference.httpio import RequestContext
from conformance.reference.lists import scanned_jss_page
from conformance.reference.s3.listings import scanned_s3_page
from conformance.reference.storage import Storage
from conformance.reference.upload_pages import jss_page, s3_page
from conformance.reference.uploads import Uploads

BUCKET = "indexed"
#: Keys from a small alphabet (a multi-byte character, a delimiter-like "/") so that prefixes and markers
#: hit often; "é" sorts after "z" as UTF-8 bytes.
KEYS = st.text(alphabet="ab/zé", min_size=0, max_size=4).map(lambda text: "k" + text)
MARKER_IDS = st.sampled_from(["", "0" * 32, "F" * 32, "8" * 32])


def _storage(root: Path) -> Storage:
    storage = Storage(root, b"\0" * 32)
    storage.create_bucket(BUCKET, "alice", "cn-north-1")
    return storage


def _ctx(storage: Storage) -> RequestContext:
    config = ServerConfig(data_dir=storage.root)
    return RequestContext("GET", BUCKET, None, [], [], "cn-north-1", "test", config)


def _names(page: tuple[list[dict], bool]) -> tuple[list[tuple[str, str]], bool]:
    uploads, truncated = page
    return [(u["key"], u["upload_id"]) for u in uploads], truncated


def _assert_same_pages(storage: Storage, prefix: str, key_marker: str, id_marker: str, limit: int) -> None:
    ctx = _ctx(storage)
    jss = jss_page(ctx, storage, prefix, key_marker, id_marker, limit, 10000)
    assert _names(jss) == _names(scanned_jss_page(ctx, storage, prefix, key_marker, id_marker, limit))
    s3 = s3_page(ctx, storage, prefix, key_marker, id_marker, limit)
    assert _names(s3) == _names(scanned_s3_page(ctx, storage, prefix, key_marker, id_marker, limit))


def _walk_every_page(storage: Storage, prefix: str, limit: int) -> None:
    """Page through the whole listing on both orders with the markers each page returns."""
    for page in (jss_page, s3_page):
        key_marker = id_marker = ""
        for _ in range(100):
            args = (_ctx(storage), storage, prefix, key_marker, id_marker, limit)
            uploads, truncated = page(*args, 10000) if page is jss_page else page(*args)
            _assert_same_pages(storage, prefix, key_marker, id_marker, limit)
            if not truncated or not uploads:
                break
            key_marker, id_marker = uploads[-1]["key"], uploads[-1]["upload_id"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keys=st.lists(KEYS, min_size=0, max_size=25),
    prefix=st.text(alphabet="kab/zé", max_size=3),
    key_marker=st.one_of(st.just(""), KEYS),
    id_marker=MARKER_IDS,
    use_listed_id=st.booleans(),
    limit=st.integers(min_value=0, max_value=6),
    removed=st.lists(st.integers(min_value=0, max_value=24), max_size=6),
)
def test_the_index_answers_what_the_scan_answered(
    keys, prefix, key_marker, id_marker, use_listed_id, limit, removed
):
    with tempfile.TemporaryDirectory() as folder:
        storage = _storage(Path(folder) / "data")
        uploads = Uploads(storage)
        upload_index.bucket_index(storage, BUCKET)  # built while empty: every upload goes through add()
        ids = [uploads.create(BUCKET, {"key": key, "storage_class": "STANDARD", "encrypted": False})
               for key in keys]
        if use_listed_id and ids:  # a marker naming an upload that is listed (S3: right after it)
            listed = uploads.get(BUCKET, ids[len(ids) // 2])
            key_marker, id_marker = listed["key"], listed["upload_id"]
        _assert_same_pages(storage, prefix, key_marker, id_marker, limit)
        _walk_every_page(storage, prefix, max(limit, 1))
        for position in sorted(set(removed)):  # complete and abort both remove through Uploads.remove
            if position < len(ids):
                uploads.remove(BUCKET, ids[position])
        _assert_same_pages(storage, prefix, key_marker, id_marker, limit)
        upload_index.forget(storage)  # a restart: the index is built again from disk
        _assert_same_pages(storage, prefix, key_marker, id_marker, limit)
        _walk_every_page(storage, prefix, max(limit, 1))


def test_uploads_changed_behind_the_index_are_seen(tmp_path):
    storage = _storage(tmp_path / "data")
    uploads = Uploads(storage)
    ids = [uploads.create(BUCKET, {"key": f"k{n}", "storage_class": "STANDARD", "encrypted": False})
           for n in range(5)]
    folder = storage.bucket_dir(BUCKET) / "uploads"
    index = upload_index.bucket_index(storage, BUCKET)
    (folder / ids[1] / "upload.json").unlink()  # the manifest gone, the folder kept: dropped by the page
    page, truncated = jss_page(_ctx(storage), storage, "", "", "", 2, 10000)
    assert [u["upload_id"] for u in page] == [ids[0], ids[2]] and truncated
    assert upload_index.bucket_index(storage, BUCKET) is index
    assert ids[1] not in index.entries and len(index.jss) == len(index.s3) == 4
    shutil.rmtree(folder / ids[3])  # a folder removed, another added: the index is built again
    added = "F" * 32
    (folder / added).mkdir()
    storage.write_json(folder / added / "upload.json", {"key": "k9", "upload_id": added, "initiated": 1.0})
    page, truncated = jss_page(_ctx(storage), storage, "", "", "", 10, 10000)
    assert [u["upload_id"] for u in page] == [ids[0], ids[2], ids[4], added] and not truncated
    _assert_same_pages(storage, "", "", "", 10)


def test_the_index_counts_a_prefix_for_too_many_uploads(tmp_path):
    storage = _storage(tmp_path / "data")
    uploads = Uploads(storage)
    for n in range(4):
        uploads.create(BUCKET, {"key": f"a{n}", "storage_class": "STANDARD", "encrypted": False})
    uploads.create(BUCKET, {"key": "b", "storage_class": "STANDARD", "encrypted": False})
    index = upload_index.bucket_index(storage, BUCKET)
    assert (index.count(""), index.count("a"), index.count("a1"), index.count("c")) == (5, 4, 1, 0)
    ctx = _ctx(storage)
    for most, code in ((3, "TooManyMultipartUploads"), (4, None)):
        try:
            jss_page(ctx, storage, "a", "", "", 10, most)
            refused = None
        except Exception as exc:  # noqa: BLE001 - the JssError's code is what is compared
            refused = getattr(exc, "code", exc)
        assert refused == code


def _listed(api, bucket: str, query: str = "") -> list[tuple[str, str]]:
    response = api.call("GET", bucket, None, "uploads" + query)
    assert response.status_code == 200, response.text
    return [(u["Key"], u["UploadId"]) for u in response.json()["Upload"]]


def test_the_served_listing_follows_complete_abort_and_a_restart(tmp_path):
    from ref_helpers import USERS, Api

    from conformance.reference.launch import start_reference

    data_dir = tmp_path / "data"
    with start_reference(users=USERS, data_dir=data_dir) as process:
        api = Api(process)
        bucket = api.create_bucket()
        ids = {key: api.initiate(bucket, key) for key in ("a", "b", "c", "d")}
        assert [key for key, _ in _listed(api, bucket)] == ["a", "b", "c", "d"]
        etag = api.upload_part(bucket, "b", ids["b"], 1, b"part")
        assert api.complete(bucket, "b", ids["b"], [(1, etag)]).status_code == 200
        assert api.call("DELETE", bucket, "c", f"uploadId={ids['c']}").status_code == 204
        kept = [("a", ids["a"]), ("d", ids["d"])]
        assert _listed(api, bucket) == kept
        assert _listed(api, bucket, "&max-uploads=1&key-marker=a&upload-id-marker=" + ids["a"]) == kept[1:]
    with start_reference(users=USERS, data_dir=data_dir) as process:
        api = Api(process)
        assert _listed(api, bucket) == kept
        assert _listed(api, bucket, "&max-uploads=1") == kept[:1]
        api.initiate(bucket, "c")
        assert [key for key, _ in _listed(api, bucket)] == ["a", "c", "d"]


def test_the_servers_own_changes_do_not_rebuild_the_index(tmp_path, monkeypatch):
    storage = _storage(tmp_path / "data")
    uploads = Uploads(storage)
    builds = []
    build = upload_index._build
    monkeypatch.setattr(upload_index, "_build", lambda *args: builds.append(1) or build(*args))
    ids = [uploads.create(BUCKET, {"key": f"k{n}", "storage_class": "STANDARD", "encrypted": False})
           for n in range(50)]
    for upload_id in ids[::2]:
        uploads.remove(BUCKET, upload_id)
    jss_page(_ctx(storage), storage, "", "", "", 10, 10000)
    assert len(builds) == 1  # the first use of the bucket's index, none after
    _assert_same_pages(storage, "", "", "", 30)
