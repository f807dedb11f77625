"""One line of an import file into a user (Cognito developer guide: 'Creating the user import CSV file';
'Viewing the user pool import results in the CloudWatch console' for what is skipped and what fails).

A line is read and checked outside any transaction (``prepare``): its values (model/import_rows.py), its
password hash (crypto/foreign_hashes.py: format and cost bounds, nothing computed), its username against the
pool's sign-in rules and its attributes against the schema (model/attributes.py), each problem the line's
failure reason. In the batch's transaction (``apply``) a user that exists already is skipped ("The user already
exists."), one whose email, phone number or preferred username another user signs in with fails with the error
AdminCreateUser would give, and the others are added: RESET_REQUIRED, or CONFIRMED with the imported hash, which
the first sign-in with the right password replaces by the server's own argon2id and SRP verifier
(sign_in/steps/password_auth.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from userpool.crypto import foreign_hashes
from userpool.errors import CognitoError
from userpool.model.attributes import username_attribute
from userpool.model.import_jobs import RowOutcome, RowResult
from userpool.model.import_rows import USER_EXISTS, Header, RowProblem, read_row, split_line
from userpool.model.pool_mfa import SMS
from userpool.model.records import Pool, User
from userpool.model.user_mfa import with_factors
from userpool.model.vocabulary import UserStatus
from userpool.services.lookup.records import find_user
from userpool.services.users.admin_attributes import claim_aliases, conflict_error
from userpool.services.users.steps.new_users import new_user
from userpool.store.base import Conflict, Tx


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line read: the user it would add (None when the line failed already, with ``problem``), and the name it
    was imported under (an email or phone number in pools whose usernames are those: ``by_attribute``)."""

    line: int
    user: User | None
    typed: str = ""
    by_attribute: bool = False
    problem: str = ""


def failed(line: int, reason: str) -> RowResult:
    return RowResult(line, RowOutcome.FAILED, reason)


def prepare(pool: Pool, header: Header, line: int, text: str, algorithm: str | None, now: float) -> Candidate:
    """The user line ``line`` (its text ``text``) describes, or why it cannot be imported."""
    try:
        row = read_row(pool, header, split_line(text), algorithm)
        password_hash = None
        if row.password_hash is not None and algorithm is not None:
            password_hash = foreign_hashes.parse(algorithm, row.password_hash)
        kind = username_attribute(pool, row.username)
        status = UserStatus.CONFIRMED if password_hash is not None else UserStatus.RESET_REQUIRED
        mfa = with_factors({}, [SMS], None) if row.mfa_enabled else {}
        user = new_user(pool, row.username, kind, row.attributes, status, now, mfa=mfa)
    except (RowProblem, foreign_hashes.HashProblem) as problem:
        return Candidate(line, None, problem=str(problem))
    except CognitoError as error:
        return Candidate(line, None, problem=error.message.strip())
    if password_hash is not None:
        user = replace(user, password_hash=password_hash)
    return Candidate(line, user, row.username, kind is not None)


def apply(tx: Tx, pool: Pool, candidate: Candidate, now: float) -> RowResult | None:
    """Add the candidate's user in ``tx``: None when it was imported, else the line's result. A uniqueness
    conflict the database reports (a concurrent sign-up took the name) is raised as Conflict."""
    user = candidate.user
    if user is None:
        return failed(candidate.line, candidate.problem)
    if candidate.by_attribute:
        existing = find_user(tx, pool, candidate.typed)
    else:
        existing = tx.users.get_by_username(pool.id, user.username_norm)
    if existing is not None:
        return RowResult(candidate.line, RowOutcome.SKIPPED, USER_EXISTS)
    try:
        claim_aliases(tx, pool, user, force=False, now=now, creating=True)
    except CognitoError as error:
        return failed(candidate.line, error.message)
    tx.users.add(user)
    return None


def conflict_result(pool: Pool, candidate: Candidate, conflict: Conflict) -> RowResult:
    """The result of a line whose user the database refused (its transaction rolled back): skipped for a
    username taken meanwhile, else failed as AdminCreateUser would."""
    if conflict.field == "username" or candidate.user is None:
        return RowResult(candidate.line, RowOutcome.SKIPPED, USER_EXISTS)
    return failed(candidate.line, conflict_error(pool, conflict, candidate.user, creating=True).message)
