"""The names Cognito puts on the wire, as it spells them: user statuses, challenge names, auth flows and
delivery media, each the enum of the cognito-idp model it mirrors (tests/unit/test_vocabulary.py checks them
against botocore's model).

They are ``StrEnum``s: a member is the literal itself (equal to, hashing as and serialised as the plain
string), so a value read back from the database or a request compares equal to the member, and the wire
output is the literal. Member names are the literals too, which keeps ``UserStatus["CONFIRMED"]`` and
``UserStatus("CONFIRMED")`` the same thing.
"""

from __future__ import annotations

from enum import StrEnum


class UserStatus(StrEnum):
    """UserStatusType: where a user is in its life cycle (AdminGetUser UserStatus, ListUsers' filter)."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    ARCHIVED = "ARCHIVED"
    COMPROMISED = "COMPROMISED"
    UNKNOWN = "UNKNOWN"
    RESET_REQUIRED = "RESET_REQUIRED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"  # noqa: S105 (a status)
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
