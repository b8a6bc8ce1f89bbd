"""Starting and stopping the reference endpoint: the ready line, options, signals, start_reference."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from ref_helpers import EAST, NORTH, USERS, Api, parse_responses, signed_raw_headers, target_of

from conformance.reference.launch import ReferenceStartError, start_reference, write_credentials

READY_KEYS = {"ready", "endpoints", "wires", "data_dir", "pid"}


def spawn(*args: str, command: tuple[str, ...] = (sys.executable, "-m", "conformance.reference")):
    """Start the server as a child process with stdout and stderr captured."""
    return subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_ready(process: subprocess.Popen) -> dict:
    """The parsed ready line."""
    line = process.stdout.readline()
    assert line.endswith("\n")
    return json.loads(line)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> tuple[int, str]:
    """Signal the child, wait, and return its exit status and the rest of its stdout."""
    process.send_signal(sig)
    rest, _ = process.communicate(timeout=20)
    return process.returncode, rest


def free_port_pair() -> int:
    """A port p such that p and p+1 are free now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            with socket.socket() as first, socket.socket() as second:
                first.bind(("127.0.0.1", port))
                second.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free pair of ports")


def test_ready_line_then_clean_stop_on_sigterm(tmp_path):
    process = spawn("--data-dir", str(tmp_path / "d"))
    ready = read_ready(process)
    assert set(ready) == READY_KEYS and ready["ready"] is True
    assert ready["pid"] == process.pid
    assert ready["data_dir"] == str((tmp_path / "d").resolve())
    assert list(ready["endpoints"]) == [NORTH, EAST]
    assert all(url.startswith("http://127.0.0.1:") for url in ready["endpoints"].values())
    assert len(set(ready["endpoints"].values())) == 2
    assert ready["wires"] == {"jss": ready["endpoints"]}  # one wire (the default): its sockets, nothing else
    assert requests.get(ready["endpoints"][NORTH] + "/").status_code == 403
    status, rest = stop(process)
    assert status == 0 and rest == ""  # exactly one line on stdout


def test_sigint_stops_cleanly_and_temporary_data_dir_is_removed():
    process = spawn("--region", "cn-south-1")
    ready = read_ready(process)
    assert list(ready["endpoints"]) == ["cn-south-1"]
    assert Path(ready["data_dir"]).is_dir()
    status, _ = stop(process, signal.SIGINT)
    assert status == 0
    assert not Path(ready["data_dir"]).exists()


def test_port_option_puts_regions_on_consecutive_ports(tmp_path):
    port = free_port_pair()
    process = spawn("--port", str(port), "--data-dir", str(tmp_path))
    ready = read_ready(process)
    assert ready["endpoints"] == {NORTH: f"http://127.0.0.1:{port}", EAST: f"http://127.0.0.1:{port + 1}"}
    assert stop(process)[0] == 0


def test_serve_command_runs_the_server(tmp_path):
    credentials = tmp_path / "users.toml"
    write_credentials(credentials, USERS)
    command = (sys.executable, "-m", "conformance.cli", "serve")
    process = spawn(
        "--credentials",
        str(credentials),
        "--data-dir",
        str(tmp_path / "d"),
        "--region",
        "cn-east-1",
        command=command,
    )
    ready = read_ready(process)
    assert set(ready) == READY_KEYS and list(ready["endpoints"]) == ["cn-east-1"]
    assert stop(process)[0] == 0


@pytest.mark.parametrize("entry", ["module", "serve"])
@pytest.mark.parametrize(
    "args",
    [
        ["--region", "mars-1"],
        ["--region", NORTH, "--region", NORTH],
        ["--deviate", "no-such-deviation"],
        ["--credentials", "/nonexistent/users.toml"],
        ["--credentials", "{bad_toml}"],
        ["--credentials", "{incomplete}"],
        ["--port", "70000"],
        ["--min-part-size", "-1"],
    ],
)
def test_bad_options_are_one_line_and_status_2(tmp_path, entry, args):
    (tmp_path / "bad.toml").write_text("[[users]\nname = ")
    (tmp_path / "incomplete.toml").write_text('[[users]]\nname = "x"\naccess_key = "AK"\n')
    args = [a.format(bad_toml=tmp_path / "bad.toml", incomplete=tmp_path / "incomplete.toml") for a in args]
    prefix = ["-m", "conformance.reference"] if entry == "module" else ["-m", "conformance.cli", "serve"]
    result = subprocess.run([sys.executable, *prefix, *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "error" in result.stderr
    assert "Traceback" not in result.stderr


def test_start_reference_cleans_up_what_it_created():
    process = start_reference(users=USERS, regions=(NORTH,))
    data_dir, credentials = process.data_dir, process.credentials_file
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert list(process.endpoints) == [NORTH]
    Api(process).create_bucket()
    process.stop()
    assert process.process.returncode == 0
    assert not data_dir.exists() and not credentials.exists()


def test_start_reference_keeps_a_given_data_dir_and_its_state(tmp_path):
    with start_reference(users=USERS, data_dir=tmp_path / "kept") as first:
        api = Api(first)
        bucket = api.create_bucket()
        api.put(bucket, "k", b"persisted")
        upload_id = api.initiate(bucket, "pending")
        api.upload_part(bucket, "pending", upload_id, 1, b"part")
    assert (tmp_path / "kept" / "buckets").is_dir()
    with start_reference(users=USERS, data_dir=tmp_path / "kept") as second:
        api = Api(second)
        assert api.call("GET", bucket, "k").content == b"persisted"
        [part] = api.call("GET", bucket, "pending", f"uploadId={upload_id}").json()["Part"]
        assert part["Size"] == 4
        assert [b["Name"] for b in api.call("GET").json()["Buckets"]] == [bucket]


def test_start_failure_reports_the_servers_stderr():
    with pytest.raises(ReferenceStartError) as raised:
        start_reference(users=USERS, regions=("atlantis-1",))
    assert "atlantis-1" in str(raised.value)


def test_builtin_user_when_no_credentials_file():
    from ref_helpers import RefUser

    from conformance.reference.config import BUILTIN_USER

    with start_reference() as process:
        assert process.credentials_file is None
        user = RefUser(BUILTIN_USER.name, BUILTIN_USER.access_key, BUILTIN_USER.secret_key)
        assert Api(process).call("GET", user=user).status_code == 200


def test_child_does_not_inherit_a_stdin(tmp_path):
    # a server started by start_reference never blocks on, or steals, the caller's terminal
    with start_reference(users=USERS, data_dir=tmp_path) as process:
        assert os.readlink(f"/proc/{process.pid}/fd/0") == "/dev/null"


def test_port_in_use_or_unusable_data_dir_is_status_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run(
            [sys.executable, "-m", "conformance.reference", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert busy.returncode == 2 and "cannot listen" in busy.stderr
    (tmp_path / "a-file").write_text("")
    unusable = subprocess.run(
        [sys.executable, "-m", "conformance.reference", "--data-dir", str(tmp_path / "a-file")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert unusable.returncode == 2 and len(unusable.stderr.strip().splitlines()) == 1


def test_service_domain_option_sets_the_virtual_host_suffix(make_reference):
    server = make_reference(extra_args=["--service-domain", "oss.example.test"])
    vhost = Api(server.reference, service_domain="oss.example.test")
    bucket = server.create_bucket()
    assert vhost.call("PUT", bucket, "k", data=b"virtual", virtual_host=True).status_code == 200
    assert server.call("GET", bucket, "k").content == b"virtual"


def test_a_data_dir_serves_one_server_at_a_time(tmp_path):
    with start_reference(users=USERS, data_dir=tmp_path / "shared"):
        second = subprocess.run(
            [sys.executable, "-m", "conformance.reference", "--data-dir", str(tmp_path / "shared")],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert second.returncode == 2 and "another reference endpoint" in second.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_request_lets_it_finish_then_the_server_exits(tmp_path, sig):
    # idle, a signal stops the server at once; with a request in the app, the request is answered first
    with start_reference(users=USERS, data_dir=tmp_path / "d") as process:
        api = Api(process)
        bucket = api.create_bucket()
        target = target_of(bucket, "in-flight")
        body = b"b" * 4096
        head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n"
        parts = urlsplit(api.url())
        with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
            sock.sendall((head + signed_raw_headers("PUT", target) + "\r\n").encode())
            assert b"100 Continue" in sock.recv(4096)  # the app is reading this request's body
            process.process.send_signal(sig)
            sock.sendall(body)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        [response] = parse_responses(received)
        assert response.status == 200
        assert process.process.wait(timeout=20) == 0
    with start_reference(users=USERS, data_dir=tmp_path / "d") as again:
        assert Api(again).call("GET", bucket, "in-flight").content == body
