"""The outcomes a conformance case can have, and the exceptions that carry the non-binary ones.

PASS and FAIL are plain pytest pass and assertion failure. A case (or the client) raises one of the
exceptions below to report the others; the plugin turns them into the outcome of that name.
"""

from __future__ import annotations

PASS = "PASS"
FAIL = "FAIL"
NON_STRICT = "NON_STRICT"
NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
SKIPPED = "SKIPPED"
INFRA_ERROR = "INFRA_ERROR"
#: The case was running when a signal (SIGINT, SIGTERM, SIGHUP) stopped the run: it has no verdict, neither
#: PASS nor FAIL.
INTERRUPTED = "INTERRUPTED"
#: The case (or clause) is outside the target's wire or rulebook: nothing was asked of the store. Never
#: NOT_IMPLEMENTED, which means "the store lacks this".
NOT_APPLICABLE = "NOT_APPLICABLE"
#: A clause verdict only: the case stopped (failed, skipped, interrupted) before it checked this clause.
#: Never PASS.
NOT_REACHED = "NOT_REACHED"

ALL_OUTCOMES = (PASS, FAIL, NON_STRICT, NOT_IMPLEMENTED, NOT_APPLICABLE, SKIPPED, INFRA_ERROR, INTERRUPTED)

#: How a run ended (results.json ``run.status``): every selected case ran; a signal stopped it; the suite
#: stopped it (at setup: before any case, or during the cases, e.g. after too many INFRA_ERRORs or -x).
COMPLETED = "completed"
INTERRUPTED_RUN = "interrupted"
STOPPED = "stopped"
RUN_STATUSES = (COMPLETED, INTERRUPTED_RUN, STOPPED)


class NonStrict(Exception):
    """The target deviates where the documentation is ambiguous (e.g. RR silently stored as STANDARD)."""


class NotImplementedByTarget(Exception):
    """The target said it does not implement a feature (conformance.not_supported: 501, NotImplemented, or a
    code the rulebook lists), or its profile says the feature is absent."""


class NotApplicable(Exception):
    """The case (or check) is outside the target's wire or rulebook: nothing was asked of the store
    (NOT_APPLICABLE, never NOT_IMPLEMENTED)."""


class NotInDialect(NotApplicable):
    """The check cannot be framed over the target's wire (e.g. a JSS-only value in an S3 run): NOT_APPLICABLE,
    like a case of a clause outside the wire."""


class InfraError(Exception):
    """The endpoint could not be reached (connection error, timeout; retried only where a stale keep-alive
    connection explained it: conformance.keepalive).

    Never counted as non-conformance.
    """


class Interrupted(Exception):
    """A stop signal came while the case ran (raised in its place by conformance.harness.case_interruption):
    the case is INTERRUPTED, its cleanup still runs."""
