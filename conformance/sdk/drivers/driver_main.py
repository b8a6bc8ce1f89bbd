"""The protocol side every Python driver shares: read the scenario from stdin, perform it, print one JSON
result line (conformance.sdk.protocol). A driver gives `run` its perform function and the exceptions with
which its SDK gives up."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field


class Unsupported(Exception):
    """The SDK cannot perform a step (the scenario is NOT_IMPLEMENTED for it); the message says why."""

    def __init__(self, op: str, why: str) -> None:
        super().__init__(why)
        self.op = op


@dataclass
class Observed:
    """What a driver's steps saw: the result's ``"listed"`` (list steps) and ``"head"`` (the head step)."""

    listed: dict = field(default_factory=dict)
    head: dict | None = None


def run(perform: Callable[[dict], dict | Observed | None], gave_up: tuple[type[BaseException], ...]) -> int:
    """Read the scenario, `perform(scenario)`, print the result line; 0 unless the input is unusable. What
    `perform` returns is what its steps saw: an :class:`Observed`, or a dict (the result's ``"listed"``)."""
    try:
        scenario = json.loads(sys.stdin.read())
    except ValueError as exc:
        print(json.dumps({"status": "failed", "message": f"unreadable scenario: {exc}"}))
        return 2
    try:
        observed = perform(scenario)
    except Unsupported as exc:
        print(json.dumps({"status": "unsupported", "message": str(exc), "unsupported": [exc.op]}))
        return 0
    except gave_up as exc:
        message = f"{type(exc).__name__}: {exc}"
        print(json.dumps({"status": "failed", "message": message[:2000]}))
        return 0
    if not isinstance(observed, Observed):
        observed = Observed(listed=observed or {})
    result: dict = {"status": "ok", "listed": observed.listed}
    if observed.head is not None:
        result["head"] = observed.head
    print(json.dumps(result))
    return 0
