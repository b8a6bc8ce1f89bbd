"""Where a stop signal takes effect in a process that runs cases, so that every report tells one truth.

Registered in every conformance run (serial run, xdist controller and workers, forked workers), this plugin
object sets the sections of the handler (conformance.harness.signals):

- a signal during a case's *setup or call* stops that phase at once; the phase fails with
  :class:`conformance.outcomes.Interrupted` in place of the KeyboardInterrupt, so pytest makes a report of
  it like of any phase: the plugin classifies it INTERRUPTED (reported as skipped with the reason
  ``INTERRUPTED: interrupted by SIGTERM ...``), pytest's summary line counts it as ``INTERRUPTED`` (never
  ``passed``), JUnit records ``<skipped message="INTERRUPTED: ...">``, Allure gets the outcome's status, and
  the case's teardown, its cleanup, runs as usual;
- a signal during a case's *teardown* (its cleanup) or between its phases waits until the case is over, so
  that the cleanup is not cut short and the case keeps the verdict it reached;
- after the case the run stops (``session.shouldstop``): pytest ends the session as interrupted
  (sessionfinish, the sweep, results.json), an xdist worker ends its session and its controller its loop;
- an xdist worker defers a signal outside its cases too (one raised while it waits for its next case would
  end it in a way xdist reports as a crash of that case);
- the controller defers a signal from its configuration to the start of collection (the endpoint it starts
  and the xdist workers it spawns are stopped properly then), except during its own start of the embedded
  endpoint and the preflight, which stop at once (see the plugin's sessionstart);
- xdist's controller defers it while the workers run (they got the signal and stop after their case; xdist
  then ends its loop having received their reports), at most ``INTERRUPT_GRACE`` seconds;
- from the session's finish on (the last finalizers, the sweep, the reports) a signal is only noted.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from conformance import outcomes as oc
from conformance.harness.signals import InterruptHandler

#: Seconds xdist's controller waits for its interrupted workers before it stops them itself.
INTERRUPT_GRACE = 120.0


def in_flight_message(reason: str) -> str:
    """The message of a case a signal stopped: ``interrupted by SIGTERM while this case was running: ...``."""
    return f"{reason} while this case was running: no verdict"


class CaseInterruption:
    """Per-run plugin object (``jss_case_interruption``): reads the handler from the run's state."""

    def __init__(self, state) -> None:
        self.state = state

    @property
    def handler(self) -> InterruptHandler | None:
        """The run's handler in this process (None: not installed, e.g. not a conformance run)."""
        return self.state.interrupt_handler

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        """The controller: a signal that came during the start of the session stops the run here; from now
        on one stops it at once (outside the sections below)."""
        handler = self.handler
        if handler is None or self.state.is_worker:
            return
        handler.check()
        handler.deferred = False

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """xdist's controller: a signal is passed on to the workers and waits for them (see the module)."""
        handler = self.handler
        if handler is None or self.state.is_worker or not session.config.pluginmanager.has_plugin("dsession"):
            return (yield)
        with handler.deferring(grace=INTERRUPT_GRACE):
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, object, object]:
        """The session's last cleanup and the reports: a signal now is only noted (the run ends anyway)."""
        if self.handler is not None:
            self.handler.deferred = True
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem) -> Generator[None, object, object]:
        """A signal that came during a case (or before it: its setup stops at once) stops the session when
        the case is over: ``session.shouldstop``, which pytest, xdist's worker and controller and the forked
        workers all obey without calling it a crash."""
        handler = self.handler
        if handler is None:
            return (yield)
        with handler.deferring():
            result = yield
        if handler.received and not item.session.shouldstop:
            item.session.shouldstop = handler.reason
        return result

    # The innermost wrappers (trylast): the other plugins' wrappers (capture, logging, Allure) run as for any
    # phase and see an ordinary failure, Interrupted, never the KeyboardInterrupt.

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        """A signal during the setup stops it: the phase fails with Interrupted."""
        return (yield from self._stoppable())

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """A signal during the call stops it: the phase fails with Interrupted."""
        return (yield from self._stoppable())

    def _stoppable(self) -> Generator[None, None, None]:
        handler = self.handler
        if handler is None:
            return (yield)
        try:
            with handler.raising():
                return (yield)
        except KeyboardInterrupt:
            if not handler.received:
                raise  # not a signal of ours: pytest's own handling
            raise oc.Interrupted(in_flight_message(handler.reason)) from None
