"""Loaded by every Python process of a mutation run (tools/mutation/run.py puts this folder on PYTHONPATH),
in particular the reference endpoint that a test starts as a subprocess. It only acts when mutmut's
``MUTANT_UNDER_TEST`` is in the environment (never in a normal run):

- the process dies with the process that started it (a mutant killed on timeout leaves no server behind);
- while mutmut collects its stats (``MUTANT_UNDER_TEST=stats``), every trampoline hit of this process is
  appended to a file of ``JSS_MUTATION_HITS_DIR``, from which the test process's plugin
  (``mutation_relay``) attributes it to the test that is running. mutmut alone only sees the hits of its own
  process, so it would find no test for the code the server runs.
"""

from __future__ import annotations

import os


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


def _relay_hits(hits_dir: str) -> None:
    from mutmut.mutation import trampoline

    original = trampoline.record_trampoline_hit
    path = os.path.join(hits_dir, f"{os.getpid()}.hits")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def record(name: str, caller: str | None = None) -> None:
        os.write(fd, (name + "\n").encode())  # one write per hit: in the file before the response is sent
        original(name, caller)

    trampoline.record_trampoline_hit = record


if "MUTANT_UNDER_TEST" in os.environ:
    _die_with_parent()
    if os.environ["MUTANT_UNDER_TEST"] == "stats" and os.environ.get("JSS_MUTATION_HITS_DIR"):
        _relay_hits(os.environ["JSS_MUTATION_HITS_DIR"])
