"""Cognito's variant of SRP-6a, server side (docs/srp.md; its speed: docs/architecture.md, Hot-path rules).

Every value that is hashed goes through ``pad_hex`` and is then hex-decoded (docs/srp.md, padHex): that rule, not the
algebra, is where clients and servers disagree, so it lives in one function. Modular exponentiations (x at
enrolment, b at both steps, u) run in constant time in the exponent (crypto/modexp.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from userpool.crypto.modexp import ConstantTimePower
from userpool.crypto.sealing import Sealer, SealError

# RFC 3526 §4, the 3072-bit MODP prime (docs/srp.md, Parameters), as copied by every Cognito client library.
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
_POWER = ConstantTimePower(N, G)
_INFO = b"Caldera Derived Key"
SALT_BYTES = 16
# A 256-bit server exponent keeps g^b at about 0.6 ms (crypto/modexp.py).
_SERVER_SECRET_BITS = 256


def pad_hex(value: int) -> str:
    """docs/srp.md, padHex: lower-case hex, even length, with a leading ``00`` when the top bit would be set (the
    minimal two's-complement encoding, as Java's ``BigInteger.toByteArray()``)."""
    digits = format(value, "x")
    if len(digits) % 2:
        return "0" + digits
    if digits[0] in "89abcdef":
        return "00" + digits
    return digits


def _padded(value: int) -> bytes:
    return bytes.fromhex(pad_hex(value))


def _h(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest(), "big")


K = _h(_padded(N) + _padded(G))


def pool_name(pool_id: str) -> str:
    """The part of the UserPoolId after ``_`` (docs/srp.md, Enrolment)."""
    return pool_id.split("_", 1)[1]


def password_x(pool_id: str, user_id: str, password: str, salt: int) -> int:
    """x = H(padHex(salt) | H(poolName | userId | ":" | password)) (docs/srp.md, Enrolment); the salt enters
    as an integer."""
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).digest()
    return _h(_padded(salt) + inner)


def verifier(pool_id: str, user_id: str, password: str, salt: int) -> int:
    """v = g^x mod N; x is password-derived, hence the constant-time exponentiation."""
    return _POWER.power(G, password_x(pool_id, user_id, password, salt))


def enrol(pool_id: str, user_id: str, password: str) -> tuple[str, int]:
    """A fresh (salt as hex, verifier) pair for a newly set password."""
    salt = int.from_bytes(secrets.token_bytes(SALT_BYTES), "big")
    return format(salt, "x"), verifier(pool_id, user_id, password, salt)


def new_server_secret() -> int:
    return secrets.randbits(_SERVER_SECRET_BITS) | (1 << (_SERVER_SECRET_BITS - 1))


def server_public(v: int, b: int) -> int:
    """B = (k·v + g^b) mod N (docs/srp.md, Step 1); callers draw a new b in the (negligible) case B ≡ 0."""
    return (K * v + _POWER.power(G, b)) % N


_HEX = re.compile(r"[0-9a-fA-F]+")
# The longest SRP_A taken: padHex of a number below 2^3072 is at most 385 bytes.
MAX_PUBLIC_HEX = 2 * 385


def parse_client_public(srp_a: str) -> int | None:
    """SRP_A as an integer (plain hex, maybe of odd length: docs/srp.md, padHex); None unless it is usable."""
    if not srp_a or len(srp_a) > MAX_PUBLIC_HEX or not _HEX.fullmatch(srp_a):
        return None
    a = int(srp_a, 16)
    return a if a % N else None


def scrambler(a: int, b_pub: int) -> int:
    """u = H(padHex(A) | padHex(B)) (docs/srp.md, Step 2)."""
    return _h(_padded(a) + _padded(b_pub))


def hkdf_key(s: int, u: int) -> bytes:
    """HKDF-SHA256 with IKM = padHex(S), salt = padHex(u), info "Caldera Derived Key", 16 bytes (docs/srp.md,
    Step 2)."""
    prk = hmac.new(_padded(u), _padded(s), hashlib.sha256).digest()
    return hmac.new(prk, _INFO + b"\x01", hashlib.sha256).digest()[:16]


def session_key(a: int, v: int, b: int, u: int | None = None) -> bytes | None:
    """The server's K for client public A, verifier v and server secret b; None when u = 0 (abort).
    ``u`` is the scrambler of the A and B that step 1 saw, when its sealed state kept it (``kept_scrambler``):
    that spares recomputing g^b, a third of the server's SRP arithmetic. A u kept from a verifier that has
    changed since does not verify the proof, as one recomputed from the new verifier would not."""
    if u is None:
        u = scrambler(a, server_public(v, b))
    if u == 0:
        return None
    base = a * _POWER.power(v, u) % N
    s = _POWER.power(base, b)
    return hkdf_key(s, u)


def new_client_secret() -> int:
    """a, the client's secret exponent, for this server acting as a client of another pool (a user migration
    that checks a password with USER_SRP_AUTH)."""
    return new_server_secret()


def client_public(a: int) -> int:
    """A = g^a mod N, sent as SRP_A (docs/srp.md, Step 1)."""
    return _POWER.power(G, a)


def client_session_key(a: int, a_pub: int, b_pub: int, x: int) -> bytes | None:
    """The client's K for its secret a (and A = g^a), the server's B and the password's x:
    S = (B - k·g^x)^(a + u·x) mod N, then the same HKDF as the server's (docs/srp.md, Step 2). None when
    B ≡ 0 or u = 0, where a client must abort."""
    if b_pub % N == 0:
        return None
    u = scrambler(a_pub, b_pub)
    if u == 0:
        return None
    base = (b_pub - K * _POWER.power(G, x)) % N
    s = _POWER.power(base, a + u * x)
    return hkdf_key(s, u)


def kept_scrambler(state: dict[str, Any]) -> int | None:
    """The u a SECRET_BLOCK's state kept (``"u"``, from the A and B of step 1), None for a state without it."""
    value = state.get("u")
    return int(value, 16) if isinstance(value, str) else None


def claim_signature(key: bytes, pool_id: str, user_id: str, secret_block: bytes, timestamp: str) -> bytes:
    """HMAC-SHA256(K, poolName | userId | SECRET_BLOCK bytes | TIMESTAMP) (docs/srp.md, Step 2)."""
    msg = pool_name(pool_id).encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, msg, hashlib.sha256).digest()


def device_claim_signature(key: bytes, group_key: str, device_key: str, secret_block: bytes, timestamp: str) -> bytes:
    """HMAC-SHA256(K, DeviceGroupKey | DeviceKey | SECRET_BLOCK bytes | TIMESTAMP) (docs/srp.md, Devices)."""
    msg = group_key.encode() + device_key.encode() + secret_block + timestamp.encode()
    return hmac.new(key, msg, hashlib.sha256).digest()


def device_verifier_config(password_verifier_b64: str, salt_b64: str) -> tuple[str, int] | None:
    """ConfirmDevice's DeviceSecretVerifierConfig as (salt hex, v): both arrive as base64 of the bytes of
    their padded hex (docs/srp.md, Devices); None for values that cannot be a verifier of this group."""
    try:
        v_bytes = base64.b64decode(password_verifier_b64.encode("ascii"), validate=True)
        salt_bytes = base64.b64decode(salt_b64.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    if not v_bytes or not salt_bytes or len(salt_bytes) > 32:
        return None
    v = int.from_bytes(v_bytes, "big")
    if not 1 < v < N:
        return None
    return salt_bytes.hex(), v


def signature_matches(expected: bytes, given_b64: str) -> bool:
    """Constant-time comparison of the client's base64 PASSWORD_CLAIM_SIGNATURE with the expected MAC."""
    try:
        given = base64.b64decode(given_b64.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(expected, given)


_TIMESTAMP = re.compile(
    r"(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12][0-9]|3[01]) "
    r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]) UTC ([0-9]{4})"
)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_timestamp(text: str) -> float | None:
    """The POSIX time of a TIMESTAMP like ``Tue Sep 5 07:08:09 UTC 2023`` (docs/srp.md, TIMESTAMP: English names, day
    without a leading zero, and a weekday that matches the date); None for anything else."""
    found = _TIMESTAMP.fullmatch(text)
    if found is None:
        return None
    weekday, month, day, hour, minute, second, year = found.groups()
    try:
        when = datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:
        return None
    if _WEEKDAYS[when.weekday()] != weekday:
        return None
    return when.timestamp()


def format_timestamp(when: float) -> str:
    """TIMESTAMP as clients write it (docs/srp.md, TIMESTAMP): English names, the day without a leading zero,
    whatever the process's locale."""
    t = datetime.fromtimestamp(when, UTC)
    return f"{_WEEKDAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day} {t:%H:%M:%S} UTC {t.year}"


@lru_cache(maxsize=4)
def _block_sealer(server_key: bytes) -> Sealer:
    # A key of its own, derived from the server key, so a SECRET_BLOCK opens nowhere else.
    return Sealer((hashlib.sha256(b"userpool-srp-secret-block:" + server_key).hexdigest(),))


def seal_secret_block(server_key: bytes, client_id: str, state: dict[str, Any]) -> str:
    """SECRET_BLOCK: the step-1 state sealed with AES-GCM and bound to the client, as standard base64 with
    padding because pycognito decodes it with ``standard_b64decode`` (docs/srp.md, Step 1)."""
    sealed = _block_sealer(server_key).seal(json.dumps(state, separators=(",", ":")), f"srp:{client_id}")
    return base64.b64encode(sealed.encode()).decode()


def open_secret_block(server_key: bytes, client_id: str, block: str) -> dict[str, Any] | None:
    """The state sealed into a SECRET_BLOCK for this client, or None if it is not one of ours."""
    try:
        sealed = base64.b64decode(block.encode("ascii"), validate=True).decode("ascii")
        state = json.loads(_block_sealer(server_key).unseal(sealed, f"srp:{client_id}"))
    except (ValueError, UnicodeError, SealError):
        return None
    return state if isinstance(state, dict) else None
