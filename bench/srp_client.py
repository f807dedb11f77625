"""The client half of USER_SRP_AUTH (Cognito's SRP-6a): pycognito's aws_srp functions, made cheap enough that
the load generator's core is not the bottleneck.

What the client can compute ahead is computed ahead: a set of ephemeral pairs (a, A = g^a) made before any timing, and
per user (and salt) x and k·g^x. What depends on the server's B is computed per sign-in, with gmpy2 rather than Python's
``pow``: u = H(A | B), S = (B - k·g^x)^(a + u·x), the HKDF and the claim's HMAC. The ephemeral ``a`` is 256 bits, as our
server's ``b`` is (docs/architecture.md, Hot-path rules): sign-in costs the client about one millisecond. Reusing
ephemeral pairs across sign-ins is wrong for a real client and harmless here: the server does all of its work on every
sign-in regardless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import gmpy2
from pycognito.aws_srp import (
    AWSSRP,
    G_HEX,
    N_HEX,
    calculate_u,
    compute_hkdf,
    hash_sha256,
    hex_hash,
    hex_to_long,
    long_to_hex,
    pad_hex,
)

N = gmpy2.mpz(hex_to_long(N_HEX))
G = gmpy2.mpz(hex_to_long(G_HEX))
K = gmpy2.mpz(hex_to_long(hex_hash("00" + N_HEX + "0" + G_HEX)))
EPHEMERAL_BITS = 256


class SrpClient:
    """Sign-ins of users of one pool with one password."""

    def __init__(self, pool_id: str, password: str, pairs: int = 32) -> None:
        self.pool_name = pool_id.split("_", 1)[1]
        self.password = password
        self._pairs: list[tuple[gmpy2.mpz, int]] = []
        for _ in range(pairs):
            a = gmpy2.mpz(secrets.randbits(EPHEMERAL_BITS) | 1)
            self._pairs.append((a, int(gmpy2.powmod(G, a, N))))
        self._next = 0
        self._users: dict[tuple[str, str], tuple[gmpy2.mpz, gmpy2.mpz]] = {}

    def start(self) -> tuple[int, str]:
        """An ephemeral pair's index and the SRP_A to send."""
        index = self._next
        self._next = (self._next + 1) % len(self._pairs)
        return index, long_to_hex(self._pairs[index][1])

    def _user(self, user_id: str, salt_hex: str) -> tuple[gmpy2.mpz, gmpy2.mpz]:
        """x and k·g^x of a user, computed once per salt."""
        known = self._users.get((user_id, salt_hex))
        if known is None:
            identity = hash_sha256(f"{self.pool_name}{user_id}:{self.password}".encode())
            x = gmpy2.mpz(hex_to_long(hex_hash(pad_hex(salt_hex) + identity)))
            known = (x, K * gmpy2.powmod(G, x, N) % N)
            self._users[(user_id, salt_hex)] = known
        return known

    def answer(self, index: int, challenge: dict[str, str]) -> dict[str, str]:
        """The PASSWORD_VERIFIER ChallengeResponses for a ChallengeParameters, as pycognito builds them."""
        a, big_a = self._pairs[index]
        user_id = challenge["USER_ID_FOR_SRP"]
        big_b = hex_to_long(challenge["SRP_B"])
        x, kgx = self._user(user_id, challenge["SALT"])
        u = calculate_u(big_a, big_b)
        s = gmpy2.powmod((big_b - kgx) % N, a + u * x, N)
        key = compute_hkdf(bytearray.fromhex(pad_hex(int(s))), bytearray.fromhex(pad_hex(long_to_hex(u))))
        timestamp = AWSSRP.get_cognito_formatted_timestamp(datetime.now(UTC))
        secret_block = challenge["SECRET_BLOCK"]
        message = (
            self.pool_name.encode() + user_id.encode() + base64.standard_b64decode(secret_block) + timestamp.encode()
        )
        signature = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        return {
            "TIMESTAMP": timestamp,
            "USERNAME": challenge.get("USERNAME", user_id),
            "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
            "PASSWORD_CLAIM_SIGNATURE": signature,
        }
