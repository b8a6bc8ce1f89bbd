"""Staging over TLS: `serve --tls-cert/--tls-key` serves HTTPS with a CA of the test's own making, and the
suite reaches it through the profile's [tls] ca_bundle, or REQUESTS_CA_BUNDLE; without the CA the run stops
INFRA_ERROR (exit status 3) with one line naming the certificate problem. `--tls-client-ca` asks for a
client certificate, which the profile's client_cert / client_key give. Every HTTP path takes the settings: the
cases' clients, the preflight (with the [alt] account), the sweep command, the post-interrupt sweep and the
`-n auto` probe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness_helpers import (
    ACCESS_KEY,
    ALT_ACCESS_KEY,
    ALT_PROFILE_LINES,
    ALT_SECRET_KEY,
    SECRET_KEY,
    clean_env,
    run_cli,
    serve,
)
from tls_helpers import Pki, make_pki

from conformance.errorline import PREFIX
from conformance.harness.auto_workers import probe_rtt
from conformance.harness.interruption import sweep_run_folder
from conformance.target import load_profile

NORTH, EAST = "tls-north", "tls-east"
USERS = [("harness", ACCESS_KEY, SECRET_KEY), ("harness-alt", ALT_ACCESS_KEY, ALT_SECRET_KEY)]
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")
RUN_FOLDER = "jssc-20260101T000000-abcdef/"
FAMILY = ["-p", "no:cacheprovider", "--jss-family", "region-limit"]


def _env(**extra: str) -> dict[str, str]:
    """The harness environment without any CA variable of the caller's, plus `extra`."""
    env = {name: value for name, value in clean_env().items() if name not in CA_VARIABLES}
    return env | extra


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _served(folder: Path, pki: Pki, *extra: str):
    buckets = ["--bucket", f"{NORTH}@cn-north-1", "--bucket", f"{EAST}@cn-east-2"]
    tls = ["--tls-cert", str(pki.server_cert), "--tls-key", str(pki.server_key)]
    return serve(folder, "--data-dir", str(folder / "data"), *buckets, *tls, *extra, users=USERS)


@pytest.fixture(scope="module")
def https(tmp_path_factory, pki) -> Iterator[dict[str, str]]:
    """The endpoints (region -> https URL) of a `serve --tls-cert --tls-key` on free loopback ports."""
    with _served(tmp_path_factory.mktemp("https"), pki) as reference:
        yield reference.endpoints


@pytest.fixture(scope="module")
def https_client_cert(tmp_path_factory, pki) -> Iterator[dict[str, str]]:
    """The same, started with --tls-client-ca: a client certificate is required."""
    with _served(tmp_path_factory.mktemp("mtls"), pki, "--tls-client-ca", str(pki.client_ca)) as reference:
        yield reference.endpoints


def _profile(folder: Path, endpoints: dict[str, str], *tls_lines: str) -> Path:
    """A profile of both buckets and the [alt] account; `tls_lines` go into a [tls] table."""
    lines = [
        'name = "tls"', f'endpoint = "{endpoints["cn-north-1"]}"', 'dialect = "jss"',
        "[credentials]", 'access_key_env = "HARNESS_ACCESS_KEY"', 'secret_key_env = "HARNESS_SECRET_KEY"',
        *ALT_PROFILE_LINES,
        "[[buckets]]", f'name = "{NORTH}"', 'region = "cn-north-1"',
        "[[buckets]]", f'name = "{EAST}"', 'region = "cn-east-2"', f'endpoint = "{endpoints["cn-east-2"]}"',
    ]
    if tls_lines:
        lines += ["[tls]", *tls_lines]
    path = folder / "tls.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ca_lines(folder: Path, pki: Pki) -> tuple[str, ...]:
    """`ca_bundle` relative to the profile's folder (a copy of the CA next to it)."""
    (folder / "staging-ca.pem").write_bytes(pki.ca.read_bytes())
    return ('ca_bundle = "staging-ca.pem"',)


def _assert_all_pass(run) -> None:
    outcomes = set(run.outcomes().values())
    assert (run.status, outcomes) == (0, {"PASS"}), run.stdout[-3000:] + run.stderr[-1000:]
    assert run.results["run"]["endpoint"].startswith("https://127.0.0.1:")


def test_harness_the_suite_runs_over_tls_with_the_profiles_ca(tmp_path, pki, https):
    profile = _profile(tmp_path, https, *_ca_lines(tmp_path, pki))

    run = run_cli(["run", "--target", str(profile), *FAMILY], tmp_path, _env())

    _assert_all_pass(run)
    assert len(run.outcomes()) >= 2  # the region-limit cases (each observes through three operations)


def test_harness_without_the_ca_the_run_is_one_infra_error_naming_the_certificate(tmp_path, https):
    profile = _profile(tmp_path, https)

    run = run_cli(["run", "--target", str(profile), *FAMILY], tmp_path, _env())

    assert run.status == 3, run.stdout[-3000:] + run.stderr[-1000:]
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "certificate verify failed" in line]
    assert lines and all("INFRA_ERROR" in line for line in lines), run.stdout[-3000:] + run.stderr[-1000:]
    assert [case["outcome"] for case in run.results["cases"]] == ["INFRA_ERROR"]
    assert "certificate verify failed" in run.results["cases"][0]["message"]


def test_harness_requests_ca_bundle_is_honoured_without_a_profile_key(tmp_path, pki, https):
    profile = _profile(tmp_path, https)

    run = run_cli(["run", "--target", str(profile), *FAMILY], tmp_path, _env(REQUESTS_CA_BUNDLE=str(pki.ca)))

    _assert_all_pass(run)


def test_harness_sweep_command_over_tls(tmp_path, pki, https):
    sweep = ["sweep", "--prefix", RUN_FOLDER, "--target"]
    trusted = _profile(tmp_path, https, *_ca_lines(tmp_path, pki))
    good = run_cli([*sweep, str(trusted)], tmp_path, _env())
    bare = tmp_path / "bare"
    bare.mkdir()
    refused = run_cli([*sweep, str(_profile(bare, https))], tmp_path, _env())

    assert good.status == 0 and good.stdout.count("removed 0 upload(s)") == 2, good.stdout + good.stderr
    assert refused.status == 3 and "certificate verify failed" in refused.stderr, refused.stderr


def test_harness_post_interrupt_sweep_and_auto_probe_use_the_profiles_ca(tmp_path, pki, https):
    trusted = load_profile(_profile(tmp_path, https, *_ca_lines(tmp_path, pki)), _env())
    bare = tmp_path / "bare"
    bare.mkdir()
    untrusted = load_profile(_profile(bare, https), _env())

    assert sweep_run_folder(trusted, RUN_FOLDER.rstrip("/"), timeout=10).problems == []
    problems = sweep_run_folder(untrusted, RUN_FOLDER.rstrip("/"), timeout=10).problems
    assert len(problems) == 2 and all("certificate verify failed" in problem for problem in problems)
    assert probe_rtt(trusted.endpoint, tls=trusted.tls) is not None
    assert probe_rtt(untrusted.endpoint, tls=untrusted.tls) is None


def test_harness_a_client_certificate_from_the_profile(tmp_path, pki, https_client_cert):
    ca = _ca_lines(tmp_path, pki)
    client = (f'client_cert = "{pki.client_cert}"', f'client_key = "{pki.client_key}"')
    with_cert = _profile(tmp_path, https_client_cert, *ca, *client)
    run = run_cli(["run", "--target", str(with_cert), *FAMILY], tmp_path, _env())
    _assert_all_pass(run)

    without = tmp_path / "without"
    without.mkdir()
    refused = run_cli(
        ["run", "--target", str(_profile(without, https_client_cert, *_ca_lines(without, pki))), *FAMILY],
        without, _env(),
    )
    assert refused.status == 3 and [c["outcome"] for c in refused.results["cases"]] == ["INFRA_ERROR"]


@pytest.mark.parametrize(
    ("tls_lines", "named"),
    [
        (('ca_bundle = "nowhere.pem"',), "ca_bundle"),
        (('ca_bundle = "ca.pem"', 'client_key = "key.pem"'), "client_key"),
        (('ca_file = "ca.pem"',), "ca_file"),
    ],
)
def test_harness_a_bad_tls_table_is_one_line_exit_2(tmp_path, tls_lines, named):
    (tmp_path / "ca.pem").write_text("not used\n", encoding="utf-8")
    profile = _profile(tmp_path, {"cn-north-1": "https://127.0.0.1:9", "cn-east-2": "https://127.0.0.1:9"},
                       *tls_lines)

    run = run_cli(["run", "--target", str(profile), *FAMILY], tmp_path, _env())

    lines = run.stderr.strip().splitlines()
    assert run.status == 2 and len(lines) == 1 and lines[0].startswith(PREFIX), run.stderr
    assert named in lines[0] and "[tls]" in lines[0]


def test_harness_a_ca_variable_naming_nothing_is_one_line_exit_2(tmp_path, https):
    profile = _profile(tmp_path, https)
    missing = tmp_path / "missing-ca.pem"

    run = run_cli(["run", "--target", str(profile), *FAMILY], tmp_path, _env(SSL_CERT_FILE=str(missing)))

    lines = run.stderr.strip().splitlines()
    assert run.status == 2 and len(lines) == 1 and "SSL_CERT_FILE" in lines[0], run.stderr


@pytest.mark.parametrize("broken", ["cert", "client-ca"])
def test_harness_serve_with_an_unusable_tls_file_is_one_line_exit_2(tmp_path, pki, broken):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    cert = junk if broken == "cert" else pki.server_cert
    command = ["serve", "--port", "0", "--tls-cert", str(cert), "--tls-key", str(pki.server_key)]
    if broken == "client-ca":
        command += ["--tls-client-ca", str(junk)]

    run = run_cli(command, tmp_path, _env())

    lines = run.stderr.strip().splitlines()
    assert run.status == 2 and len(lines) == 1 and lines[0].startswith(PREFIX), run.stderr
    assert f"--tls-{broken}" in lines[0]
