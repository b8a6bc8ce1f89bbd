"""The start of a conformance session in the controller: the options checked and the target resolved
(:func:`resolve_run`, at configure), then the embedded endpoint started and every endpoint probed
(:func:`start_target`, at session start). The plugin's hooks call them."""

from __future__ import annotations

import os

import pytest

from conformance import outcomes as oc
from conformance.catalogue import CatalogueError, load_catalogue
from conformance.harness import forking
from conformance.harness.embedded import check_deviations, start_embedded
from conformance.harness.large import check_large_options
from conformance.harness.preflight import preflight
from conformance.harness.reporting import record_setup_stop
from conformance.harness.sdk_mode import no_findings_path, prepare_sdk, reference_args
from conformance.harness.selection import check_families, check_selection
from conformance.harness.usage import infra_exit, usage_error
from conformance.known_deviations import (
    KnownDeviationsError,
    check_drafts,
    check_fingerprints,
    load_known_deviations,
)
from conformance.masking import short_secret_warnings
from conformance.paths import fixtures_override_problem
from conformance.target import ProfileError, resolve_target


def resolve_run(config: pytest.Config, state) -> None:
    """Check the selection options and resolve the target (pytest.UsageError with one line)."""
    option = config.option
    problem = fixtures_override_problem()
    if problem:
        raise usage_error(problem)
    check_families(option.jss_family)
    problem = forking.check_option(config)
    if problem:
        raise usage_error(problem)
    try:
        check_large_options(config)
    except ValueError as exc:
        raise usage_error(f"--jss-large-size / --jss-large-part-size: {exc}") from None
    if option.jss_family or option.jss_clause or option.jss_operation:
        try:
            catalogue = load_catalogue()
        except CatalogueError as exc:
            raise usage_error(str(exc)) from None
        check_selection(catalogue, prefixes=option.jss_clause, operations=option.jss_operation)
    if not state.wanted:
        return
    try:
        if option.jss_embedded and option.jss_target:
            raise ProfileError("--jss-embedded and --jss-target exclude each other")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("JSS_")}
        state.target = resolve_target(option.jss_target, environment if option.jss_embedded else os.environ)
        if option.jss_deviate:
            if not state.target.embedded:
                raise ProfileError(
                    f"--jss-deviate applies to the embedded reference endpoint only, "
                    f"not to target {state.target.name}"
                )
            check_deviations(option.jss_deviate)
        if option.jss_sdk_driver:
            prepare_sdk(option, state.target)
            state.sdk_wire = option.jss_sdk_wire
        known_path = option.jss_known_deviations or state.target.known_deviations
        if option.jss_sdk_driver and not option.jss_known_deviations:
            known_path = str(no_findings_path())  # an SDK run is always judged: every scenario must PASS
        if known_path:
            state.known = load_known_deviations(config.invocation_params.dir / known_path)
            check_drafts(state.known, allow_draft=option.jss_allow_draft)
            if option.jss_sdk_driver:
                check_fingerprints(state.known)
    except (ProfileError, KnownDeviationsError) as exc:
        raise usage_error(str(exc)) from None


def start_target(config: pytest.Config, state) -> None:
    """Start the embedded endpoint (if any) and probe the target (a usage error, or exit status 3)."""
    try:
        if state.target.embedded:
            state.target, state.reference = start_embedded(
                state.target, config.option.jss_deviate, timeout=config.option.jss_timeout,
                extra_args=reference_args(config.option),
            )
        state.warnings += short_secret_warnings(state.target)
        round_trips: list[float] = []
        state.warnings += preflight(
            state.target, round_trips=round_trips, server_headers=state.server_headers
        )
        state.round_trip = min(round_trips, default=None)
    except ProfileError as exc:
        record_setup_stop(config, state, str(exc))
        raise usage_error(str(exc)) from None
    except oc.InfraError as exc:
        message = str(exc).splitlines()[0]
        state.book.add_synthetic("preflight", oc.INFRA_ERROR, message)
        record_setup_stop(config, state, f"INFRA_ERROR: {message}", preflight_failure=message)
        state.preflight_failed = True
        raise infra_exit(message) from None  # pytest prints it as the suite's INFRA_ERROR line
