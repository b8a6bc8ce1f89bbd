"""The response-mutation layer (oracle mutation testing, ``tools/oracle_mutation/``): an ASGI wrapper at the
reference endpoint's response boundary that observes every answer's fields, or changes ONE field of every
answer of ONE operation in one way (:mod:`conformance.reference.response_fields`). Test-only: installed only
when the environment of the server names it, never by default:

- ``JSS_ORACLE_OBSERVE=FILE``: append one JSON line per answer to FILE: ``{"time", "op", "fields": {name:
  [mutations that apply]}, "values": {name: digest}}``;
- ``JSS_ORACLE_MUTANT='{"op": ..., "field": ..., "mutation": ...}'``: apply that mutation to that field of
  every answer of that operation (``op`` is the operation name of the recorder, with ``:error`` for an answer
  of status 300 or more).

A JSON body is held until complete, mutated, re-serialized, and its Content-Length recomputed; another body
(an object's bytes) passes through untouched, only its headers and status are mutated.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from conformance.reference import response_fields
from conformance.reference.errors import JssError
from conformance.reference.httpio import new_request_id
from conformance.reference.operation_names import operation_name
from conformance.reference.response_fields import Answer

OBSERVE_ENV = "JSS_ORACLE_OBSERVE"
MUTANT_ENV = "JSS_ORACLE_MUTANT"


def answer_key(operation: str, status: int) -> str:
    """The name answers are grouped under: the operation, with ``:error`` for a status of 300 or more."""
    return operation if status < 300 else f"{operation}:error"


def digest(value: object) -> str:
    """A short digest of a field's value (the observation keeps no values: a secret never lands in it)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class ResponseMutationLayer:
    """ASGI wrapper around `inner`; `app` is the ReferenceApp (to name a request's operation). `observe`: the
    observation file; `mutant`: the mutation to apply ({"op", "field", "mutation"}), or None."""

    def __init__(self, inner, app, observe: Path | None = None, mutant: dict | None = None) -> None:
        self.inner = inner
        self.app = app
        self.mutant = mutant
        self.handle = None
        if observe is not None:
            observe.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(observe, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's lifetime
        self.first_values: dict[str, object] = {}
        self.previous_values: dict[str, object] = {}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        try:
            operation = operation_name(self.app.parse(scope, new_request_id()))
        except JssError:
            operation = "unknown"
        held: dict = {"start": None, "body": bytearray(), "json": False}

        async def holding_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"").decode("latin-1")
                held["start"], held["json"] = message, "json" in content_type.lower()
                if not held["json"] or scope["method"] == "HEAD":
                    await self.forward(operation, message, None, send)
                return
            if message["type"] == "http.response.body" and held["json"] and scope["method"] != "HEAD":
                held["body"] += message.get("body", b"")
                if not message.get("more_body"):
                    await self.forward(operation, held["start"], bytes(held["body"]), send)
                return
            await send(message)

        await self.inner(scope, receive, holding_send)

    async def forward(self, operation: str, start: dict, body: bytes | None, send: Callable) -> None:
        """Observe and mutate the answer, then send its head (and its body when it was held)."""
        headers = [(n.decode("latin-1").lower(), v.decode("latin-1")) for n, v in start.get("headers", [])]
        content_type = dict(headers).get("content-type", "")
        document = response_fields.parse_json_body(content_type, body) if body is not None else None
        answer = Answer(start["status"], headers, document)
        key = answer_key(operation, answer.status)
        fields = response_fields.fields_of(answer)
        if self.handle is not None:
            self.observe(key, fields)
        if self.mutant is not None and self.mutant["op"] == key and self.mutant["field"] in fields:
            self.mutate(answer, fields)
        for name, value in fields.items():
            self.first_values.setdefault(f"{key} {name}", value)
        if document is not None and answer.body is not None:
            body = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        out_headers = [(n, v) for n, v in answer.headers if n != "content-length"]
        length = dict(headers).get("content-length")
        if body is not None:
            length = str(len(body))
        if length is not None:
            out_headers.append(("content-length", length))
        encoded = [(n.encode("latin-1"), v.encode("latin-1", "replace")) for n, v in out_headers]
        await send({"type": "http.response.start", "status": answer.status, "headers": encoded})
        if body is not None:
            await send({"type": "http.response.body", "body": body})
        for name, value in fields.items():
            self.previous_values[f"{key} {name}"] = value

    def mutate(self, answer: Answer, fields: dict[str, object]) -> None:
        """Apply the mutant's mutation to its field of `answer`."""
        name, mutation, key = self.mutant["field"], self.mutant["mutation"], self.mutant["op"]
        other = None
        if mutation == "sibling":
            sibling = response_fields.sibling_of(fields, name)
            other = fields.get(sibling) if sibling else None
        elif mutation == "constant":
            other = self.first_values.get(f"{key} {name}")
        elif mutation == "stale":
            other = self.previous_values.get(f"{key} {name}")
        if mutation in ("sibling", "constant", "stale") and other is None:
            return
        response_fields.apply(answer, name, mutation, other)

    def observe(self, key: str, fields: dict[str, object]) -> None:
        """Append the observation line of one answer."""
        line = {
            "time": round(time.time(), 4),
            "op": key,
            "fields": {name: response_fields.applicable(fields, name) for name in fields},
            "values": {name: digest(value) for name, value in fields.items()},
        }
        self.handle.write(json.dumps(line) + "\n")
        self.handle.flush()


def layer_from_environment(inner, app, environ=os.environ):
    """`inner` wrapped in the response-mutation layer when the environment asks for it; `inner` otherwise."""
    observe = environ.get(OBSERVE_ENV)
    mutant = environ.get(MUTANT_ENV)
    if not observe and not mutant:
        return inner
    return ResponseMutationLayer(
        inner, app, Path(observe) if observe else None, json.loads(mutant) if mutant else None
    )
