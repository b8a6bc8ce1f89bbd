"""Allure: labels from the clause catalogue, each case's status, message and tags, exchange attachments.

Labels: epic = operation, feature = clause family, story = clause id, tag = clause level, a link to the
clause's source page, the clause sentences as the description. Statuses, messages and tags:
:mod:`conformance.harness.allure_status` (the categories match the start of the message); the files beside the
results (categories, allurerc.json, environment): :mod:`conformance.harness.allure_config`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import pytest

from conformance import outcomes as oc
from conformance.catalogue import Clause
from conformance.client import Exchange
from conformance.harness.allure_config import ALLURE3_CONFIG, ALLURE_NPM  # noqa: F401 - re-exported
from conformance.harness.allure_status import MANAGED_TAGS, AllureView, base_status
from conformance.harness.allure_status import view as status_view
from conformance.harness.results import INTERRUPTED_MESSAGE
from conformance.known_deviations import PASS_EXPECTED, Expectation
from conformance.masking import mask_secrets

_SEVERITY = {"MUST": "critical", "EXAMPLE": "normal", "OPEN": "minor"}
MAX_ATTACHED_EXCHANGES = 40
#: The verdicts an interrupted case keeps (as the results book does, conformance.harness.results).
_KEPT_WHEN_INTERRUPTED = {oc.FAIL, oc.NON_STRICT, oc.INFRA_ERROR}


def label_item(item: pytest.Item, clauses: Iterable[Clause], unknown_ids: Iterable[str] = ()) -> None:
    """Add allure-pytest's label, link and description markers to `item` for its clauses."""
    clauses = list(clauses)
    for label_type, values in (
        ("epic", [c.operation for c in clauses]),
        ("feature", [c.family for c in clauses]),
        ("story", [c.id for c in clauses] + list(unknown_ids)),
        ("tag", [c.level for c in clauses]),
    ):
        values = list(dict.fromkeys(values))
        if values:
            item.add_marker(pytest.mark.allure_label(*values, label_type=label_type))
    levels = [c.level for c in clauses]
    severity = next((_SEVERITY[level] for level in ("MUST", "EXAMPLE", "OPEN") if level in levels), None)
    if severity:
        item.add_marker(pytest.mark.allure_label(severity, label_type="severity"))
    for source in dict.fromkeys(c.source for c in clauses):
        names = ", ".join(c.id for c in clauses if c.source == source)
        item.add_marker(pytest.mark.allure_link(source, link_type="link", name=f"spec: {names}"))
    if clauses:
        text = "\n\n".join(
            f"**{c.id}** ({c.level}, {c.operation}): {c.sentence}\n\nSource: {c.source}" for c in clauses
        )
        item.add_marker(pytest.mark.allure_description(text))


def _current_test(config: pytest.Config):
    listener = config.pluginmanager.get_plugin("allure_listener")
    if listener is None:
        return None
    try:
        return listener.allure_logger.get_test(None)
    except (AttributeError, KeyError, IndexError):
        return None


def apply_outcome(
    config: pytest.Config,
    outcome: str,
    message: str,
    expected: Expectation = PASS_EXPECTED,
    *,
    judged: bool = False,
) -> None:
    """Set the running test's Allure status, message and tags for our outcome against its expectation
    (`judged`: the run has a known-deviations file); a no-op without --alluredir."""
    test = _current_test(config)
    if test is None:
        return
    shown = status_view(outcome, message, expected, judged=judged, strict=config.option.jss_strict)
    _show(test, shown)


def mark_interrupted(item: pytest.Item) -> None:
    """The run stopped while `item` was in flight: unless it already has a failing verdict (kept, as in
    results.json), its Allure result is INTERRUPTED (status unknown), never passed. It also gets the clause
    labels and the history id that allure-pytest adds at the teardown it will not have."""
    test = _current_test(item.config)
    if test is None:
        return
    from allure_commons.model2 import Label
    from allure_pytest.utils import allure_labels, get_history_id

    if not any(label.name == "story" for label in test.labels):
        test.labels.extend(Label(name=name, value=value) for name, value in allure_labels(item))
    if test.historyId is None and test.fullName:
        params = item.callspec.params if hasattr(item, "callspec") else {}
        test.historyId = get_history_id(test.fullName, test.parameters, original_values=params)
    tags = {label.value for label in test.labels if label.name == "tag"}
    if test.status in ("failed", "broken") or tags & _KEPT_WHEN_INTERRUPTED:
        return  # a FAIL, NON_STRICT or INFRA_ERROR verdict stays (an expected FAIL too), as in results.json
    _show(test, status_view(oc.INTERRUPTED, INTERRUPTED_MESSAGE))


def _show(test, shown: AllureView) -> None:
    from allure_commons.model2 import Label, StatusDetails

    test.status = shown.status
    if shown.message is not None:
        trace = test.statusDetails.trace if test.statusDetails else None
        test.statusDetails = StatusDetails(message=shown.message, trace=trace)
    test.labels[:] = [
        label for label in test.labels if label.name != "tag" or label.value not in MANAGED_TAGS
    ]
    test.labels.extend(Label(name="tag", value=tag) for tag in shown.tags)


#: The name of the Allure step that shows one clause's verdict starts so.
CLAUSE_STEP = "clause "


def show_clause_verdicts(config: pytest.Config, verdicts: Iterable[dict[str, str]]) -> None:
    """One Allure step per clause of the running test: ``clause <id>: <outcome>``, its status and message
    (replacing those of an earlier phase); a no-op without --alluredir."""
    test = _current_test(config)
    if test is None:
        return
    from allure_commons.model2 import StatusDetails, TestStepResult

    now = int(time.time() * 1000)
    steps = [step for step in test.steps if not (step.name or "").startswith(CLAUSE_STEP)]
    for verdict in verdicts:
        outcome, message = verdict["outcome"], verdict["message"]
        steps.append(TestStepResult(
            name=f"{CLAUSE_STEP}{verdict['clause']}: {outcome}", status=clause_status(outcome),
            statusDetails=StatusDetails(message=message) if message else None, start=now, stop=now,
        ))
    test.steps = steps


def clause_status(outcome: str) -> str:
    """The Allure status of a clause verdict (NOT_REACHED and NOT_APPLICABLE: skipped)."""
    return base_status(outcome) if outcome not in (oc.NOT_REACHED, oc.NOT_APPLICABLE) else "skipped"


def scrub_current(config: pytest.Config, secrets_: Iterable[str]) -> None:
    """Mask the secrets in the running test's status message and trace (:func:`mask_secrets`)."""
    test = _current_test(config)
    if test is None or test.statusDetails is None:
        return
    for attribute in ("message", "trace"):
        text = getattr(test.statusDetails, attribute)
        if text:
            setattr(test.statusDetails, attribute, mask_secrets(text, secrets_))


def attach_exchanges(exchanges: Iterable[Exchange], total: int, secrets_: Iterable[str]) -> None:
    """Attach each exchange's render() (signature masked, secrets masked) to the running Allure test."""
    import allure

    exchanges = list(exchanges)[-MAX_ATTACHED_EXCHANGES:]
    first = total - len(exchanges) + 1
    for number, exchange in enumerate(exchanges, start=first):
        path = exchange.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        name = f"exchange {number:02d}: {exchange.method} /{path[:60]} -> {exchange.outcome[:80]}"
        allure.attach(
            mask_secrets(exchange.render(), secrets_), name=name, attachment_type=allure.attachment_type.TEXT
        )


def write_synthetic_result(
    directory: Path, name: str, outcome: str, message: str, status: str | None = None
) -> None:
    """An Allure result for an outcome without a test (the preflight probe, a run stopped at setup);
    `status` defaults to the outcome's Allure status."""
    directory.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1000)
    identifier = str(uuid.uuid4())
    result = {
        "uuid": identifier,
        "name": name,
        "fullName": f"jss-conformance.{name}",
        "status": status or base_status(outcome),
        "statusDetails": {"message": f"{outcome}: {message}"},
        "stage": "finished",
        "start": now,
        "stop": now,
        "labels": [{"name": "suite", "value": "jss-conformance"}, {"name": "tag", "value": outcome}],
    }
    (directory / f"{identifier}-result.json").write_text(json.dumps(result), encoding="utf-8")
