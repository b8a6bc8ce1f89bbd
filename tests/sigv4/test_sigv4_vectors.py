"""Every staged SigV4 vector, stage by stage: one test id per (case, stage), so a failure names the stage."""

from __future__ import annotations

import hashlib

import pytest
import sigv4_vectors as sv

STAGES = sv.staged_stages()


@pytest.mark.parametrize(("case", "stage"), STAGES, ids=[f"{c}/{s}" for c, s in STAGES])
def test_stage_matches_the_vector(case: str, stage: str) -> None:
    vector = sv.load(case)
    assert sv.compute_named(vector, stage) == vector.expected(stage), f"{case}: stage {stage} diverged"


def test_every_case_is_staged_through_its_signature() -> None:
    cases = sv.case_ids()
    assert len(cases) == 37
    for case in cases:
        vector = sv.load(case)
        assert vector.context["id"] == case
        forms = [mode for mode in ("header", "query") if vector.has(f"{mode}-canonical-request")]
        assert forms, f"{case} stages no form"
        for mode in forms:
            for stage in ("string-to-sign", "signature"):
                assert vector.has(f"{mode}-{stage}"), f"{case} lacks {mode}-{stage}"


@pytest.mark.parametrize("case", sv.case_ids())
def test_context_names_its_source(case: str) -> None:
    context = sv.load(case).context
    assert context["source"].startswith(("awslabs/aws-c-auth@", "docs.aws.amazon.com/AmazonS3/"))
    for key in ("access_key", "secret_key", "timestamp", "region", "service"):
        assert context[key], f"{case}: {key} missing"


@pytest.mark.parametrize("case", sv.case_ids())
def test_stored_string_to_sign_hashes_the_stored_canonical_request(case: str) -> None:
    """The staged files agree with each other: the string to sign carries the canonical request's hash.

    For the S3 documentation cases the canonical request was staged only because its hash equals the one
    the page prints, so this is the proof that the file is the page's canonical request byte for byte.
    """
    vector = sv.load(case)
    for mode in ("header", "query"):
        if vector.has(f"{mode}-canonical-request"):
            digest = hashlib.sha256(vector.expected(f"{mode}-canonical-request").encode()).hexdigest()
            assert vector.expected(f"{mode}-string-to-sign").split("\n")[3] == digest
