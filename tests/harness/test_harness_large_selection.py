"""The large family is off by default: its cases run only with --jss-large or --jss-family large; a bad
--jss-large-size is a usage error before anything starts."""

from __future__ import annotations

import json

import pytest

CASES = """
import pytest

@pytest.mark.large
@pytest.mark.clause("large.object.streamed")
def test_large_case():
    pass

@pytest.mark.clause("{other}")
def test_other_case():
    pass
"""


@pytest.fixture
def synthetic_large(pytester):
    from conformance.catalogue import load_catalogue

    other = next(c.id for c in load_catalogue().values() if c.family == "lifecycle")
    pytester.makepyfile(test_large_selection=CASES.format(other=other))
    return pytester


def _selected(pytester, *args: str) -> set[str]:
    pytester.runpytest("--jss-results", "sel.json", *args)
    document = json.loads((pytester.path / "sel.json").read_text(encoding="utf-8"))
    return {case["id"].split("::")[1] for case in document["cases"]}


def test_harness_large_cases_are_off_by_default(synthetic_large):
    assert _selected(synthetic_large) == {"test_other_case"}
    assert _selected(synthetic_large, "--jss-family", "lifecycle") == {"test_other_case"}


@pytest.mark.parametrize("opt_in", [["--jss-large"], ["--jss-family", "large"]], ids=["flag", "family"])
def test_harness_large_cases_run_on_request(synthetic_large, opt_in):
    expected = {"test_large_case", "test_other_case"} if opt_in == ["--jss-large"] else {"test_large_case"}
    assert _selected(synthetic_large, *opt_in) == expected


@pytest.mark.parametrize("size", ["lots", "0", "-5MiB", "12 PiB"])
def test_harness_large_bad_size_is_a_usage_error(synthetic_large, size):
    result = synthetic_large.runpytest("--jss-large", f"--jss-large-size={size}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "jss-conformance: error: --jss-large-size" in result.stderr.str()
