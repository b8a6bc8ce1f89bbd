"""Deviations (negative controls): each switch has its effect, and only where it is switched on."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import ref_deviation_checks  # noqa: F401 - registers its checks
import ref_deviation_checks_access  # noqa: F401 - registers its checks
import ref_deviation_checks_assembly  # noqa: F401 - registers its checks
import ref_deviation_checks_issue22  # noqa: F401 - registers its checks
import ref_deviation_checks_statuses  # noqa: F401 - registers its checks
import ref_deviation_checks_values  # noqa: F401 - registers its checks
import requests
from ref_deviation_registry import CHECKS, GROUP_OPTIONS
from ref_helpers import ALICE, EAST, NORTH, USERS, Api, RefUser, assert_error

import conformance.reference
from conformance import signing
from conformance.reference.deviations import DEVIATIONS
from conformance.reference.launch import ReferenceProcess, start_reference

CONTRACT_DEVIATIONS = {
    "accept-any-signature",
    "default-storage-class-rr",
    "rr-everywhere",
    "rr-downgrade",
    "initiate-truncates-object",
    "initiate-response-renamed",
}


def storage_class_of_upload(api, bucket: str, key: str, upload_id: str, region: str = NORTH) -> str:
    """The StorageClass ListParts reports."""
    return api.call("GET", bucket, key, f"uploadId={upload_id}", region=region).json()["StorageClass"]


def test_every_contract_deviation_is_listed_and_switched_at_exactly_one_place():
    assert set(DEVIATIONS) >= CONTRACT_DEVIATIONS
    package = Path(conformance.reference.__file__).parent
    source = "\n".join(path.read_text() for path in package.rglob("*.py"))
    for name in DEVIATIONS:
        assert len(re.findall(rf'\.active\("{re.escape(name)}"\)', source)) == 1, name


def test_unknown_deviation_refuses_to_start(make_reference):
    from conformance.reference.launch import ReferenceStartError

    with pytest.raises(ReferenceStartError, match="unknown deviation"):
        make_reference(deviations=["no-such-deviation"])


def test_accept_any_signature(make_reference, api, north_bucket):
    lax = make_reference(deviations=["accept-any-signature"])
    bucket = lax.create_bucket()
    wrong_secret = RefUser(ALICE.name, ALICE.access_key, "wrong")
    assert lax.call("GET", bucket, user=wrong_secret).status_code == 200
    assert lax.call("GET", bucket, date=signing.http_date(time.time() - 3600)).status_code == 200
    expired = lax.presigned_url("GET", bucket, "k", int(time.time()) - 60, user=wrong_secret)
    assert requests.get(expired).status_code == 404  # accepted: the key simply does not exist
    assert_error(lax.call("GET", bucket, user=RefUser("x", "AKUNKNOWN", "s")), 403, "InvalidAccessKey")
    # the faithful server refuses the same
    assert_error(api.call("GET", north_bucket, user=wrong_secret), 403, "SignatureDoesNotMatch")


def test_default_storage_class_rr(make_reference, api, north_bucket, key):
    deviant = make_reference(deviations=["default-storage-class-rr"])
    bucket = deviant.create_bucket()
    upload_id = deviant.initiate(bucket, "k")
    assert storage_class_of_upload(deviant, bucket, "k", upload_id) == "REDUCED_REDUNDANCY"
    deviant.put(bucket, "obj", b"x")
    assert deviant.call("HEAD", bucket, "obj").headers["x-jss-storage-class"] == "REDUCED_REDUNDANCY"
    faithful_id = api.initiate(north_bucket, key)
    assert storage_class_of_upload(api, north_bucket, key, faithful_id) == "STANDARD"


def test_rr_everywhere(make_reference):
    deviant = make_reference(deviations=["rr-everywhere"])
    bucket = deviant.create_bucket(EAST)
    upload_id = deviant.initiate(bucket, "k", {"x-jss-storage-class": "REDUCED_REDUNDANCY"}, region=EAST)
    assert storage_class_of_upload(deviant, bucket, "k", upload_id, EAST) == "REDUCED_REDUNDANCY"
    put = deviant.call(
        "PUT", bucket, "o", headers={"x-jss-storage-class": "REDUCED_REDUNDANCY"}, data=b"x", region=EAST
    )
    assert put.status_code == 200
    assert (
        deviant.call("HEAD", bucket, "o", region=EAST).headers["x-jss-storage-class"] == "REDUCED_REDUNDANCY"
    )


def test_rr_downgrade(make_reference):
    deviant = make_reference(deviations=["rr-downgrade"])
    east = deviant.create_bucket(EAST)
    north = deviant.create_bucket(NORTH)
    upload_id = deviant.initiate(east, "k", {"x-jss-storage-class": "REDUCED_REDUNDANCY"}, region=EAST)
    assert storage_class_of_upload(deviant, east, "k", upload_id, EAST) == "STANDARD"
    north_id = deviant.initiate(north, "k", {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    assert storage_class_of_upload(deviant, north, "k", north_id) == "REDUCED_REDUNDANCY"


def test_initiate_truncates_object(make_reference, api, north_bucket, key):
    deviant = make_reference(deviations=["initiate-truncates-object"])
    bucket = deviant.create_bucket()
    deviant.put(bucket, "k", b"precious")
    deviant.initiate(bucket, "k")
    assert deviant.call("GET", bucket, "k").content == b""
    api.put(north_bucket, key, b"precious")
    api.initiate(north_bucket, key)
    assert api.call("GET", north_bucket, key).content == b"precious"


def test_initiate_truncates_object_to_an_empty_one_of_the_initiate_storage_class(make_reference):
    deviant = make_reference(deviations=["initiate-truncates-object"])
    bucket = deviant.create_bucket()
    deviant.put(bucket, "k", b"precious")
    deviant.initiate(bucket, "k", {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    head = deviant.call("HEAD", bucket, "k")
    assert head.headers["Content-Length"] == "0"
    assert head.headers["x-jss-storage-class"] == "REDUCED_REDUNDANCY"


def test_initiate_response_renamed(make_reference):
    deviant = make_reference(deviations=["initiate-response-renamed"])
    bucket = deviant.create_bucket()
    body = deviant.call("POST", bucket, "k", "uploads").json()
    assert set(body) == {"Bucket", "Key", "UploadID"}


def test_deviations_combine(make_reference):
    deviant = make_reference(deviations=["initiate-response-renamed", "default-storage-class-rr"])
    bucket = deviant.create_bucket()
    upload_id = deviant.call("POST", bucket, "k", "uploads").json()["UploadID"]
    assert storage_class_of_upload(deviant, bucket, "k", upload_id) == "REDUCED_REDUNDANCY"


# -- the other switches: one direct HTTP check each (ref_deviation_checks*.py) -------------------------------


@pytest.fixture(scope="module")
def faithful_server() -> Iterator[Callable[[str], Api]]:
    """group -> an Api of a faithful server with the group's options (one per set of options, started on
    first use): the twin every check of the group must fail against."""
    started: dict[str, ReferenceProcess] = {}

    def server_of(group: str) -> Api:
        options = GROUP_OPTIONS.get(group, {})
        name = repr(sorted(options.items()))
        if name not in started:
            started[name] = start_reference(users=USERS, **options)
        return Api(started[name])

    yield server_of
    for process in started.values():
        process.stop()


@pytest.fixture
def deviant_server() -> Iterator[Callable[[str], Api]]:
    """deviation -> an Api of a server with that deviation alone switched on (and its group's options), so no
    other deviation can mask or fake its effect; stopped after the test."""
    started: list[ReferenceProcess] = []

    def server_of(deviation: str) -> Api:
        options = GROUP_OPTIONS.get(CHECKS[deviation][0], {})
        started.append(start_reference(users=USERS, deviations=[deviation], **options))
        return Api(started[-1])

    yield server_of
    for process in started:
        process.stop()


def test_every_deviation_without_a_direct_check_is_named():
    # The contract's deviations: the tests above. list-uploads-raises: test_ref_errors.py (the 500 path).
    # The S3 front's own (s3-*): s3/test_ref_s3_deviations.py, which checks that each has its check there.
    elsewhere = {"list-uploads-raises", *(name for name in DEVIATIONS if name.startswith("s3-"))}
    assert set(DEVIATIONS) == set(CHECKS) | CONTRACT_DEVIATIONS | elsewhere


@pytest.mark.parametrize("deviation", sorted(CHECKS))
def test_deviation_switch_has_its_effect(deviant_server, deviation):
    deviant = deviant_server(deviation)
    CHECKS[deviation][1](deviant, deviant.create_bucket())


@pytest.mark.parametrize("deviation", sorted(CHECKS))
def test_deviation_check_fails_on_the_faithful_twin(faithful_server, deviation):
    group, run_check = CHECKS[deviation]
    faithful = faithful_server(group)
    with pytest.raises(AssertionError):
        run_check(faithful, faithful.create_bucket())
