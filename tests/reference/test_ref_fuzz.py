"""Generated requests (tests/reference/fuzz_requests.py) against a confined reference endpoint: never a 5xx,
every error the documented JSON body with its request id, the server alive and answering a valid request
afterwards, nothing written outside its data dir.

Deterministic (derandomized) and bounded: JSS_FUZZ_EXAMPLES requests (default 300, a few seconds); the long
run is ``tox -e fuzz`` (10,000).
"""

from __future__ import annotations

import collections
import http.client
import os
import time
from urllib.parse import urlsplit

from fuzz_requests import error_body_problems, requests_strategy, send
from hypothesis import HealthCheck, given, settings
from ref_helpers import ALICE, BOB, USERS, Api

from conformance.reference.launch import start_reference

EXAMPLES = int(os.environ.get("JSS_FUZZ_EXAMPLES", "300"))


def seed_server(api: Api) -> dict[str, str]:
    """Buckets, an object and three uploads (one with a part) to aim at: the placeholders' values."""
    bucket, bob_bucket = api.create_bucket(), api.create_bucket(user=BOB)
    api.put(bucket, "existing", b"existing object")
    marker = "fuzzmark" + os.urandom(4).hex()
    fill = {"@BUCKET": bucket, "@BOB_BUCKET": bob_bucket, "@MARKER": marker}
    return {**fill, **fresh_uploads(api, bucket)}


def fresh_uploads(api: Api, bucket: str) -> dict[str, str]:
    """Three new uploads (keys upload-0..2), the first with part 1: @UPLOAD0..2 and @ETAG0."""
    uploads = [api.initiate(bucket, f"upload-{index}") for index in range(3)]
    etag = api.upload_part(bucket, "upload-0", uploads[0], 1, b"part one")
    return {**{f"@UPLOAD{index}": upload_id for index, upload_id in enumerate(uploads)}, "@ETAG0": etag}


def ended_an_upload(request, status: int) -> bool:
    """True when the request may have completed or aborted one of the seeded uploads."""
    return status < 300 and request.method in ("POST", "DELETE") and "uploadId" in str(request.query)


def test_generated_requests_never_get_a_5xx_nor_a_bad_error_body(tmp_path):
    root = tmp_path / "confined"
    with start_reference(users=USERS, data_dir=root / "data") as process:
        api = Api(process)
        fill = seed_server(api)
        parts = urlsplit(api.url())
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        statuses: collections.Counter[int] = collections.Counter()
        failures: list[str] = []
        codes: collections.Counter[str] = collections.Counter()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(request=requests_strategy)
        def exchange(request) -> None:
            fill["@TIME"] = str(time.time())
            try:
                status, headers, body = send(connection, request, fill, {"alice": ALICE, "bob": BOB})
            except (http.client.HTTPException, OSError) as exc:
                connection.close()
                failures.append(f"{type(exc).__name__} for {request!r}")
                raise AssertionError(f"no answer: {exc!r} for {request!r}") from exc
            statuses[status] += 1
            if ended_an_upload(request, status):
                fill.update(fresh_uploads(api, fill["@BUCKET"]))
            if status >= 300 and request.method != "HEAD":
                codes[body[:200].split(b'"code": "')[-1].split(b'"')[0].decode("latin-1")] += 1
            if status >= 300:
                problems = error_body_problems(status, request.method, headers, body)
                assert not problems, f"{status} {problems} for {request!r}"
            assert status < 500, f"{status} {body[:200]!r} for {request!r}"

        exchange()
        connection.close()
        print(f"\nfuzz: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
        print(f"fuzz: error codes {dict(codes.most_common())}")
        assert process.process.poll() is None, "the server died"
        api.put(fill["@BUCKET"], "after-the-fuzz", b"still answering")
        assert api.call("GET", fill["@BUCKET"], "after-the-fuzz").content == b"still answering"
        assert "Exception in ASGI application" not in process.stderr_tail(100_000)
        assert "unexpected error" not in process.stderr_tail(100_000)
    assert [path.name for path in root.iterdir()] == ["data"]
    data_dir = root / "data"
    outside = [p for p in tmp_path.parent.rglob(f"*{fill['@MARKER']}*") if data_dir not in p.parents]
    assert not outside  # inside the data dir is fine: the generated requests may name a bucket with it
