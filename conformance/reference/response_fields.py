"""The fields of one answer, and one value mutation applied to one of them (oracle mutation testing,
``tools/oracle_mutation/``; the ASGI layer that uses them is :mod:`conformance.reference.response_mutation`).

A field is named by where it is in the answer: ``status``, ``header:<name>`` (lowercase), ``json:<path>``
with ``.`` between object keys and ``[]`` for every element of a list (``json:Parts[].ETag``); a list is a
field itself (``json:Parts``). The mutations (`MUTATIONS`) change one field's value in a way a non-conformant
server could: drop it, empty it, change its letters' case, URL-encode it, shift a time, answer the same value
in every response (``constant``: the first one this server answered), a sibling field's value, off by one (a
number, or a list one element short), reorder a list, or the value of the previous answer (``stale``).
"""

from __future__ import annotations

import email.utils
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

MUTATIONS = (
    "drop", "empty", "case", "urlencode", "time-shift", "constant", "sibling", "off-by-one", "reorder",
    "stale",
)
#: Mutations that take their value from another answer (the layer's memory) or field.
REMEMBERING = frozenset({"constant", "stale"})
#: Headers that frame the message: the layer recomputes Content-Length, never mutates it.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
#: A string of at most this many digits is a number (a count); a longer one is an identifier.
MAX_COUNT_DIGITS = 10
#: A shifted time is this far from the original.
TIME_SHIFT = timedelta(days=1)


@dataclass
class Answer:
    """One answer as the layer holds it: status, headers (name lowercase, value text), the JSON body (None
    when it is not JSON)."""

    status: int
    headers: list[tuple[str, str]]
    body: object = None
    scalars: dict[str, object] = field(default_factory=dict)


def _flatten(value: object, path: str, out: dict[str, object]) -> None:
    """Every field under `value`, by path: scalars and lists (their elements' fields under ``[]``)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        out["json:" + path] = value
        for element in value:
            _flatten(element, path + "[]", out)
    elif ("json:" + path) not in out:  # an element field: the first element's value stands for all
        out["json:" + path] = value


def fields_of(answer: Answer) -> dict[str, object]:
    """field name -> value (for an element field, its first element's) of every field of `answer`."""
    out: dict[str, object] = {"status": answer.status}
    for name, value in answer.headers:
        if name not in FRAMING_HEADERS:
            out.setdefault("header:" + name, value)
    if answer.body is not None:
        _flatten(answer.body, "", out)
    return out


def _shift_time(value: str) -> str | None:
    """`value` one day later when it is an HTTP date or an ISO 8601 time; None otherwise."""
    try:
        moment = email.utils.parsedate_to_datetime(value)
        return email.utils.format_datetime(moment + TIME_SHIFT, usegmt=True)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    shifted = (moment + TIME_SHIFT).isoformat(timespec="milliseconds" if "." in value else "seconds")
    return shifted.replace("+00:00", "Z") if value.endswith("Z") else shifted


def _off_by_one(value: object) -> object | None:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, list):
        return value[:-1] if value else None
    if isinstance(value, str) and value.strip('"').isdigit() and len(value.strip('"')) <= MAX_COUNT_DIGITS:
        digits = value.strip('"')
        return value.replace(digits, str(int(digits) + 1))
    return None


def mutated_value(value: object, mutation: str, other: object = None) -> object | None:
    """`value` after `mutation` (`other`: the sibling's or the remembered value); None when the mutation does
    not apply to it or leaves it as it is (``drop`` is handled by the caller)."""
    if mutation == "empty":
        new: object = [] if isinstance(value, list) else ("" if not isinstance(value, int) else 0)
    elif mutation == "case" and isinstance(value, str):
        new = value.swapcase()
    elif mutation == "urlencode" and isinstance(value, str):
        new = quote(value, safe="")
    elif mutation == "time-shift" and isinstance(value, str):
        new = _shift_time(value)
    elif mutation in ("sibling", "constant", "stale") and not isinstance(value, list | dict):
        new = other
    elif mutation == "off-by-one":
        new = _off_by_one(value)
    elif mutation == "reorder" and isinstance(value, list):
        new = list(reversed(value))
    else:
        return None
    return None if new is None or new == value else new


def sibling_of(fields: dict[str, object], name: str) -> str | None:
    """The field whose value ``sibling`` puts into `name`: the next scalar field of the same kind (header,
    top-level JSON field, or field of the same list element), in answer order, with another value."""
    if name == "status" or name not in fields or isinstance(fields[name], list | dict):
        return None
    prefix = name.rsplit(".", 1)[0] + "." if "[]." in name else name.split(":", 1)[0] + ":"
    names = [
        other for other in fields
        if other.startswith(prefix) and other.count(".") == name.count(".")
        and other.count("[]") == name.count("[]") and not isinstance(fields[other], list | dict)
    ]
    start = names.index(name)
    for other in names[start + 1:] + names[:start]:
        if fields[other] != fields[name] and isinstance(fields[other], type(fields[name])):
            return other
    return None


def applicable(fields: dict[str, object], name: str) -> list[str]:
    """The mutations that change field `name` of an answer with `fields` by themselves (``constant`` and
    ``stale`` need other answers: they are listed for every scalar, the enumeration keeps those whose values
    differed between answers)."""
    value = fields[name]
    if name == "status":
        return ["off-by-one"]
    found = ["drop"]
    for mutation in ("empty", "case", "urlencode", "time-shift", "off-by-one", "reorder"):
        if mutated_value(value, mutation) is not None:
            found.append(mutation)
    if sibling_of(fields, name) is not None:
        found.append("sibling")
    if not isinstance(value, list | dict) and "[]" not in name:
        found += ["constant", "stale"]
    return found


def _set_path(node: object, parts: list[str], change) -> None:
    """Apply `change(container, key)` at every place `parts` names under `node` (``X[]`` last: each element of
    the list X, its container the list and its key the index)."""
    head, rest = parts[0], parts[1:]
    is_list = head.endswith("[]")
    key = head[:-2] if is_list else head
    if not isinstance(node, dict) or key not in node:
        return
    if is_list and not rest:  # the elements of a list of scalars (CommonPrefixes[]): each one
        elements = node[key] if isinstance(node[key], list) else []
        for index in reversed(range(len(elements))):
            change(elements, index)
    elif is_list:
        for element in node[key] if isinstance(node[key], list) else ():
            _set_path(element, rest, change)
    elif rest:
        _set_path(node[key], rest, change)
    else:
        change(node, key)


def apply(answer: Answer, name: str, mutation: str, other: object = None) -> bool:
    """Apply `mutation` to field `name` of `answer` in place (`other`: the value for sibling / constant /
    stale); True when the answer changed."""
    changed = [False]
    if name == "status":
        new = _off_by_one(answer.status) if mutation == "off-by-one" else None
        if new is not None:
            answer.status, changed[0] = int(new), True
        return changed[0]
    if name.startswith("header:"):
        header = name[len("header:"):]
        kept: list[tuple[str, str]] = []
        for key, value in answer.headers:
            if key == header:
                new = None if mutation == "drop" else mutated_value(value, mutation, other)
                changed[0] = changed[0] or mutation == "drop" or new is not None
                if mutation == "drop":
                    continue
                value = value if new is None else str(new)
            kept.append((key, value))
        answer.headers = kept
        return changed[0]
    if not name.startswith("json:") or answer.body is None:
        return False

    def change(container: dict, key: str) -> None:
        if mutation == "drop":
            del container[key]
            changed[0] = True
            return
        new = mutated_value(container[key], mutation, other)
        if new is not None:
            container[key], changed[0] = new, True

    _set_path(answer.body, [part for part in name[len("json:"):].split(".")], change)
    return changed[0]


def parse_json_body(content_type: str, body: bytes) -> object:
    """The JSON document of a JSON answer's body; None when it is not one."""
    if "json" not in content_type.lower() or not body:
        return None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
