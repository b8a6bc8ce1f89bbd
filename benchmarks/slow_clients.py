"""Slow clients against the reference endpoint (issue 8): how many idle, half-head and stalled-body
connections it holds while still answering a valid request within a second, and its RSS and threads before,
during and after.

    python benchmarks/slow_clients.py              # 1000 of each kind, the server's default limits
    python benchmarks/slow_clients.py --idle 3000 --stalled 2000 --server-arg=--max-connections=4000

Loopback only; the server is started and stopped by the script (its temporary folders removed); every phase
is bounded (``--time-limit``). Exit status 0 when the valid request was answered within ``--answer-within``
seconds while the connections were held and RSS came back within ``--rss-slack`` of the resting value
after they closed; 1 otherwise (only with ``--check``; without it the script always exits 0 once measured).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance import signing  # noqa: E402
from conformance.reference.launch import start_reference  # noqa: E402

KiB, MiB = 1024, 1024 * 1024
USER = ("bench", "AKSLOWCLIENTS0001", "slow-clients-secret")


def rss_and_threads(pid: int) -> tuple[float, int]:
    """(RSS in MiB, thread count) of a process, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def signed_head(method: str, target: str, extra: str = "") -> bytes:
    """A signed request head for `target` (Host, Date, Authorization, then `extra` header lines)."""
    headers = {"Date": signing.http_date()}
    signed = signing.sign_request(method, signing.resource_from_target(target), headers, USER[1], USER[2])
    lines = [f"{method} {target} HTTP/1.1", "Host: bench", f"Date: {headers['Date']}",
             f"Authorization: {signed.authorization}"]
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setblocking(False)
    return sock


def state_of(sock: socket.socket) -> str:
    """"held" (the server neither closed nor answered), "refused" (answered 503), "answered", "closed"."""
    try:
        first = sock.recv(12, socket.MSG_PEEK)
    except BlockingIOError:
        return "held"
    except OSError:
        return "closed"
    if not first:
        return "closed"
    return "refused" if first.startswith(b"HTTP/1.1 503") else "answered"


def send_all(sock: socket.socket, data: bytes, deadline: float) -> int:
    """Send as much of `data` as the connection takes before `deadline`; returns the bytes sent."""
    view, sent = memoryview(data), 0
    while sent < len(data) and time.monotonic() < deadline:
        try:
            sent += sock.send(view[sent:])
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:
            break
    return sent


def timed_request(port: int, bucket: str) -> tuple[int, float]:
    """(status, seconds) of a signed GET of the bucket on a fresh connection (status 0: no answer)."""
    started, received = time.monotonic(), b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(signed_head("GET", f"/{bucket}", "Connection: close\r\n"))
            while b"\r\n" not in received and (chunk := sock.recv(4096)):
                received += chunk
    except OSError:  # no answer within 30 s: status 0
        pass
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/") else 0
    return status, time.monotonic() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int, seconds: float) -> float:
    """Wait until the server uses under 5% of a CPU for a second (it has taken in what was sent), at most
    `seconds`; returns how long that took."""
    started = time.monotonic()
    last = cpu_seconds(pid)
    while time.monotonic() - started < seconds:
        time.sleep(1.0)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            break
        last = now
    return time.monotonic() - started


def settle_rss(pid: int, seconds: float) -> float:
    """The RSS (MiB) once it has stopped falling (after at least 3 s), or after `seconds`."""
    time.sleep(min(3.0, seconds))
    deadline, last = time.monotonic() + seconds, rss_and_threads(pid)[0]
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = rss_and_threads(pid)[0]
        if abs(now - last) < 1.0:
            return now
        last = now
    return last


def run(args: argparse.Namespace) -> int:
    hard_stop = time.monotonic() + args.time_limit
    server_args = list(args.server_arg)
    if not any(arg.startswith("--max-connections-per-address") for arg in server_args):
        # Every connection of this script comes from 127.0.0.1: the per-address cap must not be what it meets.
        held = args.idle + args.half_head + args.stalled + 64
        server_args.append(f"--max-connections-per-address={held}")
    with start_reference(regions=("cn-north-1",), users=[USER], extra_args=server_args) as server:
        port = int(server.endpoints["cn-north-1"].rsplit(":", 1)[1])
        bucket = "slow-clients"
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(signed_head("PUT", f"/{bucket}", "Content-Length: 0\r\nConnection: close\r\n"))
            assert sock.recv(4096).startswith(b"HTTP/1.1 201"), "could not create the bucket"
        timed_request(port, bucket)  # warm-up
        rest_rss, rest_threads = rss_and_threads(server.pid)
        groups: dict[str, list[socket.socket]] = {"idle": [], "half-head": [], "stalled-body": []}
        body = b"s" * args.stalled_bytes
        started = time.monotonic()
        try:
            for _ in range(args.idle):
                groups["idle"].append(connect(port))
            for _ in range(args.half_head):
                sock = connect(port)
                send_all(sock, f"GET /{bucket} HTTP/1.1\r\nHost: bench\r\nX-Half: ".encode(), hard_stop)
                groups["half-head"].append(sock)
            for index in range(args.stalled):
                sock = connect(port)
                target = f"/{bucket}/stalled-{index}"
                head = signed_head("PUT", target, f"Content-Length: {args.stalled_bytes * 2}\r\n")
                send_all(sock, head + body, hard_stop)
                groups["stalled-body"].append(sock)
            opened = time.monotonic() - started
            quiet = wait_until_quiet(server.pid, max(0.0, min(60.0, hard_stop - time.monotonic() - 60)))
            time.sleep(args.hold)
            samples = [timed_request(port, bucket) for _ in range(args.samples)]
            during_rss, during_threads = rss_and_threads(server.pid)
            states = {name: [state_of(s) for s in socks] for name, socks in groups.items()}
        finally:
            for socks in groups.values():
                for sock in socks:
                    with contextlib.suppress(OSError):
                        sock.close()
        after_rss = settle_rss(server.pid, max(1.0, min(args.settle, hard_stop - time.monotonic())))
        after_threads = rss_and_threads(server.pid)[1]
        after_status, after_answer = timed_request(port, bucket)

    print(f"slow clients against the reference endpoint ({opened:.1f} s to open them, {quiet:.1f} s until "
          f"the server had taken in what they sent, then held {args.hold:g} s)")
    for name, seen in states.items():
        counts = ", ".join(f"{what} {seen.count(what)}" for what in ("refused", "answered", "closed"))
        print(f"  {name:13} connections held open: {seen.count('held'):5d} of {len(seen)} ({counts})")
    statuses = sorted({status for status, _ in samples})
    seconds = sorted(elapsed for _, elapsed in samples)
    answer = seconds[len(seconds) // 2]
    print(f"  {len(samples)} valid GETs while they were held: status {statuses}, "
          f"median {answer * 1000:.0f} ms, worst {seconds[-1] * 1000:.0f} ms; "
          f"after: {after_status} in {after_answer * 1000:.0f} ms")
    print(f"  server RSS MiB: before {rest_rss:.0f}, during {during_rss:.0f}, after {after_rss:.0f}")
    print(f"  server threads: before {rest_threads}, during {during_threads}, after {after_threads}")
    answered = statuses == [200] and answer <= args.answer_within
    recovered = after_rss <= rest_rss + args.rss_slack
    print(f"  answered within {args.answer_within:g} s: {answered}; RSS back within "
          f"{args.rss_slack:g} MiB of rest: {recovered}")
    return 0 if (answered and recovered) or not args.check else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--idle", type=int, default=1000, help="connections that send nothing")
    add("--half-head", type=int, default=1000, help="connections that send half a head")
    add("--stalled", type=int, default=1000, help="PUTs whose body stops half way")
    add("--stalled-bytes", type=int, default=600 * KiB, help="body bytes each stalled PUT sends")
    add("--hold", type=float, default=5.0, help="seconds to hold them before the valid requests")
    add("--samples", type=int, default=5, help="valid requests sent while they are held (median, worst)")
    add("--settle", type=float, default=20.0, help="at most this long for RSS to settle after")
    add("--answer-within", type=float, default=1.0, help="target for the median valid request (s)")
    add("--rss-slack", type=float, default=32.0, help="MiB above rest that count as recovered")
    add("--time-limit", type=float, default=180.0, help="bound on the whole run (s)")
    add("--server-arg", action="append", default=[], help="extra option for the server (repeatable)")
    add("--check", action="store_true", help="exit 1 when a target is missed")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
