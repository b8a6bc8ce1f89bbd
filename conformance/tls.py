"""TLS towards a target: which CA verifies the endpoint's certificate, which client certificate to show, and
the HTTP sessions every request of the suite goes through.

A profile's ``[tls]`` table names files, relative to the profile's folder::

    [tls]
    ca_bundle = "staging-ca.pem"      # PEM: the CA(s) the endpoint's certificate chains to
    client_cert = "client.pem"        # optional: a client certificate (PEM) ...
    client_key = "client-key.pem"     # ... and its key, when it is not in client_cert's file

Without ``ca_bundle`` the usual environment variables are honoured, first found wins: ``REQUESTS_CA_BUNDLE``
and ``CURL_CA_BUNDLE`` (read by requests' own ``Session.merge_environment_settings``), then OpenSSL's
``SSL_CERT_FILE`` and ``SSL_CERT_DIR``; with none of them, certifi's bundle (requests' default).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from conformance import keepalive

TLS_KEYS = ("ca_bundle", "client_cert", "client_key")
#: The environment variables naming a CA bundle (or folder), in the order they are honoured.
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")
_OPENSSL_VARIABLES = CA_VARIABLES[2:]


class TlsError(ValueError):
    """A [tls] table or a CA variable that cannot be used (the default error of the checks below, which a
    caller may replace by its own, e.g. ProfileError); the message is one line."""


@dataclass(frozen=True)
class TlsSettings:
    """What a profile's [tls] table names ("" for each file it does not name)."""

    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""

    def resolved(self, folder: Path, error: type[Exception] = TlsError) -> TlsSettings:
        """The files as absolute paths, relative ones taken from `folder`; `error` for a missing one."""
        paths = {}
        for key in TLS_KEYS:
            given = getattr(self, key)
            if not given:
                paths[key] = ""
                continue
            path = (folder / Path(given).expanduser()).resolve()
            if not path.is_file():
                raise error(f"[tls] {key} names {path}, which is not a file")
            paths[key] = str(path)
        return TlsSettings(**paths)

    @property
    def cert(self) -> str | tuple[str, str] | None:
        """The client certificate as requests takes it (``cert=``), or None."""
        if not self.client_cert:
            return None
        return (self.client_cert, self.client_key) if self.client_key else self.client_cert

    def to_payload(self) -> list[str]:
        """A JSON-able form (for workers)."""
        return [self.ca_bundle, self.client_cert, self.client_key]

    @classmethod
    def from_payload(cls, payload: Any) -> TlsSettings:
        """The inverse of :meth:`to_payload` (None: no settings)."""
        return cls(*payload) if payload else cls()


def parse_tls(raw: Any, error: type[Exception] = TlsError) -> TlsSettings:
    """Validate a profile's [tls] table (None: no table); the paths stay as written. `error` (one line)
    otherwise."""
    if raw is None:
        return TlsSettings()
    if not isinstance(raw, Mapping):
        raise error(f"[tls] must be a table of {', '.join(TLS_KEYS)}")
    unknown = sorted(set(raw) - set(TLS_KEYS))
    if unknown:
        raise error(f"[tls] has unknown key {unknown[0]!r} (allowed: {', '.join(TLS_KEYS)})")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise error(f"[tls] {key} must be a non-empty string (a path)")
    if "client_key" in raw and "client_cert" not in raw:
        raise error("[tls] client_key is given without client_cert")
    return TlsSettings(**{key: value.strip() for key, value in raw.items()})


def check_environment(
    env: Mapping[str, str], endpoints: Iterable[str], settings: TlsSettings, error: type[Exception] = TlsError
) -> None:
    """`error` when an https endpoint would be verified with a CA variable naming nothing that exists (the
    profile's own ca_bundle makes the variables irrelevant, and so does a plain http target)."""
    if settings.ca_bundle or not any(endpoint.startswith("https://") for endpoint in endpoints):
        return
    name = next((name for name in CA_VARIABLES if env.get(name)), None)
    if name is not None and not os.path.exists(env[name]):
        raise error(f"{name} names {env[name]}, which does not exist (it would verify the endpoint's CA)")


def verify_setting(settings: TlsSettings, session: requests.Session, url: str = "") -> bool | str:
    """What verifies the endpoint's certificate (requests' ``verify=``): the profile's CA bundle, else the
    environment's (requests' variables through its own merge, then OpenSSL's), else True (certifi)."""
    if settings.ca_bundle:
        return settings.ca_bundle
    verify = session.merge_environment_settings(url, {}, None, True, None)["verify"]
    if verify is True and session.trust_env:
        verify = next((os.environ[name] for name in _OPENSSL_VARIABLES if os.environ.get(name)), True)
    return verify


def new_session(settings: TlsSettings | None = None, url: str = "") -> requests.Session:
    """A requests session for a target: its CA and client certificate set (see the module text), and
    connections that tell a stale keep-alive apart (conformance.keepalive)."""
    settings = settings or TlsSettings()
    session = keepalive.install(requests.Session())
    session.verify = verify_setting(settings, session, url)
    session.cert = settings.cert
    return session


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind `exc`, if any."""
    return next((cause for cause in keepalive.causes(exc) if isinstance(cause, ssl.SSLError)), None)


def tls_problem(exc: BaseException) -> str | None:
    """One line naming the certificate or handshake problem behind `exc`, or None when it is not one."""
    error = _ssl_error(exc)
    if error is None:
        return None
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"certificate verify failed: {error.verify_message} (name the endpoint's CA in the profile's "
            "[tls] ca_bundle or in REQUESTS_CA_BUNDLE)"
        )
    reason = (error.reason or type(error).__name__).replace("_", " ").lower()
    return f"TLS handshake failed: {reason}"
