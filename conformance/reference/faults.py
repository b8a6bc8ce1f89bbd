"""Fault scripts of the testbench (``serve --faults``): what to do wrong, to which requests, in which order.

A script is created with one JSON document (see :func:`parse_script`)::

    {"bucket": "b", "key_prefix": "run-1/", "test_id": "optional",
     "instructions": {"upload-part": ["return-503", "reset-after-1024B"], "complete": ["delay-200ms"]}}

A request matches a script when its bucket is the script's, its key starts with ``key_prefix`` (bucket-level
operations match on the bucket alone; with ``"listings": "prefix"`` only when their ``prefix`` query parameter
starts with ``key_prefix``) and, when the script has a ``test_id``, it carries that value in the
``x-jss-test-id`` header. Of the matching scripts with an instruction left for the request's operation, the
most specific gives it its next instruction (see :func:`specificity`; equally specific ones: the oldest),
which is consumed: read back, a script says which fired and which remain.

Instructions (storage-testbench style):

| instruction | effect |
|---|---|
| ``return-<status>`` | the documented error of that status (503 SlowDown, ...) after the body, as the |
|   | wire renders errors (JSS: JSON, S3: the Error XML) |
| ``reset-before-body`` | reset the connection (TCP RST) before reading the request body |
| ``reset-after-<N>B`` | reset once N bytes of the request body arrived (at its end if shorter) |
| ``reset-after-head`` | answer normally, but reset right after the response head |
| ``delay-<N>ms`` | wait N ms, then answer normally |
| ``cut-body-after-<N>B`` | send the response head and N bytes of the body, then close the connection |
| ``pass`` | let the request through untouched (it still consumes its place: a script can hit the 2nd one) |

This module holds the model only; :mod:`conformance.reference.fault_store` keeps the scripts (bounded, per
owner) and :mod:`conformance.reference.fault_layer` applies them.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

OPERATIONS = (
    "initiate", "upload-part", "complete", "abort", "list-parts", "list-uploads",
    "put", "get", "head", "delete",
)
#: Operations addressed to a bucket, not a key: a script's key prefix does not apply to them.
BUCKET_OPERATIONS = frozenset({"list-uploads"})
#: The documented JSON error code of each status a ``return-`` instruction may give.
ERROR_CODES = {
    400: "InvalidRequest",
    403: "AccessDenied",
    404: "NoSuchKey",
    409: "OperationAborted",
    429: "SlowDown",
    500: "InternalError",
    501: "NotImplemented",
    503: "SlowDown",
}
TEST_ID_HEADER = "x-jss-test-id"
#: How a script binds bucket operations: by the bucket alone (default), or by their prefix parameter.
LISTINGS = ("bucket", "prefix")
MAX_INSTRUCTIONS = 1000
#: A key prefix longer than the longest key (in UTF-8 bytes) could never match; a test id is a header value.
MAX_KEY_PREFIX_BYTES, MAX_TEST_ID_CHARS = 1022, 256

_PATTERNS = (
    ("return", re.compile(r"return-([0-9]{3})")),
    ("reset-before-body", re.compile(r"reset-before-body()")),
    ("reset-after-body-bytes", re.compile(r"reset-after-([0-9]{1,12})B")),
    ("reset-after-head", re.compile(r"reset-after-head()")),
    ("delay", re.compile(r"delay-([0-9]{1,6})ms")),
    ("cut-body", re.compile(r"cut-body-after-([0-9]{1,12})B")),
    ("pass", re.compile(r"pass()")),
)
#: The valid forms, as a bad instruction's answer lists them.
FORMS = (
    "return-<status>", "reset-before-body", "reset-after-<N>B", "reset-after-head", "delay-<N>ms",
    "cut-body-after-<N>B", "pass",
)
#: A number without its unit: the form it was probably meant to have.
_MISSING_UNIT = (
    (re.compile(r"(reset-after|cut-body-after)-([0-9]{1,12})"), "{0}-{1}B"),
    (re.compile(r"delay-([0-9]{1,6})"), "delay-{0}ms"),
)


class ScriptError(ValueError):
    """A script that cannot be created; the message says what is wrong (answered 400)."""


@dataclass(frozen=True)
class Instruction:
    """One parsed instruction: its text as given, its kind and its number (status, bytes or ms)."""

    text: str
    kind: str
    number: int = 0


#: The text of each kind, from its number: the normal form an instruction is read back in.
_TEXTS = {
    "return": "return-{}", "reset-before-body": "reset-before-body",
    "reset-after-body-bytes": "reset-after-{}B", "reset-after-head": "reset-after-head",
    "delay": "delay-{}ms", "cut-body": "cut-body-after-{}B", "pass": "pass",
}
_KINDS = tuple(kind for kind, _ in _PATTERNS)
_NUMBER_BITS = 48  # the largest number, 12 digits, is below 2**40


def encode(instruction: Instruction) -> int:
    """An instruction as one integer (its kind and number): how a stored script keeps it, 8 bytes each."""
    return (_KINDS.index(instruction.kind) << _NUMBER_BITS) | instruction.number


def decode(code: int) -> Instruction:
    """The instruction of `code` (see `encode`), its text in the normal form (no leading zeros)."""
    kind, number = _KINDS[code >> _NUMBER_BITS], code & ((1 << _NUMBER_BITS) - 1)
    return Instruction(_TEXTS[kind].format(number), kind, number)


def parse_instruction(text: object) -> Instruction:
    """Parse one instruction string; ScriptError when it is not one of the table above."""
    if not isinstance(text, str):
        raise ScriptError(f"an instruction must be a string, not {type(text).__name__}")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            number = int(match.group(1)) if match.group(1) else 0
            if kind == "return" and number not in ERROR_CODES:
                known = ", ".join(str(status) for status in ERROR_CODES)
                raise ScriptError(f"instruction {text!r}: status {number} has no documented error ({known})")
            return Instruction(text, kind, number)
    raise ScriptError(f"unknown instruction {text!r}{_hint(text)} (valid forms: {', '.join(FORMS)})")


def _hint(text: str) -> str:
    """", did you mean '...'" when `text` is a valid form short of its unit, else ""."""
    for pattern, form in _MISSING_UNIT:
        match = pattern.fullmatch(text)
        if match:
            return f", did you mean {form.format(*match.groups())!r}?"
    return ""


def specificity(script: Script, operation: str) -> tuple[bool, int]:
    """How specific a script's binding of `operation` is: one bound to a test id first, then the longer key
    prefix (not for a bucket operation, which the key prefix does not bind)."""
    prefix = 0 if operation in BUCKET_OPERATIONS else len(script.key_prefix)
    return (script.test_id is not None, prefix)


@dataclass(eq=False)
class Script:
    """A created script, stored compactly: where it applies, its owner, its instructions per operation (an
    array of encoded instructions, 8 bytes each: see `encode`), how far each operation has got, and what
    fired (tuples)."""

    id: str
    bucket: str
    key_prefix: str
    test_id: str | None
    instructions: dict[str, array]
    owner: str = ""
    position: dict[str, int] = field(default_factory=dict)
    fired: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    listings_by_prefix: bool = False  # a bucket operation binds by its prefix parameter, not the bucket alone

    def remaining(self, operation: str) -> list[Instruction]:
        """The instructions of `operation` not consumed yet."""
        codes = self.instructions.get(operation, ())
        return [decode(code) for code in codes[self.position.get(operation, 0):]]

    def has_left(self, operation: str) -> bool:
        """True when `operation` has an instruction left."""
        return self.position.get(operation, 0) < len(self.instructions.get(operation, ()))

    def consume(self, operation: str, key: str | None, request_id: str) -> Instruction:
        """Take the next instruction of `operation` (one must be left), noting it as fired."""
        index = self.position.get(operation, 0)
        instruction = decode(self.instructions[operation][index])
        self.position[operation] = index + 1
        self.fired.append((operation, instruction.text, key, request_id))
        return instruction

    def matches(self, operation: str, bucket: str | None, key: str | None, test_id: str | None,
                prefix: str | None = None) -> bool:
        """True when a request of `operation` on bucket/key (with that test id header and, for a listing,
        that prefix parameter) is bound to us."""
        if bucket != self.bucket or not self.has_left(operation):
            return False
        if self.test_id is not None and test_id != self.test_id:
            return False
        if operation in BUCKET_OPERATIONS:
            return not self.listings_by_prefix or (prefix is not None and prefix.startswith(self.key_prefix))
        return key is not None and key.startswith(self.key_prefix)

    def view(self) -> dict:
        """The JSON read-back: the script as created, which instructions fired, which remain."""
        return {
            "id": self.id,
            "bucket": self.bucket,
            "key_prefix": self.key_prefix,
            "test_id": self.test_id,
            "listings": "prefix" if self.listings_by_prefix else "bucket",
            "instructions": {op: [decode(c).text for c in codes] for op, codes in self.instructions.items()},
            "remaining": {op: [i.text for i in self.remaining(op)] for op in self.instructions},
            "fired": [
                {"operation": op, "instruction": text, "key": key, "request_id": request_id}
                for op, text, key, request_id in self.fired
            ],
            "completed": not any(self.has_left(op) for op in self.instructions),
        }


def _string(document: dict, name: str, required: bool) -> str | None:
    value = document.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and name == "bucket" and not value):
        raise ScriptError(f"{name!r} must be a{' non-empty' if name == 'bucket' else ''} string")
    return value


def parse_script(document: object, script_id: str, owner: str = "") -> Script:
    """Validate a script document into a Script; ScriptError (one line) when it is invalid."""
    if not isinstance(document, dict):
        raise ScriptError("a script is a JSON object")
    unknown = sorted(set(document) - {"bucket", "key_prefix", "test_id", "instructions", "listings"})
    if unknown:
        raise ScriptError(f"unknown field {unknown[0]!r}")
    bucket = _string(document, "bucket", required=True)
    key_prefix = _string(document, "key_prefix", required=False) or ""
    test_id = _string(document, "test_id", required=False)
    listings = document.get("listings", "bucket")
    if listings not in LISTINGS:
        raise ScriptError(f"'listings' must be one of {', '.join(LISTINGS)}")
    table = document.get("instructions")
    if not isinstance(table, dict) or not table:
        raise ScriptError("'instructions' must be an object of operation -> list of instructions")
    if len(key_prefix.encode("utf-8", "surrogatepass")) > MAX_KEY_PREFIX_BYTES:
        raise ScriptError(f"'key_prefix' is at most {MAX_KEY_PREFIX_BYTES} bytes (the longest key)")
    if test_id is not None and len(test_id) > MAX_TEST_ID_CHARS:
        raise ScriptError(f"'test_id' is at most {MAX_TEST_ID_CHARS} characters")
    instructions: dict[str, array] = {}
    for operation, items in table.items():
        if operation not in OPERATIONS:
            raise ScriptError(f"unknown operation {operation!r} (known: {', '.join(OPERATIONS)})")
        if not isinstance(items, list) or not items or len(items) > MAX_INSTRUCTIONS:
            raise ScriptError(f"operation {operation!r}: a list of 1 to {MAX_INSTRUCTIONS} instructions")
        instructions[operation] = array("q", (encode(parse_instruction(item)) for item in items))
    return Script(script_id, bucket, key_prefix, test_id, instructions, owner,
                  listings_by_prefix=listings == "prefix")
