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


class ChallengeName(StrEnum):
    """ChallengeNameType: the challenges InitiateAuth and RespondToAuthChallenge answer with, and the first
    factors of choice-based sign-in (AvailableChallenges). PASSWORD, EMAIL_OTP and SMS_OTP are also
    AuthFactorType values (AllowedFirstAuthFactors, GetUserAuthFactors), spelled alike; SMS_MFA,
    SOFTWARE_TOKEN_MFA and EMAIL_OTP name the MFA factors too (model/pool_mfa.py)."""

    SMS_MFA = "SMS_MFA"
    EMAIL_OTP = "EMAIL_OTP"
    SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 (a challenge name)
    SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
    MFA_SETUP = "MFA_SETUP"
    PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105 (a challenge name)
    CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
    SELECT_CHALLENGE = "SELECT_CHALLENGE"
    DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
    DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"  # noqa: S105 (a challenge name)
    # An AuthFlow name that the model's enum also lists; nobody is ever challenged with it.
    ADMIN_NO_SRP_AUTH = "ADMIN_NO_SRP_AUTH"
    NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 (a challenge name)
    SMS_OTP = "SMS_OTP"
    PASSWORD = "PASSWORD"  # noqa: S105 (a challenge name)
    WEB_AUTHN = "WEB_AUTHN"
    PASSWORD_SRP = "PASSWORD_SRP"  # noqa: S105 (a challenge name)


class AuthFlow(StrEnum):
    """AuthFlowType: the sign-in an InitiateAuth / AdminInitiateAuth starts."""

    USER_SRP_AUTH = "USER_SRP_AUTH"
    REFRESH_TOKEN_AUTH = "REFRESH_TOKEN_AUTH"  # noqa: S105 (a flow name)
    REFRESH_TOKEN = "REFRESH_TOKEN"  # noqa: S105 (a flow name)
    CUSTOM_AUTH = "CUSTOM_AUTH"
    # The legacy name of ADMIN_USER_PASSWORD_AUTH; pycognito still sends it.
    ADMIN_NO_SRP_AUTH = "ADMIN_NO_SRP_AUTH"
    USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH"  # noqa: S105 (a flow name)
    ADMIN_USER_PASSWORD_AUTH = "ADMIN_USER_PASSWORD_AUTH"  # noqa: S105 (a flow name)
    USER_AUTH = "USER_AUTH"


class ExplicitAuthFlow(StrEnum):
    """ExplicitAuthFlowsType: what an app client's ExplicitAuthFlows lets it use. The first three are the legacy
    values, which Cognito still accepts and which stand for their ALLOW_* equivalents."""

    ADMIN_NO_SRP_AUTH = "ADMIN_NO_SRP_AUTH"
    CUSTOM_AUTH_FLOW_ONLY = "CUSTOM_AUTH_FLOW_ONLY"
    USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH"  # noqa: S105 (a flow name)
    ALLOW_ADMIN_USER_PASSWORD_AUTH = "ALLOW_ADMIN_USER_PASSWORD_AUTH"  # noqa: S105 (a flow name)
    ALLOW_CUSTOM_AUTH = "ALLOW_CUSTOM_AUTH"
    ALLOW_USER_PASSWORD_AUTH = "ALLOW_USER_PASSWORD_AUTH"  # noqa: S105 (a flow name)
    ALLOW_USER_SRP_AUTH = "ALLOW_USER_SRP_AUTH"
    ALLOW_REFRESH_TOKEN_AUTH = "ALLOW_REFRESH_TOKEN_AUTH"  # noqa: S105 (a flow name)
    ALLOW_USER_AUTH = "ALLOW_USER_AUTH"
    ALLOW_TOKEN_EXCHANGE_DELEGATION = "ALLOW_TOKEN_EXCHANGE_DELEGATION"  # noqa: S105 (a flow name)
    ALLOW_TOKEN_EXCHANGE_IMPERSONATION = "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"  # noqa: S105 (a flow name)
    # GetClientToken: machine-to-machine access tokens, the client's only flow (not yet in the model's enum).
    ALLOW_CLIENT_TOKEN_AUTH = "ALLOW_CLIENT_TOKEN_AUTH"  # noqa: S105 (a flow name)


class DeliveryMedium(StrEnum):
    """DeliveryMediumType: how a code or an invitation reaches the user (CodeDeliveryDetails DeliveryMedium,
    DesiredDeliveryMediums), and the outbox channel that carries it."""

    SMS = "SMS"
    EMAIL = "EMAIL"


class LogEventSource(StrEnum):
    """EventSourceName: the activity a pool's LogConfigurations export (Set/GetLogDeliveryConfiguration):
    message-delivery errors, and threat protection's user activity."""

    userNotification = "userNotification"
    userAuthEvents = "userAuthEvents"


class LogLevel(StrEnum):
    """LogLevel: the level of the logs a LogConfiguration exports."""

    ERROR = "ERROR"
    INFO = "INFO"
