"""The bounds of the testbench rooms (``--faults``, ``--record``): fault-script size and counts, the record
file's size and rotation, the wrong-signature diagnosis's workers and its share per client access key.

Each is an option of ``serve`` (see `add_testbench_options`); the defaults are documented in README
("Fault scripts", "The request record").
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class TestbenchLimits:
    """The bounds of the fault scripts and of the record (bytes, counts)."""

    __test__ = False  # not a pytest class, whatever its name

    fault_script_max_bytes: int = 64 * 1024  # one script document; larger: 400 InvalidScript
    fault_scripts_per_bucket: int = 100  # armed at once on one bucket; more: 400 TooManyScripts
    fault_scripts_total: int = 1000  # armed at once on the server; more: 400 TooManyScripts
    record_max_bytes: int = 64 * 1024 * 1024  # the record file is rotated before it grows past this
    record_keep: int = 3  # rotated files kept (FILE.1 newest ... FILE.N oldest)
    diagnosis_workers: int = 2  # threads diagnosing recorded requests, off the event loop
    diagnosis_queue_per_key: int = 8  # requests of one access key waiting for (or in) diagnosis

    def check(self) -> str | None:
        """The first bad value as a one-line message, or None."""
        for name in ("fault_script_max_bytes", "fault_scripts_per_bucket", "fault_scripts_total",
                     "record_max_bytes", "diagnosis_workers", "diagnosis_queue_per_key"):
            if getattr(self, name) < 1:
                return f"--{name.replace('_', '-')} must be at least 1"
        if self.record_keep < 0:
            return "--record-keep must not be negative"
        return None


def add_testbench_options(parser: argparse.ArgumentParser) -> None:
    """Add the testbench bounds' options (defaults: `TestbenchLimits`)."""
    defaults = TestbenchLimits()
    group = parser.add_argument_group("testbench bounds (--faults, --record)")
    group.add_argument(
        "--fault-script-max-bytes", type=int, default=defaults.fault_script_max_bytes, metavar="BYTES",
        help="largest fault script document; a larger one is 400 InvalidScript (default %(default)d)",
    )
    group.add_argument(
        "--fault-scripts-per-bucket", type=int, default=defaults.fault_scripts_per_bucket, metavar="N",
        help="fault scripts armed at once on one bucket; one more is 400 TooManyScripts "
        "(default %(default)d)",
    )
    group.add_argument(
        "--fault-scripts-total", type=int, default=defaults.fault_scripts_total, metavar="N",
        help="fault scripts armed at once on the server; one more is 400 TooManyScripts "
        "(default %(default)d)",
    )
    group.add_argument(
        "--record-max-bytes", type=int, default=defaults.record_max_bytes, metavar="BYTES",
        help="rotate the --record file before it grows past this (default %(default)d)",
    )
    group.add_argument(
        "--record-keep", type=int, default=defaults.record_keep, metavar="N",
        help="rotated record files kept, FILE.1 (newest) to FILE.N; 0 keeps none (default %(default)d)",
    )
    group.add_argument(
        "--diagnosis-workers", type=int, default=defaults.diagnosis_workers, metavar="N",
        help="threads diagnosing the recorded requests, off the event loop (default %(default)d)",
    )
    group.add_argument(
        "--diagnosis-queue-per-key", type=int, default=defaults.diagnosis_queue_per_key, metavar="N",
        help="requests of one access key waiting for diagnosis; beyond, a request is recorded with "
        '"diagnosis": "skipped" (default %(default)d)',
    )


def testbench_limits_from_args(args: argparse.Namespace) -> TestbenchLimits:
    """The TestbenchLimits of parsed options (not checked: see `TestbenchLimits.check`)."""
    return TestbenchLimits(**{name: getattr(args, name) for name in TestbenchLimits.__dataclass_fields__})
