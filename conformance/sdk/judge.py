"""Judge one scenario run from the server side: the driver's result, the faults that fired, the recorder's
verdicts on every request, the retries, and the end state the suite observed. Pure: no I/O.

The judgement is a list of findings, each naming the clause or behaviour it breaks; none is a pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from conformance.sdk.judge_objects import object_step_findings
from conformance.sdk.scenarios import Scenario


@dataclass
class EndState:
    """What the suite observed after the driver finished."""

    object_exists: bool
    object_md5: str | None = None
    object_size: int | None = None
    object_etag: str | None = None
    storage_class: str | None = None
    encrypted: bool = False
    uploads_left: int = 0
    download_md5: str | None = None  # of the driver's destination file (None: no such file)
    head: dict | None = None  # the stored object as the suite's HEAD reports it (object_steps.head_facts)
    setup_head: dict | None = None  # the object the suite set up, as its HEAD reported it before the run
    files: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # object_steps.fetched_files
    listed_keys: list[str] = field(default_factory=list)  # the objects set up under the key for a listing
    listed_prefix: str = ""  # the prefix a delimited list-objects step lists (object_steps.list_prefix)


@dataclass
class Source:
    """The source bytes the driver was given: their MD5, size and the ETag their upload must end with."""

    md5: str
    size: int
    etag: str | None  # md5 of the part ETags for the scenario's part size (None: no upload)
    etag_clause: str = "complete.etag.formula"  # the clause of the wire's ETag formula


@dataclass
class Finding:
    """One thing wrong: the clause or behaviour id, and what was seen."""

    id: str
    message: str
    mistake: str = ""  # the client mistake the diagnosis found, when it found one


@dataclass
class Judgement:
    """The findings (empty: PASS) and whether the driver said the scenario is unsupported."""

    findings: list[Finding] = field(default_factory=list)
    unsupported: str | None = None

    def add(self, finding_id: str, message: str, mistake: str = "") -> None:
        """Add a finding."""
        self.findings.append(Finding(finding_id, message, mistake))

    def summary(self) -> str:
        """One line: every clause or behaviour broken, with the diagnosed mistakes."""
        named = (f"{f.id} (mistake {f.mistake})" if f.mistake else f.id for f in self.findings)
        return "; ".join(dict.fromkeys(named))


def _request_findings(records: list[dict], judgement: Judgement) -> None:
    """Every FAIL verdict of the recorder, once per (clause, mistake or detail)."""
    seen = set()
    for number, record in enumerate(records, start=1):
        for verdict in record.get("verdicts", []):
            if verdict.get("verdict") != "FAIL":
                continue
            what = ", ".join(verdict.get("mistakes", [])) or verdict.get("detail", "")
            if (verdict["clause"], what) in seen:
                continue
            seen.add((verdict["clause"], what))
            mistake = what if verdict.get("mistakes") else ""
            judgement.add(
                verdict["clause"],
                f"request {number} ({record['operation']} {record['method']}, HTTP {record['status']}): "
                f"{verdict.get('detail', '')}" + (f" [mistake: {mistake}]" if mistake else ""),
                mistake,
            )


def _attempt_findings(scenario: Scenario, records: list[dict], judgement: Judgement) -> None:
    """Attempts per request (one operation on one part) within max_attempts; initiates within limit."""
    limits = scenario.expect.get("max_attempts", {})
    attempts = Counter((r["operation"], r.get("part_number")) for r in records)
    for (operation, part), count in sorted(attempts.items(), key=str):
        limit = limits.get(operation)
        if limit is not None and count > limit:
            which = f" of part {part}" if part else ""
            judgement.add("sdk.retry.transient-error",
                          f"{count} {operation} requests{which}, at most {limit} acceptable")
    initiates = sum(1 for r in records if r["operation"] == "initiate")
    allowed = scenario.expect.get("initiates")
    if allowed is not None and initiates > allowed:
        judgement.add("sdk.retry.complete-same-upload",
                      f"{initiates} InitiateMultipartUpload requests for one object, {allowed} expected "
                      "(a failed request was retried by starting a new upload)")
    resumed = scenario.expect.get("resumed_parts")
    if resumed is not None:
        sent = sorted({int(r["part_number"]) for r in records if r["operation"] == "upload-part"})
        if sent != sorted(resumed):
            judgement.add("sdk.resume.list-parts", f"the resume sent parts {sent}, expected only {resumed}")
        if not any(r["operation"] == "list-parts" for r in records):
            judgement.add("sdk.resume.list-parts", "the resume never asked ListParts")


def _listing_findings(scenario: Scenario, result: dict, judgement: Judgement) -> None:
    """What the driver reported it listed (``"listed"``) against the upload the suite set up: every part
    number of it (``listed_parts``) across the pages, and ``listed_uploads`` uploads under the key prefix."""
    listed = result.get("listed") if isinstance(result.get("listed"), dict) else {}
    expected_parts = scenario.expect.get("listed_parts")
    if expected_parts is not None:
        parts = listed.get("parts")
        if not isinstance(parts, list) or sorted(parts, key=str) != sorted(expected_parts, key=str):
            judgement.add("sdk.list.complete", f"the paged ListParts reported parts {parts}, the upload "
                          f"holds {sorted(expected_parts)}")
    expected_uploads = scenario.expect.get("listed_uploads")
    if expected_uploads is not None:
        uploads = listed.get("uploads")
        count = len(uploads) if isinstance(uploads, list) else None
        if count != expected_uploads:
            judgement.add("sdk.list.complete", f"ListMultipartUploads with the key as prefix reported "
                          f"{count} upload(s), {expected_uploads} expected")


def _state_findings(scenario: Scenario, state: EndState, source: Source, judgement: Judgement) -> None:
    expect = scenario.expect
    if expect.get("object") == "source":
        if not state.object_exists:
            judgement.add("sdk.object.stored", "no object was stored at the key")
        else:
            if (state.object_md5, state.object_size) != (source.md5, source.size):
                judgement.add("sdk.object.stored", f"the object holds {state.object_size} bytes of MD5 "
                              f"{state.object_md5}, not the source's {source.size} bytes of MD5 {source.md5}")
            if source.etag and state.object_etag != source.etag:
                judgement.add(source.etag_clause, f"ETag {state.object_etag}, expected {source.etag} "
                              "(the wire's formula over the part MD5s in the scenario's part size)")
    elif expect.get("object") == "absent" and state.object_exists:
        judgement.add("sdk.cleanup.no-upload-left", "an object was stored although the upload had to fail")
    if state.object_exists and expect.get("storage_class") and state.storage_class != expect["storage_class"]:
        judgement.add("sdk.object.stored",
                      f"storage class {state.storage_class}, asked for {expect['storage_class']}")
    if state.object_exists and expect.get("encrypted") and not state.encrypted:
        judgement.add("object.encryption.transparent", "the object is not stored with server-side encryption")
    if state.uploads_left > expect.get("uploads_left", 0):
        judgement.add("sdk.cleanup.no-upload-left",
                      f"{state.uploads_left} upload(s) of the key left behind, neither completed nor aborted")
    if expect.get("download") == "source" and state.download_md5 != source.md5:
        got = "no file" if state.download_md5 is None else f"MD5 {state.download_md5}"
        judgement.add("sdk.object.stored", f"the downloaded file has {got}, the object MD5 {source.md5}")


def judge(
    scenario: Scenario,
    result: dict | None,
    problem: str,
    fired: int,
    records: list[dict],
    state: EndState,
    source: Source,
) -> Judgement:
    """The judgement of one run: `result` is the driver's (None with `problem` when it gave none), `fired`
    how many armed instructions fired."""
    judgement = Judgement()
    if result is not None and result.get("status") == "unsupported":
        # the first word of each entry is the step op (a driver may add why: "resume-upload (no ListParts)")
        listed = [str(entry).strip() for entry in result.get("unsupported") or [] if str(entry).strip()]
        steps = ", ".join(dict.fromkeys(entry.split(maxsplit=1)[0] for entry in listed))
        named = f" {steps}" if steps else ""
        judgement.unsupported = f"unsupported{named}: {result.get('message', '')}".strip()
        return judgement
    if fired < scenario.required_fired:
        judgement.add("sdk.faults.fired", f"only {fired} of the {scenario.required_fired} armed fault "
                      "instruction(s) fired: the client did not send the requests the scenario is about")
    _request_findings(records, judgement)
    if result is None:
        judgement.add("sdk.object.stored", f"no driver result: {problem}")
    elif result["status"] != scenario.expect["result"]:
        judgement.add("sdk.retry.transient-error" if scenario.faults else "sdk.object.stored",
                      f"the driver reported {result['status']!r}, expected {scenario.expect['result']!r}: "
                      f"{str(result.get('message', ''))[:300]}")
    if result is not None and result["status"] == "ok":
        _listing_findings(scenario, result, judgement)
    _attempt_findings(scenario, records, judgement)
    _state_findings(scenario, state, source, judgement)
    object_step_findings(scenario, result, records, state, source, judgement)
    _rename(scenario, judgement)
    return judgement


def _rename(scenario: Scenario, judgement: Judgement) -> None:
    """Report each finding under the id the scenario's ``expect.renamed`` gives it (a fault matrix cell
    names the reaction it owes: a retried 400 is sdk.retry.client-error-final, not a transient error)."""
    renamed = scenario.expect.get("renamed") or {}
    for finding in judgement.findings:
        finding.id = renamed.get(finding.id, finding.id)
