"""The REDUCED_REDUNDANCY region limit: accepted and reported in cn-north-1 (North China); elsewhere it must
never yield a REDUCED_REDUNDANCY upload. Outside North China the oracle is three-valued: a 4xx error passes,
an upload every observer reports as STANDARD is NON_STRICT (the doc does not say what other regions answer),
a REDUCED_REDUNDANCY upload fails. The class is observed through ListParts, ListMultipartUploads and the
completed object's HEAD in one case, each observer's report a clause of its own
(conformance.cases.storage_observation)."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.storage_observation import REPORTED_CLAUSES, judge_class, observe
from conformance.cases.support import REDUCED_REDUNDANCY, RR_REGION, STANDARD
from conformance.outcomes import NonStrict

#: What a REDUCED_REDUNDANCY initiate outside North China may give.
ELSEWHERE = "a 4xx error (or, non-strict, a STANDARD upload), never a REDUCED_REDUNDANCY upload"
NORTH_CHINA = "initiate.region-limit.rr-north-china"
ELSEWHERE_CLAUSE = "initiate.region-limit.rr-elsewhere"


def _bucket_or_skip(bucket, where: str):
    """`bucket`, or SKIPPED when the target has none `where` (None)."""
    if bucket is None:
        pytest.skip(f"the target has no bucket {where}")
    return bucket


@pytest.mark.clause(NORTH_CHINA, *REPORTED_CLAUSES)
def test_initiate_rr_in_north_china_reported_rr(jss_target, jss_client_for, jss_key):
    bucket = _bucket_or_skip(jss_target.bucket_in_region(RR_REGION), f"in {RR_REGION}")
    client = jss_client_for(bucket)
    with ops.checking(NORTH_CHINA):
        upload = ops.initiate(client, bucket.name, jss_key, storage_class=REDUCED_REDUNDANCY)
    checks = ops.Observations()

    observed = observe(checks, client, bucket.name, jss_key, upload.upload_id, REDUCED_REDUNDANCY)

    judge_class(checks, NORTH_CHINA, observed, REDUCED_REDUNDANCY, upload)
    checks.settle()


@pytest.mark.clause(ELSEWHERE_CLAUSE, *REPORTED_CLAUSES)
def test_initiate_rr_outside_north_china_never_rr(jss_target, jss_client_for, jss_key):
    bucket = _bucket_or_skip(jss_target.bucket_outside_region(RR_REGION), f"outside {RR_REGION}")
    client = jss_client_for(bucket)
    try:
        upload = ops.initiate(client, bucket.name, jss_key, storage_class=REDUCED_REDUNDANCY)
    except ops.ApiError as error:
        with ops.checking(ELSEWHERE_CLAUSE):
            if not 400 <= error.status < 500:
                raise ops.Mismatch(ELSEWHERE, ops.describe(error), ops.exchange_of(error)) from None
            ops.assert_error(error, error.status, None)
        for clause in REPORTED_CLAUSES:
            ops.not_reached(clause, f"{bucket.region} refused REDUCED_REDUNDANCY: no upload to observe")
        return
    checks = ops.Observations()

    observed = observe(checks, client, bucket.name, jss_key, upload.upload_id, None)

    accepted = f"{bucket.region} accepted REDUCED_REDUNDANCY: {observed.words()}"
    if not observed.credible:
        ops.not_reached(ELSEWHERE_CLAUSE, f"no observer reported a storage class: {observed.words()}")
    elif observed.values() == {STANDARD}:
        checks.fail(ELSEWHERE_CLAUSE, NonStrict(accepted))
    else:
        decided_by = observed.deciding(lambda value: value != STANDARD) or upload
        checks.fail(ELSEWHERE_CLAUSE, ops.Mismatch(ELSEWHERE, accepted, ops.exchange_of(decided_by)))
    checks.settle()
