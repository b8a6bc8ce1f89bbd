"""The background writer of Allure result files: same files as allure-pytest's logger, all on disk when the
run ends, write errors not lost, allure's plugin manager left as it was."""

from __future__ import annotations

import json
import threading

import allure_commons
import pytest
from allure_commons.logger import AllureFileLogger

from conformance.harness.allure_writer import BackgroundWriter


class _RecordingLogger:
    """Records which thread wrote what."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[tuple[str, object, str]] = []
        self.fail_on = fail_on

    def _record(self, kind: str, item: object) -> None:
        if kind == self.fail_on:
            raise OSError(f"cannot write {kind}")
        self.calls.append((kind, item, threading.current_thread().name))

    def report_result(self, result):
        self._record("result", result)

    def report_container(self, container):
        self._record("container", container)

    def report_attached_data(self, body, file_name):
        self._record("data", (body, file_name))

    def report_attached_file(self, source, file_name):
        self._record("file", (source, file_name))

    def report_globals(self, globals_item):
        self._record("globals", globals_item)


def test_harness_allure_writer_queues_results_and_writes_attachments_at_once():
    logger = _RecordingLogger()
    writer = BackgroundWriter(logger)
    writer.report_attached_data(b"exchange", "a-attachment.txt")
    writer.report_container("c1")
    writer.report_result("r1")
    writer.report_container("c2")
    writer.close()
    here = threading.current_thread().name
    assert logger.calls[0] == ("data", (b"exchange", "a-attachment.txt"), here)
    assert [(kind, item) for kind, item, _ in logger.calls[1:]] == [
        ("container", "c1"), ("result", "r1"), ("container", "c2")
    ]
    assert {thread for _, _, thread in logger.calls[1:]} == {"jss-allure-writer"}
    writer.close()  # closing twice is harmless


def test_harness_allure_writer_reraises_a_write_error_at_close():
    writer = BackgroundWriter(_RecordingLogger(fail_on="result"))
    writer.report_result("r1")
    with pytest.raises(OSError, match="cannot write result"):
        writer.close()


CASE = """
import allure_commons
import pytest

from conformance.harness.allure_writer import BackgroundWriter

@pytest.fixture
def resource():
    yield "r"

def test_with_fixture(resource):
    assert resource == "r"

def test_fails():
    assert 1 == 2

def test_writer_in_place():
    assert any(isinstance(p, BackgroundWriter) for p in allure_commons.plugin_manager.get_plugins())
"""


def _writers(manager) -> set:
    """The file loggers and background writers registered (allure-pytest leaves its title helpers)."""
    return {p for p in manager.get_plugins() if isinstance(p, AllureFileLogger | BackgroundWriter)}


def test_harness_allure_writer_same_files_and_manager_restored(pytester: pytest.Pytester):
    manager = allure_commons.plugin_manager
    outer = AllureFileLogger(str(pytester.path / "outer-results"))  # another run's logger: not replaced
    manager.register(outer)
    try:
        before = _writers(manager)
        pytester.makepyfile(test_written=CASE)
        result = pytester.runpytest_inprocess("--alluredir", "allure", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=2, failed=1)
        assert _writers(manager) == before  # this run's logger unregistered as usual, no writer left
    finally:
        manager.unregister(outer)
    directory = pytester.path / "allure"
    results = [json.loads(p.read_text()) for p in directory.glob("*-result.json")]
    containers = [json.loads(p.read_text()) for p in directory.glob("*-container.json")]
    statuses = {(r["name"], r["status"]) for r in results}
    assert statuses == {
        ("test_with_fixture", "passed"), ("test_fails", "failed"), ("test_writer_in_place", "passed")
    }
    passed = next(r["uuid"] for r in results if r["name"] == "test_with_fixture")
    assert any(
        c["befores"][0]["name"] == "resource" and passed in c.get("children", []) for c in containers
    )
    assert not list(directory.glob("*.tmp"))
