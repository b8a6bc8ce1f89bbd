"""Bounded body parsing per account: at most `Limits.max_bodies_per_account` large complete bodies (over
``complete.SMALL_COMPLETE_BODY``) of one access key are read and parsed at once; a further one waits at most
`Limits.body_slot_wait` seconds for a slot, then is answered 503 SlowDown with ``Retry-After``. One account
sending many large bodies at once then holds a bounded amount of memory and event-loop time, and the other
accounts (and its own other requests) are still served.

A waiting body is not read: its bytes stay in the socket (the protocol pauses reading), and the slow-client
deadline does not count against the client meanwhile (see ``protocol.JsonErrorProtocol.check_deadlines``).
A refused body is read and dropped before the answer (no parsing, no memory kept), so that a client still
sending it gets the 503 rather than a connection reset.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from conformance.reference.errors import JssError

#: Seconds a refused client is asked to wait before it retries.
RETRY_AFTER_SECONDS = 1


class _Account:
    """The slots of one account in one event loop, and how many requests hold or wait for one."""

    def __init__(self, size: int) -> None:
        self.semaphore = asyncio.Semaphore(size)
        self.users = 0


#: (event loop id, access key) -> its slots; an entry lives while a request holds or waits for a slot.
_accounts: dict[tuple[int, str], _Account] = {}


def slot_refusal() -> JssError:
    """The answer to a body that found no slot in time: 503 SlowDown with Retry-After."""
    message = "Too many large request bodies from your account at once; retry later"
    return JssError(503, "SlowDown", message, [(b"retry-after", str(RETRY_AFTER_SECONDS).encode("ascii"))])


@contextlib.asynccontextmanager
async def account_slot(
    access_key: str, size: int, wait: float, before_refusal: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[None]:
    """Hold one of the `size` body slots of `access_key` for the block; JssError 503 SlowDown (see
    `slot_refusal`) when none frees up within `wait` seconds, after awaiting `before_refusal()` (the
    caller drops the body there, so that the client, still sending it, reads the answer)."""
    name = (id(asyncio.get_running_loop()), access_key)
    account = _accounts.get(name)
    if account is None:
        account = _accounts[name] = _Account(size)
    account.users += 1
    try:
        try:
            await asyncio.wait_for(account.semaphore.acquire(), wait)
        except TimeoutError:
            if before_refusal is not None:
                await before_refusal()
            raise slot_refusal() from None
        try:
            yield
        finally:
            account.semaphore.release()
    finally:
        account.users -= 1
        if account.users == 0:
            _accounts.pop(name, None)

