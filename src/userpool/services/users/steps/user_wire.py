"""Users in Cognito's wire shapes: UserType (ListUsers, AdminCreateUser, groups) and AdminGetUser's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from userpool.model.pool_mfa import SMS
from userpool.model.records import User
from userpool.model.user_mfa import SMS_OPTION, enabled, has_factor_list, preferred


def attribute_list(user: User, names: Iterable[str] | None = None) -> list[dict[str, str]]:
    """``[{"Name", "Value"}]`` with ``sub`` first, as Cognito lists them; restricted to ``names`` if given."""
    wanted = None if names is None else set(names)
    ordered = sorted(user.attributes.items(), key=lambda kv: (kv[0] != "sub", kv[0]))
    return [{"Name": n, "Value": v} for n, v in ordered if wanted is None or n in wanted]


def _mfa_options(user: User) -> list[dict[str, str]]:
    # The legacy view of SMS MFA, however it was turned on (SetUserSettings or SetUserMFAPreference).
    return [dict(SMS_OPTION)] if SMS in enabled(user) else []


def user_type(user: User, attributes_to_get: Iterable[str] | None = None) -> dict[str, Any]:
    """UserType, as in ListUsers, ListUsersInGroup and AdminCreateUser."""
    body: dict[str, Any] = {
        "Username": user.username,
        "Attributes": attribute_list(user, attributes_to_get),
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }
    if _mfa_options(user):
        body["MFAOptions"] = _mfa_options(user)
    return body


def admin_get_user_shape(user: User) -> dict[str, Any]:
    """AdminGetUser's response: UserType flattened, plus the user's MFA settings."""
    body = user_type(user)
    body["UserAttributes"] = body.pop("Attributes")
    choice, factors = preferred(user), enabled(user)
    if choice is not None:
        body["PreferredMfaSetting"] = choice
    if has_factor_list(user):
        body["UserMFASettingList"] = list(factors)
    return body
