"""The Allure 3 report generated from a run navigates by epic / feature / story (operation / family / clause
id): the tree data of a report made with ``npx <ALLURE_NPM> generate`` and the run's allurerc.json.

Needs node's npx (the npm registry serves the allure package). Without npx the test is skipped, unless
JSS_CONFORMANCE_REQUIRE_NPX is set (CI sets it: there the test must run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness_helpers import allure_generate, npx_or_skip, run_cli

from conformance.catalogue import load_catalogue

FAMILIES = ["region-limit", "encryption"]  # two families, cases with clauses of several operations


def _paths(tree: dict) -> list[tuple[tuple[str, ...], dict]]:
    """(names of the groups from the root, leaf) for every leaf of an Allure 3 tree.json."""
    groups, leaves = tree["groupsById"], tree["leavesById"]
    found = [((), leaves[leaf]) for leaf in tree["root"].get("leaves", [])]

    def walk(group_id: str, path: tuple[str, ...]) -> None:
        group = groups[group_id]
        here = (*path, group["name"])
        found.extend((here, leaves[leaf]) for leaf in group.get("leaves", []))
        for child in group.get("groups", []):
            walk(child, here)

    for group_id in tree["root"].get("groups", []):
        walk(group_id, ())
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """(tree.json of the generated report, results.json of the run)."""
    npx = npx_or_skip()
    folder = tmp_path_factory.mktemp("allure-tree")
    selection = [arg for family in FAMILIES for arg in ("--jss-family", family)]
    run = run_cli(["run", *selection, "-p", "no:cacheprovider"], folder)
    assert run.status == 0, run.stdout[-2000:]
    generated = allure_generate(npx, folder, folder / "allure-report")
    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-2000:]
    tree = json.loads(Path(folder / "allure-report" / "widgets" / "tree.json").read_text(encoding="utf-8"))
    return tree, run.results


def test_allure_tree_levels_are_operation_family_clause(report):
    tree, results = report
    catalogue = load_catalogue()
    cases = {case["id"].split("::", 1)[1]: case["clauses"] for case in results["cases"]}
    paths = _paths(tree)
    assert paths and all(len(path) == 3 for path, _ in paths), sorted({p for p, _ in paths if len(p) != 3})
    for (operation, family, story), leaf in paths:
        clauses = [catalogue[i] for i in cases[leaf["name"]]]
        assert story in {c.id for c in clauses}, (story, leaf["name"])
        assert family in {c.family for c in clauses}, (family, leaf["name"])
        assert operation in {c.operation for c in clauses}, (operation, leaf["name"])


def test_allure_tree_files_every_case_under_each_of_its_clauses(report):
    tree, results = report
    catalogue = load_catalogue()
    placed = {(path, leaf["name"]) for path, leaf in _paths(tree)}
    expected = {
        ((catalogue[i].operation, catalogue[i].family, i), case["id"].split("::", 1)[1])
        for case in results["cases"]
        for i in case["clauses"]
    }
    assert len(results["cases"]) > 5 and expected <= placed, sorted(expected - placed)[:5]
