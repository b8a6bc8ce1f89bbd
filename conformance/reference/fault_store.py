"""The fault scripts of one server (``serve --faults``): each owned by the account that armed it, bounded in
number per bucket and in total, read back a page at a time, applied only while its bucket has that owner."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from conformance.reference.faults import Instruction, Script, parse_script, specificity


class TooManyScripts(Exception):
    """Arming one more script would pass a bound (answered 400 TooManyScripts); the message says which."""


@dataclass(frozen=True)
class Page:
    """One page of a read-back: the scripts, and the marker to ask for the next page (None: the last)."""

    scripts: list[Script]
    next_marker: str | None


class ScriptStore:
    """The scripts of one server, in creation order; thread-safe (the admin route and requests share it)."""

    def __init__(self, per_bucket: int = 100, total: int = 1000) -> None:
        self.per_bucket, self.total = per_bucket, total
        self._scripts: dict[str, Script] = {}
        self._serials: dict[str, int] = {}  # id -> creation serial (the read-back's paging marker)
        self._by_bucket: dict[str, dict[str, Script]] = {}
        self._next_serial = 1
        self._lock = threading.Lock()

    def create(self, document: object, owner: str) -> Script:
        """Validate and store a script of `owner`; ScriptError when it is invalid, TooManyScripts past a
        bound."""
        return self.add(self.parse(document, owner))

    @staticmethod
    def parse(document: object, owner: str) -> Script:
        """A script of `owner` from `document`, with a new id (not stored); ScriptError when invalid."""
        return parse_script(document, secrets.token_hex(8), owner)

    def add(self, script: Script) -> Script:
        """Store a parsed script; TooManyScripts past a bound."""
        with self._lock:
            if len(self._scripts) >= self.total:
                raise TooManyScripts(f"{self.total} scripts are armed on this server (the most it holds)")
            if len(self._by_bucket.get(script.bucket, ())) >= self.per_bucket:
                raise TooManyScripts(f"{self.per_bucket} scripts are armed on bucket {script.bucket}")
            self._scripts[script.id] = script
            self._serials[script.id] = self._next_serial
            self._next_serial += 1
            self._by_bucket.setdefault(script.bucket, {})[script.id] = script
        return script

    def get(self, script_id: str) -> Script | None:
        """The script of that id, or None."""
        with self._lock:
            return self._scripts.get(script_id)

    def page(self, owner: str, marker: str | None, limit: int, bucket: str | None = None) -> Page:
        """Up to `limit` scripts of `owner` (of `bucket` only, when given) created after the one `marker`
        names (a marker returned by the previous page), oldest first."""
        after = int(marker) if marker and marker.isdigit() else 0
        found: list[Script] = []
        with self._lock:
            for script_id, script in self._scripts.items():
                wanted = script.owner == owner and bucket in (None, script.bucket)
                if not wanted or self._serials[script_id] <= after:
                    continue
                if len(found) == limit:
                    return Page(found, str(self._serials[found[-1].id]))
                found.append(script)
        return Page(found, None)

    def marker_of(self, script: Script) -> str:
        """The marker that asks for the scripts created after `script`."""
        with self._lock:
            return str(self._serials.get(script.id, 0))

    def delete(self, script_id: str) -> bool:
        """Remove a script; False when there was none of that id."""
        with self._lock:
            script = self._scripts.pop(script_id, None)
            if script is None:
                return False
            del self._serials[script_id]
            of_bucket = self._by_bucket[script.bucket]
            del of_bucket[script_id]
            if not of_bucket:
                del self._by_bucket[script.bucket]
            return True

    def delete_all(self, owner: str, bucket: str | None = None) -> int:
        """Remove every script of `owner` (only those of `bucket` when given); how many were removed."""
        with self._lock:
            doomed = [i for i, s in self._scripts.items()
                      if s.owner == owner and (bucket is None or s.bucket == bucket)]
        return sum(self.delete(script_id) for script_id in doomed)

    def count(self) -> int:
        """How many scripts are armed."""
        with self._lock:
            return len(self._scripts)

    def take(
        self, operation: str, bucket: str | None, key: str | None, test_id: str | None, request_id: str,
        owner_of: Callable[[str], str | None], prefix: str | None = None,
    ) -> Instruction | None:
        """Consume the next instruction for this request, noting it as fired: that of the most specific
        matching script (:func:`specificity`; `prefix`: a listing's prefix parameter), the oldest of
        equally specific ones. A script applies only
        while its bucket belongs to the account that armed it (`owner_of(bucket)`: the owner now)."""
        if bucket is None:
            return None
        with self._lock:
            if bucket not in self._by_bucket:
                return None
        owner = owner_of(bucket)  # outside the lock: it may read the disk
        with self._lock:
            matching = [s for s in self._by_bucket.get(bucket, {}).values()
                        if s.owner == owner and s.matches(operation, bucket, key, test_id, prefix)]
            if not matching:
                return None
            # max() keeps the first of equals, and the store is in creation order: the oldest
            script = max(matching, key=lambda s: specificity(s, operation))
            return script.consume(operation, key, request_id)
