"""The s3 rulebook's REDUCED_REDUNDANCY: a valid storage class of every region (AWS recommends against it, but
documents it), so an initiate with it outside North China is accepted and the upload is reported
REDUCED_REDUNDANCY. Under the jss rulebook this case is NOT_APPLICABLE: JD Cloud limits RR to cn-north-1
(test_region_limit.py)."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import REDUCED_REDUNDANCY, RR_REGION, STORAGE_CLASS_OBSERVERS, observer_params


@pytest.mark.clause("initiate.storage-class.rr-any-region")
@pytest.mark.parametrize("observer", observer_params())
def test_initiate_rr_outside_north_china_reported_rr(jss_target, jss_client_for, jss_key, observer):
    bucket = jss_target.bucket_outside_region(RR_REGION)
    if bucket is None:
        pytest.skip(f"the target has no bucket outside {RR_REGION}")
    client = jss_client_for(bucket)
    upload = ops.initiate(client, bucket.name, jss_key, storage_class=REDUCED_REDUNDANCY)

    observed = STORAGE_CLASS_OBSERVERS[observer](client, bucket.name, jss_key, upload.upload_id)

    ops.assert_value(
        f"the storage class of the upload in {bucket.region}", observed, REDUCED_REDUNDANCY, decided_by=upload
    )
