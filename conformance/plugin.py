"""The jss-conformance pytest plugin (entry point ``pytest11: jss_conformance``).

It is loaded by every pytest run in an environment where the package is installed, and stays inert unless
conformance cases run (arguments naming ``conformance/cases``, ``--pyargs conformance.cases``,
``--jss-target`` or ``--jss-embedded``). Then, in the controller process (once, also under xdist):

1. it resolves the target (profile, JSS_* variables, or ``fixtures/targets/embedded.toml``); a bad profile is
   a usage error (one line, exit status 4 under plain pytest, 2 through ``jss-conformance run``);
2. for the embedded target it starts the reference endpoint with generated credentials and creates the
   buckets; it probes every endpoint (unreachable: one INFRA_ERROR, exit status 3);
3. it hands the target and the run id to the xdist workers (``pytest_configure_node``/``workerinput``);
4. it classifies every case (PASS, FAIL, NON_STRICT, NOT_IMPLEMENTED, SKIPPED, INFRA_ERROR), shows the
   non-plain outcomes under their own names in the terminal, writes results.json and the Allure extras, maps
   the exit status (0 as expected, 1 conformance failure, 3 infrastructure), and stops the endpoint.

The fixtures are in :mod:`conformance.harness.fixtures`, the pieces in ``conformance/harness/``.
"""

from __future__ import annotations

import contextlib

import pytest

from conformance import outcomes as oc
from conformance.catalogue import CatalogueError, load_catalogue, outside_target
from conformance.harness import allure_support as allure_extras
from conformance.harness import allure_writer, forking, interruption
from conformance.harness.auto_workers import auto_workers
from conformance.harness.case_interruption import CaseInterruption
from conformance.harness.case_reports import (
    Collector,
    dialect_setup_report,
)
from conformance.harness.classify import RED_STATUS, TEST_STATUS
from conformance.harness.finishing import finish_run
from conformance.harness.fixtures import (  # noqa: F401 - pytest finds fixtures by name on the plugin
    jss_bucket,
    jss_case,
    jss_client,
    jss_client_for,
    jss_expect,
    jss_http_session,
    jss_key,
    jss_make_key,
    jss_run_prefix,
    jss_target,
    jss_tracker,
)
from conformance.harness.large import MARKER as LARGE_MARKER
from conformance.harness.large import (  # noqa: F401 - fixtures, found by name
    add_large_options,
    deselect_large,
    jss_endpoint_pid,
    jss_large,
    register_figures,
)
from conformance.harness.options import add_options, add_sdk_options, names_cases, results_path, runs_tests
from conformance.harness.phase_report import record_phase
from conformance.harness.reporting import record_setup_stop, summary_lines, write_unfinished
from conformance.harness.sdk_mode import sdk_behaviours
from conformance.harness.sdk_summary import register_sdk_summary
from conformance.harness.selection import clause_ids, selected
from conformance.harness.session_setup import resolve_run, start_target
from conformance.harness.signals import RunInterrupted
from conformance.harness.state import (
    DIALECT_KEY,
    harness_state,
    new_run_id,
)
from conformance.harness.usage import usage_error
from conformance.known_deviations import (
    KnownDeviations,
)
from conformance.masking import mask_secrets
from conformance.target import Target

CLAUSE_MARKER = "clause(*ids): the clause ids of fixtures/clauses.toml that a conformance case checks"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The --jss-* options."""
    add_options(parser)
    add_sdk_options(parser)
    add_large_options(parser)


@pytest.hookimpl(tryfirst=True, specname="pytest_configure")
def pytest_configure_before_allure(config: pytest.Config) -> None:
    """Note allure's file loggers before allure-pytest adds this run's (see allure_writer)."""
    allure_writer.note_loggers(config)


@pytest.hookimpl(trylast=True, specname="pytest_configure")
def pytest_configure_after_allure(config: pytest.Config) -> None:
    """Write this run's Allure result and container files from a background thread (same files)."""
    allure_writer.install(config)


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the target in the controller (validating the profile), or take it from workerinput."""
    config.addinivalue_line("markers", CLAUSE_MARKER)
    config.addinivalue_line("markers", LARGE_MARKER)
    state = harness_state(config)
    config.pluginmanager.register(CaseInterruption(state), "jss_case_interruption")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        state.is_worker = True
        state.worker_id = workerinput.get("workerid", "gw")
        state.run_id = workerinput.get("jss_run_id") or new_run_id()
        state.wanted = bool(workerinput.get("jss_wanted"))
        payload = workerinput.get("jss_target")
        state.target = Target.from_payload(payload) if payload else None
        known = workerinput.get("jss_known")
        state.known = KnownDeviations.from_payload(known) if known else state.known
        return
    config.pluginmanager.register(Collector(state), "jss_conformance_collector")
    register_figures(config)
    register_sdk_summary(config)
    state.run_id = new_run_id()
    state.wanted = names_cases(config)
    state.results_path = results_path(config, state.wanted)
    try:
        resolve_run(config, state)
    except pytest.UsageError as exc:
        record_setup_stop(config, state, str(exc))
        raise
    if state.target is not None and runs_tests(config):
        # From now on a signal stops the run properly (deferred until collection, see case_interruption),
        # and results.json never shows the previous run's outcome, even if this one is killed.
        interruption.install_handler(state, deferred=True)
        write_unfinished(state)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the embedded endpoint (if any) and probe the target, before any case and any worker."""
    config = session.config
    state = harness_state(config)
    if state.is_worker and state.target is not None:
        interruption.install_handler(state, deferred=True)  # an xdist worker: see case_interruption
    if state.is_worker or state.target is None or not runs_tests(config):
        return
    handler = state.interrupt_handler
    try:
        with handler.raising() if handler is not None else contextlib.nullcontext():
            start_target(config, state)
    except RunInterrupted:
        return  # noted: the run stops at collection, as interrupted before any case


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A case naming a clause outside the target's wire or rulebook is NOT_APPLICABLE, with the catalogue's
    reason (and expected so: see conformance.harness.verdicts)."""
    state = harness_state(item.config)
    ids = clause_ids(item)
    if state.target is None or not ids:
        return
    if state.catalogue is None:
        try:
            state.catalogue = load_catalogue()
        except CatalogueError:
            state.catalogue = {}
    outside = outside_target(ids, state.catalogue, state.target.dialect, state.target.rulebook)
    if outside:
        item.stash[DIALECT_KEY] = outside
        raise oc.NotApplicable(outside[1])


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """``--jss-workers``: run the cases in forked workers (see conformance.harness.forking)."""
    state = harness_state(session.config)
    if state.is_worker or state.target is None or not session.items:
        return None
    count = forking.worker_count(session.config, state.round_trip)
    return forking.run_forked(session, count) if count else None


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` for a far target: more workers than cores (see conformance.harness.auto_workers)."""
    if not names_cases(config):
        return None
    return auto_workers(config.option.jss_target, config.option.jss_embedded)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: hand the target (with its credentials) and the run id to a worker."""
    state = harness_state(node.config)
    node.workerinput["jss_run_id"] = state.run_id
    node.workerinput["jss_wanted"] = state.wanted
    if state.target is not None:
        node.workerinput["jss_target"] = state.target.to_payload()
    node.workerinput["jss_known"] = state.known.to_payload()
    if state.reference is not None:
        node.workerinput["jss_reference_pid"] = state.reference.pid


@pytest.hookimpl(optionalhook=True)
def pytest_testnodeready(node) -> None:
    """xdist: note the worker's process id (a SIGINT to the controller is passed on to it at once)."""
    pid = interruption.worker_pid(node)
    if pid is not None:
        harness_state(node.config).worker_pids.append(pid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    """xdist: the number of cases selected (every worker collects the same)."""
    harness_state(node.config).selected = len(ids)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The number of cases selected (a serial run, or an xdist worker)."""
    harness_state(session.config).selected = len(session.items)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    """One line naming the target, regions and run prefix (plus preflight warnings)."""
    state = harness_state(config)
    if state.target is None:
        return None
    target = state.target
    deviations = config.option.jss_deviate
    lines = [
        f"jss-conformance: target {target.name} ({target.endpoint or 'not started'}), regions "
        f"{', '.join(target.regions)}, run prefix {state.run_id}/"
        + (f", deviations {', '.join(deviations)}" if deviations else "")
    ]
    return lines + state.warnings


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Select by --jss-family/--jss-clause/--jss-operation (the large family only on request); label the
    cases for Allure."""
    option = config.option
    deselect_large(config, items)
    selecting = bool(option.jss_family or option.jss_clause or option.jss_operation)
    labelling = bool(getattr(option, "allure_report_dir", None))
    if not (selecting or labelling) or not any(clause_ids(item) for item in items):
        if selecting:
            config.hook.pytest_deselected(items=list(items))
            items[:] = []
        return
    try:
        clauses = load_catalogue()
        catalogue = {**clauses, **sdk_behaviours(config)}
    except CatalogueError as exc:
        if selecting:
            raise usage_error(str(exc)) from None
        catalogue = {}
    else:
        state = harness_state(config)
        if state.catalogue is None:
            state.catalogue = clauses  # the dialect check at setup reads it again otherwise
    keep, drop = [], []
    for item in items:
        ids = clause_ids(item)
        if selecting and not selected(
            ids,
            catalogue,
            families=option.jss_family,
            prefixes=option.jss_clause,
            operations=option.jss_operation,
        ):
            drop.append(item)
            continue
        keep.append(item)
        if labelling:
            allure_extras.label_item(
                item, [catalogue[i] for i in ids if i in catalogue], [i for i in ids if i not in catalogue]
            )
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_dialect(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
    """The setup report of a case the wire/rulebook check stopped (NOT_APPLICABLE), built without pytest's
    traceback (see :func:`conformance.harness.case_reports.dialect_setup_report`); other reports: pytest's."""
    if DIALECT_KEY not in item.stash:
        return None
    return dialect_setup_report(item, call)


@pytest.hookimpl(wrapper=True, trylast=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_scrub(item: pytest.Item, call: pytest.CallInfo):
    """Innermost wrapper: remove the target's secret from the report text before any reporter reads it."""
    report: pytest.TestReport = yield
    secrets_ = harness_state(item.config).secrets
    if not secrets_:
        return report
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        masked = mask_secrets(text, secrets_)
        if masked != text:
            report.longrepr = masked
    report.sections = [(name, mask_secrets(content, secrets_)) for name, content in report.sections]
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Classify each phase; judge a failed check at its clauses' level under the target's rulebook
    (conformance.harness.levels); turn NON_STRICT into a pass (unless --jss-strict), NOT_IMPLEMENTED,
    NOT_APPLICABLE and INTERRUPTED into a skip; record the outcome on the report (it travels to the xdist
    controller); update Allure."""
    report: pytest.TestReport = yield
    return record_phase(item, call, report)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """A case that a stop (a signal, an interrupt) cuts short has no makereport of its own: its Allure result,
    closed by allure-pytest's wrapper around this one, is marked INTERRUPTED instead of keeping "passed"."""
    try:
        return (yield)
    except BaseException:
        allure_extras.mark_interrupted(item)
        raise


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    """NON_STRICT, NOT_IMPLEMENTED, INFRA_ERROR and INTERRUPTED get their own word, letter and summary
    count."""
    outcome = getattr(report, "jss_outcome", None)
    if outcome not in TEST_STATUS:
        return None
    if report.when != "call" and report.passed:
        return None
    category, letter, word = TEST_STATUS[outcome]
    colour = "red" if outcome in RED_STATUS else "yellow"
    return category, letter, (word, {colour: True})


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int):
    """After the other plugins' session finish (the last finalizers ran, xdist's workers are down) and before
    the terminal summary: decide how the run ended, sweep the run folder after an interrupt, map the exit
    status, write results.json and the Allure extras (controller only)."""
    result = yield
    state = harness_state(session.config)
    if not state.is_worker and runs_tests(session.config) and not state.preflight_failed:
        finish_run(session, state)
    return result


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """A jss-conformance section: outcome counts, the non-passing cases, where the reports are."""
    state = harness_state(config)
    if state.is_worker:
        return
    lines = summary_lines(config, state)
    if lines:
        terminalreporter.section("jss-conformance")
        for text, markup in lines:
            terminalreporter.line(text, **markup)


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the embedded reference endpoint (and remove its temporary folders)."""
    state = harness_state(config)
    if state.preflight_failed:
        # pytest.exit() already printed our one line; keep the terminal from repeating it as an interrupt.
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and hasattr(reporter, "_keyboardinterrupt_memo"):
            reporter._keyboardinterrupt_memo = None
    if state.interrupt_handler is not None:
        state.interrupt_handler.restore()
    if state.reference is not None:
        state.reference.stop()
        state.reference = None
