"""``jss-conformance sign --explain``: the diagnosis of a client's signature, offline.

Give the request as the client sent it (``--method``, ``--resource``, ``--header``, ``--date``) and the
Authorization header it produced (``--authorization``), or a presigned ``--resource`` with its Expires,
AccessKey and Signature. Prints whether the signature matches and, when not, which known client mistake
reproduces it exactly (the same diagnosis the reference endpoint records with ``serve --record``).
Exit status 0 when it matches, 1 when it does not. An S3 (SigV4) request is explained by
:mod:`conformance.commands.sign_explain_s3` instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from conformance import signing
from conformance.diagnosis import SentRequest, diagnose
from conformance.diagnosis.signature import diagnose_signature


def _operation(method: str, resource: str) -> str:
    _, key, query = signing.split_request_target(resource)
    names = {k for k, _ in query}
    if method == "POST" and "uploads" in names:
        return "initiate"
    if method == "POST" and "uploadId" in names:
        return "complete"
    if method == "PUT" and key and "partNumber" in names:
        return "upload-part"
    return "put" if method == "PUT" and key else "other"


def explain(args: argparse.Namespace, headers: list[tuple[str, str]], secret: str, usage_error) -> int:
    """Print the diagnosis of the request described by `args`; 0 when the signature matches, else 1."""
    query = args.resource.partition("?")[2].split("&")
    presigned = any(part.partition("=")[0] == "Signature" for part in query)
    if args.authorization is None and not presigned:
        raise usage_error("--explain needs --authorization (the client's header) or a presigned --resource")
    if args.authorization is not None:
        headers = [*headers, ("Authorization", args.authorization)]
    if args.date is not None and signing.header_value(headers, "Date") == "":
        headers = [*headers, ("Date", args.date)]
    body = Path(args.body).read_bytes() if args.body else None
    method = args.method.upper()
    regions = (args.region,) if getattr(args, "region", None) else ()
    sent = SentRequest(method, args.resource, headers, host_bucket=args.host_bucket, body=body,
                       endpoint_regions=regions)

    def secret_for(access_key: str) -> str | None:
        return secret if access_key == args.access_key else None

    signature = diagnose_signature(sent, secret_for)
    verdicts = diagnose(sent, _operation(method, args.resource), secret_for)
    if args.json:
        report = {"signature": signature.as_dict(), "verdicts": verdicts}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(render(signature, verdicts))
    return 0 if signature.verdict == "PASS" else 1


def render(signature, verdicts: list[dict]) -> str:
    """The text form: the signature's verdict and mistake, then every other verdict."""
    detail = "" if signature.mistakes else f" {signature.detail}"
    lines = [f"signature ({signature.mode}): {signature.verdict} [{signature.clause}]{detail}"]
    for mistake in signature.mistakes:
        lines.append(f"  mistake {mistake.name}: the client {mistake.description} [{mistake.clause}]")
    if signature.expected_string_to_sign:
        lines.append("  expected string to sign (between the ----- lines):")
        lines.extend(["-----", signature.expected_string_to_sign, "-----"])
    for verdict in verdicts[1:] if verdicts and verdicts[0].get("mode") else verdicts:
        lines.append(f"{verdict['verdict']:<5} [{verdict['clause']}] {verdict['detail']}")
    return "\n".join(lines)
