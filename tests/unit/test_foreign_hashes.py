"""Imported password hashes (crypto/foreign_hashes.py): each accepted format made canonical, parameters beyond
the bounds refused before anything is computed, verification right and wrong, and the server's hasher
dispatching to it and asking for a rehash."""

from __future__ import annotations

import base64
import hashlib

import argon2
import bcrypt
import pytest

from userpool.crypto import foreign_hashes
from userpool.crypto.foreign_hashes import HashProblem, parse, verify
from userpool.crypto.passwords import PasswordHasher

SALT = b"0123456789abcdef"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _pbkdf2(password: str, iterations: int = 1000, salt: bytes = SALT) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)


def test_parse__pbkdf2_formats_are_one_canonical_form() -> None:
    digest = _pbkdf2("pw")
    phc = f"$pbkdf2-sha256$i=1000,l=32${_b64(SALT)}${_b64(digest)}"
    passlib = f"$pbkdf2-sha256$1000${_b64(SALT).replace('+', '.')}${_b64(digest).replace('+', '.')}"
    assert parse("PBKDF2_SHA256", phc) == phc
    assert parse("PBKDF2_SHA256", passlib) == phc
    django_digest = _pbkdf2("pw", salt=b"textsalt")
    django = f"pbkdf2_sha256$1000$textsalt${base64.b64encode(django_digest).decode()}"
    assert verify(parse("PBKDF2_SHA256", django), "pw")
    assert not verify(parse("PBKDF2_SHA256", django), "pW")


def test_verify__scrypt_right_and_wrong() -> None:
    digest = hashlib.scrypt(b"pw", salt=SALT, n=1 << 10, r=8, p=1, dklen=32)
    stored = parse("SCRYPT", f"$scrypt$ln=10,r=8,p=1${_b64(SALT)}${_b64(digest)}")
    assert verify(stored, "pw")
    assert not verify(stored, "px")


@pytest.mark.parametrize(
    ("algorithm", "text", "reason"),
    [
        ("BCRYPT", "$2b$15$" + "a" * 53, "The bcrypt cost must be 4 to 14; it is 15."),
        ("BCRYPT", "$2x$10$" + "a" * 53, "is not a bcrypt hash"),
        ("SCRYPT", f"$scrypt$ln=18,r=8,p=1${_b64(SALT)}${_b64(SALT * 2)}", "1 <= ln <= 17"),
        ("SCRYPT", f"$scrypt$ln=17,r=16,p=1${_b64(SALT)}${_b64(SALT * 2)}", "more than 128 MiB"),
        ("SCRYPT", f"$scrypt$ln=10,r=8,p=99${_b64(SALT)}${_b64(SALT * 2)}", "1 <= p <= 16"),
        ("PBKDF2_SHA256", f"$pbkdf2-sha256$i=2000001,l=32${_b64(SALT)}${_b64(SALT * 2)}", "2,000,000"),
        ("PBKDF2_SHA256", f"$pbkdf2-sha256$i=10,l=31${_b64(SALT)}${_b64(SALT * 2)}", "not its l parameter"),
        ("PBKDF2_SHA256", f"$pbkdf2-sha256$i=10${_b64(SALT)}${_b64(b'short')}", "16 to 128 bytes"),
        ("ARGON2ID", argon2.PasswordHasher(memory_cost=64, time_cost=11, parallelism=1).hash("pw"), "t <= 10"),
        ("ARGON2ID", argon2.PasswordHasher(type=argon2.Type.I).hash("pw"), "not an argon2id hash"),
        ("ARGON2ID", "x" * 2000, "longer than 1024"),
    ],
    ids=lambda value: value if value in foreign_hashes.ALGORITHMS else "",
)
def test_parse__refuses_formats_and_costs(algorithm: str, text: str, reason: str) -> None:
    with pytest.raises(HashProblem, match=reason.replace("(", r"\(").replace("$", r"\$").replace("*", r"\*")):
        parse(algorithm, text)


def test_verify__a_stored_value_beyond_the_bounds_is_never_computed() -> None:
    # As if written past the import checks: refused without running 2^30 scrypt.
    assert not verify(f"$scrypt$ln=30,r=8,p=1${_b64(SALT)}${_b64(SALT * 2)}", "pw")


def test_password_hasher__verifies_imported_hashes_and_asks_for_a_rehash() -> None:
    hasher = PasswordHasher(1, 64, 1, threads=1)
    own = hasher.hash("pw")
    assert not hasher.needs_rehash(own)
    pbkdf2 = parse("PBKDF2_SHA256", f"$pbkdf2-sha256$i=1000,l=32${_b64(SALT)}${_b64(_pbkdf2('pw'))}")
    assert hasher.verify(pbkdf2, "pw") and not hasher.verify(pbkdf2, "px")
    assert hasher.needs_rehash(pbkdf2)
    other_argon2 = parse("ARGON2ID", argon2.PasswordHasher(time_cost=1, memory_cost=128, parallelism=2).hash("pw"))
    assert hasher.verify(other_argon2, "pw") and hasher.needs_rehash(other_argon2)


def test_bcrypt__2b_and_2y_hashes_verify() -> None:
    stored = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    assert verify(parse("BCRYPT", stored), "pw")
    assert verify(parse("BCRYPT", stored.replace("$2b$", "$2y$")), "pw")
    assert not verify(stored, "px")
