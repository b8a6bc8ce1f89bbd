"""One HTTP exchange with an S3-compatible endpoint: the same client as :class:`~conformance.client.JssClient`
(built, sent with `requests`, kept for reports), signed with botocore's signers instead of the JSS one.

AWS Signature V4 (``S3SigV4Auth``; presigned: ``S3SigV4QueryAuth``) by default, V2 (``HmacV1Auth`` /
``HmacV1QueryAuth``) where a target profile asks for ``signature = "v2"``. A bytes body is signed by its
SHA-256, a streamed one as ``UNSIGNED-PAYLOAD``. The exchange keeps botocore's canonical request and string
to sign for reports (never the secret).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import HmacV1Auth, HmacV1QueryAuth, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials
from freezegun import freeze_time

from conformance.client import Body, Credentials, JssClient, SigningOptions
from conformance.outcomes import NotInDialect

SIGNATURES = ("v4", "v2")
DEFAULT_REGION = "us-east-1"
#: How long before its Expires an already expired presigned URL is signed (it was valid for this long).
_EXPIRED_VALIDITY = 60


def _capturing(base: type) -> type:
    """`base` (a botocore signer) that keeps the canonical request and string to sign it computed."""

    class Capturing(base):  # type: ignore[misc, valid-type]
        captured: str | None = None
        #: SigningOptions.alter_signed: applied to the SigV4 canonical request before it is signed.
        alter: Callable[[str], str] | None = None

        def canonical_request(self, request):  # SigV4
            text = super().canonical_request(request)
            return self.alter(text) if self.alter is not None else text

        def string_to_sign(self, request, canonical_request):  # SigV4
            text = super().string_to_sign(request, canonical_request)
            self.captured = f"{canonical_request}\n--- string to sign ---\n{text}"
            return text

        def canonical_string(self, *args, **kwargs):  # V2
            text = super().canonical_string(*args, **kwargs)
            self.captured = text
            return text

    Capturing.__name__ = f"Capturing{base.__name__}"
    return Capturing


_HEADER_SIGNERS = {"v4": _capturing(S3SigV4Auth), "v2": _capturing(HmacV1Auth)}
_QUERY_SIGNERS = {"v4": _capturing(S3SigV4QueryAuth), "v2": _capturing(HmacV1QueryAuth)}


class S3Client(JssClient):
    """A signing HTTP client for one S3-compatible endpoint, region and set of credentials."""

    dialect = "s3"

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials | None,
        *,
        region: str = DEFAULT_REGION,
        signature: str = "v4",
        **options,
    ) -> None:
        if signature not in SIGNATURES:
            raise ValueError(f"unknown S3 signature version {signature!r} (known: {', '.join(SIGNATURES)})")
        super().__init__(endpoint, credentials, **options)
        self.region = region
        self.signature = signature

    def __repr__(self) -> str:
        key = self.credentials.access_key if self.credentials is not None else None
        return f"S3Client({self.endpoint!r}, region={self.region!r}, key={key!r})"

    def _sign(self, method, bucket, key, query_pairs, header_pairs, options: SigningOptions, *,
              body: Body = None, host: str | None = None):
        header_pairs = [(k, v) for k, v in header_pairs if k.lower() != "authorization"]
        if options.authorization is not None:
            return None, header_pairs + [("Authorization", options.authorization)], query_pairs, None
        if options.anonymous or self.credentials is None:
            return None, header_pairs, query_pairs, None
        if options.date is None:  # the signers set the time themselves (SigV4: X-Amz-Date; V2: Date)
            header_pairs = [(k, v) for k, v in header_pairs if k.lower() != "date"]
        if options.resource is not None or options.canonical_headers is not None:
            raise NotInDialect(
                "a JSS CanonicalizedResource / CanonicalizedHeaders override has no S3 counterpart"
            )
        credentials = BotoCredentials(
            options.access_key or self.credentials.access_key,
            options.secret_key if options.secret_key is not None else self.credentials.secret_key,
        )
        url = self._url(bucket, key, query_pairs, virtual_host=host is not None)
        signed_body = isinstance(body, bytes | bytearray) or body is None
        presigned = options.presign_expires is not None
        data = bytes(body or b"") if signed_body and not presigned else b""  # a presigned URL signs no body
        request = AWSRequest(method=method, url=url, headers=_joined(header_pairs), data=data)
        request.context["client_config"] = Config(s3={"payload_signing_enabled": signed_body})
        if options.presign_expires is None:
            signer = _HEADER_SIGNERS[self.signature](*self._signer_args(credentials))
            if options.alter_signed is not None:
                if self.signature != "v4":
                    raise NotInDialect("altering a signed line is built for the SigV4 canonical request only")
                signer.alter = options.alter_signed
            signer.add_auth(request)
            headers = list(request.headers.items())
            sent = _signature_in(request.headers.get("Authorization", ""))
            return signer.captured, headers, query_pairs, sent
        signer, signing_time = self._query_signer(credentials, int(options.presign_expires))
        with freeze_time(signing_time) if signing_time else _no_freeze():
            signer.add_auth(request)
        query = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
        sent = dict(query).get("X-Amz-Signature") or dict(query).get("Signature")
        kept = [(name, value) for name, value in header_pairs if name.lower() not in ("date",)]
        return signer.captured, kept, [(k, v if v or k not in ("uploads",) else None) for k, v in query], sent

    def _signer_args(self, credentials: BotoCredentials) -> tuple:
        return (credentials, "s3", self.region) if self.signature == "v4" else (credentials,)

    def _query_signer(self, credentials: BotoCredentials, expires_at: int):
        """A presigning signer valid until `expires_at`, and the time to sign at (None: now)."""
        remaining = expires_at - int(time.time())
        signing_time = None
        if remaining < 1:  # already expired: sign in the past, valid until expires_at
            remaining = _EXPIRED_VALIDITY
            signing_time = datetime.datetime.fromtimestamp(expires_at - remaining, datetime.UTC)
        signer = _QUERY_SIGNERS[self.signature](*self._signer_args(credentials), expires=remaining)
        return signer, signing_time


class _no_freeze:
    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return False


def _joined(header_pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Headers as one value per name (a repeated name's values joined by a comma, as HTTP allows)."""
    joined: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in header_pairs:
        lower = name.lower()
        if lower in names:
            joined[names[lower]] += f",{value}"
        else:
            names[lower] = name
            joined[name] = value
    return joined


def _signature_in(authorization: str) -> str | None:
    """The signature of an Authorization header (SigV4 ``Signature=...``, V2 ``AWS AK:sig``)."""
    if "Signature=" in authorization:
        return authorization.rsplit("Signature=", 1)[1].strip()
    return authorization.rpartition(":")[2] or None if ":" in authorization else None
