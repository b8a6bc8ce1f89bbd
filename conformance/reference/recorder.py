"""The request recorder (``serve --record FILE``): an ASGI wrapper that appends one JSON line per request
(either wire) to FILE once it is answered: the operation, the status, the faults that fired, the part number
and body size, and the clause verdicts on what the client sent: on the JSS wire those of
:mod:`conformance.diagnosis` (for a wrong signature, the client mistake that reproduces it); on the S3 wire
the SigV4 verdict of :mod:`conformance.reference.s3.record_verdicts`. Not installed without ``--record``.

Line: ``{"time", "request_id", "method", "target", "bucket", "key", "upload_id", "part_number",
"operation", "status", "body_bytes", "faults", "sent", "verdicts": [{"clause", "verdict", "detail", ...}]}``,
one verdict per clause (the worst, with every check's detail), ``"diagnosis": "done" | "skipped" | "failed" |
"none"``. ``sent`` is what the SDK judge reads of the request itself (:func:`sent_facts`): whether it carried
an Authorization header or a query signature, and its Range, Content-MD5, Content-Type and user metadata
headers (never the Authorization value).

The record leaks nothing replayable (:mod:`conformance.reference.record_redaction`: signature and token
values redacted), is private and rotated (:mod:`conformance.reference.record_file`), and the diagnosis runs
off the event loop, bounded per client access key (:mod:`conformance.reference.record_diagnosis`).
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

from conformance.diagnosis import SentRequest, diagnose, one_per_clause
from conformance.reference.app import RAW_HEADER_NAMES, RAW_HEADER_VALUES
from conformance.reference.errors import JssError
from conformance.reference.fault_layer import ADMIN_PREFIX, FIRED_KEY
from conformance.reference.httpio import new_request_id
from conformance.reference.operation_names import operation_name
from conformance.reference.record_diagnosis import DiagnosisPool
from conformance.reference.record_file import RecordFile
from conformance.reference.record_redaction import redact_target, scrub, secret_values
from conformance.reference.s3.record_verdicts import signature_verdicts

log = logging.getLogger("conformance.reference.recorder")

#: The request headers a record keeps the value of (for the SDK judge), and the user-metadata prefixes.
KEPT_HEADERS = ("range", "content-md5", "content-type")
META_PREFIXES = ("x-jss-meta-", "x-amz-meta-")
#: The query parameters that carry a presigned URL's signature (JSS and S3 V2: Signature; SigV4).
QUERY_SIGNATURES = frozenset({"Signature", "X-Amz-Signature"})

#: The body of a complete is kept for its diagnosis up to this size.
MAX_KEPT_BODY = 1024 * 1024
KEPT_BODIES = frozenset({"complete"})
#: Where a request names its access key: JSS ``jingdong AK:``, V2 ``AWS AK:``, SigV4 ``Credential=AK/``, and
#: the presigned URL's ``AccessKey=``, ``AWSAccessKeyId=``, ``X-Amz-Credential=AK%2F``.
_ACCESS_KEY = (
    re.compile(r"^\s*\S+\s+([^:\s/,=]+):"),
    re.compile(r"Credential=([^/,\s]+)/"),
)
_QUERY_ACCESS_KEY = re.compile(
    r"(?:^|&)(?:AccessKey|AWSAccessKeyId|X-Amz-Credential)=([^&%/]+)", re.IGNORECASE
)


class Recorder:
    """ASGI wrapper around `inner` (the app, or the fault layer around it); `app` is the ReferenceApp (for
    parsing requests and looking up secrets)."""

    def __init__(self, inner, app, path: Path) -> None:
        self.inner = inner
        self.app = app
        self.path = path
        bounds = app.config.testbench
        self.file = RecordFile(path, bounds.record_max_bytes, bounds.record_keep)
        self.pool = DiagnosisPool(self.file.write_line, bounds.diagnosis_workers,
                                  bounds.diagnosis_queue_per_key)
        atexit.register(self.close)

    def close(self) -> None:
        """Write what is still queued, then close the file."""
        self.pool.close()
        self.file.close()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(ADMIN_PREFIX):
            return await self.inner(scope, receive, send)
        try:
            ctx = self.app.parse(scope, new_request_id())
            operation = operation_name(ctx)
        except JssError:
            ctx, operation = None, "unknown"
        body = {"bytes": 0, "kept": bytearray(), "keep": operation in KEPT_BODIES}
        answer: dict = {"status": None, "request_id": None}

        async def counting_receive() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                body["bytes"] += len(chunk)
                if body["keep"] and len(body["kept"]) + len(chunk) <= MAX_KEPT_BODY:
                    body["kept"] += chunk
            return message

        async def watching_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                headers = dict(message.get("headers", []))
                answer["request_id"] = headers.get(self.app.request_id_header_of(scope), b"").decode() or None
            await send(message)

        try:
            await self.inner(scope, counting_receive, watching_send)
        finally:
            self.write(scope, ctx, operation, body, answer)

    def write(self, scope: dict, ctx, operation: str, body: dict, answer: dict) -> None:
        """Queue the request's line: its diagnosis runs on a worker, never on the event loop, and the line
        is written redacted (a failure to diagnose is recorded, never breaks the request)."""
        raw_query = scope.get("query_string", b"").decode("latin-1")
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("utf-8", "replace")
        target = raw_path + ("?" + raw_query if raw_query else "")
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in scope.get("headers", ())]
        record = {
            "time": round(time.time(), 3),
            "request_id": answer["request_id"],
            "method": scope["method"],
            "target": redact_target(target),
            "bucket": ctx.bucket if ctx else None,
            "key": ctx.key if ctx else None,
            "upload_id": ctx.query_value("uploadId") if ctx else None,
            "part_number": ctx.query_value("partNumber") if ctx else None,
            "operation": operation,
            "status": answer["status"],
            "body_bytes": body["bytes"],
            "faults": list(scope.get(FIRED_KEY, [])),
            "sent": sent_facts(scope),
        }
        secrets = secret_values(target, headers)

        def finish(done: dict) -> str:
            return scrub(json.dumps(done, ensure_ascii=False), secrets)

        judge = None
        if ctx is not None:
            kept = {"keep": body["keep"], "kept": bytes(body["kept"]), "bytes": body["bytes"]}
            judge = lambda: self.verdicts(scope, ctx, operation, kept)  # noqa: E731 - run by a worker
        self.pool.submit(record, judge, self.client_of(target, headers), finish)

    def client_of(self, target: str, headers: list[tuple[str, str]]) -> str:
        """The access key a request is signed with, as its diagnosis is bounded: a known key itself, every
        unknown one as "unknown", an unsigned request as "anonymous"."""
        found = None
        authorization = next((v for n, v in headers if n.lower() == "authorization"), None)
        if authorization is not None:
            found = next((m.group(1) for p in _ACCESS_KEY if (m := p.search(authorization))), "")
        elif (match := _QUERY_ACCESS_KEY.search(target.partition("?")[2])) is not None:
            found = match.group(1)
        if found is None:
            return "anonymous"
        return found if self.app.config.user_by_access_key(found) is not None else "unknown"

    def verdicts(self, scope: dict, ctx, operation: str, body: dict) -> list[dict]:
        """The diagnosis of the request as it was sent (header names with their case)."""
        if ctx is None:
            return []
        raw_names = [name.decode("latin-1") for name in scope.get(RAW_HEADER_NAMES, ())]
        values = [value.decode("latin-1") for _, value in scope["headers"]]
        raw_values = [value.decode("latin-1") for value in scope.get(RAW_HEADER_VALUES, ())]
        if len(raw_values) == len(values):
            values = raw_values  # a value's trailing padding too (its leading one the parser drops)
        if len(raw_names) != len(values):
            raw_names = [name.decode("latin-1") for name, _ in scope["headers"]]
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("utf-8", "replace")
        raw_query = scope.get("query_string", b"").decode("latin-1")
        sent = SentRequest(
            scope["method"],
            raw_path + ("?" + raw_query if raw_query else ""),
            list(zip(raw_names, values, strict=True)),
            host_bucket=ctx.bucket if ctx.virtual_host else None,
            body=bytes(body["kept"]) if body["keep"] and _whole(ctx, body["bytes"]) else None,
            body_length=body["bytes"],
            endpoint_regions=(ctx.region,),  # a SigV4 scope is judged against the receiving region
        )

        def secret_for(access_key: str) -> str | None:
            user = self.app.config.user_by_access_key(access_key)
            return user.secret_key if user else None

        if self.app.wire_of(scope) == "s3":
            return one_per_clause(signature_verdicts(ctx, sent, operation, secret_for))
        return diagnose(sent, operation, secret_for)


def _whole(ctx, received: int) -> bool:
    """Whether the whole request body arrived (its Content-Length, when it has one): a body the server did
    not read, or a connection reset in its middle, is not the client's body and is not diagnosed."""
    declared = ctx.header("content-length")
    return declared is None or not declared.strip().isdigit() or received >= int(declared)


def sent_facts(scope: dict) -> dict:
    """What the request carried that the SDK judge checks: ``authorization`` (an Authorization header was
    sent), ``query_signed`` (a presigned URL's signature was in the query), the values of KEPT_HEADERS sent,
    and ``meta``: the user metadata headers, by name without their prefix (lowercase)."""
    headers = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in scope["headers"]]
    names = {name for name, _, _ in
             (pair.partition("=") for pair in scope.get("query_string", b"").decode("latin-1").split("&"))}
    facts: dict = {
        "authorization": any(name == "authorization" for name, _ in headers),
        "query_signed": bool(names & QUERY_SIGNATURES),
    }
    facts.update((name, value) for name, value in headers if name in KEPT_HEADERS)
    meta = {name[len(prefix):]: value for name, value in headers
            for prefix in META_PREFIXES if name.startswith(prefix)}
    if meta:
        facts["meta"] = meta
    return facts
