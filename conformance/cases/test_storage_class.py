"""Storage-class defaults: no header and an explicit STANDARD both give STANDARD, as observed through
ListParts, ListMultipartUploads and the completed object's HEAD in one case (each observer's report a clause
of its own: conformance.cases.storage_observation); an unknown class is rejected."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.storage_observation import REPORTED_CLAUSES, judge_class, observe
from conformance.cases.support import STANDARD, table


@pytest.mark.clause("initiate.storage-class.default", *REPORTED_CLAUSES)
def test_initiate_without_storage_class_is_standard(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    checks = ops.Observations()

    observed = observe(checks, jss_client, jss_bucket.name, jss_key, upload.upload_id, STANDARD)

    judge_class(checks, "initiate.storage-class.default", observed, STANDARD, upload)
    checks.settle()


@pytest.mark.clause("initiate.storage-class.standard", *REPORTED_CLAUSES)
def test_initiate_standard_storage_class_is_standard(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, storage_class=STANDARD)
    checks = ops.Observations()

    observed = observe(checks, jss_client, jss_bucket.name, jss_key, upload.upload_id, STANDARD)

    judge_class(checks, "initiate.storage-class.standard", observed, STANDARD, upload)
    checks.settle()


@pytest.mark.clause("initiate.storage-class.unknown")
@pytest.mark.parametrize("value", table("storage_class")["unknown_values"])
def test_initiate_unknown_storage_class_rejected(jss_client, jss_bucket, jss_key, jss_expect, value):
    ops.require_unknown_storage_class(jss_client, value)
    answer = ops.answer_of(ops.initiate, jss_client, jss_bucket.name, jss_key, storage_class=value)

    ops.assert_error(
        answer, jss_expect["unknown_storage_class_status"], jss_expect["unknown_storage_class_code"]
    )
