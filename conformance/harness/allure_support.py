"""Allure: labels from the clause catalogue, statuses for our outcomes, exchange attachments, environment and
categories files.

Labels: epic = operation, feature = clause family, story = clause id, tag = clause level, a link to the
clause's source page, the clause sentences as the description. Statuses: FAIL -> failed (whatever the
exception), NON_STRICT and INFRA_ERROR -> broken, NOT_IMPLEMENTED and SKIPPED -> skipped; the message starts
with the outcome name so that categories.json can tell them apart.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from conformance import __version__
from conformance import outcomes as oc
from conformance.catalogue import Clause
from conformance.client import Exchange

_SEVERITY = {"MUST": "critical", "EXAMPLE": "normal", "OPEN": "minor"}
_STATUS = {
    oc.PASS: "passed",
    oc.FAIL: "failed",
    oc.NON_STRICT: "broken",
    oc.INFRA_ERROR: "broken",
    oc.INTERRUPTED: "broken",
    oc.NOT_IMPLEMENTED: "skipped",
    oc.SKIPPED: "skipped",
}
MAX_ATTACHED_EXCHANGES = 40
ALLURE3_CONFIG = "allurerc.json"
#: The Allure 3 report generator (npm) the written allurerc.json is made for: pinned, like constraints.txt
#: pins the PyPI side, so the render hint and the project's report test use one known release.
ALLURE_NPM = "allure@3.18.0"
#: Allure 3's report (the "awesome" plugin) with its tree by operation / family / clause id (our labels
#: epic / feature / story) instead of by test file.
ALLURE3_PLUGINS = {"awesome": {"options": {"groupBy": ["epic", "feature", "story"]}}}
_FRAGMENT = 6  # a secret's head or tail this long, next to "...", is scrubbed too

CATEGORIES = [
    {
        "name": "Infrastructure errors (INFRA_ERROR: not a conformance verdict)",
        "matchedStatuses": ["broken"],
        "messageRegex": "(?s)INFRA_ERROR.*",
    },
    {
        "name": "Interrupted cases and runs stopped at setup (INTERRUPTED, SETUP_ERROR: no verdict)",
        "matchedStatuses": ["broken"],
        "messageRegex": "(?s)(INTERRUPTED|SETUP_ERROR).*",
    },
    {
        "name": "Non-strict deviations (NON_STRICT: the documentation is ambiguous)",
        "matchedStatuses": ["broken"],
        "messageRegex": "(?s)NON_STRICT.*",
    },
    {
        "name": "Not implemented by the target (NOT_IMPLEMENTED)",
        "matchedStatuses": ["skipped"],
        "messageRegex": "(?s)NOT_IMPLEMENTED.*",
    },
    {"name": "Conformance failures (FAIL)", "matchedStatuses": ["failed"]},
    {"name": "Suite defects (unexpected errors)", "matchedStatuses": ["broken"]},
]


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


def apply_outcome(config: pytest.Config, outcome: str, message: str) -> None:
    """Set the Allure status of the running test to our outcome's (no-op without --alluredir)."""
    test = _current_test(config)
    if test is None:
        return
    from allure_commons.model2 import Label, StatusDetails

    test.status = _STATUS[outcome]
    if outcome in (oc.NON_STRICT, oc.INFRA_ERROR, oc.NOT_IMPLEMENTED):
        trace = test.statusDetails.trace if test.statusDetails else None
        test.statusDetails = StatusDetails(message=f"{outcome}: {message}", trace=trace)
    if outcome not in (oc.PASS, oc.FAIL) and not any(
        label.name == "tag" and label.value == outcome for label in test.labels
    ):
        test.labels.append(Label(name="tag", value=outcome))


def scrub_current(config: pytest.Config, secrets_: Iterable[str]) -> None:
    """Remove secret strings from the running test's status message and trace."""
    test = _current_test(config)
    if test is None or test.statusDetails is None:
        return
    for attribute in ("message", "trace"):
        text = getattr(test.statusDetails, attribute)
        if text:
            setattr(test.statusDetails, attribute, scrub(text, secrets_))


def scrub(text: str, secrets_: Iterable[str]) -> str:
    """`text` with every secret replaced by ****, also the head or tail pytest keeps of a truncated repr
    (``'hArNeSs-SeCr...defghijKLMNOP'``)."""
    for secret in secrets_:
        if not secret:
            continue
        text = text.replace(secret, "****")
        if len(secret) >= 2 * _FRAGMENT and "..." in text:
            heads = "|".join(re.escape(secret[:n]) for n in range(len(secret) - 1, _FRAGMENT - 1, -1))
            tails = "|".join(re.escape(secret[-n:]) for n in range(len(secret) - 1, _FRAGMENT - 1, -1))
            text = re.sub(rf"(?:{heads})\.\.\.", "****...", text)
            text = re.sub(rf"\.\.\.(?:{tails})", "...****", text)
    return text


def attach_exchanges(exchanges: Iterable[Exchange], total: int, secrets_: Iterable[str]) -> None:
    """Attach each exchange's render() (signature masked, secrets scrubbed) to the running Allure test."""
    import allure

    exchanges = list(exchanges)[-MAX_ATTACHED_EXCHANGES:]
    first = total - len(exchanges) + 1
    for number, exchange in enumerate(exchanges, start=first):
        path = exchange.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        name = f"exchange {number:02d}: {exchange.method} /{path[:60]} -> {exchange.status}"
        allure.attach(
            scrub(exchange.render(), secrets_), name=name, attachment_type=allure.attachment_type.TEXT
        )


def write_environment(directory: Path, properties: Mapping[str, str]) -> None:
    """environment.properties (key = value per line) in the Allure results folder."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {str(value).replace(chr(10), ' ')}" for key, value in properties.items()]
    (directory / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_categories(directory: Path) -> None:
    """INFRA_ERROR, NON_STRICT and NOT_IMPLEMENTED apart from conformance failures: categories.json (read
    by Allure 2 from the results folder; Java regexes) and allurerc.json (Allure 3 reads categories from its
    configuration: ``npx <ALLURE_NPM> generate --config <dir>/allurerc.json <dir>``; JavaScript regexes),
    which also makes Allure 3's tree navigate by epic / feature / story."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "categories.json").write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")
    rules = [dict(rule) for rule in CATEGORIES]
    for rule in rules:
        if "messageRegex" in rule:
            rule["messageRegex"] = "^" + rule["messageRegex"].removeprefix("(?s)").removesuffix(".*")
    config = {"name": "jss-conformance", "categories": rules, "plugins": ALLURE3_PLUGINS}
    (directory / ALLURE3_CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def environment_properties(target_name: str, endpoint: str, regions: Iterable[str], dialect: str) -> dict:
    """The properties shown on the Allure overview."""
    return {
        "target": target_name,
        "endpoint": endpoint,
        "regions": ", ".join(regions),
        "dialect": dialect,
        "suite.version": __version__,
    }


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
        "status": status or _STATUS[outcome],
        "statusDetails": {"message": f"{outcome}: {message}"},
        "stage": "finished",
        "start": now,
        "stop": now,
        "labels": [{"name": "suite", "value": "jss-conformance"}, {"name": "tag", "value": outcome}],
    }
    (directory / f"{identifier}-result.json").write_text(json.dumps(result), encoding="utf-8")
