"""A forked worker never outlives its controller: when the controller dies (even by SIGKILL, which it cannot
handle), the worker gets SIGTERM, so that it stops its case, runs its cleanup and exits.

On Linux the kernel sends it (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread checks the parent's
process id twice a second and sends it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
#: Seconds between two looks at the parent where the kernel cannot be asked.
POLL_INTERVAL = 0.5


def _prctl_death_signal(number: int) -> bool:
    """Ask the Linux kernel to send `number` when the parent dies (False: not available)."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, number, 0, 0, 0) == 0
    return False


def _watch(parent: int, number: int) -> None:
    stop = threading.Event()

    def look() -> None:
        while not stop.wait(POLL_INTERVAL):
            if os.getppid() != parent:
                os.kill(os.getpid(), number)
                return

    threading.Thread(target=look, name="jss-parent-watch", daemon=True).start()


def exit_with_parent(parent: int, number: int = signal.SIGTERM) -> None:
    """Call in a forked child, with its parent's process id: the child gets signal `number` when the parent
    is gone (at once if it already is)."""
    if not _prctl_death_signal(number):
        _watch(parent, number)
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os.kill(os.getpid(), number)
