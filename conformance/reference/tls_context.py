"""The server side of ``serve --tls-cert FILE [--tls-key FILE] [--tls-client-ca FILE]``: the SSL context the
endpoint serves HTTPS with, checked before any socket listens (a bad file is one line, exit status 2)."""

from __future__ import annotations

import ssl

from conformance.reference.config import ConfigError, TlsFiles


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """An HTTPS server context (TLS 1.2 or newer) with the certificate and key of `files`, requiring a client
    certificate signed by `files.client_ca` when it is given; ConfigError when a file cannot be used."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(files.cert, files.key)
    except (OSError, ssl.SSLError) as exc:
        key = f" / --tls-key {files.key}" if files.key else ""
        raise ConfigError(f"cannot use --tls-cert {files.cert}{key}: {_reason(exc)}") from exc
    if files.client_ca is not None:
        try:
            context.load_verify_locations(cafile=files.client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot use --tls-client-ca {files.client_ca}: {_reason(exc)}") from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return (exc.reason or str(exc)).replace("_", " ").lower()
    return exc.strerror or str(exc)
