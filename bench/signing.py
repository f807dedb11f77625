"""What one token signature costs on the servers' core, measured beside a run so that its token rows can be
read against the machine they ran on.

Every ID or access token is one RS256 signature with a 2048-bit key: a refresh signs two, client_credentials
one, and neither can be cheaper than that. It is the part of those rows that our code does not decide, and
the part that differs most between machines: the same revision measured 263 µs per signature on one machine
and 565 µs on another of the same CPU name, which moved refresh's CPU per request by more than half.
"""

from __future__ import annotations

import subprocess
import sys

# Run in a process of its own pinned to the servers' CPUs: the server's own signing function, its claims the
# size of an access token's, the best of three blocks of CPU time (the least disturbed by other work).
_MEASURE = """
import os, sys, time
from cryptography.hazmat.primitives.asymmetric import rsa
from userpool.crypto.jwt import ParsedKey, sign
os.sched_setaffinity(0, {int(c) for c in sys.argv[1].split(",")})
private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
key = ParsedKey("bench", private.public_key(), private)
claims = {"sub": "0" * 36, "iss": "http://127.0.0.1/us-east-1_benchmark", "client_id": "c" * 26,
          "origin_jti": "0" * 36, "event_id": "0" * 36, "token_use": "access",
          "scope": "aws.cognito.signin.user.admin", "auth_time": 1, "exp": 2, "iat": 1, "jti": "0" * 36,
          "username": "bench-user"}
signs = int(sys.argv[2])
best = float("inf")
for _ in range(3):
    started = time.process_time()
    for _ in range(signs):
        sign(claims, "bench", key)
    best = min(best, (time.process_time() - started) / signs)
print(best * 1e6)
"""


def signature_us(cpus: set[int], signs: int = 200) -> float:
    """Microseconds of CPU one token signature takes on ``cpus`` (userpool.crypto.jwt.sign, RSA-2048)."""
    cpu_list = ",".join(str(c) for c in sorted(cpus))
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, cpu_list, str(signs)], capture_output=True, text=True, check=True, timeout=120
    )
    return float(done.stdout.strip())
