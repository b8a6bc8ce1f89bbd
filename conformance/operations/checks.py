"""Checks that name their clause: a verdict per clause of a case (DESIGN §4 "A verdict per clause").

A case with more than one clause says which clause each check verifies:

- ``with ops.checking(clause, ...):`` attributes whatever the block raises to its clause(s) (one check may
  verify several: a refusal verifies both the rule broken and the refusal's shape); the exception is
  tagged, the case stops as before; a block that ends normally records PASS for each;
- :class:`Observations` is the soft form: each ``with observations.check(clause):`` block records its
  clause's verdict (PASS, FAIL, NON_STRICT or NOT_IMPLEMENTED, with its own message) and lets the case go on;
  :meth:`Observations.settle` then raises the worst (:class:`CheckFailures`) when any failed;
- :func:`not_reached` records that a clause was deliberately not checked (e.g. nothing to observe because
  the store refused the request), with the reason.

The harness takes what was recorded after each phase of a case (:func:`take_records`) and puts it on the
phase's report, so it travels like the outcome (xdist, forked workers). A case with a single clause needs
none of this: its clause gets the case's verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from conformance import outcomes as oc
from conformance.operations.results import ApiError
from conformance.operations.verdicts import Mismatch, describe, exchange_of

#: The attribute of an exception that names the clauses it fails (set by :func:`checking`).
CLAUSE_ATTRIBUTE = "jss_clauses"
#: The value of that attribute on an exception whose clauses were already recorded one by one.
SETTLED = ("*",)

#: Which outcome wins among the soft failures of one case (higher wins).
_RANK = {oc.NOT_IMPLEMENTED: 0, oc.NON_STRICT: 1, oc.FAIL: 2}


@dataclass
class ClauseRecorder:
    """The explicit clause verdicts of one case phase: (clause, outcome, message), in the order checked."""

    checks: list[tuple[str, str, str]] = field(default_factory=list)

    def record(self, clause: str, outcome: str, message: str = "") -> None:
        """Record one clause verdict."""
        self.checks.append((clause, outcome, message))


_recorder = ClauseRecorder()


def take_records() -> list[tuple[str, str, str]]:
    """What the checks recorded since the last call (the harness takes them after each phase of a case,
    so each phase report carries its own)."""
    taken, _recorder.checks = _recorder.checks, []
    return taken


def record(clause: str, outcome: str, message: str = "") -> None:
    """Record a clause verdict of the running case."""
    _recorder.record(clause, outcome, message)


def not_reached(clause: str, why: str) -> None:
    """Record that the case deliberately did not check `clause` (`why`: what made it moot)."""
    record(clause, oc.NOT_REACHED, why)


def clauses_of(exc: BaseException) -> tuple[str, ...] | None:
    """The clauses an exception was attributed to (None: unnamed; :data:`SETTLED`: already recorded)."""
    return getattr(exc, CLAUSE_ATTRIBUTE, None)


@contextmanager
def checking(*clauses: str) -> Iterator[None]:
    """Attribute what the block raises to `clauses` (an inner ``checking`` keeps its own); PASS for each
    when it ends normally."""
    try:
        yield
    except BaseException as exc:
        if clauses_of(exc) is None:
            with suppress(AttributeError):  # an exception type without a __dict__ stays unnamed
                setattr(exc, CLAUSE_ATTRIBUTE, tuple(clauses))
        raise
    for clause in clauses:
        record(clause, oc.PASS)


def outcome_of(exc: BaseException) -> str:
    """The clause outcome a failed check stands for."""
    if isinstance(exc, oc.NotImplementedByTarget):
        return oc.NOT_IMPLEMENTED
    if isinstance(exc, oc.NonStrict):
        return oc.NON_STRICT
    return oc.FAIL


def message_of(exc: BaseException) -> str:
    """A failed check's message: what was expected and observed, or what the server answered."""
    if isinstance(exc, ApiError) and exc.response is not None:
        return f"expected a successful answer; observed {describe(exc.response)}"
    text = str(exc) or type(exc).__name__
    if type(exc) is AssertionError:  # a plain assert: its own message, not pytest's rewritten expression
        return text.split("\nassert ", 1)[0]
    return text


class CheckFailures(AssertionError):
    """The soft checks of a case that did not pass, each already recorded for its own clause: the case's
    outcome is the worst of them (:attr:`outcome`), its message names each clause and its observation."""

    def __init__(self, failures: list[tuple[str, BaseException]]) -> None:
        self.failures = failures
        self.outcome = max((outcome_of(exc) for _, exc in failures), key=_RANK.__getitem__)
        worst = next(exc for _, exc in failures if outcome_of(exc) == self.outcome)
        self.exchange = getattr(worst, "exchange", None) or exchange_of(getattr(worst, "response", None))
        super().__init__("; ".join(f"{clause}: {message_of(exc)}" for clause, exc in failures))
        setattr(self, CLAUSE_ATTRIBUTE, SETTLED)


#: What a soft check catches: a check's failure or an unexpected answer (never an infrastructure failure or
#: an interruption, which stop the case).
SOFT = (Mismatch, AssertionError, oc.NonStrict, oc.NotImplementedByTarget, ApiError)


class Observations:
    """Soft checks of one case: each records its clause's verdict and the case goes on to the next."""

    def __init__(self) -> None:
        self.failures: list[tuple[str, BaseException]] = []

    @contextmanager
    def check(self, clause: str) -> Iterator[None]:
        """Record PASS for `clause` when the block ends normally, else its failure (and go on)."""
        try:
            yield
        except SOFT as exc:
            record(clause, outcome_of(exc), message_of(exc))
            self.failures.append((clause, exc))
        else:
            record(clause, oc.PASS)

    def fail(self, clause: str, exc: BaseException) -> None:
        """Record a failure of `clause` found without a ``check`` block."""
        record(clause, outcome_of(exc), message_of(exc))
        self.failures.append((clause, exc))

    def settle(self) -> None:
        """Raise :class:`CheckFailures` when a check failed (the case ends with the worst of them)."""
        if self.failures:
            raise CheckFailures(self.failures)
