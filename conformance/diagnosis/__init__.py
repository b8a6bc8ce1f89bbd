"""The diagnosis of a request a client sent: clause verdicts on its signature (with the client mistake that
reproduces a wrong one) and on what it carried. Used by the reference endpoint's recorder
(``serve --record``) and, offline, by ``jss-conformance sign --explain``. A JSS "jingdong" signature is
diagnosed with conformance.signing (:mod:`.signature`), a SigV4 one (S3 wire: an ``AWS4-HMAC-SHA256``
Authorization or an ``X-Amz-Algorithm`` presigned URL) with conformance.sigv4 (:mod:`.sigv4_signature`)."""

from __future__ import annotations

from collections.abc import Callable

from conformance.diagnosis import content_checks as checks
from conformance.diagnosis import signature as jss_signature
from conformance.diagnosis.merge import one_per_clause
from conformance.diagnosis.signature import SentRequest, SignatureDiagnosis
from conformance.diagnosis.sigv4_request import is_sigv4
from conformance.diagnosis.sigv4_signature import diagnose_sigv4

__all__ = ["SentRequest", "SignatureDiagnosis", "diagnose", "diagnose_signature", "one_per_clause"]

#: Checks of what was sent on the JSS wire, per operation name (as conformance.reference.operation_names
#: gives it). They read x-jss- headers, the hex Content-MD5 and the JSON complete body: none applies to S3.
CHECKS_BY_OPERATION = {
    "initiate": (checks.storage_class, checks.encryption),
    "put": (checks.storage_class, checks.encryption, checks.content_md5_form),
    "upload-part": (checks.content_md5_form,),
    "complete": (checks.complete_body,),
}


def diagnose_signature(request: SentRequest, secret_for: Callable[[str], str | None]) -> SignatureDiagnosis:
    """The verdict on the signature of `request`, SigV4 or JSS according to how it is signed."""
    if is_sigv4(request):
        return diagnose_sigv4(request, secret_for)
    return jss_signature.diagnose_signature(request, secret_for)


def diagnose(
    request: SentRequest, operation: str, secret_for: Callable[[str], str | None], wire: str | None = None
) -> list[dict]:
    """Every verdict on `request` (an `operation`), one per clause (:func:`one_per_clause`): the signature's
    first, then the operation's checks (JSS wire only: `wire` "s3", or a SigV4 signature, skips them)."""
    verdicts = []
    signature = diagnose_signature(request, secret_for)
    if signature.verdict != "NONE":
        verdicts.append(signature.as_dict())
    if wire == "s3" or is_sigv4(request):
        return one_per_clause(verdicts)
    for check in CHECKS_BY_OPERATION.get(operation, ()):
        verdicts.extend(check(request))
    return one_per_clause(verdicts)
