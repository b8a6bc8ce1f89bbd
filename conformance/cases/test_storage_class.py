"""Storage-class defaults: no header and an explicit STANDARD both give STANDARD, as observed through
ListParts, ListMultipartUploads and the completed object's HEAD; an unknown class is rejected."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import STANDARD, STORAGE_CLASS_OBSERVERS, observer_params, table


@pytest.mark.clause("initiate.storage-class.default")
@pytest.mark.parametrize("observer", observer_params())
def test_initiate_without_storage_class_is_standard(jss_client, jss_bucket, jss_key, observer):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    observed = STORAGE_CLASS_OBSERVERS[observer](jss_client, jss_bucket.name, jss_key, upload.upload_id)

    ops.assert_value("the storage class of the upload", observed, STANDARD, decided_by=upload)


@pytest.mark.clause("initiate.storage-class.standard")
@pytest.mark.parametrize("observer", observer_params())
def test_initiate_standard_storage_class_is_standard(jss_client, jss_bucket, jss_key, observer):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, storage_class=STANDARD)

    observed = STORAGE_CLASS_OBSERVERS[observer](jss_client, jss_bucket.name, jss_key, upload.upload_id)

    ops.assert_value("the storage class of the upload", observed, STANDARD, decided_by=upload)


@pytest.mark.clause("initiate.storage-class.unknown")
@pytest.mark.parametrize("value", table("storage_class")["unknown_values"])
def test_initiate_unknown_storage_class_rejected(jss_client, jss_bucket, jss_key, jss_expect, value):
    ops.require_unknown_storage_class(jss_client, value)
    answer = ops.answer_of(ops.initiate, jss_client, jss_bucket.name, jss_key, storage_class=value)

    ops.assert_error(
        answer, jss_expect["unknown_storage_class_status"], jss_expect["unknown_storage_class_code"]
    )
