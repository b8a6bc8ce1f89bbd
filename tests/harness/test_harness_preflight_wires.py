"""The preflight per wire: each wire probes its buckets with its own requests (jss: GetBucket ?maxKeys=1; s3:
ListObjectsV2 ?list-type=2&max-keys=1; both ?uploads&max-uploads=1), its one line quotes the server's own
message (masked, shortened), and the Server header it saw is the run's server version unless the profile
names one (results.json run.server_version)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from harness_helpers import SECRET_KEY, clean_env, run_cli
from s3_stub import stub_s3

from conformance import operations as ops
from conformance.client import Credentials, JssClient
from conformance.client_s3 import S3Client
from conformance.harness import preflight as preflight_module
from conformance.harness.preflight import MESSAGE_LIMIT, SetupError, bucket_probes, preflight
from conformance.operations import json_body
from conformance.target import ProfileError, load_profile

BUCKET = "stub-bucket"
REGION_MESSAGE = (
    "The authorization header is malformed; the region 'cn-north-1' is wrong; expecting 'us-east-1'"
)
REGION_ERROR = (
    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>AuthorizationHeaderMalformed</Code>"
    f"<Message>{REGION_MESSAGE}</Message><Region>us-east-1</Region><RequestId>r1</RequestId></Error>"
).encode()
ONE_CASE = ("--jss-family", "access", "-k", "initiate-anonymous", "-p", "no:cacheprovider")


def _s3_profile(directory: Path, url: str, region: str = "us-east-1", extra: str = "") -> Path:
    path = directory / "stub.toml"
    path.write_text(
        f'name = "stub"\nendpoint = "{url}"\ndialect = "s3"\n{extra}[credentials]\n'
        'access_key_env = "HARNESS_ACCESS_KEY"\nsecret_key_env = "HARNESS_SECRET_KEY"\n'
        f'[[buckets]]\nname = "{BUCKET}"\nregion = "{region}"\n',
        encoding="utf-8",
    )
    return path


def _with_bucket(stub) -> None:
    owner = S3Client(stub.url, Credentials("STUBOWNERAK", "stub-owner-secret-0123"), timeout=10)
    ops.put_bucket(owner, BUCKET)


def _sent_paths(monkeypatch) -> list[str]:
    """The request targets (path and query) every preflight session sends, recorded as they are answered."""
    sent: list[str] = []
    opened = preflight_module.new_session

    def recording_session(*args, **kwargs) -> requests.Session:
        session = opened(*args, **kwargs)
        session.hooks["response"].append(lambda response, *_, **__: sent.append(response.request.path_url))
        return session

    monkeypatch.setattr(preflight_module, "new_session", recording_session)
    return sent


def test_harness_preflight_jss_wire_probes_with_jss_requests(endpoint, tmp_path, monkeypatch):
    target = load_profile(endpoint.profile(tmp_path, alt=False), clean_env())
    sent = _sent_paths(monkeypatch)

    assert preflight(target) == []

    for bucket in target.buckets:
        assert f"/{bucket.name}?maxKeys=1" in sent
        assert f"/{bucket.name}?uploads&max-uploads=1" in sent
    assert not [path for path in sent if "list-type" in path or "max-keys" in path]


def test_harness_preflight_s3_wire_probes_with_s3_requests(tmp_path):
    with stub_s3() as stub:
        _with_bucket(stub)
        target = load_profile(_s3_profile(tmp_path, stub.url), clean_env())
        del stub.requests[:]

        assert preflight(target) == []

    assert stub.requests == [f"GET /{BUCKET}?list-type=2&max-keys=1", f"GET /{BUCKET}?uploads&max-uploads=1"]
    shown = [name for name, _ in bucket_probes("s3")]
    assert shown == ["?list-type=2&max-keys=1", "?uploads&max-uploads=1"]


def test_harness_preflight_line_quotes_the_servers_region_message(tmp_path):
    with stub_s3(scripted=(400, REGION_ERROR)) as stub:
        run = run_cli(["run", "--target", str(_s3_profile(tmp_path, stub.url, "cn-north-1")), *ONE_CASE],
                      tmp_path, clean_env())

    assert run.status == 2, run.stdout + run.stderr
    output = run.stdout + run.stderr
    lines = [line for line in output.splitlines() if "AuthorizationHeaderMalformed" in line]
    assert lines, run.stdout + run.stderr
    assert f'GET /{BUCKET}?list-type=2&max-keys=1 answered 400 AuthorizationHeaderMalformed, saying ' \
           f'"{REGION_MESSAGE}"' in lines[0]
    assert "check the region in the profile" in lines[0]
    assert "Traceback" not in run.stderr
    assert run.results["run"]["server_version"] == "StubS3/1.0"


def test_harness_preflight_jss_line_quotes_the_json_message(endpoint, tmp_path):
    env = clean_env(HARNESS_SECRET_KEY="not-the-right-secret-key-0123456789")
    target = load_profile(endpoint.profile(tmp_path, alt=False), env)
    client = JssClient(target.endpoint, target.credentials, timeout=10)
    said = json_body(client.request("GET", target.buckets[0].name, query=[("maxKeys", "1")]))["message"]

    with pytest.raises(SetupError) as raised:
        preflight(target)

    quoted = " ".join(said.split())
    assert quoted and f'answered 403 SignatureDoesNotMatch, saying "{quoted}"' in str(raised.value)


def test_harness_preflight_message_masks_secrets_and_is_shortened(tmp_path):
    long_message = f"signature of {SECRET_KEY} does not match " + "x" * 400
    body = f"<Error><Code>SignatureDoesNotMatch</Code><Message>{long_message}</Message></Error>".encode()
    with stub_s3(scripted=(403, body)) as stub:
        target = load_profile(_s3_profile(tmp_path, stub.url), clean_env())
        with pytest.raises(SetupError) as raised:
            preflight(target)

    line = str(raised.value)
    quoted = line.split('saying "', 1)[1].split('"', 1)[0]
    assert SECRET_KEY not in line
    assert quoted.startswith("signature of ") and quoted.endswith("\u2026") and len(quoted) == MESSAGE_LIMIT


@pytest.mark.parametrize(
    ("extra", "expected"),
    [("", "StubS3/1.0"), ('server_version = "Acme S3 2.4.1"\n', "Acme S3 2.4.1")],
    ids=["server-header", "profile"],
)
def test_harness_run_server_version_from_profile_else_server_header(tmp_path, extra, expected):
    with stub_s3() as stub:
        _with_bucket(stub)
        run = run_cli(["run", "--target", str(_s3_profile(tmp_path, stub.url, extra=extra)), *ONE_CASE],
                      tmp_path, clean_env())

    assert run.status == 0, run.stdout[-2000:]
    assert run.results["run"]["server_version"] == expected


def test_harness_embedded_run_names_the_reference_endpoint_as_its_server(tmp_path):
    run = run_cli(["run", *ONE_CASE], tmp_path, clean_env())

    assert run.status == 0, run.stdout[-2000:]
    assert run.results["run"]["server_version"].startswith("jss-conformance reference endpoint ")


@pytest.mark.parametrize("value", ['""', "42", '"two\\nlines"', f'"{"v" * 101}"'])
def test_harness_profile_server_version_is_validated(tmp_path, value):
    path = _s3_profile(tmp_path, "http://127.0.0.1:9", extra=f"server_version = {value}\n")

    with pytest.raises(ProfileError, match="server_version"):
        load_profile(path, clean_env())
