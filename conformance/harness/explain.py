"""Why a case failed, in words, for the terminal: the clauses of its parameter row (and of the case), with
their sentences, what was expected and what the server did, the exchange that decided the verdict and the
list of all the case's exchanges, one line each.

The plugin puts these lines in the case's failure report (with the deciding exchange in full) and under the
case in the jss-conformance summary section; a CI log reader needs no Allure report. Signatures are masked by
:meth:`conformance.client.Exchange.render` and :func:`conformance.client.mask_url`; the plugin masks the
secret in every line (conformance.masking).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from conformance.catalogue import CatalogueError, Clause, catalogue_path, load_catalogue
from conformance.client import Exchange, mask_url
from conformance.error_body import error_code
from conformance.operations import ApiError, MalformedResponse, Mismatch
from conformance.operations.checks import CheckFailures, message_of
from conformance.operations.verdicts import describe, status_words
from conformance.sdk.explanation import SdkRequest, SdkScenarioFailure

#: How many exchange lines the summary section shows per case (the failure report shows every kept one).
SUMMARY_EXCHANGES = 12
EXCHANGES_HEADING = "exchanges of the case"


@functools.cache
def _catalogue() -> dict[str, Clause]:
    """The clause catalogue and the SDK behaviours (fixtures/sdk/behaviours.toml), by id."""
    from conformance.sdk.scenarios import ScenarioError, load_behaviours

    try:
        clauses = load_catalogue()
    except CatalogueError:
        clauses = {}
    try:
        return {**load_behaviours(), **clauses}
    except ScenarioError:
        return clauses


def clause_lines(ids: Sequence[str], rulebook: str = "jss") -> list[str]:
    """One line per clause id: ``clause ID (LEVEL, Operation): sentence``, LEVEL the one `rulebook` gives."""
    lines = []
    for identifier in ids:
        clause = _catalogue().get(identifier)
        if clause is None:
            lines.append(f"clause {identifier}: (not in the clause catalogue {catalogue_path()})")
        else:
            level = clause.rule(rulebook).level
            lines.append(f"clause {identifier} ({level}, {clause.operation}): {clause.sentence}")
    return lines


def _error_code(exchange: Exchange) -> str | None:
    if exchange.status is None or exchange.status < 300:
        return None
    return error_code(exchange.response_body)


def exchange_line(exchange: Exchange) -> str:
    """``POST /bucket/key?uploads -> 200 OK`` (with the error code of an error answer); signatures masked."""
    parts = urlsplit(mask_url(exchange.url))
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    status = status_words(exchange.status) if exchange.status is not None else exchange.outcome
    code = _error_code(exchange)
    return f"{exchange.method} {target} -> {status}" + (f" {code}" if code else "")


def _members(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [member for inner in exc.exceptions for member in _members(inner)]
    return [exc]


def _verdict(exc: BaseException | None, message: str) -> tuple[list[str], object]:
    """(the expected/observed lines, the exchange the exception names or None)."""
    for member in _members(exc) if exc is not None else []:
        if isinstance(member, CheckFailures):
            return _soft_lines(member), member.exchange
        if isinstance(member, Mismatch):
            return [f"expected: {member.expected}", f"observed: {member.observed}"], member.exchange
        if isinstance(member, ApiError):
            exchange = getattr(member.response, "exchange", None)
            return ["expected: a successful answer", f"observed: {describe(member.response)}"], exchange
        if isinstance(member, MalformedResponse):
            return ["expected: a JSON object as the body of the answer", f"observed: {member}"], None
    first = message.strip().splitlines()[0] if message.strip() else "(no message)"
    return [f"observed: {first}"], None


def _sdk_failure(exc: BaseException | None) -> SdkScenarioFailure | None:
    """The SDK scenario failure among `exc` (and its group's members), if any."""
    found = [m for m in (_members(exc) if exc is not None else []) if isinstance(m, SdkScenarioFailure)]
    return found[0] if found else None


def _soft_lines(failures: CheckFailures) -> list[str]:
    """Each failed soft check: its clause, then what was expected and observed."""
    lines = []
    for clause, exc in failures.failures:
        if isinstance(exc, Mismatch):
            lines += [f"{clause}: expected: {exc.expected}", f"{clause}: observed: {exc.observed}"]
        else:
            lines.append(f"{clause}: {message_of(exc)}")
    return lines


@dataclass
class Explanation:
    """The explanation of one failing case: its lines and the exchange that decided the verdict."""

    lines: list[str]
    deciding: Exchange | SdkRequest | None  # an SDK scenario's: the SDK's own request

    def summary(self) -> list[str]:
        """The lines for the summary section (the exchange list cut to SUMMARY_EXCHANGES)."""
        head, listed = _split(self.lines)
        shown = listed[:SUMMARY_EXCHANGES]
        more = len(listed) - len(shown)
        return head + shown + ([f"  ... and {more} more (see the failure report)"] if more > 0 else [])


def _split(lines: list[str]) -> tuple[list[str], list[str]]:
    """(the lines up to the "exchanges of the case" line, the exchange lines after it)."""
    for index, line in enumerate(lines):
        if line.startswith(EXCHANGES_HEADING):
            return lines[: index + 1], lines[index + 1 :]
    return lines, []


def explain(
    clause_ids: Sequence[str],
    exc: BaseException | None,
    message: str,
    exchanges: Sequence[Exchange],
    exchange_count: int,
    rulebook: str = "jss",
) -> Explanation:
    """The explanation of a failing case from its clauses, its exception (and message), and the exchanges
    its tracker kept (the most recent `len(exchanges)` of `exchange_count`), each clause at the level of the
    target's `rulebook`."""
    sdk = _sdk_failure(exc)
    lines = clause_lines(sdk.findings if sdk is not None and sdk.findings else clause_ids, rulebook)
    verdict, named = _verdict(exc, message)
    lines += verdict
    kept = list(exchanges)
    deciding = next((e for e in kept if e is named), None)
    first_number = exchange_count - len(kept) + 1
    if sdk is not None:  # the SDK's requests decide, listed before the suite's own exchanges
        lines += sdk.lines()
        lines.append(f"{EXCHANGES_HEADING} ({exchange_count}, the suite's own: setup, observation, "
                     "clean-up):")
        lines += [f"  #{number} {exchange_line(e)}" for number, e in enumerate(kept, start=first_number)]
        return Explanation(lines, sdk.deciding)
    if deciding is None and kept:
        deciding = kept[-1]
        how = " (the check named none: the last one)"
    else:
        how = ""
    if deciding is not None:
        number = first_number + kept.index(deciding)
        lines.append(f"deciding exchange{how}: #{number} {exchange_line(deciding)}")
    lines.append(f"{EXCHANGES_HEADING} ({exchange_count}):")
    if first_number > 1:
        lines.append(f"  (the first {first_number - 1} are not kept)")
    for number, exchange in enumerate(kept, start=first_number):
        marker = "   <- deciding" if exchange is deciding else ""
        lines.append(f"  #{number} {exchange_line(exchange)}{marker}")
    return Explanation(lines, deciding)
