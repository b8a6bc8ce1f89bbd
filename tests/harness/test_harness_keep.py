"""`--jss-keep`: the run leaves its objects and uploads, and its last lines give the sweep command that
removes them, runnable as printed (with the run's --target)."""

from __future__ import annotations

import shlex

from harness_helpers import NORTH_BUCKET, list_all_objects, run_cli

from conformance import operations as ops

KEPT = "--jss-keep: objects left under "
CASE = "test_complete_object_has_initiate_content_type"


def _under(client, prefix: str) -> tuple[list[str], list[str]]:
    """(the keys, the keys of the uploads) left in the north bucket under `prefix`."""
    keys = [key for key in list_all_objects(client, NORTH_BUCKET) if key.startswith(prefix)]
    uploads = [u.key for u in ops.list_uploads(client, NORTH_BUCKET).uploads if u.key.startswith(prefix)]
    return keys, uploads


def test_harness_keep_prints_a_sweep_command_that_runs_as_printed(endpoint, tmp_path):
    client = endpoint.client("cn-north-1")
    profile = endpoint.profile(tmp_path)

    run = run_cli(
        ["run", "--target", str(profile), "--jss-keep", "-p", "no:cacheprovider", "-k", CASE], tmp_path
    )

    kept = [line for line in run.stdout.splitlines() if line.startswith(KEPT)]
    assert run.status == 0 and len(kept) == 1, run.stdout[-2000:]
    folder, said, command = kept[0].removeprefix(KEPT).partition("; remove them with: ")
    assert said, kept[0]
    assert any(_under(client, folder)), "the test needs something left behind"
    argv = shlex.split(command)
    assert argv[:2] == ["jss-conformance", "sweep"] and argv[argv.index("--target") + 1] == str(profile)

    swept = run_cli(argv[1:], tmp_path)

    assert swept.status == 0, swept.stdout + swept.stderr
    assert _under(client, folder) == ([], [])


def test_harness_keep_on_the_embedded_endpoint_offers_no_sweep(tmp_path):
    run = run_cli(["run", "--jss-keep", "-p", "no:cacheprovider", "-k", CASE], tmp_path)

    kept = [line for line in run.stdout.splitlines() if line.startswith("--jss-keep: ")]
    assert run.status == 0 and len(kept) == 1, run.stdout[-2000:]
    assert "embedded endpoint" in kept[0] and "jss-conformance sweep" not in kept[0]
