"""allure-pytest's result and container files, written by a background thread instead of the test thread.

allure-pytest writes one JSON file per test result and one per fixture container, synchronously, in the hooks
around every case: on a small machine that file-system work is a large share of a case's harness time, and
it sits between the HTTP exchanges. Here the same files (written by the same ``AllureFileLogger``, same names,
same content) are written by one thread while the cases go on; the thread is drained when pytest
unconfigures, before allure-pytest's own cleanup, so every file is on disk when the run ends.

How: allure-pytest's ``pytest_configure`` registers an ``allure_commons.logger.AllureFileLogger`` in
``allure_commons.plugin_manager`` (the public plugin manager of allure's hooks ``report_result``,
``report_container``, ...). :func:`note_loggers` (run before it) and :func:`install` (run after it) find the
logger that configuration added, and put a :class:`BackgroundWriter` in its place that queues the result
and container reports and hands everything else straight through; the cleanup puts the logger back, so
allure-pytest unregisters it as usual. Without exactly one new logger (no ``--alluredir``, another allure
version) nothing changes. allure reports an item only after removing it from its reporter (nothing changes
it afterwards), so writing it a little later gives the same file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import allure_commons
import pytest
from allure_commons.logger import AllureFileLogger

_BEFORE_KEY = pytest.StashKey[set[int]]()
_STOP = object()


def _allure_ready(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "allure_report_dir", None))


def _file_loggers() -> list[AllureFileLogger]:
    return [p for p in allure_commons.plugin_manager.get_plugins() if isinstance(p, AllureFileLogger)]


class BackgroundWriter:
    """Stands in for an ``AllureFileLogger``: queues result and container reports for a writer thread;
    attachments and globals go straight to the logger. :meth:`close` drains the queue and re-raises the
    first error the thread met."""

    def __init__(self, logger: AllureFileLogger) -> None:
        self.logger = logger
        self.restart()

    def _drain(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            if isinstance(job, threading.Event):
                job.set()
                continue
            write, item = job
            try:
                write(item)
            except BaseException as exc:  # noqa: BLE001 - kept and re-raised by close()
                self._errors.append(exc)

    def _later(self, write: Callable[[Any], None], item: Any) -> None:
        self._queue.put((write, item))

    def flush(self) -> None:
        """Wait until everything queued so far is written."""
        if self._thread.is_alive():
            done = threading.Event()
            self._queue.put(done)
            done.wait()

    def restart(self) -> None:
        """Start with an empty queue and a thread of its own (also in a forked process, where the parent's
        thread does not exist)."""
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._drain, name="jss-allure-writer", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Write everything queued (waits for the thread); raise the first write error, if any."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        if self._errors:
            raise self._errors[0]

    # allure_commons hooks (the AllureFileLogger's)
    @allure_commons.hookimpl
    def report_result(self, result: Any) -> None:
        """Queue a test result file."""
        self._later(self.logger.report_result, result)

    @allure_commons.hookimpl
    def report_container(self, container: Any) -> None:
        """Queue a fixture container file."""
        self._later(self.logger.report_container, container)

    @allure_commons.hookimpl
    def report_attached_file(self, source: Any, file_name: str) -> None:
        """Copy an attachment now (its source may go away)."""
        self.logger.report_attached_file(source, file_name)

    @allure_commons.hookimpl
    def report_attached_data(self, body: Any, file_name: str) -> None:
        """Write an attachment now."""
        self.logger.report_attached_data(body, file_name)

    @allure_commons.hookimpl
    def report_globals(self, globals_item: Any) -> None:
        """Write global attachments and errors now."""
        self.logger.report_globals(globals_item)


def _writers() -> list[BackgroundWriter]:
    return [p for p in allure_commons.plugin_manager.get_plugins() if isinstance(p, BackgroundWriter)]


def flush_all() -> None:
    """Wait until every background writer wrote what it has queued (before a fork)."""
    for writer in _writers():
        writer.flush()


def after_fork() -> None:
    """In a forked worker: give every background writer its own queue and thread."""
    for writer in _writers():
        writer.restart()


def close_all() -> None:
    """Write everything queued and stop the writers (a forked worker, before it exits)."""
    for writer in _writers():
        writer.close()


def note_loggers(config: pytest.Config) -> None:
    """Before allure-pytest configures: remember the file loggers that exist already (other runs')."""
    if _allure_ready(config):
        config.stash[_BEFORE_KEY] = {id(logger) for logger in _file_loggers()}


def install(config: pytest.Config) -> BackgroundWriter | None:
    """After allure-pytest configured: put a BackgroundWriter in place of the logger it registered for this
    run (exactly one new one, else nothing changes); undone at cleanup."""
    before = config.stash.get(_BEFORE_KEY, None)
    if before is None:
        return None
    new = [logger for logger in _file_loggers() if id(logger) not in before]
    if len(new) != 1:
        return None
    logger = new[0]
    manager = allure_commons.plugin_manager
    name = manager.get_name(logger)
    writer = BackgroundWriter(logger)
    manager.unregister(logger)
    manager.register(writer)

    def restore() -> None:
        manager.unregister(writer)
        manager.register(logger, name)
        writer.close()

    config.add_cleanup(restore)
    return writer
