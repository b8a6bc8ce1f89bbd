"""Server-side encryption flag at initiate: reported by ListMultipartUploads as Enable-Encryption (compared
without regard to case: the doc's table says TRUE/FALSE, its example "false"), and the completed object reads
back as the uploaded bytes (encrypted objects are decrypted on the way out). Nothing else is asserted: the
documentation says nothing more (e.g. no HEAD header for encryption)."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import listed_upload, md5_hex, payload, table

FLAGS = table("lifecycle")["encryption_flag"]


@pytest.mark.clause("initiate.encryption.reported")
@pytest.mark.parametrize("flag", [pytest.param(row, id=f"header-{row['header']}") for row in FLAGS])
def test_initiate_encryption_flag_listed(jss_client, jss_bucket, jss_key, flag):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, encryption=flag["header"])

    entry = listed_upload(jss_client, jss_bucket.name, jss_key, upload.upload_id)

    listed = entry.encrypted if entry else "(the upload is not listed)"
    ops.assert_value("the listed Enable-Encryption", listed, flag["listed"] == "true", decided_by=upload)


@pytest.mark.clause("initiate.encryption.default-false")
def test_initiate_without_encryption_listed_false(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    entry = listed_upload(jss_client, jss_bucket.name, jss_key, upload.upload_id)

    listed = entry.encrypted if entry else "(the upload is not listed)"
    ops.assert_value("the listed Enable-Encryption", listed, False, decided_by=upload)


@pytest.mark.clause("object.encryption.transparent")
def test_complete_encrypted_upload_reads_back_plain(jss_client, jss_bucket, jss_key):
    data = payload(4096, seed=7)
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, encryption=True)
    part = ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, data)
    ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, [(1, part.etag)])

    read_back = md5_hex(ops.get_object(jss_client, jss_bucket.name, jss_key).body)
    ops.assert_value("the MD5 of the object read back", read_back, md5_hex(data))
