"""What GetUserAuthFactors and AdminGetUserAuthFactors answer for a user: its MFA settings, and the factors it
has (AuthFactorType): the first factors of choice-based sign-in (USER_AUTH) it can use, and SOFTWARE_TOKEN, which
"can only be used as an MFA factor", once it has a verified authenticator (API reference:
GetUserAuthFactorsResponse, ConfiguredUserAuthFactors)."""

from __future__ import annotations

from typing import Any

from userpool.model.first_factors import user_factors
from userpool.model.records import Pool, User
from userpool.services.users.steps.user_wire import admin_get_user_shape
from userpool.store.base import Tx

SOFTWARE_TOKEN = "SOFTWARE_TOKEN"  # noqa: S105 (an AuthFactorType)


def auth_factors(tx: Tx, pool: Pool, user: User) -> dict[str, Any]:
    """GetUserAuthFactorsResponse for ``user``."""
    has_passkey = tx.webauthn_credentials.count(pool.id, user.sub) > 0
    token = tx.software_tokens.get(pool.id, user.sub)
    shape = admin_get_user_shape(user)
    body: dict[str, Any] = {"Username": user.username}
    body.update({k: shape[k] for k in ("PreferredMfaSetting", "UserMFASettingList") if k in shape})
    factors = list(user_factors(pool, user, has_passkey))
    if token is not None and token.verified:
        factors.append(SOFTWARE_TOKEN)
    body["ConfiguredUserAuthFactors"] = factors
    return body
