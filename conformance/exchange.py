"""One exchange as the reports keep it: the request as sent (signature masked, the secret key never stored),
the string to sign, and the response or why none came."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conformance.tls import tls_problem

#: How much of a response body an Exchange keeps, and how much of it render() shows.
KEPT_BODY_BYTES = 64 * 1024
RENDERED_BODY_BYTES = 4 * 1024
MASK = "****"

_AUTH_MASK = re.compile(r"^(\s*\S+\s+[^:\s]*:).*$", re.DOTALL)
_SIGV4_MASK = re.compile(r"^(\s*AWS4-HMAC-SHA256\s.*Signature=)[0-9a-fA-F]*\s*$", re.DOTALL)
_URL_SIGNATURE = re.compile(r"([?&](?:X-Amz-)?Signature=)[^&#]*")


def mask_authorization(value: str) -> str:
    """``jingdong AK:signature`` -> ``jingdong AK:****`` (S3 V2 ``AWS AK:sig`` alike, SigV4's
    ``...Signature=hex`` -> ``...Signature=****``); anything else unparseable is fully masked."""
    match = _SIGV4_MASK.match(value) or _AUTH_MASK.match(value)
    return f"{match.group(1)}{MASK}" if match else MASK


def mask_url(url: str) -> str:
    """Mask the value of a ``Signature=`` query parameter of a presigned URL."""
    return _URL_SIGNATURE.sub(lambda m: m.group(1) + MASK, url)


@dataclass
class Exchange:
    """One request and its response, as sent and received (the secret key is never stored)."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body_size: int | None
    string_to_sign: str | None
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    elapsed: float = 0.0
    bucket: str | None = None
    key: str | None = None
    query: list[tuple[str, str | None]] = field(default_factory=list)
    #: Values masked wherever they appear in render() (the signature sent); never the secret key.
    masked_values: tuple[str, ...] = field(default=(), repr=False)
    #: The wire dialect of the client that made the exchange ("jss" or "s3").
    dialect: str = "jss"
    #: Why no response came (a connection error, a timeout); "" when one did.
    error: str = ""
    #: The request was sent again after this attempt (a stale keep-alive connection: conformance.keepalive).
    resent: bool = False

    @property
    def outcome(self) -> str:
        """``200`` or, without a response, why not (and whether the request was sent again)."""
        if not self.error:
            return "no answer" if self.status is None else str(self.status)
        resent = " (a stale keep-alive connection: sent again)" if self.resent else ""
        return f"no response: {self.error}{resent}"

    def render(self) -> str:
        """A text attachment: request line, headers, string to sign, response; the signature masked."""
        lines = [f"{self.method} {mask_url(self.url)}"]
        for name, value in self.request_headers:
            shown = mask_authorization(value) if name.lower() == "authorization" else value
            lines.append(f"{name}: {shown}")
        size = "unknown" if self.request_body_size is None else str(self.request_body_size)
        lines.append(f"(request body: {size} bytes)")
        lines.append("")
        lines.append("--- string to sign ---")
        lines.append(repr(self.string_to_sign) if self.string_to_sign is not None else "(not signed)")
        lines.append("")
        lines.append(f"--- response: {self.outcome} ({self.elapsed * 1000:.1f} ms) ---")
        lines.extend(f"{name}: {value}" for name, value in self.response_headers)
        lines.append("")
        body = self.response_body[:RENDERED_BODY_BYTES]
        lines.append(body.decode("utf-8", errors="replace"))
        if len(self.response_body) > RENDERED_BODY_BYTES:
            lines.append(f"... ({len(self.response_body)} bytes kept, truncated)")
        text = "\n".join(lines)
        for value in self.masked_values:
            if value:
                text = text.replace(value, MASK)
        return text


def connection_error(exc: BaseException) -> str:
    """One line for a connection error: the certificate problem of a TLS failure, else the exception's type
    and the first line of its text (a presigned URL's signature in it masked)."""
    problem = tls_problem(exc)
    if problem:
        return problem
    text = mask_url(str(exc).splitlines()[0]) if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
