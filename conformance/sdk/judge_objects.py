"""Judge the object steps of an SDK scenario (put-object, head, get-range, list-objects, presign-get,
presign-put, delete, abort-upload) from what the server recorded of the SDK's requests (each record's
``sent``: conformance.reference.recorder.sent_facts) and the end state. Pure: no I/O.

Each finding names an SDK behaviour of fixtures/sdk/behaviours.toml."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from conformance.sdk.judge import EndState, Judgement, Source
    from conformance.sdk.scenarios import Scenario


def _ok(record: dict) -> bool:
    return 200 <= int(record.get("status") or 0) < 300


def _sent(record: dict) -> dict:
    return record.get("sent") or {}


def _presigned(record: dict) -> bool:
    """The request authenticated by its query string alone (no Authorization header)."""
    sent = _sent(record)
    return bool(sent.get("query_signed")) and not sent.get("authorization")


def _media_type(value: object) -> str | None:
    return value.split(";")[0].strip().lower() if isinstance(value, str) else None


def _etag(value: object) -> str | None:
    return value.strip().strip('"').lower() if isinstance(value, str) else None


def _metadata(value: object) -> dict | None:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else None


def md5_of_header(value: str) -> str | None:
    """The hex digest a Content-MD5 header names (sent as base64, or as 32 hex digits), None if neither."""
    value = value.strip()
    if len(value) == 32:
        try:
            return bytes.fromhex(value).hex()
        except ValueError:
            pass
    try:
        digest = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None
    return digest.hex() if len(digest) == 16 else None


def _put_findings(step: dict, records: list[dict], state: EndState, source: Source,
                  judgement: Judgement) -> None:
    puts = [r for r in records if r["operation"] == "put" and not _presigned(r) and _ok(r)]
    if not puts:
        judgement.add("sdk.put.as-sent", "no PutObject of the key was answered 2xx")
        return
    sent = _sent(puts[-1])
    wanted_type = step.get("content_type")
    if wanted_type and _media_type(sent.get("content-type")) != _media_type(wanted_type):
        judgement.add("sdk.put.as-sent", f"the PutObject sent Content-Type {sent.get('content-type')!r}, "
                      f"the application gave {wanted_type!r}")
    if step.get("content_md5"):
        if "content-md5" not in sent:
            judgement.add("sdk.put.as-sent", "the PutObject sent no Content-MD5, the application asked")
        elif md5_of_header(sent["content-md5"]) != source.md5:
            judgement.add("sdk.put.as-sent", f"the PutObject's Content-MD5 {sent['content-md5']!r} is "
                          f"not the body's MD5 {source.md5}")
    wanted_meta = _metadata(step.get("metadata", {}))
    if (_metadata(sent.get("meta", {})) or {}) != wanted_meta:
        judgement.add("sdk.put.as-sent", f"the PutObject sent the user metadata {sent.get('meta', {})}, the "
                      f"application gave {step.get('metadata', {})}")
    if wanted_type and state.head and _media_type(state.head.get("content_type")) != _media_type(wanted_type):
        judgement.add("sdk.put.as-sent", f"the object is stored with Content-Type "
                      f"{state.head.get('content_type')!r}, {wanted_type!r} was sent for it")


def _head_findings(result: dict, records: list[dict], state: EndState, judgement: Judgement) -> None:
    if not any(r["operation"] == "head" for r in records):
        judgement.add("sdk.head.reported", "no HeadObject request of the key was sent")
    reported = result.get("head")
    expected = state.head or state.setup_head
    if not isinstance(reported, dict):
        judgement.add("sdk.head.reported", "the driver reported no \"head\" in its result")
        return
    if expected is None:
        return  # nothing stored to compare with: the put or the setup's findings say why
    wrong = []
    if reported.get("size") != expected["size"]:
        wrong.append(f"size {reported.get('size')!r} (stored {expected['size']})")
    if _etag(reported.get("etag")) != _etag(expected["etag"]):
        wrong.append(f"etag {reported.get('etag')!r} (stored {expected['etag']!r})")
    if _media_type(reported.get("content_type")) != _media_type(expected["content_type"]):
        wrong.append(f"content_type {reported.get('content_type')!r} (stored {expected['content_type']!r})")
    if _metadata(reported.get("metadata", {})) != _metadata(expected["metadata"]):
        wrong.append(f"metadata {reported.get('metadata')!r} (stored {expected['metadata']!r})")
    if wrong:
        judgement.add("sdk.head.reported", "the HEAD reported " + "; ".join(wrong))


def _file_findings(finding_id: str, name: str, state: EndState, judgement: Judgement) -> None:
    got, wanted = state.files.get(name, (None, ""))
    if got != wanted:
        seen = "no file" if got is None else f"bytes of MD5 {got}"
        judgement.add(finding_id, f"{name}: the destination holds {seen}, the object's bytes have MD5 "
                      f"{wanted}")


def _range_findings(step: dict, name: str, records: list[dict], state: EndState,
                    judgement: Judgement) -> None:
    wanted = f"bytes={step['start']}-{step['end']}"
    sent = [_sent(r).get("range") for r in records if r["operation"] == "get"]
    if wanted not in sent:
        judgement.add("sdk.get.range", f"{name}: no GET carried Range: {wanted} (the GETs sent "
                      f"{', '.join(repr(value) for value in sent) or 'none'})")
    _file_findings("sdk.get.range", name, state, judgement)


def delimited_listing(keys: list[str], prefix: str, delimiter: str) -> tuple[list[str], list[str]]:
    """What a listing of `keys` with `prefix` and `delimiter` names: (the keys with no delimiter after the
    prefix, the common prefixes: each key cut after the first delimiter past the prefix), both sorted."""
    objects, prefixes = set(), set()
    for key in keys:
        if not key.startswith(prefix):
            continue
        cut = key.find(delimiter, len(prefix))
        if cut < 0:
            objects.add(key)
        else:
            prefixes.add(key[: cut + len(delimiter)])
    return sorted(objects), sorted(prefixes)


def _query(record: dict) -> dict[str, list[str]]:
    """The query parameters of the request `record` names (its ``target``)."""
    return parse_qs(str(record.get("target", "")).partition("?")[2], keep_blank_values=True)


def _delimited_findings(step: dict, listed: dict, requests: list[dict], state: EndState,
                        judgement: Judgement) -> int:
    """The findings of a list-objects step with a delimiter; returns how many entries the listing has."""
    delimiter = step["delimiter"]
    objects, prefixes = delimited_listing(state.listed_keys, state.listed_prefix, delimiter)
    reported, reported_prefixes = listed.get("objects"), listed.get("object_prefixes")
    if not isinstance(reported, list) or sorted(map(str, reported)) != objects:
        judgement.add("sdk.list.complete", f"ListObjects with prefix {state.listed_prefix!r} and delimiter "
                      f"{delimiter!r} reported the objects {reported}, the listing names {objects}")
    if not isinstance(reported_prefixes, list) or sorted(map(str, reported_prefixes)) != prefixes:
        judgement.add("sdk.list.complete", f"ListObjects with prefix {state.listed_prefix!r} and delimiter "
                      f"{delimiter!r} reported the common prefixes {reported_prefixes}, the listing names "
                      f"{prefixes}")
    if requests and not all(_query(r).get("delimiter") == [delimiter] for r in requests):
        judgement.add("sdk.list.complete", f"a ListObjects request did not send delimiter={delimiter!r}")
    return len(objects) + len(prefixes)


def _list_findings(step: dict, result: dict, records: list[dict], state: EndState,
                   judgement: Judgement) -> None:
    listed = result.get("listed") if isinstance(result.get("listed"), dict) else {}
    requests = [r for r in records if r["operation"] == "list-objects"]
    if step.get("delimiter"):
        entries = _delimited_findings(step, listed, requests, state, judgement)
    else:
        entries = len(state.listed_keys)
        objects = listed.get("objects")
        if not isinstance(objects, list) or sorted(map(str, objects)) != sorted(state.listed_keys):
            judgement.add("sdk.list.complete", f"ListObjects with the key as prefix reported {objects}, the "
                          f"suite stored {entries} objects under it: {state.listed_keys}")
    if not requests:
        judgement.add("sdk.list.complete", "no ListObjects request with the key as prefix was sent")
    elif step["max_keys"] < entries and len(requests) < 2:
        judgement.add("sdk.list.complete", f"one ListObjects request for {entries} entries in "
                      f"pages of {step['max_keys']}: the listing was not paged")


def _presign_findings(op: str, name: str, records: list[dict], state: EndState, judgement: Judgement) -> None:
    operation = "get" if op == "presign-get" else "put"
    if not any(r["operation"] == operation and _presigned(r) and _ok(r) for r in records):
        judgement.add("sdk.presign.url", f"{name}: no {operation.upper()} by a presigned URL (signature in "
                      "the query, no Authorization header) was answered 2xx")
    if op == "presign-get":
        _file_findings("sdk.presign.url", name, state, judgement)


def _removal_findings(scenario: Scenario, op: str, records: list[dict], state: EndState,
                      judgement: Judgement) -> None:
    operation = "delete" if op == "delete" else "abort"
    finding = "sdk.delete.removed" if op == "delete" else "sdk.abort.upload"
    if not any(r["operation"] == operation and _ok(r) for r in records):
        what = "DeleteObject of the key" if op == "delete" else "AbortMultipartUpload of the upload"
        judgement.add(finding, f"no {what} was answered 2xx")
    if op == "delete" and state.object_exists:
        judgement.add(finding, "the object is still stored at the key after the delete")
    if op == "abort-upload" and "object" in scenario.setup and not state.object_exists:
        judgement.add(finding, "the object stored at the key is gone: the abort removed more than the upload")


def object_step_findings(scenario: Scenario, result: dict | None, records: list[dict], state: EndState,
                         source: Source, judgement: Judgement) -> None:
    """The findings of every object step of `scenario` (none when the driver gave no result, or failed: those
    are judged already)."""
    if result is None or result.get("status") != "ok":
        return
    for index, step in enumerate(scenario.steps):
        op, name = step["op"], f"{step['op']} #{index + 1}"
        if op == "put-object":
            _put_findings(step, records, state, source, judgement)
        elif op == "head":
            _head_findings(result, records, state, judgement)
        elif op == "get-range":
            _range_findings(step, name, records, state, judgement)
        elif op == "list-objects":
            _list_findings(step, result, records, state, judgement)
        elif op in ("presign-get", "presign-put"):
            _presign_findings(op, name, records, state, judgement)
        elif op in ("delete", "abort-upload"):
            _removal_findings(scenario, op, records, state, judgement)
