"""What bounds the sign-in scenarios, timed on their own in the bench process before any load: one argon2id
hash and verify at the server's cost, one SRP modexp (3072-bit modulus, 256-bit exponent, the server's
constant-time one: crypto/modexp.py) and all of one USER_SRP_AUTH sign-in's server arithmetic
(B = k·v + g^b, S = (A·v^u)^b).

These are floors: a server can do no better per core than 1 / (their CPU per call). The CPU counted is the
whole process's, not the calling thread's: argon2id runs on the hasher's own threads, and the caller only waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from userpool.config import Argon2Params
from userpool.crypto import srp
from userpool.crypto.passwords import PasswordHasher

PASSWORD = "Bench-Passw0rd!"  # noqa: S105 - hashed only here


@dataclass(frozen=True)
class Bound:
    name: str
    detail: str
    scenario: str
    """The scenario row it bounds."""
    p50_ms: float
    cpu_ms: float
    """CPU per call, all the process's threads together (the calls run one at a time)."""

    @property
    def per_core(self) -> float:
        return 1000 / self.cpu_ms if self.cpu_ms > 0 else float("nan")


def _time(fn: Callable[[], object], calls: int) -> tuple[float, float]:
    fn()
    samples: list[float] = []
    cpu = time.process_time()
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    used = time.process_time() - cpu
    samples.sort()
    return samples[len(samples) // 2], 1000 * used / calls


def measure(params: Argon2Params, calls: int = 20) -> list[Bound]:
    hasher = PasswordHasher(params.time_cost, params.memory_kib, params.parallelism)
    stored = hasher.hash(PASSWORD)
    _salt, verifier = srp.enrol("us-east-1_bench", "bench-user", PASSWORD)
    client_public = srp.server_public(verifier, srp.new_server_secret())  # any valid A will do
    exponent = srp.new_server_secret()

    def srp_math() -> None:
        b = srp.new_server_secret()
        server_public = srp.server_public(verifier, b)
        # Step 1 keeps u for step 2 (services/sign_in/steps/srp_auth.py): g^b, v^u, (A·v^u)^b.
        srp.session_key(client_public, verifier, b, srp.scrambler(client_public, server_public))

    cost = f"m={params.memory_kib // 1024}MiB t={params.time_cost} p={params.parallelism}"
    rows = [
        ("argon2id hash", cost, "signup", lambda: hasher.hash(PASSWORD)),
        ("argon2id verify", cost, "password_login", lambda: hasher.verify(stored, PASSWORD)),
        ("SRP modexp", "3072-bit, 256-bit e", "srp_login", lambda: srp.server_public(verifier, exponent)),
        ("SRP math per sign-in", "3 modexps", "srp_login", srp_math),
    ]
    found = []
    for name, detail, scenario, fn in rows:
        p50, cpu = _time(fn, calls)
        found.append(Bound(name, detail, scenario, p50, cpu))
    return found
