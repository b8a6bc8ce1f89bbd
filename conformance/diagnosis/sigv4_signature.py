"""The verdict on a SigV4 signature (S3 wire): does it verify, and which known client mistakes explain it.

Three sources of mistakes, named by the stable ids of fixtures/diagnosis/sigv4-mistakes.toml: what the
request shows by itself (:mod:`sigv4_checks`: scope, SignedHeaders, payload hash, clock, expiry), the
mistake that reproduces a wrong signature exactly (:mod:`sigv4_search`), and a streaming body's chunk and
trailer signatures and checksum (:mod:`sigv4_streaming`). When the signature is wrong and nothing known
reproduces it, the server's canonical request and string to sign are given for the client to compare.
"""

from __future__ import annotations

import time

from conformance.diagnosis import sigv4_checks, sigv4_search, sigv4_streaming
from conformance.diagnosis.signature import SentRequest, SignatureDiagnosis
from conformance.diagnosis.sigv4_mistakes import mistake
from conformance.diagnosis.sigv4_request import read

HEADER_CLAUSE = "signature.s3.accepted"
PRESIGNED_CLAUSE = "signature.presigned.accepted"


def diagnose_sigv4(request: SentRequest, secret_for) -> SignatureDiagnosis:
    """The verdict on the SigV4 signature of `request`; `secret_for(access_key)` gives a secret or None."""
    try:
        view = read(request)
    except ValueError as error:
        mode = "header" if request.header("authorization") else "presigned"
        return SignatureDiagnosis("FAIL", HEADER_CLAUSE, mode, detail=f"malformed: {error}")
    clause = PRESIGNED_CLAUSE if view.mode == "presigned" else HEADER_CLAUSE
    secret = secret_for(view.access_key)
    if secret is None:
        return SignatureDiagnosis(
            "FAIL", "signature.unknown-access-key", view.mode, detail="unknown access key"
        )
    now = time.time() if request.received_at is None else request.received_at
    method = request.method.upper()
    found = sigv4_checks.run(view, request.body, now, request.endpoint_regions)
    reproduced = sigv4_search.search(view, method, secret, request.body, request.endpoint_regions)
    found += reproduced or []
    found += sigv4_streaming.check(view, request.body, secret)
    mistakes = _named(found)
    text = "; ".join(m.description for m in mistakes)
    if reproduced is None:
        expected = sigv4_search.expected(view, method, secret)
        unexplained = "no known mistake reproduces the signature"
        return SignatureDiagnosis(
            "FAIL", mistakes[0].clause if mistakes else "signature.wrong-signature", view.mode, mistakes,
            f"the client {text}; {unexplained}" if mistakes else unexplained,
            expected_string_to_sign=expected.string_to_sign,
            expected_canonical_request=expected.canonical_request,
        )
    if not mistakes:
        return SignatureDiagnosis("PASS", clause, view.mode, detail="matches")
    return SignatureDiagnosis("FAIL", mistakes[0].clause, view.mode, mistakes, f"the client {text}")


def _named(found: list[tuple[str, str]]) -> list:
    """One Mistake per id, in the order first found, its specifics joined by "; "."""
    by_id: dict[str, list[str]] = {}
    for mistake_id, specifics in found:
        details = by_id.setdefault(mistake_id, [])
        if specifics and specifics not in details:
            details.append(specifics)
    return [mistake(mistake_id, "; ".join(details)) for mistake_id, details in by_id.items()]
