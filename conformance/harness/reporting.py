"""End-of-run output of the controller: results.json, the Allure extras, the terminal summary section."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from conformance import outcomes as oc
from conformance.harness import allure_config
from conformance.harness import allure_support as allure_extras
from conformance.harness.ending import COMPLETED_RUN, SETUP, RunEnding, stopped_at_setup
from conformance.harness.interruption import sweep_command
from conformance.harness.options import runs_tests
from conformance.harness.results import case_id
from conformance.harness.state import HarnessState
from conformance.harness.verdicts import summary as verdict_summary
from conformance.masking import mask_secrets
from conformance.report.results import run_info, write_results
from conformance.target import Target

#: The Allure result of a run stopped at setup is named so (status broken, message ``SETUP_ERROR: ...``).
SETUP_RESULT = "setup"

_SHOWN_PER_OUTCOME = 30


def verdicts_of(config: pytest.Config, state: HarnessState):
    """The run's verdicts: judged against the known-deviations file when there is one."""
    return state.book.verdicts(judged=bool(state.known.path), strict=config.option.jss_strict)


#: What results.json says while the run has not written its own (a run killed by SIGKILL leaves it so).
UNFINISHED = RunEnding(
    oc.STOPPED, None, "the run has not finished: it is still running, or it was killed before it could write "
    "its results"
)


def _run(
    state: HarnessState, target_name: str = "(none)", strict: bool = False, ending: RunEnding | None = None
) -> dict:
    target = state.target
    ending = ending or state.ending or COMPLETED_RUN
    info = run_info(
        target=target.name if target else target_name,
        endpoint=target.endpoint if target else "",
        dialect=target.dialect if target else "jss",
        rules=target.rulebook if target else "jss",
        regions=target.regions if target else [],
        started=state.started,
        finished=time.time(),
        status=ending.status,
        stopped_at=ending.stopped_at,
        reason=mask_secrets(ending.reason, state.secrets),
        selected=state.selected,
        strict=strict,
    )
    if state.server_version:
        info["server_version"] = mask_secrets(state.server_version, state.secrets)
    if state.known.path:
        info["known_deviations"] = state.known.path
    if state.sdk_wire:
        info["sdk_wire"] = state.sdk_wire
    verdicts = state.book.verdicts(judged=bool(state.known.path), strict=strict)
    info["unexpected"] = sum(1 for verdict in verdicts if verdict.unexpected)
    return info


def allure_dir(config: pytest.Config) -> Path | None:
    """The Allure results folder of the run, or None without --alluredir."""
    given = getattr(config.option, "allure_report_dir", None)
    return config.invocation_params.dir / given if given else None


def write_unfinished(state: HarnessState) -> None:
    """results.json says the run has not finished (written when it starts: never the previous run's file)."""
    if state.results_path is not None:
        write_results(state.results_path, _run(state, ending=UNFINISHED), [])


def write_reports(config: pytest.Config, state: HarnessState, preflight_failure: str | None = None) -> None:
    """results.json (when the run has a results path) and environment.properties / categories.json; for a
    run stopped at setup also an Allure result saying so (so the folder agrees with results.json)."""
    write_run_reports(
        state, allure_dir(config), preflight_failure=preflight_failure, strict=config.option.jss_strict,
        deviations=config.option.jss_deviate or (), base=config.invocation_params.dir,
    )


def write_run_reports(
    state: HarnessState,
    directory: Path | None,
    *,
    target_name: str = "(none)",
    preflight_failure: str | None = None,
    strict: bool = False,
    deviations: Sequence[str] = (),
    base: Path | None = None,
) -> None:
    """The reports of `state`'s run: results.json at ``state.results_path``, the Allure extras in
    `directory` (None: no Allure folder), the history path in allurerc.json relative to `base` (the
    folder the run started in); `deviations`: those given with --jss-deviate."""
    if state.results_path is not None:
        write_results(state.results_path, _run(state, target_name, strict), state.book.records())
    if directory is None:
        return
    target = state.target
    ending = state.ending or COMPLETED_RUN
    reason = mask_secrets(ending.reason, state.secrets)
    allure_config.write_environment(
        directory,
        allure_config.environment_properties(
            target.name if target else target_name,
            target.endpoint if target else "",
            target.regions if target else [],
            target.dialect if target else "jss",
            deviations=active_deviations(target, deviations),
            known_deviations=state.known.path,
            run=_run_line(state, ending, reason),
        ),
    )
    allure_config.write_categories(
        directory,
        history=allure_config.history_path(directory, base),
        name=allure_config.report_name(ending.status, reason),
    )
    if preflight_failure is not None:
        allure_extras.write_synthetic_result(directory, "preflight", oc.INFRA_ERROR, preflight_failure)
    elif state.ending is not None and state.ending.stopped_at == SETUP and not state.book.records():
        reason = mask_secrets(state.ending.reason, state.secrets)
        allure_extras.write_synthetic_result(directory, SETUP_RESULT, "SETUP_ERROR", reason, status="broken")


def active_deviations(target, given: Sequence[str]) -> list[str]:
    """The deviations the embedded reference endpoint runs with: its profile's and --jss-deviate's."""
    if target is None or not target.embedded:
        return list(given)
    return list(dict.fromkeys([*target.reference_options.get("deviations", ()), *given]))


def _run_line(state: HarnessState, ending: RunEnding, reason: str) -> str:
    """How the run ended, for the Allure environment: ``completed``, or ``interrupted during the cases:
    interrupted by SIGINT (12 of 170 selected cases recorded)``."""
    if ending.completed:
        return ending.status
    where = "before any case" if ending.stopped_at == SETUP else "during the cases"
    line = f"{ending.status} {where}: {reason}"
    if state.selected is not None and ending.stopped_at != SETUP:
        line += f" ({len(state.book.records())} of {state.selected} selected cases recorded)"
    return line


def record_setup_stop(
    config: pytest.Config, state: HarnessState, reason: str, preflight_failure: str | None = None
) -> None:
    """The run stops before any case: note it and write results.json and the Allure folder saying so."""
    state.ending = stopped_at_setup(reason)
    if runs_tests(config):
        write_reports(config, state, preflight_failure=preflight_failure)


def _ending_lines(state: HarnessState, ending: RunEnding) -> list[tuple[str, dict]]:
    """What the terminal says about a run that did not complete, and about the sweep after an interrupt (or a
    lost forked worker)."""
    lines = [] if ending.completed else _incomplete_lines(state, ending)
    sweep = state.sweep
    if sweep is None or state.target is None:
        return lines
    after = "the interrupt" if ending.status == oc.INTERRUPTED_RUN else "a lost forked worker"
    lines.append(
        (
            f"after {after}: aborted {sweep.aborted} upload(s) and deleted {sweep.deleted} object(s) "
            f"left under {state.run_id}/",
            {},
        )
    )
    if sweep.problems:
        lines.append((f"could not remove everything: {sweep.problems[0]}", {"red": True}))
        if not state.target.embedded:
            command = sweep_command(state.target, state.run_id)
            lines.append((f"remove the rest with: {command}", {"red": True}))
    return lines


def _incomplete_lines(state: HarnessState, ending: RunEnding) -> list[tuple[str, dict]]:
    where = "before any case" if ending.stopped_at == SETUP else "during the cases"
    lines = [(f"run {ending.status} {where}: {ending.reason}", {"red": True, "bold": True})]
    if state.selected is not None and ending.stopped_at != SETUP:
        recorded = len(state.book.records())
        lines.append(
            (
                f"{recorded} of {state.selected} selected case(s) recorded, "
                f"{max(state.selected - recorded, 0)} never started",
                {"red": True},
            )
        )
    return lines


def render_command(config: pytest.Config, directory: Path) -> str:
    """The command that renders the Allure results (paths relative to the invocation folder if possible)."""
    try:
        shown = directory.relative_to(config.invocation_params.dir)
    except ValueError:
        shown = directory
    report = shown.parent / "allure-report"
    config = shown / allure_config.ALLURE3_CONFIG
    return f"npx {allure_config.ALLURE_NPM} generate --config {config} {shown} -o {report}"


def summary_lines(config: pytest.Config, state: HarnessState) -> list[tuple[str, dict]]:
    """(text, markup) lines of the terminal section: counts per outcome, non-passing cases, report paths."""
    if state.target is None and state.results_path is None:
        return []  # not a conformance run (e.g. the project's own tests)
    if not runs_tests(config):
        return []
    outcomes = state.book.outcomes()
    counts = Counter(phase.outcome for phase in outcomes.values())
    lines: list[tuple[str, dict]] = []
    if state.target is not None:
        lines.append(
            (f"target {state.target.name} at {state.target.endpoint or '-'}; run prefix {state.run_id}/", {})
        )
    lines.append(("  ".join(f"{name} {counts.get(name, 0)}" for name in oc.ALL_OUTCOMES), {"bold": True}))
    verdicts = verdicts_of(config, state)
    expected = {v.case_id for v in verdicts if v.expected_deviation}
    other_dialect = {v.case_id for v in verdicts if v.outcome == oc.NOT_APPLICABLE}
    if other_dialect and state.target is not None:
        target = state.target
        lines.append((f"NOT_APPLICABLE {len(other_dialect)} cases of clauses outside the {target.dialect}"
                      f" wire or the {target.rulebook} rules (nothing was asked of the store)",
                      {"yellow": True}))
    by_clause = state.book.clause_verdicts()
    for name in (oc.FAIL, oc.INFRA_ERROR, oc.INTERRUPTED, oc.NON_STRICT, oc.NOT_IMPLEMENTED):
        listed = sorted(
            (case_id(nodeid), phase.message, phase.details, _clauses_of(by_clause[nodeid], name))
            for nodeid, phase in outcomes.items()
            if phase.outcome == name and case_id(nodeid) not in other_dialect
        )
        for identifier, message, details, clauses in listed[:_SHOWN_PER_OUTCOME]:
            first = message.splitlines()[0] if message else ""
            known = identifier in expected
            red = name in (oc.FAIL, oc.INFRA_ERROR, oc.INTERRUPTED) and not known
            colour = {"red": True} if red else {"yellow": True}
            shown = f"{name} (expected)" if known else name
            named = f" [{clauses}]" if clauses else ""
            lines.append((f"{shown} {identifier}{named}: {first[:160]}", colour))
            lines.extend((f"    {detail}", {}) for detail in details)
        if len(listed) > _SHOWN_PER_OUTCOME:
            lines.append((f"... and {len(listed) - _SHOWN_PER_OUTCOME} more {name}", colour))
    lines += verdict_summary(verdicts)
    if state.known.drafts:
        lines.append(
            (f"{len(state.known.drafts)} entries of {state.known.path} still have a draft reason "
             "(--allow-draft): review them and remove their draft key", {"yellow": True})
        )
    lines += _ending_lines(state, state.ending or COMPLETED_RUN)
    if state.results_path is not None:
        lines.append((f"results: {state.results_path}", {}))
    directory = allure_dir(config)
    if directory is not None:
        lines.append((f"allure results: {directory}", {}))
        lines.append((f"  render: {render_command(config, directory)}", {}))
    if config.option.jss_keep and state.target is not None:
        lines.append((_kept_line(state.target, state.run_id), {}))
    return lines


def _clauses_of(verdicts: list[dict[str, str]], outcome: str) -> str:
    """The clauses of a case whose own verdict is `outcome` (the case's failing clauses), comma-separated."""
    return ", ".join(verdict["clause"] for verdict in verdicts if verdict["outcome"] == outcome)


def _kept_line(target: Target, run_id: str) -> str:
    """The --jss-keep line: where the run's objects were left, and the command that removes them."""
    if target.embedded:
        return f"--jss-keep: objects were left under {run_id}/ of the embedded endpoint, gone with the run"
    return f"--jss-keep: objects left under {run_id}/; remove them with: {sweep_command(target, run_id)}"
