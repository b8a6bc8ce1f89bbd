"""The REDUCED_REDUNDANCY region limit: accepted and reported in cn-north-1 (North China); elsewhere it must
never yield a REDUCED_REDUNDANCY upload. Outside North China the oracle is three-valued: a 4xx JSON error
passes, a silent STANDARD upload is NON_STRICT (the doc does not say what other regions answer), a
REDUCED_REDUNDANCY upload fails."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import (
    REDUCED_REDUNDANCY,
    RR_REGION,
    STANDARD,
    STORAGE_CLASS_OBSERVERS,
    observer_params,
)
from conformance.outcomes import NonStrict

#: What a REDUCED_REDUNDANCY initiate outside North China may give.
ELSEWHERE = "a 4xx JSON error (or, non-strict, a STANDARD upload), never a REDUCED_REDUNDANCY upload"


def _bucket_or_skip(bucket, where: str):
    """`bucket`, or SKIPPED when the target has none `where` (None)."""
    if bucket is None:
        pytest.skip(f"the target has no bucket {where}")
    return bucket


@pytest.mark.clause("initiate.region-limit.rr-north-china")
@pytest.mark.parametrize("observer", observer_params())
def test_initiate_rr_in_north_china_reported_rr(jss_target, jss_client_for, jss_key, observer):
    bucket = _bucket_or_skip(jss_target.bucket_in_region(RR_REGION), f"in {RR_REGION}")
    client = jss_client_for(bucket)
    upload = ops.initiate(client, bucket.name, jss_key, storage_class=REDUCED_REDUNDANCY)

    observed = STORAGE_CLASS_OBSERVERS[observer](client, bucket.name, jss_key, upload.upload_id)

    ops.assert_value("the storage class of the upload", observed, REDUCED_REDUNDANCY, decided_by=upload)


@pytest.mark.clause("initiate.region-limit.rr-elsewhere")
@pytest.mark.parametrize("observer", observer_params())
def test_initiate_rr_outside_north_china_never_rr(jss_target, jss_client_for, jss_key, observer):
    bucket = _bucket_or_skip(jss_target.bucket_outside_region(RR_REGION), f"outside {RR_REGION}")
    client = jss_client_for(bucket)
    try:
        upload = ops.initiate(client, bucket.name, jss_key, storage_class=REDUCED_REDUNDANCY)
    except ops.ApiError as error:
        if not 400 <= error.status < 500:
            raise ops.Mismatch(ELSEWHERE, ops.describe(error), ops.exchange_of(error)) from None
        ops.assert_error(error, error.status, None)
        return

    observed = STORAGE_CLASS_OBSERVERS[observer](client, bucket.name, jss_key, upload.upload_id)

    if observed == STANDARD:
        raise NonStrict(f"{bucket.region} accepted REDUCED_REDUNDANCY and silently stored STANDARD")
    observation = f"{bucket.region} accepted it and stored the storage class {observed!r}"
    raise ops.Mismatch(ELSEWHERE, observation, ops.exchange_of(upload))
