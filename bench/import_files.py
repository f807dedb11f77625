"""The CSV files ``bench imports`` PUTs, written on disk a line at a time, and what each line must come to.

``write_file``: users that all import (a username, a verified email, a given name, MFA off), for the memory run.

``write_mixed_file``: for a job with one PasswordHashingAlgorithm (botocore's model gives a job one), a file of
users without a hash (they import RESET_REQUIRED), one in 50 with a hash of that algorithm in each of the forms
it is written in (bcrypt's ``$2b$`` / ``$2a$`` / ``$2y$``; PBKDF2's PHC, passlib and Django strings), each user
its own password, and one in 125 a bad line, its kind in turn: a malformed email, no username, a username taken
by an earlier line, a hash that is not one, a hash of the other algorithm, a cost beyond the server's bound, no
verified email, too few values. The ``Mix`` it returns knows the counts the job must end with, each bad line's
outcome and reason as the import log writes them (Cognito developer guide, 'Viewing the user pool import results
in the CloudWatch console'), and a user of each hash form with its password, to sign in with afterwards.

The reasons are written out here, not taken from the server's code, so that a change of what the server says
shows as a failed check.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt

BCRYPT = "BCRYPT"
PBKDF2_SHA256 = "PBKDF2_SHA256"
ALGORITHMS = (BCRYPT, PBKDF2_SHA256)
PASSWORD_HASH = "cognito:password_hash"  # noqa: S105 - the column's name
HASHED_EVERY = 50
BAD_EVERY = 125
BCRYPT_COST = 4  # the least bcrypt allows: 2,000 hashes take a couple of seconds to make
PBKDF2_ITERATIONS = 1_000
SKIPPED = "SKIPPED"
FAILED = "FAILED"
USER_EXISTS = "The user already exists."
NOT_BCRYPT = "The password hash is not a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)."
NOT_PBKDF2 = "The password hash is not a PBKDF2-SHA256 hash ($pbkdf2-sha256$i=...$salt$hash, passlib's or Django's)."
NOT_VERIFIED = (
    "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true)."
)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def bcrypt_hash(password: str, prefix: str = "2b", cost: int = BCRYPT_COST) -> str:
    made = bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost, prefix=b"2a" if prefix == "2a" else b"2b")).decode()
    # PHP writes the same algorithm as $2y$.
    return made.replace("$2b$", "$2y$", 1) if prefix == "2y" else made


def pbkdf2_phc(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"$pbkdf2-sha256$i={iterations},l=32${_b64(salt)}${_b64(digest)}"


def pbkdf2_passlib(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"$pbkdf2-sha256${iterations}${_b64(salt).replace('+', '.')}${_b64(digest).replace('+', '.')}"


def pbkdf2_django(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = base64.b64encode(os.urandom(12)).decode().replace("+", "x").replace("/", "y")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


# The forms each algorithm's hashes are written in, used in turn by the hashed lines.
FORMS: dict[str, list[tuple[str, Callable[[str], str]]]] = {
    BCRYPT: [
        ("$2b$", bcrypt_hash),
        ("$2a$", lambda p: bcrypt_hash(p, "2a")),
        ("$2y$", lambda p: bcrypt_hash(p, "2y")),
    ],
    PBKDF2_SHA256: [("PHC", pbkdf2_phc), ("passlib", pbkdf2_passlib), ("Django", pbkdf2_django)],
}
# What a stored hash of each algorithm starts with before its user's first sign-in (the server keeps one
# canonical form: $2y$ as $2b$, passlib's and Django's PBKDF2 strings as PHC).
STORED_PREFIXES = {BCRYPT: ("$2a$", "$2b$"), PBKDF2_SHA256: ("$pbkdf2-sha256$i=",)}


def _not_a_hash(algorithm: str) -> tuple[str, str]:
    """A string that is no hash of ``algorithm``, and the reason."""
    if algorithm == BCRYPT:
        return "$2b$04$tooShort", NOT_BCRYPT
    return "$pbkdf2-sha256$i=1000$nosalt", NOT_PBKDF2


def _other_algorithm(algorithm: str, password: str) -> tuple[str, str]:
    """A valid hash of the other algorithm, and the reason it fails in this job."""
    if algorithm == BCRYPT:
        return pbkdf2_phc(password), NOT_BCRYPT
    return bcrypt_hash(password), NOT_PBKDF2


def _beyond_bound(algorithm: str, password: str) -> tuple[str, str]:
    """A well-formed hash whose cost is beyond the server's bound, and the reason."""
    if algorithm == BCRYPT:
        return bcrypt_hash(password).replace(f"$2b${BCRYPT_COST:02d}$", "$2b$15$", 1), (
            "The bcrypt cost must be 4 to 14; it is 15."
        )
    made = pbkdf2_phc(password).replace(f"i={PBKDF2_ITERATIONS},", "i=3000000,", 1)
    return made, "The PBKDF2 iterations must be 1 to 2,000,000; they are 3,000,000."


BAD_KINDS = (
    "bad email",
    "no username",
    "duplicate username",
    "malformed hash",
    "hash of the other algorithm",
    "cost beyond the bound",
    "email not verified",
    "too few values",
)


@dataclass(frozen=True)
class SignIn:
    """A user imported with a hash, its password and the form its hash was written in."""

    username: str
    password: str
    form: str


@dataclass
class Mix:
    """What a mixed file holds and what its job must come to."""

    algorithm: str
    rows: int = 0
    file_bytes: int = 0
    plain: int = 0
    hashed: int = 0
    outcomes: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Line number (the header is line 1) of each bad line -> (SKIPPED or FAILED, the reason)."""
    kinds: dict[str, int] = field(default_factory=dict)
    """Bad lines by kind."""
    sign_ins: list[SignIn] = field(default_factory=list)
    """The first user of each hash form."""
    reset_required: str = ""
    """A user imported without a hash."""
    not_imported: str = ""
    """The username of a line that failed (the user must not exist)."""

    @property
    def imported(self) -> int:
        return self.plain + self.hashed

    @property
    def skipped(self) -> int:
        return sum(1 for outcome, _ in self.outcomes.values() if outcome == SKIPPED)

    @property
    def failed(self) -> int:
        return sum(1 for outcome, _ in self.outcomes.values() if outcome == FAILED)


def _user(i: int) -> str:
    return f"user{i:07d}"


def write_file(path: Path, columns: list[str], rows: int) -> int:
    """A CSV file of ``rows`` users that all import, written a line at a time; its size in bytes."""
    at = {name: i for i, name in enumerate(columns)}
    empty = [""] * len(columns)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(",".join(columns) + "\n")
        for i in range(rows):
            values = list(empty)
            values[at["cognito:username"]] = _user(i)
            values[at["email"]] = f"{_user(i)}@example.com"
            values[at["email_verified"]] = "true"
            values[at["cognito:mfa_enabled"]] = "false"
            values[at["given_name"]] = f"Given {i}"
            out.write(",".join(values) + "\n")
    return path.stat().st_size


def write_mixed_file(path: Path, columns: list[str], rows: int, algorithm: str) -> Mix:
    """A CSV file of ``rows`` lines after the header (GetCSVHeader's ``columns`` and ``cognito:password_hash``)
    for a job of ``algorithm``, and what it must come to."""
    columns = [*columns, PASSWORD_HASH]
    at = {name: i for i, name in enumerate(columns)}
    empty = [""] * len(columns)
    forms = FORMS[algorithm]
    mix = Mix(algorithm, rows)
    last_imported = ""
    bad = hashed = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(",".join(columns) + "\n")
        for i in range(rows):
            line = i + 2
            name = _user(i)
            values = list(empty)
            values[at["cognito:username"]] = name
            values[at["email"]] = f"{name}@example.com"
            values[at["email_verified"]] = "true"
            values[at["cognito:mfa_enabled"]] = "false"
            values[at["given_name"]] = f"Given {i}"
            password = f"Old-Passw0rd-{i}"
            if i % BAD_EVERY == BAD_EVERY // 2 and last_imported:
                kind = BAD_KINDS[bad % len(BAD_KINDS)]
                bad += 1
                mix.kinds[kind] = mix.kinds.get(kind, 0) + 1
                outcome, reason = FAILED, ""
                if kind == "bad email":
                    # A valid hash does not carry a line whose attributes are wrong.
                    values[at["email"]] = f"{name}-at-example.com"
                    values[at[PASSWORD_HASH]] = forms[0][1](password)
                    reason = "Invalid email address format."
                    mix.not_imported = mix.not_imported or name
                elif kind == "no username":
                    values[at["cognito:username"]] = ""
                    reason = "The cognito:username value is required."
                elif kind == "duplicate username":
                    values[at["cognito:username"]] = last_imported
                    outcome, reason = SKIPPED, USER_EXISTS
                elif kind == "malformed hash":
                    values[at[PASSWORD_HASH]], reason = _not_a_hash(algorithm)
                elif kind == "hash of the other algorithm":
                    values[at[PASSWORD_HASH]], reason = _other_algorithm(algorithm, password)
                elif kind == "cost beyond the bound":
                    values[at[PASSWORD_HASH]], reason = _beyond_bound(algorithm, password)
                elif kind == "email not verified":
                    values[at["email_verified"]] = "false"
                    reason = NOT_VERIFIED
                else:  # too few values
                    values = values[:3]
                    reason = f"The line has 3 values; the header has {len(columns)} columns."
                mix.outcomes[line] = (outcome, reason)
            elif i % HASHED_EVERY == 0:
                form, make = forms[hashed % len(forms)]
                hashed += 1
                values[at[PASSWORD_HASH]] = make(password)
                if len(mix.sign_ins) < len(forms):
                    mix.sign_ins.append(SignIn(name, password, form))
                mix.hashed += 1
                last_imported = name
            else:
                mix.plain += 1
                mix.reset_required = mix.reset_required or name
                last_imported = name
            # A comma inside a value (PHC's "i=...,l=...") is written as Cognito's format has it.
            out.write(",".join(v.replace(",", "\\,") for v in values) + "\n")
    mix.file_bytes = path.stat().st_size
    return mix
