"""The recorder's diagnosis has no exception path (issue 21 item 3): whatever a client sends (presigned
parameters in any subset, Authorization headers of any scheme and shape, any header, any body), the judge the
recorder runs on a worker returns verdicts on both wires, in process, without a server."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conformance.reference.app import ReferenceApp
from conformance.reference.config import ServerConfig, User
from conformance.reference.errors import JssError
from conformance.reference.operation_names import operation_name
from conformance.reference.recorder import Recorder

USER = User("alice", "AKFUZZ0000000001", "fuzz-secret")
TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
PRESIGN = st.sampled_from(["Expires", "AccessKey", "Signature", "X-Amz-Algorithm", "X-Amz-Credential",
                           "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
                           "X-Amz-Security-Token", "AWSAccessKeyId", "uploads", "uploadId", "partNumber"])
AUTHORIZATIONS = st.one_of(
    st.builds(lambda k, s: f"jingdong {k}:{s}", st.sampled_from([USER.access_key, "AKNOBODY"]), TEXT),
    st.builds(lambda k, s: f"AWS {k}:{s}", st.sampled_from([USER.access_key, "AKNOBODY"]), TEXT),
    st.builds(lambda c, h, s: f"AWS4-HMAC-SHA256 Credential={c}, SignedHeaders={h}, Signature={s}",
              st.builds(lambda parts: "/".join([USER.access_key, *parts]), st.lists(TEXT, max_size=5)),
              TEXT, TEXT),
    TEXT,
)


@pytest.fixture(scope="module")
def recorders(tmp_path_factory):
    """A Recorder over an in-process ReferenceApp of each wire (its judge is what is fuzzed)."""
    made = {}
    for wire in ("jss", "s3"):
        folder = tmp_path_factory.mktemp(wire)
        app = ReferenceApp(ServerConfig(data_dir=folder, users=(USER,), wire=wire))
        made[wire] = Recorder(None, app, folder / "record.jsonl")
    yield made
    for recorder in made.values():
        recorder.close()


def _scope(method, path, query, headers, wire_port=0) -> dict:
    raw_query = "&".join(name if value is None else f"{name}={value}" for name, value in query)
    encoded = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
            "query_string": raw_query.encode("latin-1"), "headers": encoded,
            "server": ("127.0.0.1", wire_port)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    wire=st.sampled_from(["jss", "s3"]),
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]),
    path=st.sampled_from(["/", "/b", "/b/k", "/b/a%2Fb", "/_testbench/faults", "/b/" + "k" * 300]),
    query=st.lists(st.tuples(PRESIGN, st.one_of(st.none(), TEXT, st.just(USER.access_key))), max_size=6),
    authorization=st.one_of(st.none(), AUTHORIZATIONS),
    headers=st.lists(st.tuples(st.sampled_from(["Date", "X-Amz-Date", "Content-MD5", "Content-Type",
                                                "x-jss-storage-class", "x-amz-content-sha256", "Host"]),
                               TEXT), max_size=5),
    body=st.one_of(st.just(b""), st.binary(max_size=64), st.just(b'{"Part": [{"PartNumber": 1}]}')),
)
@example(wire="jss", method="GET", path="/b/k", query=[("AccessKey", USER.access_key), ("Signature", "x")],
         authorization=None, headers=[], body=b"")  # a presigned URL without Expires (was a KeyError)
def test_no_input_makes_the_diagnosis_raise(recorders, wire, method, path, query, authorization, headers,
                                            body):
    recorder = recorders[wire]
    sent = list(headers) + ([("Authorization", authorization)] if authorization is not None else [])
    scope = _scope(method, path, query, sent)
    try:
        ctx = recorder.app.parse(scope, "FUZZ")
        operation = operation_name(ctx)
    except JssError:
        return  # the recorder records such a request without a diagnosis
    kept = {"keep": True, "kept": body, "bytes": len(body)}
    verdicts = recorder.verdicts(scope, ctx, operation, kept)
    assert isinstance(verdicts, list)
    assert all(v["verdict"] in ("PASS", "FAIL") and v["clause"] for v in verdicts)
