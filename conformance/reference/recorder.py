"""The request recorder (``serve --record FILE``): an ASGI wrapper that appends one JSON line per request
(either wire) to FILE once it is answered: the operation, the status, the faults that fired, the part number
and body size, and the clause verdicts on what the client sent: on the JSS wire those of
:mod:`conformance.diagnosis` (for a wrong signature, the client mistake that reproduces it); on the S3 wire
the SigV4 verdict of :mod:`conformance.reference.s3.record_verdicts`. Not installed without ``--record``.

Line: ``{"time", "request_id", "method", "target", "bucket", "key", "upload_id", "part_number",
"operation", "status", "body_bytes", "faults", "sent", "verdicts": [{"clause", "verdict", "detail", ...}]}``,
one verdict per clause (the worst, with every check's detail). ``sent`` is what the SDK judge reads of the
request itself (:func:`sent_facts`): whether it carried an Authorization header or a query signature, and
its Range, Content-MD5, Content-Type and user metadata headers (never the Authorization value).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from conformance.diagnosis import SentRequest, diagnose, one_per_clause
from conformance.reference.app import RAW_HEADER_NAMES, RAW_HEADER_VALUES
from conformance.reference.errors import JssError
from conformance.reference.fault_layer import ADMIN_PREFIX, FIRED_KEY
from conformance.reference.httpio import new_request_id
from conformance.reference.operation_names import operation_name
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


class Recorder:
    """ASGI wrapper around `inner` (the app, or the fault layer around it); `app` is the ReferenceApp (for
    parsing requests and looking up secrets)."""

    def __init__(self, inner, app, path: Path) -> None:
        self.inner = inner
        self.app = app
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's lifetime

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
        """Append the request's line (a failure to diagnose is logged, never breaks the request)."""
        raw_query = scope.get("query_string", b"").decode("latin-1")
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("utf-8", "replace")
        target = raw_path + ("?" + raw_query if raw_query else "")
        record = {
            "time": round(time.time(), 3),
            "request_id": answer["request_id"],
            "method": scope["method"],
            "target": target,
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
        try:
            record["verdicts"] = self.verdicts(scope, ctx, operation, body)
        except Exception:  # noqa: BLE001 - a diagnosis bug must not break the server
            log.exception("could not diagnose request %s", answer["request_id"])
            record["verdicts"] = []
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()

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
            body=bytes(body["kept"]) if body["keep"] else None,
            body_length=body["bytes"],
            endpoint_regions=(ctx.region,),  # a SigV4 scope is judged against the receiving region
        )

        def secret_for(access_key: str) -> str | None:
            user = self.app.config.user_by_access_key(access_key)
            return user.secret_key if user else None

        if self.app.wire_of(scope) == "s3":
            return one_per_clause(signature_verdicts(ctx, sent, operation, secret_for))
        return diagnose(sent, operation, secret_for)


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
