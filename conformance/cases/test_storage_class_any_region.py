"""The s3 rulebook's REDUCED_REDUNDANCY: a valid storage class of every region (AWS recommends against it, but
documents it), so an initiate with it outside North China is accepted and the upload is reported
REDUCED_REDUNDANCY. The class is observed through ListParts, ListMultipartUploads and the completed object's
HEAD in one case, each observer's report a clause of its own (conformance.cases.storage_observation). Under
the jss rulebook this case is NOT_APPLICABLE: JD Cloud limits RR to cn-north-1 (test_region_limit.py)."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.storage_observation import REPORTED_CLAUSES, judge_class, observe
from conformance.cases.support import REDUCED_REDUNDANCY, RR_REGION

ANY_REGION = "initiate.storage-class.rr-any-region"


@pytest.mark.clause(ANY_REGION, *REPORTED_CLAUSES)
def test_initiate_rr_outside_north_china_reported_rr(jss_target, jss_client_for, jss_key):
    bucket = jss_target.bucket_outside_region(RR_REGION)
    if bucket is None:
        pytest.skip(f"the target has no bucket outside {RR_REGION}")
    client = jss_client_for(bucket)
    with ops.checking(ANY_REGION):
        upload = ops.initiate(client, bucket.name, jss_key, storage_class=REDUCED_REDUNDANCY)
    checks = ops.Observations()

    observed = observe(checks, client, bucket.name, jss_key, upload.upload_id, REDUCED_REDUNDANCY)

    judge_class(checks, ANY_REGION, observed, REDUCED_REDUNDANCY, upload,
                f"the storage class of the upload in {bucket.region}")
    checks.settle()
