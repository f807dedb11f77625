"""Which Lambda function a pool configured for a trigger: its LambdaConfig (LambdaConfigType).

AWS: LambdaConfigType API reference. Most triggers are an ARN string; PreTokenGenerationConfig, CustomSMSSender,
CustomEmailSender and InboundFederation are ``{LambdaVersion, LambdaArn}`` objects.
"""

from __future__ import annotations

from enum import StrEnum

from userpool.model.records import Pool


class Trigger(StrEnum):
    """A trigger, by its LambdaConfig member name; Cognito's error messages name triggers the same way."""

    PRE_SIGN_UP = "PreSignUp"
    CUSTOM_MESSAGE = "CustomMessage"
    POST_CONFIRMATION = "PostConfirmation"
    PRE_AUTHENTICATION = "PreAuthentication"
    POST_AUTHENTICATION = "PostAuthentication"
    DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge"
    CREATE_AUTH_CHALLENGE = "CreateAuthChallenge"
    VERIFY_AUTH_CHALLENGE_RESPONSE = "VerifyAuthChallengeResponse"
    PRE_TOKEN_GENERATION = "PreTokenGeneration"  # noqa: S105 - a trigger name
    USER_MIGRATION = "UserMigration"
    CUSTOM_SMS_SENDER = "CustomSMSSender"
    CUSTOM_EMAIL_SENDER = "CustomEmailSender"
    INBOUND_FEDERATION = "InboundFederation"


# The versioned member wins over the legacy ARN string where both exist (LambdaConfigType).
_VERSIONED = {
    Trigger.PRE_TOKEN_GENERATION: "PreTokenGenerationConfig",
    Trigger.CUSTOM_SMS_SENDER: "CustomSMSSender",
    Trigger.CUSTOM_EMAIL_SENDER: "CustomEmailSender",
    Trigger.INBOUND_FEDERATION: "InboundFederation",
}


def function_arn(pool: Pool, trigger: Trigger) -> str | None:
    """The ARN of the function ``pool`` runs for ``trigger``, or None when it has none."""
    config = pool.config.get("LambdaConfig") or {}
    versioned = config.get(_VERSIONED.get(trigger, ""))
    if isinstance(versioned, dict) and versioned.get("LambdaArn"):
        return str(versioned["LambdaArn"])
    legacy = config.get(trigger.value)
    return legacy if isinstance(legacy, str) and legacy else None


def lambda_version(pool: Pool, trigger: Trigger) -> str:
    """``V1_0``, ``V2_0`` or ``V3_0``: the event version a versioned trigger expects (V1_0 when unset)."""
    versioned = (pool.config.get("LambdaConfig") or {}).get(_VERSIONED.get(trigger, ""))
    if isinstance(versioned, dict) and versioned.get("LambdaVersion"):
        return str(versioned["LambdaVersion"])
    return "V1_0"


def configured(pool: Pool, trigger: Trigger) -> bool:
    return function_arn(pool, trigger) is not None
