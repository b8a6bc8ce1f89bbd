"""``python -m conformance.stores run NAME [run arguments...]``: start the store NAME (moto, juicefs,
localstack) on 127.0.0.1, create the buckets of fixtures/targets/NAME.toml, run ``jss-conformance run
--target`` that profile against it (the endpoint and credentials given through JSS_ENDPOINT and the profile's
variables), stop the store, and exit with the run's status. ``python -m conformance.stores serve NAME`` prints
the endpoint and credentials' variable names as one JSON line and keeps the store up until interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from conformance import operations as ops
from conformance.clients import client_for
from conformance.paths import fixtures_dir
from conformance.stores.launch import STORES, LocalStore, StoreError, start_store
from conformance.target import resolve_target
from conformance.tomlfile import read_toml

USAGE = f"usage: python -m conformance.stores run|serve {{{','.join(STORES)}}} [run arguments]"


def profile_path(name: str):
    """fixtures/targets/<name>.toml."""
    return fixtures_dir() / "targets" / f"{name}.toml"


def environment(store: LocalStore) -> dict[str, str]:
    """A run's environment against `store`: its endpoint, its credentials under the profile's names, and its
    second account's under the names of the profile's [alt] (when both have one)."""
    profile = read_toml(profile_path(store.name))
    names = profile["credentials"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JSS_")},
        "JSS_ENDPOINT": store.endpoint,
        names["access_key_env"]: store.access_key,
        names["secret_key_env"]: store.secret_key,
    }
    alt = profile.get("alt")
    if alt and store.alt_access_key and store.alt_secret_key:
        env[alt["access_key_env"]] = store.alt_access_key
        env[alt["secret_key_env"]] = store.alt_secret_key
    return env


def create_buckets(store: LocalStore, env: dict[str, str]) -> None:
    """Create every bucket of the store's profile (in its region)."""
    target = resolve_target(profile_path(store.name), env)
    for bucket in target.buckets:
        ops.put_bucket(client_for(target, bucket, timeout=10), bucket.name)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM ends the command as SystemExit (128 + 15), so the store is stopped on the way out rather than
    left running without its launcher."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    """Entry point; 2 on a usage error or a store that does not start."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if len(argv) < 2 or argv[0] not in ("run", "serve") or argv[1] not in STORES:
        print(USAGE, file=sys.stderr)
        return 2
    action, name, rest = argv[0], argv[1], argv[2:]
    try:
        store = start_store(name)
    except StoreError as exc:
        print(f"conformance.stores: {exc}", file=sys.stderr)
        return 2
    with store:
        env = environment(store)
        create_buckets(store, env)
        if action == "serve":
            print(json.dumps({"store": name, "endpoint": store.endpoint, "profile": str(profile_path(name))}),
                  flush=True)
            try:
                while store.process.poll() is None:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
            return 0
        command = [sys.executable, "-m", "conformance.cli", "run", "--target", str(profile_path(name)), *rest]
        return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
