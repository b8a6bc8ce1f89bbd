"""An SDK's known findings must be the findings a run observed, not merely "something failed".

A known-deviations file of an SDK (fixtures/sdk/expectations/<sdk>.toml) gives each expected FAIL a reason
that starts with the ids it must find: ``finding <id>: ...`` or ``findings <id>; <id>: ...`` (clause or
behaviour ids, as the judgement names them). ``python -m conformance.sdk.findings RESULTS EXPECTATIONS``
compares them with the first line of each FAIL's message in results.json (``scenario S: <id>; <id> (mistake
m)``): exit 0 when every expected FAIL failed with exactly its ids, 1 (one line per difference) when not, 2
when a file is unusable. The outcome itself (FAIL where FAIL is expected) is judged by the run.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from conformance.errorline import print_error
from conformance.known_deviations import KnownDeviationsError, load_known_deviations

REASON_IDS = re.compile(r"findings? ([^:]+):")
MISTAKE = re.compile(r"\s*\(mistake [^)]*\)$")
SUMMARY = re.compile(r"scenario \S+: (.*)$")


def expected_ids(reason: str) -> set[str] | None:
    """The ids a reason names (``finding a: ...``, ``findings a; b: ...``), None when it names none."""
    match = REASON_IDS.match(reason)
    if match is None:
        return None
    return {part.strip() for part in re.split(r"[;,]", match.group(1)) if part.strip()}


def observed_ids(message: str) -> set[str]:
    """The ids of a FAIL message's first line (``scenario S: a (mistake m); b``)."""
    match = SUMMARY.search(message.splitlines()[0]) if message else None
    summary = match.group(1) if match else ""
    return {MISTAKE.sub("", part.strip()) for part in summary.split(";") if part.strip()}


def differences(results: dict, expectations_path: Path) -> list[str]:
    """One line per expected FAIL whose observed findings are not its expected ids (or that names none)."""
    known = load_known_deviations(expectations_path)
    cases = {case["id"]: case for case in results.get("cases", [])}
    lines = []
    for case_id, expectation in sorted(known.entries.items()):
        if expectation.outcome != "FAIL":
            continue
        wanted = expected_ids(expectation.reason)
        if wanted is None:
            lines.append(f"{case_id}: the reason names no finding ('finding <id>: ...')")
            continue
        case = cases.get(case_id)
        if case is None or case.get("outcome") != "FAIL":
            continue  # not run, or not a FAIL: the run itself reports that
        seen = observed_ids(case.get("message") or "")
        if seen != wanted:
            lines.append(f"{case_id}: found {'; '.join(sorted(seen)) or 'nothing'}, "
                         f"expected {'; '.join(sorted(wanted))}")
    return lines


def main(argv: list[str]) -> int:
    """Command line: RESULTS EXPECTATIONS."""
    if len(argv) != 2:
        print("usage: python -m conformance.sdk.findings RESULTS.json EXPECTATIONS.toml", file=sys.stderr)
        return 2
    try:
        results = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        lines = differences(results, Path(argv[1]))
    except (OSError, ValueError, KnownDeviationsError) as exc:
        return print_error(str(exc))
    for line in lines:
        print(line)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
