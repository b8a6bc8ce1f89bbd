"""Deliberately broken example drivers that react wrongly to faults: the negative controls of the fault matrix
(fixtures/sdk/fault-matrix.toml, ``jss-conformance sdk --scenarios fault-matrix``).

``python -m conformance.sdk.drivers.broken_retry MISTAKE`` is the example driver with one mistake, made at one
place; fixtures/sdk/fault-matrix-controls.toml says which cells each turns red and what they must name.
"""

from __future__ import annotations

import sys

import requests

from conformance import keepalive
from conformance import operations as ops
from conformance.outcomes import InfraError
from conformance.sdk.drivers.example import ExampleDriver, main

#: What a request of the SDK may fail with.
FAILURES = (ops.ApiError, InfraError, requests.RequestException)


class RetriesClientErrors(ExampleDriver):
    """Retries a 400, 403 or 404 answer like a 503 (bounded)."""

    def retryable(self, error: Exception) -> bool:  # noqa: D102
        return isinstance(error, ops.ApiError) or super().retryable(error)


def no_stale_resend() -> None:
    """Turn off the suite client's own resend of a request that failed on a stale keep-alive connection
    (conformance.keepalive), so that a reset reaches the driver's logic."""
    keepalive.stale_connection = lambda error: False


class NeverRetries(ExampleDriver):
    """Never retries: neither an error answer nor a broken connection (not even a stale keep-alive one)."""

    def __init__(self, scenario: dict) -> None:
        super().__init__(scenario)
        no_stale_resend()

    def retryable(self, error: Exception) -> bool:  # noqa: D102
        return False


class CompleteRestartsUpload(ExampleDriver):
    """When a complete fails in any way (an error answer, a broken connection, a lost answer), starts the
    whole upload again as a new upload (the first one is left to the server)."""

    def __init__(self, scenario: dict) -> None:
        super().__init__(scenario)
        no_stale_resend()

    def complete(self, upload_id: str, parts: dict[int, str], step: dict) -> None:  # noqa: D102
        try:
            ops.complete(self.client, self.bucket, self.key, upload_id, self.complete_parts(parts))
        except FAILURES:
            fresh = self.initiate(step)
            super().complete(fresh, self.send_parts(fresh, step), step)


class KeepsCutDownload(ExampleDriver):
    """Writes what a cut GetObject body delivered and carries on: reports ok with a short file."""

    def get_range(self, start: int, end: int) -> bytes:  # noqa: D102
        wanted = {"Range": f"bytes={start}-{end}"}
        response = self.client.request("GET", self.bucket, self.key, headers=wanted, stream=True)
        if response.status_code >= 300:
            response.close()
            raise ops.ApiError(response.status_code, None, response)
        received = bytearray()
        try:
            for chunk in response.raw.stream(64 * 1024, decode_content=False):
                received += chunk
        except Exception:  # noqa: BLE001 - the mistake: a cut body is taken as the whole
            pass
        finally:
            response.close()
        return bytes(received)


MISTAKES = {
    "retries-4xx": RetriesClientErrors,
    "never-retries": NeverRetries,
    "complete-restarts-upload": CompleteRestartsUpload,
    "keeps-cut-download": KeepsCutDownload,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MISTAKES:
        choices = ",".join(MISTAKES)
        print(f"usage: python -m conformance.sdk.drivers.broken_retry {{{choices}}}", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(MISTAKES[sys.argv[1]]))
