"""Fault scripts belong to the bucket's owner (issue 21 item 2): arming, reading and deleting need a request
signed by that owner (403 otherwise, in the wire's error format); scripts are bounded in size, per bucket and
in total (400 past a bound); the read-back is paged; a script stops applying when its bucket changes owner."""

from __future__ import annotations

import pytest
import requests
from ref_helpers import ALICE, BOB, USERS, Api, RefUser, assert_error

from conformance.reference.launch import start_reference

ADMIN = "/_testbench/faults"
BOUNDS = ["--fault-script-max-bytes", "4000", "--fault-scripts-per-bucket", "30",
          "--fault-scripts-total", "40"]


@pytest.fixture(scope="module")
def bench(request):
    """A JSS endpoint with --faults and small bounds; alice's bucket with `obj/data`, bob's bucket."""
    process = start_reference(users=USERS, extra_args=["--faults", *BOUNDS])
    request.addfinalizer(process.stop)
    api = Api(process)
    alices = api.create_bucket()
    bobs = api.create_bucket(user=BOB)
    api.put(alices, "obj/data", b"0123456789")
    return api, alices, bobs


def _script(bucket: str, prefix: str = "obj/", operation: str = "head", count: int = 1) -> dict:
    return {"bucket": bucket, "key_prefix": prefix, "instructions": {operation: ["return-503"] * count}}


def _arm(api: Api, script: dict, user: RefUser = ALICE) -> str:
    response = api.admin("POST", payload=script, user=user)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_unsigned_arm_read_and_delete_are_403_and_change_nothing(bench):
    api, alices, _ = bench
    unsigned = requests.post(api.url() + ADMIN, json=_script(alices), timeout=10)
    assert_error(unsigned, 403, "AccessDenied")
    assert api.call("HEAD", alices, "obj/data").status_code == 200  # nothing was armed
    owned = _arm(api, _script(alices, prefix="never/"))
    assert_error(requests.get(api.url() + ADMIN, timeout=10), 403, "AccessDenied")
    assert_error(requests.get(f"{api.url()}{ADMIN}/{owned}", timeout=10), 403, "AccessDenied")
    assert_error(requests.delete(f"{api.url()}{ADMIN}/{owned}", timeout=10), 403, "AccessDenied")
    assert_error(requests.delete(api.url() + ADMIN, timeout=10), 403, "AccessDenied")
    assert api.admin("GET", owned).status_code == 200  # still there
    assert api.admin("DELETE", owned).status_code == 204


def test_a_wrong_signature_is_refused_as_any_request(bench):
    api, alices, _ = bench
    forger = RefUser("alice", ALICE.access_key, "not-alice-secret")
    assert_error(api.admin("POST", payload=_script(alices), user=forger), 403, "SignatureDoesNotMatch")


def test_another_account_cannot_arm_read_or_delete(bench):
    api, alices, _ = bench
    assert_error(api.admin("POST", payload=_script(alices), user=BOB), 403, "AccessDenied")
    owned = _arm(api, _script(alices, prefix="never/"))
    assert_error(api.admin("GET", owned, user=BOB), 403, "AccessDenied")
    assert_error(api.admin("DELETE", owned, user=BOB), 403, "AccessDenied")
    assert owned not in [s["id"] for s in api.admin("GET", user=BOB).json()["scripts"]]
    assert api.admin("DELETE", user=BOB).json() == {"deleted": 0}
    assert api.admin("GET", owned).status_code == 200
    assert api.admin("DELETE", owned).status_code == 204


def test_the_owner_arms_and_it_fires(bench):
    api, alices, _ = bench
    script = _arm(api, _script(alices))
    assert api.call("HEAD", alices, "obj/data").status_code == 503
    assert api.call("HEAD", alices, "obj/data").status_code == 200
    assert [f["instruction"] for f in api.admin("GET", script).json()["fired"]] == ["return-503"]
    assert api.admin("DELETE", script).status_code == 204


def test_no_such_bucket_is_404(bench):
    api, _, _ = bench
    assert_error(api.admin("POST", payload=_script("no-such-bucket-here")), 404, "NoSuchBucket")


def test_bounds_size_per_bucket_and_total_are_400_and_freed_by_delete(bench):
    api, alices, bobs = bench
    big = _script(alices, count=400)  # about 5,600 bytes of JSON, over --fault-script-max-bytes 4000
    response = api.admin("POST", payload=big)
    assert response.status_code == 400 and response.json()["code"] == "InvalidScript"
    armed = [_arm(api, _script(alices, prefix=f"b{n}/")) for n in range(30)]
    response = api.admin("POST", payload=_script(alices, prefix="one-more/"))
    assert response.status_code == 400 and response.json()["code"] == "TooManyScripts"
    armed_by_bob = [_arm(api, _script(bobs, prefix=f"b{n}/"), user=BOB) for n in range(10)]
    response = api.admin("POST", payload=_script(bobs, prefix="one-more/"), user=BOB)  # the 41st
    assert response.status_code == 400 and response.json()["code"] == "TooManyScripts"
    assert api.admin("DELETE", armed[0]).status_code == 204
    _arm(api, _script(bobs, prefix="now-it-fits/"), user=BOB)
    assert api.admin("DELETE").json() == {"deleted": 29}
    assert api.admin("DELETE", user=BOB).json() == {"deleted": len(armed_by_bob) + 1}


def test_the_read_back_of_many_scripts_is_paged(bench):
    api, alices, _ = bench
    armed = [_arm(api, _script(alices, prefix=f"page{n}/")) for n in range(25)]
    seen, marker, pages = [], "", 0
    while True:
        query = "max-scripts=10" + (f"&marker={marker}" if marker else "")
        page = api.admin("GET", query=query).json()
        pages += 1
        seen += [s["id"] for s in page["scripts"]]
        assert len(page["scripts"]) <= 10 and page["truncated"] == (page["next_marker"] is not None)
        if not page["truncated"]:
            break
        marker = page["next_marker"]
    assert (pages, seen) == (3, armed)
    assert api.admin("GET", query="max-scripts=0").status_code == 400
    assert api.admin("GET", query="max-scripts=1001").status_code == 400
    assert api.admin("DELETE").json() == {"deleted": 25}


def test_a_page_is_bounded_in_bytes(tmp_path):
    """Scripts of about 28 KB read back as about 56 KB each: a page stops near 256 KiB."""
    with start_reference(users=USERS, extra_args=["--faults"]) as process:
        api = Api(process)
        bucket = api.create_bucket()
        script = _script(bucket, operation="put", count=1000)  # 1000 x "return-503", ~14 KB per operation
        script["instructions"]["get"] = ["return-503"] * 1000
        armed = [_arm(api, script) for _ in range(8)]
        first = api.admin("GET")
        page = first.json()
        assert page["truncated"] and 1 <= len(page["scripts"]) < 8
        assert len(first.content) <= 256 * 1024 + 60_000  # the bound, plus the one script that crosses it
        seen = [s["id"] for s in page["scripts"]]
        while page["truncated"]:
            page = api.admin("GET", query=f"marker={page['next_marker']}").json()
            seen += [s["id"] for s in page["scripts"]]
        assert seen == armed


def test_a_script_stops_applying_when_its_bucket_changes_owner(bench):
    api, _, _ = bench
    bucket = api.create_bucket()
    _arm(api, _script(bucket, operation="put", count=5))
    assert api.call("DELETE", bucket).status_code == 204
    assert api.call("PUT", bucket, user=BOB).status_code == 201  # bob takes the name
    assert api.call("PUT", bucket, "obj/x", data=b"1", user=BOB).status_code == 200
