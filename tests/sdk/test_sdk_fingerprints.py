"""Known findings as fingerprints (conformance/fingerprints.py, conformance/known_deviations.py): an expected
outcome confirms an entry only when the case failed with what the entry names."""

from __future__ import annotations

import pytest

from conformance import outcomes as oc
from conformance.fingerprints import Fingerprint, fingerprint_of, observe
from conformance.known_deviations import (
    Expectation,
    KnownDeviations,
    KnownDeviationsError,
    check_fingerprints,
    is_unexpected,
    load_known_deviations,
    render_file,
    updated_entries,
)

CASE = "test_sdk_scenarios.py::test_sdk_scenario[{}]"
SIGNED = ("AssertionError: scenario s: signature.header.accepted (mistake headers-not-signed); "
          "sdk.object.stored")
RETRY = "AssertionError: scenario s: sdk.retry.transient-error\n[sdk.retry.transient-error] 1 attempt"


def test_observe_reads_findings_and_mistakes_of_the_first_line():
    seen = observe(SIGNED + "\n[sdk.faults.fired] not on the first line")
    assert seen.findings == {"signature.header.accepted", "sdk.object.stored"}
    assert seen.mistakes == {"headers-not-signed"}
    assert seen.unsupported == frozenset()


def test_observe_reads_unsupported_steps():
    seen = observe("scenario resume: unsupported resume-upload, download: no ListParts call")
    assert seen.unsupported == {"resume-upload", "download"} and seen.findings == frozenset()


def test_observe_of_another_message_names_nothing():
    assert observe("Mismatch: expected 200, got 403") == observe("")


@pytest.mark.parametrize("fingerprint,message,differs", [
    (Fingerprint(findings=frozenset({"sdk.retry.transient-error"})), RETRY, False),
    (Fingerprint(findings=frozenset({"sdk.retry.transient-error"})), SIGNED, True),  # another finding
    (Fingerprint(findings=frozenset({"signature.header.accepted"})), SIGNED, True),  # one more finding
    (Fingerprint(mistakes=frozenset({"headers-not-signed"})), SIGNED, False),
    (Fingerprint(mistakes=frozenset({"uploads-omitted"})), SIGNED, True),
    (Fingerprint(message=r"\b1 attempt"), RETRY, False),
    (Fingerprint(message=r"2 attempts"), RETRY, True),
])
def test_fingerprint_difference(fingerprint, message, differs):
    assert bool(fingerprint.difference(message)) is differs


def test_expected_fail_with_another_finding_is_unexpected():
    entry = Expectation(oc.FAIL, "no retry", "file", fingerprint=fingerprint_of(
        {"findings": ["sdk.retry.transient-error"]}))
    assert not is_unexpected(oc.FAIL, entry, judged=True, message=RETRY)
    assert is_unexpected(oc.FAIL, entry, judged=True, message=SIGNED)
    assert is_unexpected(oc.FAIL, entry, judged=False, message=SIGNED)
    assert entry.mismatch(oc.FAIL, SIGNED).startswith("findings ")
    assert is_unexpected(oc.PASS, entry, judged=True, message="")


def test_entry_without_fingerprint_is_judged_by_outcome_alone():
    entry = Expectation(oc.FAIL, "a reason", "file")
    assert not is_unexpected(oc.FAIL, entry, judged=True, message=SIGNED)


def _write(tmp_path, line: str):
    path = tmp_path / "findings.toml"
    path.write_text(f'[expected]\n"{CASE.format("s")}" = {{ outcome = "FAIL", {line}reason = "why" }}\n')
    return path


def test_a_file_entry_carries_its_fingerprint_and_survives_a_round_trip(tmp_path):
    path = _write(tmp_path, 'findings = ["a.b", "c.d"], mistakes = ["m"], message = "x+", ')
    known = load_known_deviations(path)
    fingerprint = known.entries[CASE.format("s")].fingerprint
    assert fingerprint == Fingerprint(frozenset({"a.b", "c.d"}), frozenset({"m"}), None, "x+")
    again = tmp_path / "again.toml"
    again.write_text(render_file(known.entries, "header"), encoding="utf-8")
    assert load_known_deviations(again).entries == known.entries
    assert KnownDeviations.from_payload(known.to_payload()).entries == known.entries


@pytest.mark.parametrize("line", ['findings = "a.b", ', 'findings = [""], ', 'message = "(", ',
                                  'colour = "x", '])
def test_an_unusable_fingerprint_is_refused(tmp_path, line):
    with pytest.raises(KnownDeviationsError):
        load_known_deviations(_write(tmp_path, line))


def test_an_sdk_file_needs_a_fingerprint_on_every_fail(tmp_path):
    check_fingerprints(load_known_deviations(_write(tmp_path, 'findings = ["a.b"], ')))
    with pytest.raises(KnownDeviationsError, match="without saying what must fail"):
        check_fingerprints(load_known_deviations(_write(tmp_path, "")))


def test_update_writes_the_observed_fingerprint_and_keeps_a_matched_entry():
    cases = [{"id": CASE.format("a"), "outcome": oc.FAIL, "message": SIGNED},
             {"id": CASE.format("b"), "outcome": oc.NOT_IMPLEMENTED,
              "message": "scenario b: unsupported resume-upload: no ListParts"}]
    entries = updated_entries(KnownDeviations({}), cases, fingerprints=True)
    assert entries[CASE.format("a")].fingerprint == Fingerprint(
        findings=frozenset({"signature.header.accepted", "sdk.object.stored"}),
        mistakes=frozenset({"headers-not-signed"}))
    assert entries[CASE.format("b")].fingerprint == Fingerprint(unsupported=frozenset({"resume-upload"}))
    assert all(entry.draft for entry in entries.values())
    reviewed = {i: Expectation(e.outcome, "reviewed", "file", fingerprint=e.fingerprint)
                for i, e in entries.items()}
    again = updated_entries(KnownDeviations(reviewed), cases, fingerprints=True)
    assert again == reviewed  # unchanged findings keep the reviewed reasons
    changed = [{**cases[0], "message": RETRY}]
    redrafted = updated_entries(KnownDeviations(reviewed), changed, fingerprints=True)[CASE.format("a")]
    assert redrafted.draft and redrafted.fingerprint.findings == {"sdk.retry.transient-error"}


def test_update_gives_an_older_entry_the_observed_fingerprint_and_keeps_its_reason():
    old = KnownDeviations({CASE.format("a"): Expectation(oc.FAIL, "no retry", "file")})
    cases = [{"id": CASE.format("a"), "outcome": oc.FAIL, "message": RETRY}]
    entry = updated_entries(old, cases, fingerprints=True)[CASE.format("a")]
    assert (entry.reason, entry.draft) == ("no retry", True)
    assert entry.fingerprint == Fingerprint(findings=frozenset({"sdk.retry.transient-error"}))
