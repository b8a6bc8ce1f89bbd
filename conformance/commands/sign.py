"""``jss-conformance sign``: print every stage of a JSS "jingdong" signature, to debug SignatureDoesNotMatch.

Give the request as a client sends it: the method, the path-style request target (``/bucket/key?query``,
percent-encoded as sent) and the headers (any case and spacing). The command derives the canonical resource
(decoded key, unsigned query parameters dropped, sub-resources sorted) and prints the canonical headers, the
canonical resource, the string to sign (escaped on one line, then raw), the signature and the Authorization
header, or with ``--expires`` the presigned URL query. The secret key is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from datetime import UTC, datetime

from conformance import signing

EXAMPLE = """example (the documented header vector):
  jss-conformance sign --method PUT --resource /oss-test/sign.txt \\
      --header 'Content-MD5: 0c791a8c18017c7ad1675936d12bae5d' --header 'Content-Type: text/plain' \\
      --header 'x-jss-server-side-encryption:  false' --date 'Thu, 13 Jul 2017 02:37:31 GMT' \\
      --access-key qbS5QXpLORrvdrmb --secret-key-env JSS_SECRET_KEY
"""
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
PRESIGN_PARAMS = frozenset({"Expires", "AccessKey", "Signature"})
LABEL_WIDTH = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sign`` subcommand."""
    parser = subparsers.add_parser(
        "sign",
        help="print every stage of a JSS signature (canonical headers, resource, string to sign, signature)",
        description="Print every stage of a JSS \"jingdong\" signature, to debug SignatureDoesNotMatch.\n"
        "The secret key is never printed.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--method", required=True, metavar="M", help="HTTP method, e.g. PUT")
    parser.add_argument(
        "--resource", required=True, metavar="R",
        help="path-style request target as sent, /bucket/key?query (percent-encoded as on the wire)",
    )
    parser.add_argument(
        "--header", action="append", default=[], metavar="'NAME: VALUE'",
        help="a header as sent (repeatable); Content-MD5, Content-Type, Date and x-jss-* take part",
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="D", help="the Date header value (default: a Date header, else now)")
    when.add_argument("--expires", type=_expires, metavar="T", help="sign a URL valid until unix time T")
    parser.add_argument("--access-key", required=True, metavar="AK")
    secret = parser.add_mutually_exclusive_group(required=True)
    secret.add_argument("--secret-key", metavar="SK", help="the secret key (never printed)")
    secret.add_argument(
        "--secret-key-env", metavar="NAME", help="read the secret key from environment variable NAME instead"
    )
    parser.add_argument(
        "--host", metavar="H",
        help="endpoint host or base URL, to print the full URL: the signed URL with --expires, the URL "
        "to send with the Date and Authorization headers otherwise (default: the target only)",
    )
    parser.add_argument("--json", action="store_true", help="print the stages as one JSON object")
    explain = parser.add_argument_group("diagnosis (--explain)")
    explain.add_argument(
        "--explain", action="store_true",
        help="diagnose the signature a client produced, JSS or S3 SigV4 (see --wire): does it match, and "
        "which known mistake reproduces it (exit status 1 when it does not match)",
    )
    explain.add_argument("--authorization", metavar="A", help="the Authorization header the client sent")
    explain.add_argument("--host-bucket", metavar="B", help="the bucket of a virtual-host request")
    explain.add_argument(
        "--body", metavar="FILE",
        help="the request body (a complete's list; on S3, the body its x-amz-content-sha256 or chunks sign)",
    )
    explain.add_argument(
        "--wire", choices=("jss", "s3"),
        help="the request's wire (default: s3 when the Authorization is AWS4-HMAC-SHA256 or the --resource "
        "carries X-Amz-* presign parameters, else jss)",
    )
    explain.add_argument(
        "--region", metavar="R",
        help="the endpoint's region (S3: checks the scope; signs. JSS: the RR clause of the storage class)",
    )
    explain.add_argument(
        "--received-at", metavar="T",
        help="S3: when the server received it, unix seconds or YYYYMMDDTHHMMSSZ (clock skew and expiry are "
        "judged against it; default now)",
    )
    parser.set_defaults(handler=run)


def _expires(text: str) -> int:
    """argparse type of --expires: a non-negative integer number of seconds since the epoch."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected unix seconds (an integer), got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected unix seconds (an integer >= 0), got {text!r}")
    return value


def _usage_error(message: str) -> Exception:
    from conformance.cli import UsageError

    return UsageError(message)


def parse_header_option(text: str) -> tuple[str, str]:
    """Split one ``--header 'Name: value'`` into (name, value as sent); UsageError when malformed."""
    name, colon, value = text.partition(":")
    if not colon:
        raise _usage_error(f"--header {text!r} has no ':' (expected 'Name: value')")
    name = name.strip()
    if not TOKEN.fullmatch(name):
        raise _usage_error(f"--header {text!r}: {name!r} is not a valid header name")
    if "\r" in value or "\n" in value:
        raise _usage_error(f"--header {name!r}: the value contains a line break")
    return name, value


def _secret_key(args: argparse.Namespace) -> str:
    if args.secret_key_env is not None:
        secret = os.environ.get(args.secret_key_env, "")
        if not secret:
            raise _usage_error(f"environment variable {args.secret_key_env!r} is not set or empty")
        return secret
    if not args.secret_key:
        raise _usage_error("--secret-key is empty")
    return args.secret_key


def _check_arguments(args: argparse.Namespace) -> None:
    if not TOKEN.fullmatch(args.method):
        raise _usage_error(f"--method {args.method!r} is not an HTTP method")
    if not args.resource.startswith("/"):
        raise _usage_error(f"--resource {args.resource!r} must start with '/' (path style /bucket/key?query)")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in args.resource):
        raise _usage_error("--resource contains a control character")
    if not args.access_key.strip():
        raise _usage_error("--access-key is empty")


def _date_to_sign(args: argparse.Namespace, headers: list[tuple[str, str]]) -> tuple[str, bool]:
    """(the Date value to sign, whether it was generated now)."""
    header_date = signing.header_value(headers, "Date")
    if args.date is not None and not args.date.strip():
        raise _usage_error("--date is empty")
    if args.date is not None and header_date and args.date.strip() != header_date:
        raise _usage_error("--date and the Date header differ: give one of them")
    date = args.date.strip() if args.date is not None else header_date
    if not date:
        return signing.http_date(), True
    try:
        signing.parse_http_date(date)
    except ValueError:
        warning = f"warning: {date!r} is not an RFC 1123 date; signed as given, a server will refuse it"
        print(warning, file=sys.stderr)
    return date, False


def without_presign_params(target: str) -> str:
    """The request target without Expires/AccessKey/Signature (a pasted presigned URL is signed afresh)."""
    path, sep, query = target.partition("?")
    kept = [item for item in query.split("&") if item and item.partition("=")[0] not in PRESIGN_PARAMS]
    return path + ("?" + "&".join(kept) if kept else "") if sep else path


def escape(text: str) -> str:
    """One-line form of a stage: backslash, LF, CR, tab and other control characters escaped."""
    named = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(
        named.get(ch, f"\\x{ord(ch):02x}" if ord(ch) < 0x20 or ch == "\x7f" else ch) for ch in text
    )


def run(args: argparse.Namespace) -> int:
    """Handler of ``jss-conformance sign``: compute and print every stage; 0 on success."""
    _check_arguments(args)
    headers = [parse_header_option(text) for text in args.header]
    secret = _secret_key(args)
    if args.explain:
        from conformance.commands.sign_explain import explain
        from conformance.commands.sign_explain_s3 import explain_s3, is_s3_request

        if is_s3_request(args):
            return explain_s3(args, headers, secret, _usage_error)
        return explain(args, headers, secret, _usage_error)
    try:
        bucket, key, query = signing.split_request_target(args.resource)
    except ValueError:
        raise _usage_error("--resource: the key is not UTF-8 once percent-decoded") from None
    resource = signing.canonical_resource(bucket, key, query)
    method = args.method.upper()
    report: dict[str, object] = {"method": method, "request_target": args.resource}
    if args.expires is not None:
        signed = signing.presign(method, resource, headers, args.access_key, secret, args.expires)
        base = _base_url(args.host) + without_presign_params(args.resource)
        report["expires"] = args.expires
        report["signed_url"] = signing.presigned_url(base, args.access_key, args.expires, signed.signature)
    else:
        date, generated = _date_to_sign(args, headers)
        signed = signing.sign_request(method, resource, headers, args.access_key, secret, date=date)
        report["date"] = date
        report["date_generated"] = generated
        if args.host:
            report["url"] = _base_url(args.host) + args.resource
    report.update(
        content_md5=signing.header_value(headers, "Content-MD5"),
        content_type=signing.header_value(headers, "Content-Type"),
        canonical_headers=signed.canonical_headers,
        canonical_resource=signed.canonical_resource,
        string_to_sign=signed.string_to_sign,
        signature=signed.signature,
    )
    if signed.authorization is not None:
        report["authorization"] = signed.authorization
    else:
        report["signed_url_query"] = signed.signed_url_query
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 0


def _base_url(host: str | None) -> str:
    if not host:
        return ""
    return host.rstrip("/") if "://" in host else "http://" + host.rstrip("/")


def _expires_note(expires: int) -> str:
    try:
        moment = datetime.fromtimestamp(expires, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""
    return f"  ({moment}{', already past' if expires < time.time() else ''})"


def render(report: dict) -> str:
    """The labelled text form of a signing report."""
    lines: list[str] = []

    def line(label: str, value: str) -> None:
        lines.append(f"{label + ':':<{LABEL_WIDTH}}{value}")

    line("method", report["method"])
    line("request target", report["request_target"])
    if "expires" in report:
        line("expires", f"{report['expires']}{_expires_note(report['expires'])}")
    else:
        note = "  (generated now: send exactly this Date header)" if report["date_generated"] else ""
        line("date", f"{report['date']}{note}")
    line("content-md5", report["content_md5"] or "(none)")
    line("content-type", report["content_type"] or "(none)")
    line("canonical headers", escape(report["canonical_headers"]) or "(none: no x-jss- header)")
    line("canonical resource", report["canonical_resource"])
    line("string to sign", escape(report["string_to_sign"]))
    lines.append("string to sign, raw (between the ----- lines):")
    lines.extend(["-----", report["string_to_sign"], "-----"])
    line("signature", report["signature"])
    if "authorization" in report:
        line("Authorization", report["authorization"])
        if "url" in report:
            line("URL", report["url"])
    else:
        line("signed URL query", report["signed_url_query"])
        line("signed URL", report["signed_url"])
    return "\n".join(lines)
