"""What is stored for a newly set password: its argon2id hash and its SRP salt and verifier (docs/srp.md,
Enrolment: it happens wherever a password is set).

Both are computed here, before the caller opens its write transaction (docs/architecture.md, Storage: no slow hashing
inside one), and applied in it with ``with_password``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.model.records import User


@dataclass(frozen=True, slots=True)
class NewPassword:
    password_hash: str
    srp_salt: str
    srp_verifier: str


def new_password(ctx: Ctx, user: User, password: str) -> NewPassword:
    """Hash and SRP-enrol ``password`` for ``user``: the verifier binds the pool and the internal username
    (USER_ID_FOR_SRP), which never change."""
    salt, verifier = srp.enrol(user.pool_id, user.username, password)
    return NewPassword(ctx.deps.hasher.hash(password), salt, format(verifier, "x"))


def with_password(user: User, new: NewPassword) -> User:
    return replace(user, password_hash=new.password_hash, srp_salt=new.srp_salt, srp_verifier=new.srp_verifier)
