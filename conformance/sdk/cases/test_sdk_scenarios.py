"""The SDK scenarios of the wire of ``--jss-sdk-wire`` (fixtures/sdk/scenarios.toml for JSS,
scenarios-s3.toml for S3), one case each, run through the driver of ``--jss-sdk-driver`` against the embedded
reference endpoint of that wire started with ``--faults --record``.

Each case: arrange (source file, setup, faults armed on the scenario's key), act (the driver performs the
steps), then judge from the server side (conformance.sdk.judge): one FAIL lists every finding with the clause
or behaviour it breaks and, for a wrong request, the client mistake the diagnosis found.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conformance import operations as ops
from conformance.client import JssClient
from conformance.clients import client_for
from conformance.harness.progress import progress_for, size_text
from conformance.harness.sdk_summary import TIMING_PROPERTY
from conformance.masking import mask_secrets
from conformance.outcomes import InfraError, NotImplementedByTarget
from conformance.sdk import bench
from conformance.sdk.data import file_md5, write_source
from conformance.sdk.explanation import REQUESTS_HEADING, SdkRequest, SdkScenarioFailure
from conformance.sdk.fault_matrix import all_scenarios
from conformance.sdk.judge import EndState, judge
from conformance.sdk.object_steps import (
    OBJECT_STEP_OPS,
    delete_keys,
    fetched_files,
    head_facts,
    listed_keys,
    object_step,
    set_up_listed,
)
from conformance.sdk.protocol import PROTOCOL, run_driver
from conformance.sdk.scenarios import Scenario, load_scenarios

READ_CHUNK = 16 * 1024 * 1024
#: The header that reports server-side encryption, and its value, on each wire.
ENCRYPTION_REPORTED = {"jss": ("x-jss-server-side-encryption", "true"),
                       "s3": ("x-amz-server-side-encryption", "AES256")}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One case per scenario of the wire the run is on (``--jss-sdk-wire``), only those of
    ``--jss-sdk-scenario`` when given (selected here, so a case id is the same under any selection; a
    selection may name the fault matrix's scenarios, which the default set leaves out)."""
    if "scenario" not in metafunc.fixturenames:
        return
    chosen = metafunc.config.option.jss_sdk_scenario
    wire = metafunc.config.option.jss_sdk_wire
    # a selection may name the fault matrix's scenarios too (conformance.sdk.fault_matrix)
    pool = all_scenarios(wire) if chosen else load_scenarios(wire=wire)
    scenarios = [s for s in pool if not chosen or s.id in chosen]
    metafunc.parametrize("scenario", [
        pytest.param(s, id=s.id, marks=pytest.mark.clause(*s.clauses, *s.behaviours)) for s in scenarios
    ])


def _bucket(target, scenario: Scenario):
    """The target's bucket in the scenario's region (the primary bucket when it names none)."""
    if scenario.region is None:
        return target.primary_bucket
    found = [bucket for bucket in target.buckets if bucket.region == scenario.region]
    if not found:
        pytest.fail(f"the target has no bucket in {scenario.region} (scenario {scenario.id})", pytrace=False)
    return found[0]


def _setup(scenario: Scenario, client: JssClient, bucket: str, key: str, source_path: Path) -> str | None:
    """What the scenario needs before the driver runs: an object, objects under the key for a listing, or
    an upload with its first parts."""
    if "object" in scenario.setup:
        ops.put_object(client, bucket, key, source_path.read_bytes())
    set_up_listed(client, bucket, listed_keys(key, scenario.setup.get("listed_objects", 0),
                                              scenario.list_delimiter()))
    if "upload_parts" not in scenario.setup:
        return None
    upload_id = ops.initiate(client, bucket, key).upload_id
    part_size = scenario.setup_part_size
    with open(source_path, "rb") as handle:
        for number in range(1, scenario.setup["upload_parts"] + 1):
            ops.upload_part(client, bucket, key, upload_id, number, handle.read(part_size))
    return upload_id


def _steps(scenario: Scenario, work: Path, source_path: Path, size: int, upload_id: str | None,
           key: str) -> list[dict]:
    steps = []
    for index, step in enumerate(scenario.steps):
        given = {"op": step["op"]}
        if step["op"] in OBJECT_STEP_OPS:
            steps.append(object_step(step, index, work, source_path, upload_id, key))
            continue
        if step["op"] == "download":
            given["destination"] = str(work / "download.bin")
        elif step["op"] == "list-parts":
            given.update(upload_id=upload_id, max_parts=step.get("max_parts"))
        elif step["op"] == "list-uploads":
            given.update(prefix=key, max_uploads=step.get("max_uploads"))
        else:
            given.update(source=str(source_path), size=size, part_size=step["part_size"])
        if step["op"] == "multipart-upload":
            given.update(storage_class=step.get("storage_class"), encryption=step.get("encryption"))
        if step["op"] == "resume-upload":
            given["upload_id"] = upload_id
        steps.append(given)
    return steps


def _stored_md5(client: JssClient, bucket: str, key: str, size: int) -> str:
    digest = hashlib.md5()
    for start in range(0, size, READ_CHUNK):
        end = min(size, start + READ_CHUNK) - 1
        response = client.request("GET", bucket, key, headers={"Range": f"bytes={start}-{end}"})
        digest.update(response.content)
    return digest.hexdigest()


def _observe(client: JssClient, bucket: str, key: str, download: Path, wire: str) -> EndState:
    """The end state, read with the suite's own client."""
    listing = ops.list_uploads(client, bucket, prefix=key)
    left = sum(1 for upload in listing.uploads if upload.key == key)
    try:
        head = ops.head_object(client, bucket, key)
    except ops.ApiError:
        return EndState(False, uploads_left=left, download_md5=file_md5(download))
    return EndState(
        True,
        object_md5=_stored_md5(client, bucket, key, head.size or 0),
        object_size=head.size,
        object_etag=head.etag,
        storage_class=head.storage_class,
        encrypted=head.response.headers.get(ENCRYPTION_REPORTED[wire][0]) == ENCRYPTION_REPORTED[wire][1],
        uploads_left=left,
        download_md5=file_md5(download),
        head=head_facts(head, wire),
    )


def _clean(client: JssClient, bucket: str, key: str, listed: list[str]) -> None:
    """Abort what the driver left open and delete its object and the objects set up for its listing (only
    this scenario's keys)."""
    for upload in ops.list_uploads(client, bucket, prefix=key).uploads:
        if upload.key == key:
            ops.abort(client, bucket, key, upload.upload_id)
    client.request("DELETE", bucket, key)
    delete_keys(client, bucket, listed)


def _attach(name: str, text: str, secret: str) -> None:
    try:
        import allure
    except ImportError:
        return
    allure.attach(mask_secrets(text, [secret]), name=name, attachment_type=allure.attachment_type.TEXT)


def test_sdk_scenario(
    scenario: Scenario, request, jss_target, jss_client_for, jss_key, tmp_path, record_property
):
    option = request.config.option
    if not option.jss_sdk_driver or not option.jss_sdk_record:
        pytest.fail("run the SDK scenarios with `jss-conformance sdk --driver CMD`", pytrace=False)
    record_path = Path(option.jss_sdk_record)
    wire = option.jss_sdk_wire
    bucket = _bucket(jss_target, scenario)
    jss_client = jss_client_for(bucket)
    key, secret = jss_key, jss_target.credentials.secret_key
    step = scenario.upload_step
    size = scenario.source_size(option.jss_sdk_large)
    source_path = tmp_path / "source.bin"
    source = write_source(source_path, size, scenario.id, step["part_size"] if step else None, wire)
    upload_id = _setup(scenario, jss_client, bucket.name, key, source_path)
    listed = listed_keys(key, scenario.setup.get("listed_objects", 0), scenario.list_delimiter())
    setup_head = (head_facts(ops.head_object(jss_client, bucket.name, key), wire)
                  if "object" in scenario.setup else None)
    admin = client_for(jss_target, bucket)  # signs the fault-script requests; untracked: they create nothing
    script_id = bench.arm(admin, bucket.name, key, scenario.faults) if scenario.faults else None
    payload = {
        "protocol": PROTOCOL, "wire": wire, "scenario": scenario.id, "endpoint": bucket.endpoint,
        "region": bucket.region,
        "credentials": {"access_key": jss_target.credentials.access_key, "secret_key": secret},
        "bucket": bucket.name, "key": key, "work_dir": str(tmp_path),
        "steps": _steps(scenario, tmp_path, source_path, size, upload_id, key),
    }
    first_line = bench.settled_line_count(record_path)  # after the setup's requests
    received = bench.ReceivedBytes(record_path, bucket.name, key)
    progress = progress_for(request.config, f"sdk {scenario.id} (bytes the endpoint received)",
                            size if step else None)

    run = run_driver(option.jss_sdk_driver, payload, option.jss_sdk_timeout,
                     on_tick=lambda: progress.update(received.read()))

    last_line = bench.settled_line_count(record_path)
    received_bytes = received.read()
    records = bench.records_for(record_path, bucket.name, key, first_line, last_line)
    fired = 0
    if script_id:
        fired = len(bench.read_back(admin, script_id)["fired"])
        bench.disarm(admin, script_id)
    state = _observe(jss_client, bucket.name, key, tmp_path / "download.bin", wire)
    state.setup_head, state.listed_keys = setup_head, listed
    state.listed_prefix = f"{key}/"
    state.files = fetched_files(scenario, tmp_path, source_path)
    _clean(jss_client, bucket.name, key, listed)
    lines = (SdkRequest(number, record).line() for number, record in enumerate(records, start=1))
    _attach(REQUESTS_HEADING, "\n".join(lines) or "(none)", secret)
    _attach("driver result", json.dumps(run.result, indent=2) if run.result else run.problem, secret)
    _attach("driver log", run.log, secret)
    _attach("requests (recorder)", "\n".join(json.dumps(r) for r in records), secret)
    record_property(TIMING_PROPERTY, f"{run.seconds:.1f} s, {size_text(received_bytes)} received")
    if run.infra:
        tail = mask_secrets(run.stderr_tail(), [secret])
        last = tail.splitlines()[-1] if tail else "(nothing on stderr)"
        raise InfraError(f"scenario {scenario.id}: the driver gave no result: {run.problem}; "
                         f"its stderr ends: {last}\ndriver stderr (last lines):\n{tail}")
    judgement = judge(scenario, run.result, run.problem, fired, records, state, source)
    if judgement.unsupported:
        raise NotImplementedByTarget(f"scenario {scenario.id}: {judgement.unsupported}")
    if judgement.findings:
        findings = "\n".join(f"[{f.id}] {f.message}" for f in judgement.findings)
        failure = SdkScenarioFailure(f"scenario {scenario.id}: {judgement.summary()}\n{findings}", records,
                                     [finding.id for finding in judgement.findings])
        if failure.deciding is not None:
            _attach("deciding SDK request", failure.deciding.render(), secret)
        raise failure

