"""A pool's MFA configuration: the factors SetUserPoolMfaConfig turns on, and the MFA rules of Create/UpdateUserPool.

The factors live in the pool's configuration document beside the UserPoolType members: ``EnabledMfas`` (the
names CloudFormation uses: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP), ``EmailMfaConfiguration`` and
``WebAuthnConfiguration``. The SMS factor shares the pool's ``SmsConfiguration`` and ``SmsAuthenticationMessage``.
Error wording is Cognito's, as reported against the live service (aws-sdk-js issue 4186, go-to-k/cdkd issue 1923,
floci-io/floci PR 2831).
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.passkeys import check_relying_party_id
from userpool.model.vocabulary import ChallengeName

ENABLED_MFAS = "EnabledMfas"
EMAIL_MFA = "EmailMfaConfiguration"
WEBAUTHN = "WebAuthnConfiguration"
# The factors go by the names of the challenges that ask for their codes.
SMS, TOTP, EMAIL = ChallengeName.SMS_MFA, ChallengeName.SOFTWARE_TOKEN_MFA, ChallengeName.EMAIL_OTP

# CreateUserPool can only configure SMS MFA, so ON/OPTIONAL needs an SmsConfiguration (CreateUserPoolRequest).
SMS_REQUIRED = "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
OFF_WITH_FACTOR = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
NO_FACTOR = "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
BAD_SMS = "Invalid SMS MFA configuration given, external id and a valid caller arn are required"


def enabled_factors(config: dict[str, Any]) -> list[str]:
    """The MFA factors a pool offers (empty when MfaConfiguration is OFF)."""
    return list(config.get(ENABLED_MFAS) or [])


def _sms_ready(sms_configuration: dict[str, Any] | None) -> bool:
    # Cognito sends SMS through SNS (SnsCallerArn) or End User Messaging (EumsSms), never both.
    sms = sms_configuration or {}
    return bool(sms.get("SnsCallerArn")) != bool(sms.get("EumsSms"))


def on_create(config: dict[str, Any]) -> dict[str, Any]:
    """The MFA members of a new pool: CreateUserPool turns on SMS MFA when MFA is ON or OPTIONAL."""
    if config["MfaConfiguration"] == "OFF":
        return {ENABLED_MFAS: []}
    if not config.get("SmsConfiguration"):
        raise InvalidParameterException(SMS_REQUIRED)
    return {ENABLED_MFAS: [SMS]}


def on_update(current: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The MFA members after UpdateUserPool: TOTP and email factors set by SetUserPoolMfaConfig survive it."""
    kept: dict[str, Any] = {WEBAUTHN: copy.deepcopy(current[WEBAUTHN])} if WEBAUTHN in current else {}
    if config["MfaConfiguration"] == "OFF":
        return {ENABLED_MFAS: [], **kept}
    before = enabled_factors(current)
    factors = [f for f in before if f != SMS]
    if config.get("SmsConfiguration") and (SMS in before or not factors):
        factors.insert(0, SMS)
    if not factors:
        raise InvalidParameterException(SMS_REQUIRED)
    if EMAIL in factors and EMAIL_MFA in current:
        kept[EMAIL_MFA] = copy.deepcopy(current[EMAIL_MFA])
    return {ENABLED_MFAS: factors, **kept}


def _requested_factors(request: dict[str, Any]) -> list[str]:
    factors: list[str] = [SMS] if request.get("SmsMfaConfiguration") is not None else []
    if (request.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        factors.append(TOTP)
    if request.get("EmailMfaConfiguration") is not None:
        factors.append(EMAIL)
    return factors


def set_mfa(config: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The configuration after SetUserPoolMfaConfig ``request``: factors it omits are turned off."""
    mode = request.get("MfaConfiguration", "OFF")
    sms_request = request.get("SmsMfaConfiguration")
    sms_configuration = None
    if sms_request is not None:
        sms_configuration = sms_request.get("SmsConfiguration") or config.get("SmsConfiguration")
        if not _sms_ready(sms_configuration):
            raise InvalidParameterException(BAD_SMS)
    blocks = ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")
    if mode == "OFF" and any(request.get(b) is not None for b in blocks):
        raise InvalidParameterException(OFF_WITH_FACTOR)
    factors = _requested_factors(request)
    if mode != "OFF" and not factors:
        raise InvalidParameterException(NO_FACTOR)
    updated = copy.deepcopy(config)
    updated["MfaConfiguration"] = mode
    updated[ENABLED_MFAS] = factors
    if sms_request is not None:
        updated["SmsConfiguration"] = copy.deepcopy(sms_configuration)
        if sms_request.get("SmsAuthenticationMessage"):
            updated["SmsAuthenticationMessage"] = sms_request["SmsAuthenticationMessage"]
    rp_id = (request.get(WEBAUTHN) or {}).get("RelyingPartyId")
    if rp_id is not None:
        check_relying_party_id(rp_id)
    for member in (EMAIL_MFA, WEBAUTHN):
        updated.pop(member, None)
        if request.get(member) is not None:
            updated[member] = copy.deepcopy(request[member])
    return updated


def mfa_view(config: dict[str, Any]) -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer for a stored configuration; a factor that is off is left out."""
    factors = enabled_factors(config)
    view: dict[str, Any] = {"MfaConfiguration": config.get("MfaConfiguration", "OFF")}
    if SMS in factors:
        sms = {k: copy.deepcopy(config[k]) for k in ("SmsAuthenticationMessage", "SmsConfiguration") if k in config}
        view["SmsMfaConfiguration"] = sms
    if TOTP in factors:
        view["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if EMAIL in factors:
        view["EmailMfaConfiguration"] = copy.deepcopy(config.get(EMAIL_MFA) or {})
    if WEBAUTHN in config:
        view["WebAuthnConfiguration"] = {"UserVerification": "preferred", **copy.deepcopy(config[WEBAUTHN])}
    return view
