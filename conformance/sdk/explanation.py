"""Why an SDK scenario failed, told from the SDK's side: its own requests (as the reference endpoint's
recorder saw them, with their diagnosis), one line each, and the one that decided the verdict.

The case raises :class:`SdkScenarioFailure` (an AssertionError: the outcome stays FAIL) carrying the SDK's
requests; conformance.harness.explain lists them before the suite's own exchanges (setup, observation,
clean-up) and names the deciding one: the first request the diagnosis failed, else the last one answered
with an error or a fired fault, else the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conformance.operations.checks import CLAUSE_ATTRIBUTE

#: How many SDK request lines an explanation lists (a large upload sends hundreds of parts).
LISTED_REQUESTS = 40
REQUESTS_HEADING = "requests of the SDK"


@dataclass(frozen=True)
class SdkRequest:
    """One request of the SDK, numbered in the order the recorder saw it."""

    number: int
    record: dict

    def failed_verdicts(self) -> list[dict]:
        """The diagnosis' FAIL verdicts on this request."""
        return [v for v in self.record.get("verdicts", []) if v.get("verdict") == "FAIL"]

    def line(self) -> str:
        """``#3 POST /bucket/key?uploads -> 403 (initiate; fault 503; FAIL clause [mistake m])``."""
        record = self.record
        notes = [str(record.get("operation", "?"))]
        notes += [f"fault {fault}" for fault in record.get("faults", [])]
        for verdict in self.failed_verdicts():
            mistakes = ", ".join(verdict.get("mistakes", []))
            notes.append(f"FAIL {verdict['clause']}" + (f" [mistake {mistakes}]" if mistakes else ""))
        return f"#{self.number} {record.get('method')} {record.get('target')} -> {record.get('status')} " \
               f"({'; '.join(notes)})"

    def render(self) -> str:
        """The request in full, as the recorder saw it: the line, then each verdict of its diagnosis."""
        lines = [f"SDK request {self.line()}", f"request id {self.record.get('request_id')}, "
                 f"{self.record.get('body_bytes', 0)} body bytes"]
        for verdict in self.record.get("verdicts", []):
            mistakes = ", ".join(verdict.get("mistakes", []))
            lines.append(f"  {verdict.get('verdict')} {verdict.get('clause')}: {verdict.get('detail', '')}"
                         + (f" (diagnosed mistake: {mistakes})" if mistakes else ""))
        if not self.record.get("verdicts"):
            lines.append("  (no diagnosis of this request)")
        return "\n".join(lines)


def deciding_request(requests: Sequence[SdkRequest]) -> SdkRequest | None:
    """The first request the diagnosis failed, else the last answered with an error or a fired fault, else
    the last one (None: the SDK sent nothing)."""
    for request in requests:
        if request.failed_verdicts():
            return request
    for request in reversed(requests):
        if request.record.get("faults") or int(request.record.get("status") or 0) >= 400:
            return request
    return requests[-1] if requests else None


class SdkScenarioFailure(AssertionError):
    """An SDK scenario's findings (the message; `findings`: their clause or behaviour ids, the clauses the
    failure is attributed to), with the SDK's requests that explain them."""

    def __init__(self, message: str, records: Sequence[dict], findings: Sequence[str] = ()) -> None:
        self.findings = tuple(dict.fromkeys(findings))
        if self.findings:  # the case's other clauses are then not judged FAIL by this failure
            setattr(self, CLAUSE_ATTRIBUTE, self.findings)
        self.requests = [SdkRequest(number, record) for number, record in enumerate(records, start=1)]
        self.deciding = deciding_request(self.requests)
        found = self.deciding.line() if self.deciding else "none (the SDK sent no request for the key)"
        first, _, rest = message.partition("\n")
        super().__init__("\n".join(part for part in (first, f"deciding SDK request: {found}", rest) if part))

    def lines(self) -> list[str]:
        """The deciding request, then every SDK request one line each (the first LISTED_REQUESTS)."""
        deciding = self.deciding
        lines = [f"deciding exchange: SDK request {deciding.line()}" if deciding else
                 "deciding exchange: none (the SDK sent no request for the scenario's key)"]
        lines.append(f"{REQUESTS_HEADING} ({len(self.requests)}):")
        for request in self.requests[:LISTED_REQUESTS]:
            marker = "   <- deciding" if request is deciding else ""
            lines.append(f"  {request.line()}{marker}")
        if len(self.requests) > LISTED_REQUESTS:
            more = len(self.requests) - LISTED_REQUESTS
            lines.append(f"  ... and {more} more (the Allure attachment '{REQUESTS_HEADING}')")
        return lines
