"""A far target for the latency benchmark: the reference endpoint behind one latency proxy per region, and a
target profile naming the proxies (as a user's staging profile names its endpoint).

The reference endpoint is started once (generated credentials for two accounts, the embedded profile's
regions and buckets, created with PutBucket); :meth:`FarTarget.profile` starts fresh proxies with a given
added round-trip time and writes a profile for them. The credentials reach the suite through environment
variables only (:attr:`FarTarget.env`), never a file.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from conformance.client import Credentials, JssClient
from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml

from .latency_proxy import LatencyProxy

ENV_NAMES = (
    "BENCH_FAR_ACCESS_KEY",
    "BENCH_FAR_SECRET_KEY",
    "BENCH_FAR_ALT_ACCESS_KEY",
    "BENCH_FAR_ALT_SECRET_KEY",
)


def _credentials() -> Credentials:
    return Credentials("JSSC" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))


class FarTarget:
    """The reference endpoint with the embedded profile's buckets; proxies and profiles on demand."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.buckets = [
            (b["name"], b["region"])
            for b in read_toml(fixtures_dir() / "targets" / "embedded.toml", ValueError)["buckets"]
        ]
        self.credentials, self.alt = _credentials(), _credentials()
        self.reference = None
        self._stack = contextlib.ExitStack()

    @property
    def env(self) -> dict[str, str]:
        """The variables the profiles name for the two accounts."""
        values = (
            self.credentials.access_key,
            self.credentials.secret_key,
            self.alt.access_key,
            self.alt.secret_key,
        )
        return dict(zip(ENV_NAMES, values, strict=True))

    def __enter__(self) -> FarTarget:
        from conformance.reference.launch import start_reference

        regions = tuple(dict.fromkeys(region for _, region in self.buckets))
        self.reference = self._stack.enter_context(
            start_reference(
                regions=regions,
                users=[
                    ("jss-conformance", self.credentials.access_key, self.credentials.secret_key),
                    ("jss-conformance-alt", self.alt.access_key, self.alt.secret_key),
                ],
            )
        )
        for name, region in self.buckets:
            client = JssClient(self.reference.endpoints[region], self.credentials, timeout=30)
            try:
                status = client.request("PUT", name).status_code
            finally:
                client.close()
            if status not in (200, 201):
                raise RuntimeError(f"the reference endpoint refused to create bucket {name}: HTTP {status}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    @contextlib.contextmanager
    def profile(self, rtt: float):
        """Start one proxy per region adding `rtt` seconds; yield (the profile's path, the proxies)."""
        with contextlib.ExitStack() as stack:
            proxies = {}
            for region, url in self.reference.endpoints.items():
                parts = urlsplit(url)
                proxies[region] = stack.enter_context(LatencyProxy((parts.hostname, parts.port), rtt))
            lines = [
                f'name = "far-{round(rtt * 1000)}ms"',
                'dialect = "jss"',
                f'endpoint = "{proxies[self.buckets[0][1]].url}"',
                "[credentials]",
                f'access_key_env = "{ENV_NAMES[0]}"',
                f'secret_key_env = "{ENV_NAMES[1]}"',
                "[alt]",
                f'access_key_env = "{ENV_NAMES[2]}"',
                f'secret_key_env = "{ENV_NAMES[3]}"',
            ]
            for name, region in self.buckets:
                lines += [
                    "[[buckets]]",
                    f'name = "{name}"',
                    f'region = "{region}"',
                    f'endpoint = "{proxies[region].url}"',
                ]
            path = self.directory / f"far-{round(rtt * 1000)}ms.toml"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            try:
                yield path, proxies
            finally:
                path.unlink(missing_ok=True)
