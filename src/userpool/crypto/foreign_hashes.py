"""Password hashes made by another system, imported with a user import job (CreateUserImportJob's
PasswordHashingAlgorithm: BCRYPT, SCRYPT, ARGON2ID or PBKDF2_SHA256), and their verification at sign-in.

A hash is parsed and checked when it is imported (``parse``): a string in none of the accepted formats, or with
cost parameters beyond the bounds below, is refused there with the reason, so that the row fails and no
sign-in can ever be made to run an absurd computation (a bcrypt cost of 31, an scrypt N of 2^30). What is
stored is the hash in one canonical form per algorithm, which ``verify`` recognises by its prefix:

- BCRYPT: the modular crypt string ``$2a$`` / ``$2b$`` / ``$2y$`` (``$2y$`` is stored as the identical
  ``$2b$``), cost 4 to ``BCRYPT_MAX_COST``. Verified by the ``bcrypt`` package; the
  password is cut to bcrypt's 72 bytes, as the system that made the hash did.
- SCRYPT: ``$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`` (the PHC string format; passlib writes it so),
  salt and hash in base64 without padding (``.`` for ``+`` accepted); N up to 2^17, memory (128·N·r bytes) up
  to 128 MiB, p up to 16. Verified with ``hashlib.scrypt``.
- PBKDF2_SHA256: the PHC form ``$pbkdf2-sha256$i=<iterations>,l=<length>$<salt>$<hash>``, passlib's
  ``$pbkdf2-sha256$<iterations>$<salt>$<hash>`` (its adapted base64) and Django's
  ``pbkdf2_sha256$<iterations>$<salt text>$<hash>``; stored in the PHC form. Up to ``PBKDF2_MAX_ITERATIONS``
  iterations. Verified with ``hashlib.pbkdf2_hmac``.
- ARGON2ID: the PHC string ``$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>``, memory up to 128
  MiB, up to 10 passes and 16 lanes. Verified by argon2-cffi, like the server's own hashes
  (crypto/passwords.py), and replaced by one of the server's parameters at the next sign-in when they differ.

Every comparison of a computed hash with the stored one is constant-time (``hmac.compare_digest``; bcrypt's own
check is too).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

import bcrypt
from argon2 import extract_parameters
from argon2.exceptions import InvalidHashError

BCRYPT = "BCRYPT"
SCRYPT = "SCRYPT"
ARGON2ID = "ARGON2ID"
PBKDF2_SHA256 = "PBKDF2_SHA256"
ALGORITHMS = (BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256)

# Bounds on what one verification may cost: each is about a second of one core or less at the top.
BCRYPT_MAX_COST = 14
SCRYPT_MAX_LOG2_N = 17
SCRYPT_MAX_MEMORY = 128 * 1024 * 1024
SCRYPT_MAX_P = 16
PBKDF2_MAX_ITERATIONS = 2_000_000
ARGON2_MAX_MEMORY_KIB = 128 * 1024
ARGON2_MAX_TIME_COST = 10
ARGON2_MAX_PARALLELISM = 16
MAX_SALT_BYTES = 1024
MAX_HASH_BYTES = 128
MAX_HASH_CHARACTERS = 1024

_BCRYPT = re.compile(r"\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{53})")
_SCRYPT = re.compile(r"\$scrypt\$ln=(\d{1,3}),r=(\d{1,4}),p=(\d{1,4})\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)")
_PBKDF2_PHC = re.compile(r"\$pbkdf2-sha256\$i=(\d{1,10})(?:,l=(\d{1,4}))?\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)")
_PBKDF2_PASSLIB = re.compile(r"\$pbkdf2-sha256\$(\d{1,10})\$([A-Za-z0-9./]*)\$([A-Za-z0-9./]+)")
_PBKDF2_DJANGO = re.compile(r"pbkdf2_sha256\$(\d{1,10})\$([^$]{1,1024})\$([A-Za-z0-9+/]+={0,2})")


class HashProblem(ValueError):
    """Why a string cannot be imported as a hash of its job's algorithm (the row's failure reason)."""


def _b64(text: str) -> bytes:
    """Base64 with or without padding, in the standard alphabet or passlib's adapted one (``.`` for ``+``)."""
    text = text.replace(".", "+")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise HashProblem("The password hash is not valid base64.") from None


def _unpadded(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _sizes(salt: bytes, digest: bytes) -> None:
    if not salt or len(salt) > MAX_SALT_BYTES:
        raise HashProblem(f"The password hash's salt must be 1 to {MAX_SALT_BYTES} bytes.")
    if not 16 <= len(digest) <= MAX_HASH_BYTES:
        raise HashProblem(f"The password hash's hash must be 16 to {MAX_HASH_BYTES} bytes.")


def _bcrypt(text: str) -> str:
    found = _BCRYPT.fullmatch(text)
    if found is None:
        raise HashProblem("The password hash is not a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters).")
    variant, cost, rest = found.group(1), int(found.group(2)), found.group(3)
    if not 4 <= cost <= BCRYPT_MAX_COST:
        raise HashProblem(f"The bcrypt cost must be 4 to {BCRYPT_MAX_COST}; it is {cost}.")
    # $2y$ (PHP's name for the fixed algorithm) is the same algorithm as $2b$.
    return f"$2{'b' if variant == 'y' else variant}${cost:02d}${rest}"


def _scrypt(text: str) -> str:
    found = _SCRYPT.fullmatch(text)
    if found is None:
        raise HashProblem("The password hash is not an scrypt hash ($scrypt$ln=...,r=...,p=...$salt$hash).")
    log2_n, r, p = int(found.group(1)), int(found.group(2)), int(found.group(3))
    salt, digest = _b64(found.group(4)), _b64(found.group(5))
    if not 1 <= log2_n <= SCRYPT_MAX_LOG2_N or r < 1 or not 1 <= p <= SCRYPT_MAX_P:
        raise HashProblem(
            f"The scrypt parameters must be 1 <= ln <= {SCRYPT_MAX_LOG2_N}, r >= 1, 1 <= p <= {SCRYPT_MAX_P}."
        )
    if 128 * r * (1 << log2_n) > SCRYPT_MAX_MEMORY:
        raise HashProblem(
            f"The scrypt parameters need more than {SCRYPT_MAX_MEMORY // (1024 * 1024)} MiB (128 * N * r)."
        )
    _sizes(salt, digest)
    return f"$scrypt$ln={log2_n},r={r},p={p}${_unpadded(salt)}${_unpadded(digest)}"


def _pbkdf2_phc(iterations: int, salt: bytes, digest: bytes) -> str:
    if not 1 <= iterations <= PBKDF2_MAX_ITERATIONS:
        raise HashProblem(f"The PBKDF2 iterations must be 1 to {PBKDF2_MAX_ITERATIONS:,}; they are {iterations:,}.")
    _sizes(salt, digest)
    return f"$pbkdf2-sha256$i={iterations},l={len(digest)}${_unpadded(salt)}${_unpadded(digest)}"


def _pbkdf2(text: str) -> str:
    found = _PBKDF2_PHC.fullmatch(text)
    if found is not None:
        digest = _b64(found.group(4))
        if found.group(2) is not None and int(found.group(2)) != len(digest):
            raise HashProblem("The PBKDF2 hash's length is not its l parameter.")
        return _pbkdf2_phc(int(found.group(1)), _b64(found.group(3)), digest)
    found = _PBKDF2_PASSLIB.fullmatch(text)
    if found is not None:
        return _pbkdf2_phc(int(found.group(1)), _b64(found.group(2)), _b64(found.group(3)))
    found = _PBKDF2_DJANGO.fullmatch(text)
    if found is not None:
        # Django hashes the salt's text itself, not a decoding of it.
        return _pbkdf2_phc(int(found.group(1)), found.group(2).encode(), _b64(found.group(3)))
    raise HashProblem(
        "The password hash is not a PBKDF2-SHA256 hash ($pbkdf2-sha256$i=...$salt$hash, passlib's or Django's)."
    )


def _argon2id(text: str) -> str:
    if not text.startswith("$argon2id$"):
        raise HashProblem("The password hash is not an argon2id hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash).")
    try:
        params = extract_parameters(text)
    except (InvalidHashError, ValueError):
        raise HashProblem("The password hash is not a valid argon2id hash.") from None
    if params.version != 19:
        raise HashProblem("The argon2id hash must be of version 19 (v=19).")
    if params.memory_cost > ARGON2_MAX_MEMORY_KIB or params.time_cost > ARGON2_MAX_TIME_COST:
        raise HashProblem(
            f"The argon2id parameters must be m <= {ARGON2_MAX_MEMORY_KIB} KiB and t <= {ARGON2_MAX_TIME_COST}."
        )
    if params.parallelism > ARGON2_MAX_PARALLELISM:
        raise HashProblem(f"The argon2id parallelism must be at most {ARGON2_MAX_PARALLELISM}.")
    if not 16 <= params.hash_len <= MAX_HASH_BYTES or not 1 <= params.salt_len <= MAX_SALT_BYTES:
        raise HashProblem("The argon2id hash's salt or hash has an unusable length.")
    return text


_PARSERS = {BCRYPT: _bcrypt, SCRYPT: _scrypt, PBKDF2_SHA256: _pbkdf2, ARGON2ID: _argon2id}


def parse(algorithm: str, text: str) -> str:
    """The canonical form of ``text``, a hash of ``algorithm`` (one of ALGORITHMS); HashProblem saying why it
    cannot be imported. Only the format and the parameters are checked: nothing is computed."""
    if len(text) > MAX_HASH_CHARACTERS:
        raise HashProblem(f"The password hash is longer than {MAX_HASH_CHARACTERS} characters.")
    return _PARSERS[algorithm](text)


def algorithm_of(stored: str) -> str | None:
    """Which foreign algorithm a stored hash is (None: the server's own argon2id or anything else)."""
    if stored.startswith("$2"):
        return BCRYPT
    if stored.startswith("$scrypt$"):
        return SCRYPT
    if stored.startswith("$pbkdf2-sha256$"):
        return PBKDF2_SHA256
    return None


@dataclass(frozen=True, slots=True)
class _Phc:
    params: dict[str, int]
    salt: bytes
    digest: bytes


def _phc(stored: str) -> _Phc:
    _, _, params, salt, digest = stored.split("$")
    values = {k: int(v) for k, v in (item.split("=") for item in params.split(","))}
    return _Phc(values, _b64(salt), _b64(digest))


def _verify_bcrypt(stored: str, password: str) -> bool:
    try:
        return bool(bcrypt.checkpw(password.encode()[:72], stored.encode()))
    except ValueError:  # a NUL in the password, or a hash the package refuses
        return False


def _verify_scrypt(stored: str, password: str) -> bool:
    phc = _phc(stored)
    n, r, p = 1 << phc.params["ln"], phc.params["r"], phc.params["p"]
    computed = hashlib.scrypt(
        password.encode(), salt=phc.salt, n=n, r=r, p=p, maxmem=SCRYPT_MAX_MEMORY + 1024 * 1024, dklen=len(phc.digest)
    )
    return hmac.compare_digest(computed, phc.digest)


def _verify_pbkdf2(stored: str, password: str) -> bool:
    phc = _phc(stored)
    computed = hashlib.pbkdf2_hmac("sha256", password.encode(), phc.salt, phc.params["i"], len(phc.digest))
    return hmac.compare_digest(computed, phc.digest)


def verify(stored: str, password: str) -> bool:
    """Whether ``password`` matches a stored foreign hash (bcrypt, scrypt or PBKDF2-SHA256; argon2id hashes are
    verified by the server's own hasher). The hash's parameters are checked again first: a stored value that
    would not import is never computed."""
    algorithm = algorithm_of(stored)
    if algorithm is None:
        return False
    try:
        if parse(algorithm, stored) != stored:
            return False
    except HashProblem:
        return False
    if algorithm == BCRYPT:
        return _verify_bcrypt(stored, password)
    if algorithm == SCRYPT:
        return _verify_scrypt(stored, password)
    return _verify_pbkdf2(stored, password)
