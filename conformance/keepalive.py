"""Which connection a request went out on, so that a connection error is retried only when a stale keep-alive
connection explains it.

A server may close an idle keep-alive connection just as the client sends its next request on it: the request
then fails before any byte of a response (reset, or closed without an answer). That says nothing about the
endpoint, and sending the request again on a new connection is what every HTTP client does. Any other
connection error (on a fresh connection, a TLS failure, a timeout) is the endpoint's, and is never retried.

:func:`install` mounts a :class:`TrackingAdapter` on a ``requests.Session``: its connections remember the
socket their last request went out on, and the thread that sends a request can then ask
:func:`stale_connection` whether its error is that of a stale keep-alive connection.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.client import RemoteDisconnected

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: The errors of a request on a connection the server closed meanwhile (before any byte of an answer).
STALE_ERRORS = (RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)

_last = threading.local()


class _Remembering:
    """A urllib3 connection that notes, per thread, whether a request goes out on a socket that already
    carried an earlier request (a kept-alive connection) or on a new one."""

    _used_socket: object = None

    def request(self, *args, **kwargs):  # noqa: D102 - urllib3's
        sock = self.sock
        _last.reused = sock is not None and sock is self._used_socket
        try:
            return super().request(*args, **kwargs)
        finally:
            self._used_socket = self.sock  # a lazy connect happens inside: this is the socket it used


class RememberingHTTPConnection(_Remembering, HTTPConnection):
    """urllib3's HTTP connection, remembering whether a request reused it."""


class RememberingHTTPSConnection(_Remembering, HTTPSConnection):
    """urllib3's HTTPS connection, remembering whether a request reused it."""


class _Pool(HTTPConnectionPool):
    ConnectionCls = RememberingHTTPConnection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = RememberingHTTPSConnection


_POOLS = {"http": _Pool, "https": _TlsPool}


class TrackingAdapter(HTTPAdapter):
    """requests' adapter (no retries of its own) whose connections remember whether they were reused."""

    def init_poolmanager(self, *args, **kwargs) -> None:  # noqa: D102 - requests'
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # noqa: D102 - requests'
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


def install(session: requests.Session) -> requests.Session:
    """Mount a :class:`TrackingAdapter` for http:// and https:// on `session` (once); returns it."""
    for prefix in ("https://", "http://"):
        if not isinstance(session.adapters.get(prefix), TrackingAdapter):
            session.mount(prefix, TrackingAdapter())
    return session


def forget() -> None:
    """Before a request: no connection used yet by this thread."""
    _last.reused = False


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything it wraps (arguments, cause, context, urllib3's ``reason``), each once."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        pending += [*item.args, item.__cause__, item.__context__, getattr(item, "reason", None)]


def stale_connection(exc: BaseException) -> bool:
    """Whether `exc`, raised by this thread's last request, is a stale keep-alive connection's error: the
    request went out on a reused connection and met a reset, or a close without any answer, before any byte
    of the response (a TLS error or a timeout never is)."""
    if not getattr(_last, "reused", False) or not isinstance(exc, requests.ConnectionError):
        return False
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError | requests.Timeout):
        return False
    return any(isinstance(cause, STALE_ERRORS) for cause in causes(exc))
