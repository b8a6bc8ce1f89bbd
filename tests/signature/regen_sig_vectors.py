"""Write the expected stage files of the signature vectors from their inputs. NOT run by the tests.

Usage (from the repository root):

    python tests/signature/regen_sig_vectors.py            # write the stage files a folder is missing
    python tests/signature/regen_sig_vectors.py --check    # only report folders whose files would differ
    python tests/signature/regen_sig_vectors.py --force    # rewrite every stage file (review the diff!)

Inputs are each folder's ``context.toml`` and ``request.txt`` (see fixtures/signature/README.md). This tool
deliberately does NOT import ``conformance.signing``: it is a second, independent implementation of the
documented rules, written straight from the doc pages, so the stored expectations are not the signer's own
output. Whatever it writes must still be read and checked by hand against the rules before it is committed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "signature"

# Copied from the doc page Signature-In-Header.md: SUB_RESOURCES then RESPONSE_HEADERS.
SIGNED_QUERY_NAMES = [
    "lifecycle", "location", "logging", "partNumber", "policy", "uploadId", "uploads", "versionId",
    "versioning", "versions", "website", "acl",
    "contentType", "contentLanguage", "cacheControl", "contentDisposition", "contentEncoding",
]


def read_request(folder: Path) -> tuple[str, str, list[tuple[str, str]]]:
    """(method, request target, [(name, raw value)]) of a request.txt; the body is not needed."""
    raw = (folder / "request.txt").read_bytes()
    head = raw.split(b"\n\n", 1)[0].decode("ascii")
    request_line, *header_lines = head.split("\n")
    method, target, _version = request_line.split(" ")
    headers = []
    for line in header_lines:
        name, value = line.split(":", 1)
        headers.append((name, value))
    return method, target, headers


def first_value(headers: list[tuple[str, str]], wanted: str) -> str:
    values = [value.strip() for name, value in headers if name.lower() == wanted.lower()]
    return values[0] if values else ""


def canonical_headers(headers: list[tuple[str, str]]) -> str:
    names: list[str] = []
    values: dict[str, list[str]] = {}
    for name, value in headers:
        lowered = name.lower()
        if not lowered.startswith("x-jss-"):
            continue
        if lowered not in values:
            names.append(lowered)
            values[lowered] = []
        values[lowered].append(value.strip(" \t"))
    return "".join(name + ":" + ",".join(values[name]) + "\n" for name in sorted(names))


def canonical_resource(target: str, host_bucket: str | None) -> str:
    path, _, query = target.partition("?")
    decoded = unquote_to_bytes(path).decode("utf-8")
    if host_bucket:
        resource = "/" + host_bucket + ("/" + decoded[1:] if len(decoded) > 1 else "")
    else:
        bucket, _, key = decoded[1:].partition("/")
        resource = "/" + bucket + ("/" + key if key else "")
    signed = []
    for position, item in enumerate(query.split("&") if query else []):
        name, has_value, value = item.partition("=")
        name = unquote_to_bytes(name).decode("utf-8")
        if name in SIGNED_QUERY_NAMES:
            text = name + ("=" + unquote_to_bytes(value).decode("utf-8") if has_value else "")
            signed.append((name, position, text))
    signed.sort()
    return resource + ("?" + "&".join(text for _, _, text in signed) if signed else "")


def expected_files(folder: Path) -> dict[str, str]:
    """Every stage file of one vector folder, as text."""
    context = tomllib.loads((folder / "context.toml").read_text(encoding="utf-8"))
    method, target, headers = read_request(folder)
    headers_stage = canonical_headers(headers)
    resource_stage = canonical_resource(target, context.get("virtual_host_bucket"))
    presigned = "expires" in context
    when = str(context["expires"]) if presigned else context["date"]
    sts = "\n".join(
        [method, first_value(headers, "Content-MD5"), first_value(headers, "Content-Type"), when, ""]
    ) + headers_stage + resource_stage
    mac = hmac.new(context["secret_key"].encode("utf-8"), sts.encode("utf-8"), hashlib.sha1)
    sig = base64.b64encode(mac.digest()).decode("ascii")
    files = {
        "canonical-headers.txt": headers_stage,
        "canonical-resource.txt": resource_stage,
        "string-to-sign.txt": sts,
        "signature.txt": sig,
    }
    if presigned:
        host = first_value(headers, "Host")
        joiner = "&" if "?" in target else "?"
        files["signed-url.txt"] = (
            f"http://{host}{target}{joiner}Expires={context['expires']}"
            f"&AccessKey={quote(context['access_key'], safe='')}&Signature={quote(sig, safe='')}"
        )
    else:
        files["authorization.txt"] = f"jingdong {context['access_key']}:{sig}"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report differences, write nothing")
    mode.add_argument("--force", action="store_true", help="rewrite existing stage files too")
    args = parser.parse_args(argv)
    differing = 0
    for folder in sorted(p for p in VECTORS.iterdir() if p.is_dir()):
        for name, text in expected_files(folder).items():
            path = folder / name
            current = path.read_bytes().decode("utf-8") if path.exists() else None
            if current == text:
                continue
            differing += 1
            if args.check or (current is not None and not args.force):
                print(f"differs: {folder.name}/{name}")
                continue
            path.write_bytes(text.encode("utf-8"))
            print(f"wrote:   {folder.name}/{name}")
    return 1 if args.check and differing else 0


if __name__ == "__main__":
    sys.exit(main())
