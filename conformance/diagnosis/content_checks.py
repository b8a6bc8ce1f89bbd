"""Clause verdicts on what a client sent, besides the signature: header values, Content-MD5 form, the
complete body's shape and part order, part sizes. Each check returns verdict dicts
``{"clause", "verdict": "PASS"|"FAIL", "detail"}``; a check that does not apply returns none."""

from __future__ import annotations

import base64
import binascii
import json
import re

from conformance.diagnosis.signature import SentRequest

STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY")
#: The one region where REDUCED_REDUNDANCY is documented as supported (North China).
RR_REGION = "cn-north-1"
ENCRYPTION_VALUES = ("true", "false")
HEX_MD5 = re.compile(r"[0-9a-f]{32}")
HEX_ETAG = re.compile(r'"?[0-9a-fA-F]{32}"?')


def _verdict(clause: str, ok: bool, detail: str) -> dict:
    return {"clause": clause, "verdict": "PASS" if ok else "FAIL", "detail": detail}


def storage_class(request: SentRequest) -> list[dict]:
    """x-jss-storage-class, when sent, judged by the value sent: STANDARD against the STANDARD clause,
    REDUCED_REDUNDANCY against the RR clause of the receiving region (North China's when the region is
    cn-north-1 or unknown, the elsewhere one otherwise), any other value against the unknown-class clause."""
    value = request.header("x-jss-storage-class")
    if value is None:
        return []
    detail = f"x-jss-storage-class {value!r}"
    if value == "STANDARD":
        return [_verdict("initiate.storage-class.standard", True, detail)]
    if value == "REDUCED_REDUNDANCY":
        regions = request.endpoint_regions
        if regions and RR_REGION not in regions:
            return [_verdict("initiate.region-limit.rr-elsewhere", True,
                             f"{detail} sent to {', '.join(regions)}: a documented class, not supported "
                             "there; the endpoint's answer is what the clause judges")]
        where = "cn-north-1" if regions else "an endpoint of unknown region"
        return [_verdict("initiate.region-limit.rr-north-china", True, f"{detail} sent to {where}")]
    return [_verdict("initiate.storage-class.unknown", False,
                     f"{detail}: not a documented class ({', '.join(STORAGE_CLASSES)})")]


def encryption(request: SentRequest) -> list[dict]:
    """x-jss-server-side-encryption, when sent, is "true" or "false"."""
    value = request.header("x-jss-server-side-encryption")
    if value is None:
        return []
    return [_verdict("initiate.encryption.reported", value in ENCRYPTION_VALUES,
                     f"x-jss-server-side-encryption {value!r}")]


def content_md5_form(request: SentRequest) -> list[dict]:
    """Content-MD5, when sent, is 32 lowercase hex characters (base64 of 16 bytes is noted as such)."""
    value = request.header("content-md5")
    if value is None:
        return []
    if HEX_MD5.fullmatch(value):
        return [_verdict("signature.content-md5.hex", True, "hex")]
    try:
        is_base64 = len(base64.b64decode(value, validate=True)) == 16
    except (ValueError, binascii.Error):
        is_base64 = False
    form = "base64 of an MD5 (not the documented hex)" if is_base64 else "neither hex nor base64 of an MD5"
    return [_verdict("signature.content-md5.hex", False, f"Content-MD5 {value!r}: {form}")]


def complete_body(request: SentRequest) -> list[dict]:
    """The complete body is {"Part": [{"PartNumber": int, "ETag": hex}, ...]} in ascending part order."""
    if request.body is None:
        return []
    try:
        document = json.loads(request.body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, a 4301-digit number, "[" * 10**5
        return [_verdict("complete.malformed-body", False, "the complete body is not JSON")]
    parts = document.get("Part") if isinstance(document, dict) else None
    shaped = isinstance(parts, list) and bool(parts) and all(
        isinstance(p, dict) and isinstance(p.get("PartNumber"), int) and not isinstance(p["PartNumber"], bool)
        and isinstance(p.get("ETag"), str) and HEX_ETAG.fullmatch(p["ETag"]) for p in parts
    )
    if not shaped:
        return [_verdict("complete.malformed-body", False,
                         'the body is not {"Part": [{"PartNumber": <int>, "ETag": "<hex>"}, ...]}')]
    numbers = [p["PartNumber"] for p in parts]
    ordered = all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    shown = ",".join(map(str, numbers[:20])) + ("..." if len(numbers) > 20 else "")
    return [
        _verdict("complete.malformed-body", True, "shape"),
        _verdict("complete.part-order", ordered, f"part numbers in the body: {shown}"),
    ]
