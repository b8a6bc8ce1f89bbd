"""Fault scripts (``serve --faults``), issue 19 item 6: the ``pass`` step, most-specific-first matching,
delete-all, 405 with Allow on the admin route, and the hint a bad instruction's 400 gives. A server of its own
(delete-all would empty the scripts of the other fault tests)."""

from __future__ import annotations

import pytest

from conformance.reference.faults import FORMS, ScriptError, parse_instruction

ADMIN = "/_testbench/faults"


@pytest.fixture(scope="module")
def bench(request):
    """An endpoint started with --faults, one bucket, and an object `obj/data`."""
    from ref_helpers import USERS, Api

    from conformance.reference.launch import start_reference

    process = start_reference(users=USERS, extra_args=["--faults"])
    request.addfinalizer(process.stop)
    api = Api(process)
    bucket = api.create_bucket()
    api.put(bucket, "obj/data", b"0123456789")
    return api, bucket


def arm(api, bucket: str, instructions: dict, key_prefix: str, **extra) -> dict:
    """Create a script, asserting 201; returns its read-back."""
    script = {"bucket": bucket, "key_prefix": key_prefix, "instructions": instructions, **extra}
    response = api.admin("POST", payload=script)
    assert response.status_code == 201, response.text
    return response.json()


def fired(api, script: dict) -> list[str]:
    """The instructions of `script` that fired, in order."""
    back = api.admin("GET", script["id"]).json()
    return [item["instruction"] for item in back["fired"]]


def test_pass_lets_the_first_request_through_and_hits_the_second(bench):
    api, bucket = bench
    script = arm(api, bucket, {"head": ["pass", "return-503"]}, key_prefix="obj/")
    statuses = [api.call("HEAD", bucket, "obj/data").status_code for _ in range(3)]
    assert statuses == [200, 503, 200]
    assert fired(api, script) == ["pass", "return-503"]


def test_pass_is_untouched(bench):
    api, bucket = bench
    arm(api, bucket, {"get": ["pass"]}, key_prefix="obj/")
    response = api.call("GET", bucket, "obj/data")
    assert (response.status_code, response.content) == (200, b"0123456789")


def test_most_specific_script_first_whatever_the_creation_order(bench):
    api, bucket = bench
    broad = arm(api, bucket, {"put": ["return-500"]}, key_prefix="spec/")
    narrow = arm(api, bucket, {"put": ["return-503"]}, key_prefix="spec/deep/")
    tagged = arm(api, bucket, {"put": ["return-404"]}, key_prefix="spec/", test_id="T9")
    tag = {"x-jss-test-id": "T9"}
    assert api.call("PUT", bucket, "spec/deep/x", data=b"1", headers=tag).status_code == 404
    assert api.call("PUT", bucket, "spec/deep/x", data=b"1").status_code == 503
    assert api.call("PUT", bucket, "spec/deep/x", data=b"1").status_code == 500
    assert (fired(api, broad), fired(api, narrow), fired(api, tagged)) == (
        ["return-500"], ["return-503"], ["return-404"])


def test_equally_specific_scripts_fire_oldest_first(bench):
    api, bucket = bench
    older = arm(api, bucket, {"put": ["return-503"]}, key_prefix="tie/")
    newer = arm(api, bucket, {"put": ["return-500"]}, key_prefix="tie/")
    statuses = [api.call("PUT", bucket, "tie/x", data=b"1").status_code for _ in range(3)]
    assert statuses == [503, 500, 200]
    assert (fired(api, older), fired(api, newer)) == (["return-503"], ["return-500"])


def test_bucket_operation_ignores_the_key_prefix_when_ranking(bench):
    api, bucket = bench
    older = arm(api, bucket, {"list-uploads": ["return-503"]}, key_prefix="")
    arm(api, bucket, {"list-uploads": ["return-500"]}, key_prefix="long/prefix/")
    assert api.call("GET", bucket, query="uploads").status_code == 503
    assert fired(api, older) == ["return-503"]
    assert api.call("GET", bucket, query="uploads").status_code == 500


def test_delete_all_by_bucket_then_everything(bench):
    api, bucket = bench
    other = api.create_bucket()
    arm(api, bucket, {"delete": ["return-503"]}, key_prefix="never/")
    arm(api, other, {"delete": ["return-503"]}, key_prefix="never/")
    response = api.admin("DELETE", query=f"bucket={other}")
    assert (response.status_code, response.json()) == (200, {"deleted": 1})
    listed = api.admin("GET").json()["scripts"]
    assert listed and {s["bucket"] for s in listed} == {bucket}
    response = api.admin("DELETE")
    assert response.status_code == 200 and response.json()["deleted"] == len(listed)
    assert api.admin("GET").json() == {"truncated": False, "next_marker": None, "scripts": []}
    assert api.call("DELETE", bucket, "never/x").status_code != 503


@pytest.mark.parametrize(
    "method,suffix,allow",
    [("PUT", "", "GET, POST, DELETE"), ("PATCH", "", "GET, POST, DELETE"),
     ("POST", "/some-id", "GET, DELETE"), ("PUT", "/some-id", "GET, DELETE")],
)
def test_wrong_method_on_the_admin_route_is_405_with_allow(bench, method, suffix, allow):
    api, _ = bench
    response = api.admin(method, suffix.strip("/"), payload={})
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == allow
    assert response.json()["code"] == "MethodNotAllowed"


def test_unknown_script_is_still_404(bench):
    api, _ = bench
    assert api.admin("GET", "nope").status_code == 404


@pytest.mark.parametrize(
    "text,meant",
    [("reset-after-1048576", "reset-after-1048576B"), ("cut-body-after-10", "cut-body-after-10B"),
     ("delay-200", "delay-200ms")],
)
def test_instruction_without_its_unit_names_the_form_it_lacks(text, meant):
    with pytest.raises(ScriptError) as caught:
        parse_instruction(text)
    assert f"did you mean {meant!r}" in str(caught.value)
    parse_instruction(meant)  # the hint is itself valid


def test_unknown_instruction_lists_the_valid_forms_over_the_wire(bench):
    api, bucket = bench
    script = {"bucket": bucket, "instructions": {"put": ["reset-after-1048576"]}}
    response = api.admin("POST", payload=script)
    assert response.status_code == 400
    message = response.json()["message"]
    assert "'reset-after-1048576B'" in message
    assert all(form in message for form in FORMS)
