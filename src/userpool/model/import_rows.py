"""The lines of a user import file: its header checked against the pool's schema, each row read into what the
user will be (Cognito developer guide: 'Creating the user import CSV file', 'Formatting the CSV file').

The rules, as AWS states them: the first line is the header of GetCSVHeader's columns, in any order, all of them
present; ``cognito:username`` is required, unique in the pool, without spaces or tabs; ``cognito:mfa_enabled`` is
``true`` or ``false`` (``true`` in a pool whose MFA is ON, ``false`` where it is OFF); at least one of the pool's
auto-verified attributes must be verified (``email_verified`` / ``phone_number_verified`` true), the only one
when the pool has one; ``email`` / ``phone_number`` must be there when marked verified; the pool's required
attributes must have values; ``birthdate`` is ``mm/dd/yyyy``; ``updated_at`` epoch seconds; leading and
trailing white space is trimmed; a comma inside a value is written ``\\,`` (quoted values are read too).

One column beyond GetCSVHeader's may be given: ``cognito:password_hash``, a hash in the algorithm the job names
(CreateUserImportJob's PasswordHashingAlgorithm; crypto/foreign_hashes.py checks it), with which the user signs in with
its old password. A user imported without one is RESET_REQUIRED ('Importing users into user pools from a CSV
file': "your users will be in a RESET_REQUIRED state").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass

from userpool.model.pool_config import auto_verified_attributes, schema_attributes
from userpool.model.records import Pool
from userpool.model.schema import csv_header

USERNAME = "cognito:username"
MFA_ENABLED = "cognito:mfa_enabled"
PASSWORD_HASH = "cognito:password_hash"  # noqa: S105 (a column name)
IMPORT_ONLY = (USERNAME, MFA_ENABLED, PASSWORD_HASH)
NOT_VERIFIED = (
    "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true)."
)
USER_EXISTS = "The user already exists."
IMPORTED = "The import succeeded."
_BIRTHDATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_MAX_MESSAGE = 128


class HeaderProblem(ValueError):
    """Why a file's header cannot be imported (the job fails with it as its CompletionMessage)."""


class RowProblem(ValueError):
    """Why a row cannot be imported (the line fails with it as its reason)."""


def _message(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def split_line(text: str) -> list[str]:
    """The values of one line: separated by commas, ``\\,`` for a comma inside a value as Cognito writes it,
    and double-quoted values as other CSV writers write them."""
    try:
        return next(csv.reader([text], escapechar="\\", strict=True))
    except (csv.Error, StopIteration):
        raise RowProblem("The line is not valid CSV.") from None


@dataclass(frozen=True, slots=True)
class Header:
    """The columns of a file, by name: where each is in a row."""

    columns: dict[str, int]

    @property
    def width(self) -> int:
        return len(self.columns)


def read_header(pool: Pool, values: Sequence[str]) -> Header:
    """The header of a file for ``pool``; HeaderProblem for a column that is not the pool's, one given twice,
    or one of GetCSVHeader's that is missing."""
    names = [v.strip() for v in values]
    if names:
        names[0] = names[0].removeprefix("\ufeff")
    expected = csv_header(schema_attributes(pool))
    allowed = set(expected) | {PASSWORD_HASH}
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise HeaderProblem(_message(f"The CSV header has columns the user pool does not have: {', '.join(unknown)}"))
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise HeaderProblem(_message(f"The CSV header has columns twice: {', '.join(twice)}"))
    missing = [n for n in expected if n not in names]
    if missing:
        raise HeaderProblem(_message(f"The CSV header is missing columns: {', '.join(missing)}"))
    return Header({name: i for i, name in enumerate(names)})


@dataclass(frozen=True, slots=True)
class Row:
    """What one line says of its user: the name it is imported under, its attributes (empty values left out,
    ``birthdate`` in the schema's form), whether SMS MFA is on, and its password hash as written (checked and
    made canonical by crypto/foreign_hashes.py)."""

    username: str
    attributes: dict[str, str]
    mfa_enabled: bool
    password_hash: str | None


def _boolean(value: str, column: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise RowProblem(f"The {column} value must be true or false.")
    return lowered == "true"


def _mfa(pool: Pool, value: str) -> bool:
    if not value:
        raise RowProblem(f"The {MFA_ENABLED} value is required.")
    enabled = _boolean(value, MFA_ENABLED)
    mode = pool.config.get("MfaConfiguration", "OFF")
    if mode == "ON" and not enabled:
        raise RowProblem(f"The user pool requires MFA: {MFA_ENABLED} must be true.")
    if mode == "OFF" and enabled:
        raise RowProblem(f"The user pool has MFA turned off: {MFA_ENABLED} must be false.")
    return enabled


def _verified(pool: Pool, attributes: dict[str, str]) -> None:
    verified = {}
    for kind in ("email", "phone_number"):
        flag = attributes.get(f"{kind}_verified", "")
        verified[kind] = _boolean(flag, f"{kind}_verified") if flag else False
        if verified[kind] and not attributes.get(kind):
            raise RowProblem(f"{kind}_verified is true but the {kind} value is empty.")
    auto = [kind for kind in auto_verified_attributes(pool) if kind in verified]
    if not any(verified[kind] for kind in auto) or (len(auto) == 1 and not verified[auto[0]]):
        raise RowProblem(NOT_VERIFIED)


def read_row(pool: Pool, header: Header, values: Sequence[str], hash_algorithm: str | None) -> Row:
    """The user a row describes, or RowProblem. The attributes are checked against the schema when the user is
    built (model/attributes.py), not here."""
    if len(values) != header.width:
        raise RowProblem(f"The line has {len(values)} values; the header has {header.width} columns.")
    given = {name: values[i].strip() for name, i in header.columns.items()}
    username = given[USERNAME]
    if not username:
        raise RowProblem(f"The {USERNAME} value is required.")
    if " " in username or "\t" in username:
        raise RowProblem(f"The {USERNAME} value must not contain spaces or tabs.")
    attributes = {name: value for name, value in given.items() if name not in IMPORT_ONLY and value}
    birthdate = _BIRTHDATE.fullmatch(attributes.get("birthdate", ""))
    if birthdate is not None:
        month, day, year = birthdate.groups()
        attributes["birthdate"] = f"{year}-{month}-{day}"
    _verified(pool, attributes)
    mfa_enabled = _mfa(pool, given[MFA_ENABLED])
    password_hash = given.get(PASSWORD_HASH) or None
    if password_hash is not None and hash_algorithm is None:
        raise RowProblem("The line has a password hash, but the import job has no PasswordHashingAlgorithm.")
    return Row(username, attributes, mfa_enabled, password_hash)
