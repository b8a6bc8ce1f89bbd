"""``jss-conformance sign --explain`` for an S3 (SigV4) request, offline.

Chosen by ``--wire s3``, or by an ``AWS4-HMAC-SHA256`` ``--authorization``, or by a presigned ``--resource``
carrying ``X-Amz-*`` parameters. Prints each SigV4 stage the server computes for the request as sent (the
canonical request, the string to sign, the signing key's scope, the signature) and, when the client's
signature is given, the diagnosis: which known client mistakes (fixtures/diagnosis/sigv4-mistakes.toml)
explain it. Without a client signature it signs the request afresh (every header given is signed).
Exit status 0 when the signature matches (or was signed afresh), 1 when it does not. The secret key and the
signing key are never printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from conformance import sigv4
from conformance.commands.sign_explain import render as render_diagnosis
from conformance.diagnosis import SentRequest, diagnose, diagnose_signature
from conformance.diagnosis.sigv4_checks import amz_epoch
from conformance.diagnosis.sigv4_request import is_sigv4, read
from conformance.diagnosis.sigv4_search import expected

LABEL_WIDTH = 20


def is_s3_request(args: argparse.Namespace) -> bool:
    """Whether ``sign --explain`` reads the request as SigV4 (``--wire``, else what the client sent)."""
    if args.wire is not None:
        return args.wire == "s3"
    headers = [("Authorization", args.authorization)] if args.authorization else []
    return is_sigv4(SentRequest(args.method, args.resource, headers))


def received_at(text: str | None, usage_error) -> float | None:
    """``--received-at``: unix seconds or an X-Amz-Date timestamp; None (now) when not given."""
    if text is None:
        return None
    if text.isascii() and text.isdecimal():
        return float(text)
    epoch = amz_epoch(text)
    if epoch is None:
        raise usage_error(f"--received-at {text!r} is neither unix seconds nor YYYYMMDDTHHMMSSZ")
    return float(epoch)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value.strip() for key, value in headers if key.lower() == name), None)


def _fresh(args, headers: list[tuple[str, str]], body: bytes | None, secret: str, usage_error) -> dict:
    """The stages of a signature made now over every header given (no client signature to judge)."""
    if _header(headers, "host") is None:
        raise usage_error("a SigV4 request signs its Host: give --header 'Host: ...'")
    if not args.region:
        raise usage_error("--region is needed to sign an S3 request afresh (the credential scope's region)")
    amz_date = _header(headers, "x-amz-date") or args.date
    if amz_date is None or amz_epoch(amz_date) is None:
        raise usage_error("give the X-Amz-Date (--header 'X-Amz-Date: YYYYMMDDTHHMMSSZ' or --date)")
    if _header(headers, "x-amz-date") is None:
        headers = [*headers, ("X-Amz-Date", amz_date)]
    payload = _header(headers, "x-amz-content-sha256") or sigv4.payload_hash(body or b"")
    names = [name.lower() for name, _ in headers]
    signed = sigv4.sign(args.method.upper(), args.resource, headers, names, payload, secret, amz_date,
                        args.region)
    return {
        "canonical_request": signed.canonical_request, "string_to_sign": signed.string_to_sign,
        "scope": signed.scope, "signature": signed.signature,
        "authorization": sigv4.authorization_header(args.access_key, signed.scope, names, signed.signature),
    }


def explain_s3(args: argparse.Namespace, headers: list[tuple[str, str]], secret: str, usage_error) -> int:
    """Print the SigV4 stages of the request described by `args` and the diagnosis of the client's
    signature; 0 when it matches (or none was given), 1 when it does not."""
    if args.expires is not None:
        raise usage_error("--expires signs a JSS URL; give an S3 presigned URL whole as --resource")
    try:
        body = Path(args.body).read_bytes() if args.body else None
    except OSError as error:
        raise usage_error(f"--body {args.body!r}: {error.strerror}") from None
    when = received_at(args.received_at, usage_error)
    if args.authorization is not None:
        headers = [*headers, ("Authorization", args.authorization)]
    regions = (args.region,) if args.region else ()
    sent = SentRequest(args.method.upper(), args.resource, headers, body=body, received_at=when,
                       endpoint_regions=regions)
    if not is_sigv4(sent):
        stages = _fresh(args, headers, body, secret, usage_error)
        report = {"wire": "s3", "stages": stages}
        print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render_stages(stages))
        return 0

    def secret_for(access_key: str) -> str | None:
        return secret if access_key == args.access_key else None

    try:
        view = read(sent)
    except ValueError:
        stages = {}
    else:
        server = expected(view, sent.method, secret)
        stages = {"canonical_request": server.canonical_request, "string_to_sign": server.string_to_sign,
                  "scope": server.scope, "signature": server.signature, "client_signature": view.signature}
    signature = diagnose_signature(sent, secret_for)
    verdicts = diagnose(sent, "other", secret_for, wire="s3")
    if args.json:
        report = {"wire": "s3", "stages": stages, "signature": signature.as_dict(), "verdicts": verdicts}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        signature.expected_string_to_sign = ""  # the stages above show it already
        parts = [render_stages(stages)] if stages else []
        print("\n".join([*parts, render_diagnosis(signature, verdicts)]))
    return 0 if signature.verdict == "PASS" else 1


def render_stages(stages: dict) -> str:
    """The labelled text form of the SigV4 stages (multi-line ones between ----- lines)."""
    lines = [f"{'wire:':<{LABEL_WIDTH}}s3 (AWS Signature Version 4)"]
    for label, key in (("canonical request", "canonical_request"), ("string to sign", "string_to_sign")):
        lines.extend([f"{label} (between the ----- lines):", "-----", stages[key], "-----"])
    lines.append(f"{'signing key scope:':<{LABEL_WIDTH}}{stages['scope']}")
    lines.append(f"{'signature:':<{LABEL_WIDTH}}{stages['signature']}")
    if "client_signature" in stages:
        lines.append(f"{'client signature:':<{LABEL_WIDTH}}{stages['client_signature']}")
    if "authorization" in stages:
        lines.append(f"{'Authorization:':<{LABEL_WIDTH}}{stages['authorization']}")
    return "\n".join(lines)
