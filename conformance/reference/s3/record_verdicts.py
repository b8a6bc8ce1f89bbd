"""The recorder's verdict on the signature of an S3 request: SigV4, checked by the S3 front's own verifier
(conformance.reference.s3.auth, on conformance.sigv4), never by the JSS signer.

A refused signature is a FAIL naming the S3 error it was answered (e.g. 403 SignatureDoesNotMatch); the client
mistake that reproduces it comes from conformance.diagnosis.diagnose when that names one (the recorder's one
hook into the diagnosis, shared with the JSS wire).
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.diagnosis import SentRequest, diagnose
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.s3.auth import authenticate

HEADER_CLAUSE = "signature.s3.accepted"
PRESIGNED_CLAUSE = "signature.presigned.accepted"


def signature_verdicts(
    ctx: RequestContext, sent: SentRequest, operation: str, secret_for: Callable[[str], str | None]
) -> list[dict]:
    """The SigV4 verdict on `ctx` (none for an anonymous request), with the diagnosed mistakes of a FAIL."""
    presigned = ctx.has_query("X-Amz-Signature") or ctx.has_query("X-Amz-Credential")
    clause, mode = (PRESIGNED_CLAUSE, "presigned") if presigned else (HEADER_CLAUSE, "header")
    try:
        user = authenticate(ctx)
    except JssError as error:
        verdict = {"clause": clause, "verdict": "FAIL", "mode": mode, "scheme": "sigv4",
                   "detail": f"refused {error.status} {error.code}"}
        found = diagnose(sent, operation, secret_for)
        mistakes = [name for item in found for name in item.get("mistakes", [])]
        if mistakes:
            verdict["mistakes"] = list(dict.fromkeys(mistakes))
        return [verdict]
    if user is None:
        return []
    return [{"clause": clause, "verdict": "PASS", "mode": mode, "scheme": "sigv4", "detail": "matches"}]
