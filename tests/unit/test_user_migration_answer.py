"""A UserMigration function's answer, read strictly: Cognito's members and the three of this server's that the
built-in cognito-migration function sets (groups, email MFA, the preferred factor)."""

from __future__ import annotations

from typing import Any

import pytest

from userpool.errors import InvalidLambdaResponseException
from userpool.triggers.user_migration import read_migration

FOUND = {"userAttributes": {"email": "ann@old.example", "sub": "not-taken"}}


def test_read_migration__groups_and_mfa_members() -> None:
    migration = read_migration(
        {
            **FOUND,
            "enableSMSMFA": True,
            "userpool:enableEmailMFA": True,
            "userpool:preferredMfa": "EMAIL_OTP",
            "userpool:groups": ["admins", "editors", "admins"],
        }
    )
    assert migration is not None
    assert migration.attributes == {"email": "ann@old.example"}
    assert (migration.enable_sms_mfa, migration.enable_email_mfa, migration.preferred_mfa) == (True, True, "EMAIL_OTP")
    assert migration.groups == ("admins", "editors")
    plain = read_migration(FOUND)
    assert plain is not None
    assert (plain.enable_email_mfa, plain.preferred_mfa, plain.groups) == (False, None, ())


@pytest.mark.parametrize(
    "members",
    [
        {"userpool:groups": "admins"},
        {"userpool:groups": ["admins", 1]},
        {"userpool:groups": [""]},
        {"userpool:groups": [f"g{n}" for n in range(101)]},
        {"userpool:enableEmailMFA": "true"},
        {"userpool:preferredMfa": "SOFTWARE_TOKEN_MFA", "enableSMSMFA": True},
        # A preferred factor must be one the answer turns on.
        {"userpool:preferredMfa": "SMS_MFA"},
        {"userpool:preferredMfa": "SMS_MFA", "userpool:enableEmailMFA": True},
    ],
)
def test_read_migration__wrong_members_are_an_invalid_response(members: dict[str, Any]) -> None:
    with pytest.raises(InvalidLambdaResponseException, match="Invalid lambda response"):
        read_migration({**FOUND, **members})
