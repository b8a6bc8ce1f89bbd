"""The files beside the Allure results that say how to read them: categories.json (Allure 2),
allurerc.json (Allure 3: categories, tree grouping, report name, history file) and environment.properties.

Categories match a result's status and the marker its message starts with (see
:mod:`conformance.harness.allure_status`); the first matching category wins, so the specific ones come first.
Allure 3 keeps its history (the trend charts) in a JSON-lines file named by ``historyPath``; the run points it
at ``allure-history.jsonl`` beside the results folder (``reports/``), which ``jss-conformance run`` does not
clean, so every ``generate`` adds one point to the trends. A relative ``historyPath`` is read from the folder
``generate`` runs in: the render command the run prints is relative to the folder the run started in.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from conformance import __version__
from conformance import outcomes as oc
from conformance.harness import allure_status as view

ALLURE3_CONFIG = "allurerc.json"
#: The Allure 3 report generator (npm) the written allurerc.json is made for: pinned, like constraints.txt
#: pins the PyPI side, so the render hint and the project's report test use one known release.
ALLURE_NPM = "allure@3.18.0"
#: Allure 3's report (the "awesome" plugin) with its tree by operation / family / clause id (our labels
#: epic / feature / story) instead of by test file.
ALLURE3_PLUGINS = {"awesome": {"options": {"groupBy": ["epic", "feature", "story"]}}}
#: Allure 3's history file, beside the results folder (outside it: the run cleans that folder).
HISTORY_FILE = "allure-history.jsonl"
#: Runs kept in the history (each entry holds every test's result: about 0.2 MB for the whole suite).
HISTORY_LIMIT = 30
REPORT_NAME = "jss-conformance"

_ALL = ["failed", "broken", "passed", "skipped", "unknown"]
#: (name, statuses, message marker or None): the first that matches a result is its category.
_RULES = [
    ("Known deviations (expected: not a new failure, the run exits 0)", _ALL, view.KNOWN_DEVIATION),
    ("Unexpected outcomes (not what the known-deviations file expects: the run fails)", _ALL,
     view.UNEXPECTED),
    ("Interrupted (INTERRUPTED: the run stopped while the case ran, no verdict)", ["unknown"],
     oc.INTERRUPTED),
    ("Run stopped at setup (SETUP_ERROR: no case ran)", ["broken"], view.SETUP_ERROR),
    ("Infrastructure errors (INFRA_ERROR: not a conformance verdict)", ["broken"], oc.INFRA_ERROR),
    ("Non-strict deviations failing the run (NON_STRICT with --jss-strict)", ["failed"], oc.NON_STRICT),
    ("Non-strict deviations (NON_STRICT: the documentation is ambiguous, not a failure)", ["passed"],
     oc.NON_STRICT),
    ("Not applicable (NOT_APPLICABLE: outside the target's wire or rulebook, nothing was asked)", ["skipped"],
     view.OUTSIDE_DIALECT),
    ("Not implemented by the target (NOT_IMPLEMENTED)", ["skipped"], oc.NOT_IMPLEMENTED),
    ("Conformance failures (FAIL)", ["failed"], None),
    ("Suite defects (unexpected errors)", ["broken"], None),
]


def _marker(marker: str) -> str:
    """A regular expression matching `marker` literally, the same in Java and JavaScript."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", marker)


def _categories(message_regex) -> list[dict]:
    """The category rules, each marker made a message regex by `message_regex`."""
    rules = []
    for name, statuses, marker in _RULES:
        rule: dict = {"name": name, "matchedStatuses": list(statuses)}
        if marker is not None:
            rule["messageRegex"] = message_regex(_marker(marker))
        rules.append(rule)
    return rules


def categories_allure2() -> list[dict]:
    """categories.json: Allure 2 matches ``messageRegex`` (a Java regex) against the whole message."""
    return _categories(lambda marker: f"(?s){marker}.*")


def categories_allure3() -> list[dict]:
    """allurerc.json's categories: Allure 3 searches ``messageRegex`` (a JavaScript regex) in the message."""
    return _categories(lambda marker: f"^{marker}")


def history_path(directory: Path, base: Path | None = None) -> str:
    """Where Allure 3 keeps the history of the results in `directory`: beside that folder; relative to `base`
    (the folder the run started in, where its render command runs) when it is inside it."""
    history = Path(directory).parent / HISTORY_FILE
    if base is None or not history.is_absolute():
        return history.as_posix()
    try:
        return history.relative_to(base).as_posix()
    except ValueError:
        return str(history)


def report_name(ending_status: str = oc.COMPLETED, reason: str = "") -> str:
    """The report's title: says so when the run did not complete."""
    if ending_status == oc.COMPLETED:
        return REPORT_NAME
    return f"{REPORT_NAME}: RUN {ending_status.upper()} ({reason or 'not every case ran'})"


def write_categories(
    directory: Path, *, history: str | None = None, name: str = REPORT_NAME
) -> None:
    """categories.json (read by Allure 2 from the results folder) and allurerc.json (Allure 3 reads the
    categories from its configuration: ``npx <ALLURE_NPM> generate --config <dir>/allurerc.json <dir>``),
    which also makes Allure 3's tree navigate by epic / feature / story, names the report and, with
    `history`, keeps the history there (a path read from the folder ``generate`` runs in)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(categories_allure2(), indent=2) + "\n"
    (directory / "categories.json").write_text(text, encoding="utf-8")
    config: dict = {"name": name, "categories": categories_allure3(), "plugins": ALLURE3_PLUGINS}
    if history:
        config.update(historyPath=history, historyLimit=HISTORY_LIMIT)
    (directory / ALLURE3_CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def write_environment(directory: Path, properties: Mapping[str, str]) -> None:
    """environment.properties (key = value per line) in the Allure results folder."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {str(value).replace(chr(10), ' ')}" for key, value in properties.items()]
    (directory / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")


def environment_properties(
    target_name: str,
    endpoint: str,
    regions: Iterable[str],
    dialect: str,
    *,
    deviations: Iterable[str] = (),
    known_deviations: str = "",
    run: str = oc.COMPLETED,
) -> dict:
    """The properties shown on the Allure overview: the target, the reference endpoint's active deviations
    (``--jss-deviate``), the known-deviations file and how the run ended (`run`: completed, or
    ``interrupted during the cases: interrupted by SIGINT``...)."""
    return {
        "target": target_name,
        "endpoint": endpoint,
        "regions": ", ".join(regions),
        "dialect": dialect,
        "deviations": ", ".join(deviations) or "none",
        "known_deviations": os.fspath(known_deviations) or "none",
        "run": run,
        "suite.version": __version__,
    }
