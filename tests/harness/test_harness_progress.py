"""Progress lines (conformance.harness.progress): the interval by kind of output (terminal 5 s, log or CI
30 s), bytes done, rate and ETA, never a control character. A fake clock, no sleeping."""

from __future__ import annotations

import io

import pytest

from conformance.cases.streams import MIB
from conformance.harness.progress import (
    LOG_INTERVAL,
    PREFIX,
    TERMINAL_INTERVAL,
    Progress,
    interval_for,
    is_ci,
    progress_line,
    seconds_text,
    size_text,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "environ", "expected"), [
    (Tty(), {}, TERMINAL_INTERVAL),
    (Tty(), {"CI": "true"}, LOG_INTERVAL),
    (Tty(), {"CI": "false"}, TERMINAL_INTERVAL),
    (io.StringIO(), {}, LOG_INTERVAL),
    (object(), {}, LOG_INTERVAL),
])
def test_interval_by_kind_of_output(stream, environ, expected):
    assert interval_for(stream, environ) == expected
    assert (TERMINAL_INTERVAL, LOG_INTERVAL) == (5.0, 30.0)


def test_ci_values():
    assert is_ci({"CI": "TRUE"}) and is_ci({"CI": "1"}) and not is_ci({}) and not is_ci({"CI": "0"})


def test_sizes_and_durations():
    assert [size_text(n) for n in (512, 2048, 3 * MIB // 2, 5 * 1024 * MIB)] == [
        "512 B", "2.0 KiB", "1.5 MiB", "5.0 GiB"]
    assert [seconds_text(s) for s in (4.4, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]


def test_line_with_a_total_has_share_rate_and_eta():
    line = progress_line("large", 96 * MIB, 1024 * MIB, 2.0)
    assert line == (f"{PREFIX}large: 96.0 MiB of 1.0 GiB (9%), 48.0 MiB/s, ETA 19 s, 2 s elapsed")


def test_line_without_a_total_or_when_done_has_no_eta():
    assert "ETA" not in progress_line("sdk s", 10 * MIB, None, 5.0)
    assert "of" not in progress_line("sdk s", 10 * MIB, None, 5.0).removeprefix(PREFIX)
    done = progress_line("sdk s", 12 * MIB, 10 * MIB, 5.0)  # a retried part: more received than the size
    assert "(100%)" in done and "ETA" not in done and "/s" not in done
    assert "ETA unknown" in progress_line("sdk s", 0, 10 * MIB, 5.0)


def test_prints_only_once_the_interval_has_passed():
    clock, written = Clock(), []
    progress = Progress("large", 100 * MIB, written.append, TERMINAL_INTERVAL, clock)
    clock.now += 4.9
    assert progress.update(10 * MIB) is False and written == []
    clock.now += 0.1
    assert progress.update(add=15 * MIB) is True
    assert written == [progress_line("large", 25 * MIB, 100 * MIB, 5.0)]
    clock.now += 4.0
    assert progress.update(add=MIB) is False
    clock.now += 1.0
    assert progress.update() is True and len(written) == 2
    assert "26.0 MiB of 100.0 MiB (26%)" in written[-1] and progress.elapsed == 10.0


def test_log_interval_lines_are_plain():
    clock, written = Clock(), []
    progress = Progress("sdk multipart-standard", 64 * MIB, written.append, LOG_INTERVAL, clock)
    for second in range(1, 91):
        clock.now += 1
        progress.update(second * MIB // 2)
    assert len(written) == 3  # at 30, 60 and 90 s
    for line in written:
        assert line.isprintable() and "\x1b" not in line and "\r" not in line
