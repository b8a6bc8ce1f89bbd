"""One HTTP exchange with a JSS endpoint: build the request, sign it (or deliberately mis-sign it), send it
with `requests`, and keep the exchange (request, canonical string to sign, response) for reports.

The JSS wire specifics of signing live in :mod:`conformance.signing`; this module only decides *what* to
sign (normally the request as sent, or something else on purpose through :class:`SigningOptions`).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import quote

import requests
from requests.utils import resolve_proxies
from urllib3._collections import HTTPHeaderDict

from conformance import keepalive
from conformance import signing as signer
from conformance.exchange import (  # noqa: F401 - Exchange, the masks and the limits are imported from here too
    KEPT_BODY_BYTES,
    MASK,
    RENDERED_BODY_BYTES,
    Exchange,
    connection_error,
    mask_authorization,
    mask_url,
)
from conformance.not_supported import raise_if_not_supported
from conformance.outcomes import InfraError
from conformance.tls import new_session

Body = bytes | bytearray | io.IOBase | Iterable[bytes] | None
HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]] | None
QueryInput = Iterable[tuple[str, str | None]] | None

#: The environment variables `requests` reads to pick a proxy for an http(s) URL (urllib's getproxies).
_PROXY_VARIABLES = tuple(
    name for base in ("http_proxy", "https_proxy", "all_proxy", "no_proxy") for name in (base, base.upper())
) + ("REQUEST_METHOD",)
_proxy_cache: dict[tuple, dict[str, str]] = {}


@dataclass(frozen=True)
class Credentials:
    """An access key and its secret; the secret never appears in the repr."""

    access_key: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class SigningOptions:
    """Deliberate deviations from correct signing (all optional; the default signs correctly).

    - `resource`: sign this CanonicalizedResource instead of the one derived from the request.
    - `canonical_headers`: sign this CanonicalizedHeaders string instead of the one derived from the headers.
    - `secret_key` / `access_key`: sign with this secret / announce this access key.
    - `authorization`: send this raw Authorization header (nothing is signed).
    - `date`: send this Date header (and sign it).
    - `omit_date`: send no Date header at all (and sign an empty Date line).
    - `anonymous`: send no Authorization header at all.
    - `presign_expires`: sign as a URL (``Expires``/``AccessKey``/``Signature`` query) with this Expires.
    - `alter_signed`: applied to the text that is signed (the JSS StringToSign; the S3 SigV4 canonical
      request) just before it is signed, so the request sent differs from the signed one where it changed
      the text (conformance.signed_lines builds one that changes exactly one line).
    """

    resource: str | None = None
    canonical_headers: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    access_key: str | None = None
    authorization: str | None = None
    date: str | None = None
    omit_date: bool = False
    anonymous: bool = False
    presign_expires: int | None = None
    alter_signed: Callable[[str], str] | None = None


def encode_key(key: str) -> str:
    """Percent-encode an object key (UTF-8) for the request path; ``/`` stays as is."""
    return quote(key, safe="/", encoding="utf-8")


def encode_query(pairs: Iterable[tuple[str, str | None]]) -> str:
    """The query string of `pairs`, in the given order; a None value gives a bare key (``?uploads``)."""
    parts = []
    for name, value in pairs:
        encoded = quote(name, safe="")
        parts.append(encoded if value is None else f"{encoded}={quote(str(value), safe='')}")
    return "&".join(parts)


def _header_list(headers: HeaderInput) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def _body_size(body: Body) -> int | None:
    if body is None:
        return 0
    if isinstance(body, bytes | bytearray):
        return len(body)
    if hasattr(body, "seek") and hasattr(body, "tell"):
        here = body.tell()
        size = body.seek(0, io.SEEK_END) - here
        body.seek(here)
        return size
    return None


class JssClient:
    """A signing HTTP client for one endpoint and one set of credentials (None: an anonymous client, which
    sends no Authorization).

    `listeners` are called with the :class:`Exchange` of every attempt, answered or not (the plugin uses
    them for cleanup tracking and reports).

    Without a `session` the client makes its own (conformance.tls.new_session: the CA environment variables
    honoured); a given one gets the keep-alive tracking adapter mounted (conformance.keepalive).
    """

    #: The wire dialect this client speaks (its operations are conformance.operations.<dialect>).
    dialect = "jss"

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials | None,
        *,
        timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.session = keepalive.install(session) if session is not None else new_session(url=self.endpoint)
        self.listeners: list[Callable[[Exchange], None]] = []
        #: The rulebook the answers are judged by ("" : the client's wire, `dialect`).
        self.rules = ""

    def __repr__(self) -> str:
        access_key = self.credentials.access_key if self.credentials is not None else None
        return f"JssClient({self.endpoint!r}, access_key={access_key!r})"

    def close(self) -> None:
        """Close the underlying HTTP session."""
        self.session.close()

    def request(
        self,
        method: str,
        bucket: str | None = None,
        key: str | None = None,
        *,
        query: QueryInput = None,
        headers: HeaderInput = None,
        body: Body = b"",
        signing: SigningOptions | None = None,
        host: str | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send one signed request and return the response (with ``.exchange`` attached).

        `stream`: the response body is left unread (read it with ``iter_content``, then close the response);
        the exchange then keeps no body.

        `query` pairs are sent in the given order. `host` switches to virtual-host style: it is sent as the
        Host header and the bucket is left out of the path (the signed resource still names it).
        A request is sent again only when a stale keep-alive connection explains its error (see
        conformance.keepalive), once, and both attempts go to the listeners; any other connection error or
        timeout raises InfraError at once (its attempt recorded too). An answer that says the store does not
        implement the request (conformance.not_supported) raises NotImplementedByTarget.
        """
        method = method.upper()
        options = signing or SigningOptions()
        query_pairs = list(query or [])
        header_pairs = _header_list(headers)
        if host is not None:
            header_pairs = [(k, v) for k, v in header_pairs if k.lower() != "host"] + [("Host", host)]
        if options.omit_date:
            header_pairs = [(k, v) for k, v in header_pairs if k.lower() != "date"]
        elif options.date is not None:
            header_pairs = [(k, v) for k, v in header_pairs if k.lower() != "date"] + [("Date", options.date)]
        elif not any(k.lower() == "date" for k, _ in header_pairs):
            header_pairs.append(("Date", _now_date()))

        string_to_sign, header_pairs, query_pairs, sent_signature = self._sign(
            method, bucket, key, query_pairs, header_pairs, options, body=body, host=host
        )
        url = self._url(bucket, key, query_pairs, virtual_host=host is not None)
        exchange = Exchange(
            method=method, url=url, request_headers=list(header_pairs), request_body_size=_body_size(body),
            string_to_sign=string_to_sign, bucket=bucket, key=key, query=list(query_pairs),
            masked_values=(sent_signature,) if sent_signature else (), dialect=self.dialect,
        )
        response = self._send(method, url, header_pairs, body, exchange, stream=stream)
        self._notify(exchange)
        raise_if_not_supported(response, self.rules or self.dialect, f"{method} {mask_url(url)}",
                               read_body=not stream)
        return response

    # -- internals ---------------------------------------------------------------------------------

    def _sign(
        self,
        method: str,
        bucket: str | None,
        key: str | None,
        query_pairs: list[tuple[str, str | None]],
        header_pairs: list[tuple[str, str]],
        options: SigningOptions,
        *,
        body: Body = None,
        host: str | None = None,
    ) -> tuple[str | None, list[tuple[str, str]], list[tuple[str, str | None]], str | None]:
        """Return (string to sign, headers to send, query to send, signature sent); `body` and `host` are
        for dialects that sign them (JSS signs neither)."""
        header_pairs = [(k, v) for k, v in header_pairs if k.lower() != "authorization"]
        if options.authorization is not None:
            sent = options.authorization.rpartition(":")[2] if ":" in options.authorization else None
            return None, header_pairs + [("Authorization", options.authorization)], query_pairs, sent
        if options.anonymous or self.credentials is None:
            return None, header_pairs, query_pairs, None
        resource = options.resource
        if resource is None:
            resource = signer.canonical_resource(bucket, key, query_pairs)
        canon = options.canonical_headers
        if canon is None:
            canon = signer.canonical_headers(header_pairs)
        date_value = (
            str(int(options.presign_expires))
            if options.presign_expires is not None
            else signer.header_value(header_pairs, "Date")
        )
        sts = signer.string_to_sign(
            method,
            signer.header_value(header_pairs, "Content-MD5"),
            signer.header_value(header_pairs, "Content-Type"),
            date_value,
            canon,
            resource,
        )
        if options.alter_signed is not None:
            sts = options.alter_signed(sts)
        secret = options.secret_key if options.secret_key is not None else self.credentials.secret_key
        access_key = options.access_key if options.access_key is not None else self.credentials.access_key
        sig = signer.signature(secret, sts)
        if options.presign_expires is not None:
            expires = str(int(options.presign_expires))
            presigned = [("Expires", expires), ("AccessKey", access_key), ("Signature", sig)]
            return sts, header_pairs, query_pairs + presigned, sig
        authorization = ("Authorization", signer.authorization_header(access_key, sig))
        return sts, header_pairs + [authorization], query_pairs, sig

    def _url(
        self,
        bucket: str | None,
        key: str | None,
        query_pairs: list[tuple[str, str | None]],
        *,
        virtual_host: bool,
    ) -> str:
        if virtual_host:
            path = "/" + encode_key(key) if key else "/"
        elif bucket:
            path = f"/{quote(bucket, safe='')}" + (f"/{encode_key(key)}" if key else "")
        else:
            path = "/"
        query = encode_query(query_pairs)
        return f"{self.endpoint}{path}" + (f"?{query}" if query else "")

    def _notify(self, exchange: Exchange) -> None:
        for listener in list(self.listeners):
            listener(exchange)

    def _send(
        self,
        method: str,
        url: str,
        header_pairs: list[tuple[str, str]],
        body: Body,
        exchange: Exchange,
        *,
        stream: bool = False,
    ) -> requests.Response:
        start_position = body.tell() if isinstance(body, io.IOBase) and body.seekable() else None
        rewindable = body is None or isinstance(body, bytes | bytearray) or start_position is not None
        for attempt in (1, 2):
            if attempt > 1 and start_position is not None:
                body.seek(start_position)
            prepared = self._prepare(method, url, header_pairs, body)
            started = time.perf_counter()
            keepalive.forget()
            try:
                response = self.session.send(
                    prepared, timeout=self.timeout, allow_redirects=False, proxies=self._proxies(prepared),
                    stream=stream,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                resend = attempt == 1 and rewindable and keepalive.stale_connection(exc)
                self._notify(replace(
                    exchange, request_headers=list(prepared.headers.items()), resent=resend,
                    elapsed=time.perf_counter() - started, error=connection_error(exc),
                ))
                if resend:
                    continue
                again = " (sent again after a stale keep-alive connection)" if attempt > 1 else ""
                raise InfraError(f"{method} {mask_url(url)}{again}: {connection_error(exc)}") from exc
            exchange.elapsed = time.perf_counter() - started
            exchange.request_headers = list(prepared.headers.items())
            exchange.status = response.status_code
            exchange.response_headers = list(response.headers.items())
            exchange.response_body = b"" if stream else response.content[:KEPT_BODY_BYTES]
            response.exchange = exchange  # type: ignore[attr-defined]
            return response
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _proxies(self, prepared: requests.PreparedRequest) -> dict[str, str]:
        """What ``Session.send`` would resolve for this request's proxies (session proxies, then the proxy
        environment variables unless ``trust_env`` is off), computed once per endpoint and settings: it
        depends on the scheme and host only, and requests reads the whole environment three times for it."""
        session = self.session
        key = (
            self.endpoint,
            tuple(sorted(session.proxies.items())),
            session.trust_env,
            tuple(os.environ.get(name) for name in _PROXY_VARIABLES),
        )
        proxies = _proxy_cache.get(key)
        if proxies is None:
            if len(_proxy_cache) > 64:
                _proxy_cache.clear()
            proxies = _proxy_cache[key] = resolve_proxies(prepared, session.proxies, session.trust_env)
        return dict(proxies)

    def _prepare(
        self, method: str, url: str, header_pairs: list[tuple[str, str]], body: Body
    ) -> requests.PreparedRequest:
        names = [k.lower() for k, _ in header_pairs]
        duplicated = len(names) != len(set(names))
        data = body if body is not None else b""
        request = requests.Request(method, url, headers=None if duplicated else dict(header_pairs), data=data)
        prepared = self.session.prepare_request(request)
        prepared.url = url  # keep the query exactly as built (order, bare keys, encoding)
        if duplicated:
            # requests keeps one value per name; urllib3 sends every pair of an HTTPHeaderDict.
            merged = HTTPHeaderDict()
            for name, value in prepared.headers.items():
                merged.add(name, value)
            for name, value in header_pairs:
                merged.add(name, value)
            prepared.headers = merged  # type: ignore[assignment]
        return prepared


def _now_date() -> str:
    """The Date header for now, from time.time() (so freezegun on the client clock moves it)."""
    return signer.http_date(time.time())
