"""The diagnosis of a request a client sent: clause verdicts on its signature (with the client mistake that
reproduces a wrong one) and on what it carried. Used by the reference endpoint's recorder
(``serve --record``) and, offline, by ``jss-conformance sign --explain``. Needs only conformance.signing."""

from __future__ import annotations

from collections.abc import Callable

from conformance.diagnosis import content_checks as checks
from conformance.diagnosis.signature import SentRequest, SignatureDiagnosis, diagnose_signature

__all__ = ["SentRequest", "SignatureDiagnosis", "diagnose", "diagnose_signature"]

#: Checks of what was sent, per operation name (as conformance.reference.operation_names gives it).
CHECKS_BY_OPERATION = {
    "initiate": (checks.storage_class, checks.encryption),
    "put": (checks.storage_class, checks.encryption, checks.content_md5_form),
    "upload-part": (checks.content_md5_form,),
    "complete": (checks.complete_body,),
}


def diagnose(request: SentRequest, operation: str, secret_for: Callable[[str], str | None]) -> list[dict]:
    """Every verdict on `request` (an `operation`): the signature's first, then the operation's checks."""
    verdicts = []
    signature = diagnose_signature(request, secret_for)
    if signature.verdict != "NONE":
        verdicts.append(signature.as_dict())
    for check in CHECKS_BY_OPERATION.get(operation, ()):
        verdicts.extend(check(request))
    return verdicts
