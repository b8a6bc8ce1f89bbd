"""`jss-conformance sign`: the documented vectors from the command line, every vector through --json, and
usage errors (one line on stderr, exit status 2, no traceback, never the secret)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.signing import parse_http_date

HEADER_AK = "qbS5QXpLORrvdrmb"
HEADER_SK = "1MYaiNh3NeN9SuxaqFjSrc7I49rWKkQCxpl9eLNZ"
OFFICIAL_HEADER_ARGS = [
    "sign", "--method", "PUT", "--resource", "/oss-test/sign.txt",
    "--header", "Content-MD5: 0c791a8c18017c7ad1675936d12bae5d", "--header", "Content-Type: text/plain",
    "--header", "x-jss-server-side-encryption:  false", "--date", "Thu, 13 Jul 2017 02:37:31 GMT",
    "--access-key", HEADER_AK, "--secret-key", HEADER_SK,
]
OFFICIAL_STRING_TO_SIGN = (
    "PUT\\n0c791a8c18017c7ad1675936d12bae5d\\ntext/plain\\nThu, 13 Jul 2017 02:37:31 GMT\\n"
    "x-jss-server-side-encryption:false\\n/oss-test/sign.txt"
)
URL_AK = "9c379f079214447fad2959c4621cd6feVb797oH1"
URL_SK = "41oUzT1opT69jpedWVg1vFTb31FvrewWSXnnZ7i1"
OFFICIAL_URL_ARGS = [
    "sign", "--method", "GET", "--resource", "/mybucket/index.html", "--expires", "1369191796",
    "--access-key", URL_AK, "--secret-key", URL_SK, "--host", "s.jcloud.com",
]
OFFICIAL_URL_QUERY = f"Expires=1369191796&AccessKey={URL_AK}&Signature=mBb1uuC3y2GeyeqlW5%2BgN%2Ftla6s%3D"

#: The documented vectors in process: the arguments, the secret never printed, and the `label: value` lines
#: printed (None: no such line).
OFFICIAL_VECTORS_PRINTED = {
    "header": (
        OFFICIAL_HEADER_ARGS,
        HEADER_SK,
        {
            "canonical headers": "x-jss-server-side-encryption:false\\n",
            "canonical resource": "/oss-test/sign.txt",
            "string to sign": OFFICIAL_STRING_TO_SIGN,
            "signature": "xvj2Iv7WcSwnN26XYnTq/c2YBQs=",
            "Authorization": f"jingdong {HEADER_AK}:xvj2Iv7WcSwnN26XYnTq/c2YBQs=",
        },
    ),
    "presigned": (
        OFFICIAL_URL_ARGS,
        URL_SK,
        {
            "string to sign": "GET\\n\\n\\n1369191796\\n/mybucket/index.html",
            "signature": "mBb1uuC3y2GeyeqlW5+gN/tla6s=",
            "signed URL query": OFFICIAL_URL_QUERY,
            "signed URL": f"http://s.jcloud.com/mybucket/index.html?{OFFICIAL_URL_QUERY}",
            "Authorization": None,
        },
    ),
}


def run_cli(argv: list[str]) -> int:
    """conformance.cli.main, with argparse's SystemExit turned into its status."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def console_script() -> str:
    """The installed `jss-conformance` script of this interpreter's environment."""
    beside = Path(sysconfig.get_path("scripts")) / "jss-conformance"
    found = str(beside) if beside.exists() else shutil.which("jss-conformance")
    assert found, "the jss-conformance console script is not installed (pip install -e .)"
    return found


def run_subprocess(
    argv: list[str], env: dict[str, str] | None = None, *, module: bool = False
) -> subprocess.CompletedProcess:
    """Run the command in a child process: the console script, or `python -m conformance.cli`."""
    command = [sys.executable, "-m", "conformance.cli"] if module else [console_script()]
    return subprocess.run(
        [*command, *argv], capture_output=True, text=True, encoding="utf-8", timeout=60, env=env, check=False
    )


def labelled(output: str) -> dict[str, str]:
    """The `label: value` lines of the text output (the raw string-to-sign block is skipped)."""
    values = {}
    for line in output.splitlines():
        label, sep, value = line.partition(":")
        if sep and label and not label.startswith(" ") and label not in values:
            values[label] = value.strip()
    return values


@pytest.mark.parametrize(
    ("argv", "secret", "expected"), OFFICIAL_VECTORS_PRINTED.values(), ids=OFFICIAL_VECTORS_PRINTED.keys()
)
def test_official_vector_in_process(capsys, argv, secret, expected):
    assert run_cli(argv) == 0
    out, err = capsys.readouterr()
    fields = labelled(out)
    assert {label: fields.get(label) for label in expected} == expected
    assert secret not in out + err


def test_official_header_vector_prints_the_raw_string_to_sign(capsys):
    assert run_cli(OFFICIAL_HEADER_ARGS) == 0
    out = capsys.readouterr().out
    raw = OFFICIAL_STRING_TO_SIGN.replace("\\n", "\n")
    assert f"-----\n{raw}\n-----" in out


@pytest.mark.parametrize("module", [False, True], ids=["console-script", "python-m"])
def test_official_header_vector_in_a_subprocess(module):
    result = run_subprocess(OFFICIAL_HEADER_ARGS, module=module)
    assert result.returncode == 0, result.stderr
    assert labelled(result.stdout)["Authorization"] == f"jingdong {HEADER_AK}:xvj2Iv7WcSwnN26XYnTq/c2YBQs="
    assert HEADER_SK not in result.stdout + result.stderr


def test_official_presigned_vector_in_a_subprocess_with_the_secret_from_the_environment():
    argv = [arg for arg in OFFICIAL_URL_ARGS if arg not in ("--secret-key", URL_SK)]
    env = {**os.environ, "JSSC_TEST_SECRET": URL_SK}
    result = run_subprocess([*argv, "--secret-key-env", "JSSC_TEST_SECRET"], env=env)
    assert result.returncode == 0, result.stderr
    assert labelled(result.stdout)["signed URL query"] == OFFICIAL_URL_QUERY
    assert URL_SK not in result.stdout + result.stderr


def test_a_pasted_presigned_url_is_signed_afresh(capsys):
    argv = [*OFFICIAL_URL_ARGS]
    argv[argv.index("/mybucket/index.html")] = "/mybucket/index.html?Expires=1&AccessKey=x&Signature=old"
    assert run_cli(argv) == 0
    fields = labelled(capsys.readouterr().out)
    assert fields["canonical resource"] == "/mybucket/index.html"
    assert fields["signed URL"] == f"http://s.jcloud.com/mybucket/index.html?{OFFICIAL_URL_QUERY}"


def test_without_date_the_current_time_is_signed_and_printed(capsys):
    argv = ["sign", "--method", "GET", "--resource", "/b/k", "--access-key", "AK", "--secret-key", "SK"]
    argv.append("--json")
    assert run_cli(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["date_generated"] is True
    assert report["string_to_sign"] == f"GET\n\n\n{report['date']}\n/b/k"
    assert parse_http_date(report["date"]) == pytest.approx(time.time(), abs=60)


def test_a_date_header_is_used_when_no_date_option(capsys):
    date_header = "date:  Mon, 01 Jan 2024 00:00:00 GMT "
    argv = ["sign", "--method", "GET", "--resource", "/b", "--header", date_header,
            "--access-key", "AK", "--secret-key", "SK", "--json"]
    assert run_cli(argv) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["date"], report["date_generated"]) == ("Mon, 01 Jan 2024 00:00:00 GMT", False)
    assert err == ""


def test_a_date_that_is_not_an_http_date_is_signed_with_a_warning(capsys):
    argv = ["sign", "--method", "GET", "--resource", "/b", "--date", "yesterday", "--access-key", "AK",
            "--secret-key", "SK", "--json"]
    assert run_cli(argv) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["string_to_sign"] == "GET\n\n\nyesterday\n/b"
    assert len(err.splitlines()) == 1 and err.startswith("warning:")


def command_argv(vector) -> list[str]:
    """The `sign` arguments that describe a stored vector (virtual-host targets turned path style)."""
    request, context = vector.request, vector.context
    target = request.target
    if vector.host_bucket:
        target = f"/{vector.host_bucket}{target}"
    argv = ["sign", "--method", request.method, "--resource", target, "--json",
            "--access-key", context["access_key"], "--secret-key", context["secret_key"]]
    for name, value in request.headers:
        argv += ["--header", f"{name}:{value}"]
    if vector.presigned:
        argv += ["--expires", str(context["expires"])]
    return argv


def test_every_vector_through_the_command(vector_id, load_vector, capsys):
    vector = load_vector(vector_id)
    assert run_cli(command_argv(vector)) == 0
    report = json.loads(capsys.readouterr().out)
    for stage in ("canonical-headers", "canonical-resource", "string-to-sign", "signature"):
        assert report[stage.replace("-", "_")] == vector.expected(stage), f"stage {stage} diverges"
    if vector.presigned:
        assert vector.expected("signed-url").endswith(report["signed_url_query"])
    else:
        assert report["authorization"] == vector.expected("authorization")
    assert ("secret_key" not in report) and (vector.context["secret_key"] not in json.dumps(report))


BASE = ["sign", "--method", "GET", "--access-key", "AK", "--secret-key", "TopSecretValue"]
USAGE_ERRORS = {
    "no-resource": BASE,
    "no-method": ["sign", "--resource", "/b", "--access-key", "AK", "--secret-key", "TopSecretValue"],
    "no-secret": ["sign", "--method", "GET", "--resource", "/b", "--access-key", "AK"],
    "date-and-expires": [*BASE, "--resource", "/b", "--date", "Mon, 01 Jan 2024 00:00:00 GMT",
                         "--expires", "1"],
    "header-without-colon": [*BASE, "--resource", "/b", "--header", "x-jss-meta-a true"],
    "header-name-with-space": [*BASE, "--resource", "/b", "--header", "x jss: 1"],
    "resource-without-slash": [*BASE, "--resource", "b/k"],
    "resource-empty": [*BASE, "--resource", ""],
    "expires-not-integer": [*BASE, "--resource", "/b", "--expires", "tomorrow"],
    "expires-negative": [*BASE, "--resource", "/b", "--expires", "-1"],
    "date-empty": [*BASE, "--resource", "/b", "--date", ""],
    "access-key-empty": ["sign", "--method", "GET", "--resource", "/b", "--access-key", " ",
                         "--secret-key", "x"],
    "key-not-utf8": [*BASE, "--resource", "/b/%FF"],
    "bad-method": ["sign", "--method", "GE T", "--resource", "/b", "--access-key", "AK", "--secret-key", "x"],
    "date-differs-from-header": [*BASE, "--resource", "/b", "--date", "Mon, 01 Jan 2024 00:00:00 GMT",
                                 "--header", "Date: Mon, 01 Jan 2024 00:00:01 GMT"],
    "secret-twice": [*BASE, "--resource", "/b", "--secret-key-env", "HOME"],
    "secret-env-unset": ["sign", "--method", "GET", "--resource", "/b", "--access-key", "AK",
                         "--secret-key-env", "JSSC_TEST_DEFINITELY_UNSET"],
}


@pytest.mark.parametrize("argv", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_error_is_one_line_and_status_2(argv, capsys):
    assert run_cli(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "TopSecretValue" not in err


@pytest.mark.parametrize("case", ["no-resource", "date-and-expires", "header-without-colon",
                                  "resource-without-slash", "expires-not-integer"])
def test_usage_error_in_a_subprocess(case):
    env = {key: value for key, value in os.environ.items() if key != "JSSC_TEST_DEFINITELY_UNSET"}
    result = run_subprocess(USAGE_ERRORS[case], env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "TopSecretValue" not in result.stderr
