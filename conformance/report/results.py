"""results.json: build, write, read and validate the machine-readable record of a run (DESIGN §3).

``{"run": {suite_version, target, endpoint, dialect, regions, started, duration, strict, status, stopped_at,
reason, selected, known_deviations, unexpected}, "cases": [{"id", "clauses", "outcome", "duration_ms",
"message", "clause_verdicts"}]}``; the JSON Schema is ``results.schema.json`` beside this module.
``status`` is completed / interrupted / stopped (a file without it, from an older suite version, is a
completed run); ``stopped_at`` (setup or cases) and ``reason`` say where and why a run did not complete;
``strict``: the run had --jss-strict.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance import __version__

SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


def load_schema() -> dict[str, Any]:
    """The JSON Schema of results.json."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def run_info(
    *,
    target: str,
    endpoint: str,
    dialect: str,
    regions: Sequence[str],
    started: float,
    finished: float | None = None,
    status: str = "completed",
    stopped_at: str | None = None,
    reason: str = "",
    selected: int | None = None,
    strict: bool = False,
    rules: str | None = None,
) -> dict[str, Any]:
    """The ``run`` object; `started` / `finished` are time.time() values; `status`, `stopped_at` and `reason`
    say whether the run completed or where and why it ended early; `strict`: the run had --jss-strict (its
    NON_STRICT outcomes failed it); `rules`: the rulebook (absent: the same as the wire, `dialect`)."""
    finished = time.time() if finished is None else finished
    ending: dict[str, Any] = {"status": status, "reason": reason}
    if stopped_at is not None:
        ending["stopped_at"] = stopped_at
    if selected is not None:
        ending["selected"] = selected
    return {
        "suite_version": __version__,
        "target": target,
        "endpoint": endpoint,
        "dialect": dialect,
        **({"rules": rules} if rules else {}),
        "regions": list(regions),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "duration": round(max(finished - started, 0.0), 3),
        "strict": strict,
        **ending,
    }


def case_record(
    case_id: str,
    clauses: Iterable[str],
    outcome: str,
    duration_ms: float,
    message: str,
    expected: Mapping[str, str] | None = None,
    clause_verdicts: Sequence[Mapping[str, str]] | None = None,
) -> dict:
    """One ``cases`` entry; `expected` (outcome, reason, source) only when a non-PASS outcome is expected;
    `clause_verdicts`: the case's verdict per clause ({clause, outcome, message})."""
    record = {
        "id": case_id,
        "clauses": list(dict.fromkeys(clauses)),
        "outcome": outcome,
        "duration_ms": round(max(duration_ms, 0.0), 1),
        "message": message,
    }
    if clause_verdicts is not None:
        record["clause_verdicts"] = [dict(verdict) for verdict in clause_verdicts]
    if expected:
        record["expected"] = dict(expected)
    return record


def write_results(
    path: str | os.PathLike, run: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]
) -> Path:
    """Write results.json atomically (cases sorted by id); return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"run": dict(run), "cases": sorted((dict(c) for c in cases), key=lambda c: c["id"])}
    fd, temporary = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(temporary, path)
    return path


def read_results(path: str | os.PathLike) -> dict[str, Any]:
    """Read a results.json (ValueError with the file name when it is not one)."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except ValueError as exc:
        raise ValueError(f"{path}: not JSON: {exc}") from None
    problems = validation_errors(document)
    if problems:
        raise ValueError(f"{path}: not a results.json: {problems[0]}")
    return document


def validation_errors(document: Any) -> list[str]:
    """Schema violations of `document` against results.schema.json (empty when valid)."""
    import jsonschema  # only reading results needs it; the run that writes them starts faster without it

    validator = jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]
