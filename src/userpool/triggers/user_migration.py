"""UserMigration: the function moves a user the pool does not know in from another directory.

Cognito developer guide: 'Migrate user Lambda trigger'. Fired when a sign-in that carries the password
(``UserMigration_Authentication``: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the hosted pages) or a
ForgotPassword (``UserMigration_ForgotPassword``, no password) names no user. ``userName`` is what the user
typed; ``request.password`` the password typed (the one trigger that ever sees one); ``validationData`` the
InitiateAuth ClientMetadata, ``clientMetadata`` that of ForgotPassword.

The answer: ``userAttributes`` (required; a function that leaves it unset has not found the user),
``finalUserStatus`` (CONFIRMED, the default, or RESET_REQUIRED), ``messageAction`` (SUPPRESS),
``desiredDeliveryMediums`` (EMAIL / SMS), ``forceAliasCreation``, ``enableSMSMFA``. And three members of this
server's, for what a user moving in from another user pool has and Cognito's answer has no room for (the
built-in ``cognito-migration`` function sets them; a Lambda written for AWS never does):
``userpool:groups`` (the names of groups to join; those the pool does not have are skipped),
``userpool:enableEmailMFA`` (EMAIL_OTP as an MFA factor, as ``enableSMSMFA`` is for SMS) and
``userpool:preferredMfa`` (SMS_MFA or EMAIL_OTP, one of the factors turned on).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from userpool.errors import InvalidLambdaResponseException
from userpool.model.records import Pool
from userpool.model.vocabulary import ChallengeName, DeliveryMedium, UserStatus
from userpool.triggers.events import envelope, string_map
from userpool.triggers.invoke import INVALID_RESPONSE, invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.responses import flag, optional_string
from userpool.triggers.sources import Source
from userpool.triggers.transport import TriggerFunctions

FINAL_STATUSES = (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED)
MEDIUMS = (DeliveryMedium.EMAIL, DeliveryMedium.SMS)
# The factors a migrated user may have turned on and prefer (a software token's secret cannot be given).
MFA_FACTORS = (ChallengeName.SMS_MFA, ChallengeName.EMAIL_OTP)
# Attributes a function cannot give: the username is what the user typed, the sub is the pool's to assign.
_NOT_MIGRATED = frozenset({"username", "sub"})
GROUPS_MEMBER = "userpool:groups"
EMAIL_MFA_MEMBER = "userpool:enableEmailMFA"
PREFERRED_MFA_MEMBER = "userpool:preferredMfa"
# What a user may be moved into at most: Cognito's quota of groups per user.
MAX_GROUPS = 100


@dataclass(frozen=True, slots=True)
class Migration:
    """What the function answered for a user it found."""

    attributes: dict[str, str]
    final_status: UserStatus
    suppress_message: bool
    delivery_mediums: tuple[str, ...]
    force_alias_creation: bool
    enable_sms_mfa: bool
    enable_email_mfa: bool = False
    preferred_mfa: str | None = None
    groups: tuple[str, ...] = ()


def _attributes(response: dict[str, Any]) -> dict[str, str] | None:
    found = response.get("userAttributes")
    if found is None:
        return None
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return {str(k): v for k, v in found.items() if k not in _NOT_MIGRATED}


def _choice(response: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = optional_string(response, name)
    if value is not None and value not in allowed:
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return value


def _mediums(response: dict[str, Any]) -> tuple[str, ...]:
    found = response.get("desiredDeliveryMediums")
    if found is None:
        return ()
    if not isinstance(found, list) or not all(m in MEDIUMS for m in found):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return tuple(dict.fromkeys(found))


def _groups(response: dict[str, Any]) -> tuple[str, ...]:
    found = response.get(GROUPS_MEMBER)
    if found is None:
        return ()
    if not isinstance(found, list) or len(found) > MAX_GROUPS or not all(isinstance(g, str) and g for g in found):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return tuple(dict.fromkeys(found))


def read_migration(response: dict[str, Any]) -> Migration | None:
    """The function's answer, strictly typed; None when it did not give the user's attributes."""
    attributes = _attributes(response)
    final = _choice(response, "finalUserStatus", FINAL_STATUSES)
    final_status = UserStatus(final) if final is not None else UserStatus.CONFIRMED
    suppress = _choice(response, "messageAction", ("SUPPRESS",)) == "SUPPRESS"
    mediums = _mediums(response)
    force = flag(response, "forceAliasCreation")
    sms_mfa = flag(response, "enableSMSMFA")
    email_mfa = flag(response, EMAIL_MFA_MEMBER)
    preferred = _choice(response, PREFERRED_MFA_MEMBER, MFA_FACTORS)
    turned_on: dict[str, bool] = {ChallengeName.SMS_MFA: sms_mfa, ChallengeName.EMAIL_OTP: email_mfa}
    if preferred is not None and not turned_on[preferred]:
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    groups = _groups(response)
    if not attributes:
        return None
    return Migration(attributes, final_status, suppress, mediums, force, sms_mfa, email_mfa, preferred, groups)


def user_migration(
    functions: TriggerFunctions,
    pool: Pool,
    username: str,
    source: Source,
    *,
    client_id: str,
    password: str | None,
    validation_data: Mapping[str, Any] | None,
    client_metadata: Mapping[str, Any] | None,
) -> Migration | None:
    """Ask the pool's UserMigration function for the user ``username`` names; None when it has none (or the
    pool has no such function). The event holds the password: it is never logged (triggers/invoke.py)."""
    if not configured(pool, Trigger.USER_MIGRATION):
        return None
    request: dict[str, Any] = {}
    if password is not None:
        request["password"] = password
    request["validationData"] = string_map(validation_data)
    request["clientMetadata"] = string_map(client_metadata)
    response = {
        "userAttributes": None,
        "finalUserStatus": None,
        "messageAction": None,
        "desiredDeliveryMediums": None,
        "forceAliasCreation": None,
        "enableSMSMFA": None,
    }
    event = envelope(pool, source, username, client_id, request, response)
    return read_migration(invoke(functions, pool, Trigger.USER_MIGRATION, event))
