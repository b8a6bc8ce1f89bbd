"""pytest plugin (``-p benchlib.recorder``): record every HTTP request a suite run sends, for a replay.

Loaded only by `suite_walltime.py` in an untimed recording run (with ``benchmarks/`` on PYTHONPATH). It
observes at the library level, so it needs nothing from the harness but two facts it reads at session start:

- every ``requests.Session.send`` (the client's, the plugin's bucket setup, preflight and cleanup alike) is
  written to ``<BENCH_RECORD_DIR>/exchanges.jsonl``: method, URL, headers as sent, body (stored once per
  content under ``bodies/<sha1>``), the string to sign the client computed for it (captured by wrapping
  ``conformance.signing.string_to_sign``, so a replay can re-sign it with a fresh Date and keep any
  deliberate mis-signing), the real wall time (CLOCK_REALTIME: freezegun does not move it), the status, and
  the UploadId an initiate returned, the case it was sent for (its node id; none at session start), and
  when its answer arrived (``ended_at``: the latency benchmark's chains of dependent requests);
- the embedded endpoint's credentials are fixed (instead of random ones) so the replay can sign: the suite's
  account to ``BENCH_RECORD_ACCESS_KEY``/``BENCH_RECORD_SECRET_KEY``, the second (access family) account to
  ``BENCH_RECORD_ALT_ACCESS_KEY``/``BENCH_RECORD_ALT_SECRET_KEY``; its regions, endpoints and options go to
  ``meta.json``.

No secret is written: the replay gets the same variables from the benchmark that set them.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import pytest
import requests

from conformance import signing

DIR_VARIABLE = "BENCH_RECORD_DIR"
ACCESS_KEY_VARIABLE = "BENCH_RECORD_ACCESS_KEY"
SECRET_KEY_VARIABLE = "BENCH_RECORD_SECRET_KEY"
ALT_ACCESS_KEY_VARIABLE = "BENCH_RECORD_ALT_ACCESS_KEY"
ALT_SECRET_KEY_VARIABLE = "BENCH_RECORD_ALT_SECRET_KEY"


class _Recorder:
    """Writes one JSON line per request sent through any requests.Session of this process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        (directory / "bodies").mkdir(parents=True, exist_ok=True)
        self._log = (directory / "exchanges.jsonl").open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sequence = 0
        #: The node id of the case running now (None outside a case: session start, the end).
        self.case: str | None = None

    def note_string_to_sign(self, value: str) -> None:
        """Remember the last string to sign computed in this thread (the client signs, then sends)."""
        self._local.string_to_sign = value

    def _store_body(self, data: bytes) -> str:
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        path = self.directory / "bodies" / digest
        if not path.exists():
            path.write_bytes(data)
        return digest

    def send(self, original, session: requests.Session, prepared: requests.PreparedRequest, **kwargs):
        """Send `prepared` with the original method and log it."""
        string_to_sign = getattr(self._local, "string_to_sign", None)
        self._local.string_to_sign = None
        body, chunked, captured = prepared.body, False, None
        if isinstance(body, str):
            captured = body.encode("utf-8")
        elif isinstance(body, bytes | bytearray | memoryview):
            captured = bytes(body)
        elif body is not None and hasattr(body, "read") and hasattr(body, "seek"):
            position = body.tell()
            captured = body.read()
            body.seek(position)
        elif body is not None:
            chunks: list[bytes] = []
            source = body

            def tee():
                for chunk in source:
                    chunks.append(chunk if isinstance(chunk, bytes) else bytes(chunk))
                    yield chunk

            prepared.body, chunked = tee(), True
        sent_at = time.clock_gettime(time.CLOCK_REALTIME)
        try:
            response = original(session, prepared, **kwargs)
        except Exception as exc:
            status, upload_id, error = None, None, type(exc).__name__
            raise_it = exc
        else:
            status, error, raise_it = response.status_code, None, None
            upload_id = _upload_id(prepared, response)
        if chunked:
            captured = b"".join(chunks)
        record = {
            "method": prepared.method,
            "url": prepared.url,
            "headers": [[name, value] for name, value in prepared.headers.items()],
            "body": self._store_body(captured) if captured else None,
            "body_size": len(captured or b""),
            "chunked": chunked,
            "string_to_sign": string_to_sign,
            "sent_at": sent_at,
            "ended_at": time.clock_gettime(time.CLOCK_REALTIME),
            "case": self.case,
            "status": status,
            "upload_id": upload_id,
            "error": error,
        }
        with self._lock:
            record["sequence"] = self._sequence
            self._sequence += 1
            self._log.write(json.dumps(record) + "\n")
            self._log.flush()
        if raise_it is not None:
            raise raise_it
        return response

    def close(self) -> None:
        """Close the log."""
        self._log.close()


def _upload_id(prepared: requests.PreparedRequest, response: requests.Response) -> str | None:
    """The UploadId (or a deviation's UploadID) of a successful initiate, else None."""
    query = (prepared.url or "").partition("?")[2]
    if prepared.method != "POST" or "uploads" not in [k for k, _ in signing.parse_query(query)]:
        return None
    if response.status_code != 200:
        return None
    try:
        document = response.json()
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    value = document.get("UploadId", document.get("UploadID"))
    return value if isinstance(value, str) else None


_RECORDER: _Recorder | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Install the recorder (controller or serial process only) and fix the embedded credentials."""
    global _RECORDER
    directory = os.environ.get(DIR_VARIABLE)
    if not directory or _RECORDER is not None or hasattr(config, "workerinput"):
        return
    from conformance.client import Credentials
    from conformance.harness import embedded

    embedded.discard_prestarted()  # `jss-conformance run` spawned one with random credentials
    # start_embedded generates the suite's account first, then the second one
    fixed = iter([Credentials(os.environ[ACCESS_KEY_VARIABLE], os.environ[SECRET_KEY_VARIABLE]),
                  Credentials(os.environ[ALT_ACCESS_KEY_VARIABLE], os.environ[ALT_SECRET_KEY_VARIABLE])])
    generate = embedded.generated_credentials
    embedded.generated_credentials = lambda: next(fixed, None) or generate()
    recorder = _RECORDER = _Recorder(Path(directory))
    original_send = requests.Session.send
    original_sts = signing.string_to_sign

    def send(session, prepared, **kwargs):
        return recorder.send(original_send, session, prepared, **kwargs)

    def string_to_sign(*args, **kwargs):
        value = original_sts(*args, **kwargs)
        recorder.note_string_to_sign(value)
        return value

    requests.Session.send = send
    signing.string_to_sign = string_to_sign


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """After the harness started the embedded endpoint: write its regions, endpoints and options."""
    if _RECORDER is None:
        return
    from conformance.harness.state import harness_state

    state = harness_state(session.config)
    if state.target is None:
        raise pytest.UsageError("benchlib.recorder: the run has no target")
    if state.reference is None:
        return  # a profile's target (the latency benchmark): the requests are recorded, nothing to replay
    options = dict(state.target.reference_options)
    deviations = [*options.get("deviations", ()), *session.config.option.jss_deviate]
    meta = {
        "endpoints": dict(state.reference.endpoints),
        "deviations": list(dict.fromkeys(deviations)),
        "min_part_size": options.get("min_part_size"),
    }
    (_RECORDER.directory / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    """Note which case the requests belong to (its setup, call and teardown: its cleanup too)."""
    if _RECORDER is not None:
        _RECORDER.case = item.nodeid
    try:
        return (yield)
    finally:
        if _RECORDER is not None:
            _RECORDER.case = None


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the log."""
    if _RECORDER is not None and not hasattr(config, "workerinput"):
        _RECORDER.close()
