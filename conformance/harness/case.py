"""What one case's fixtures share, built once per case: its tracker, its key maker and its tracked clients.

The per-case fixtures the cases name (``jss_client``, ``jss_client_for``, ``jss_key``, ``jss_make_key``,
``jss_tracker``) are thin views of one :class:`CaseContext` (fixture ``jss_case``), so that a case sets up
one context instead of a chain of fixtures: each function-scoped fixture costs pytest's fixture machinery and
an Allure fixture container file per case.
"""

from __future__ import annotations

import requests

from conformance.client import Credentials, JssClient
from conformance.clients import client_for
from conformance.harness.tracking import KeyMaker, Tracker
from conformance.target import BucketSpec, Target


class CaseContext:
    """One case's tracker (cleanup, reports), key maker (keys under the run prefix) and client factory."""

    def __init__(
        self, target: Target, run_prefix: str, test_name: str, session: requests.Session, timeout: float
    ) -> None:
        self.target = target
        self.tracker = Tracker(run_prefix, protected_buckets=tuple(b.name for b in target.buckets))
        self.make_key = KeyMaker(run_prefix, test_name)
        self._session = session
        self._timeout = timeout

    def client_for(
        self,
        bucket: BucketSpec,
        credentials: Credentials | None = None,
        *,
        anonymous: bool = False,
        cleanup_by: JssClient | None = None,
    ) -> JssClient:
        """A tracked client for `bucket`'s endpoint, signing with `credentials` (default: the target's), or
        sending no Authorization when `anonymous`; what it creates is undone with `cleanup_by` (default:
        itself), e.g. the owner's client for an anonymous one."""
        client = client_for(
            self.target, bucket, credentials, anonymous=anonymous, timeout=self._timeout,
            session=self._session,
        )
        return self.tracker.track(client, cleanup_by)
