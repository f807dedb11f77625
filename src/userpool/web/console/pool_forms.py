"""The pool wizard's and edit form's fields, turned into CreateUserPool / UpdateUserPool / SetUserPoolMfaConfig
requests, and a pool's description turned back into the form's values.

Form fields carry simple names; ``FIELDS`` maps the API's paths to them, so that a validation failure the API
reports at ``policies.passwordPolicy.minimumLength`` is shown next to the minimum-length field.
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.web.console.frame import Page

STANDARD_ATTRIBUTES = (
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "birthdate",
    "gender",
    "locale",
    "zoneinfo",
    "address",
    "picture",
    "profile",
    "website",
    "updated_at",
)
ATTRIBUTE_CHOICES = tuple((name, name) for name in STANDARD_ATTRIBUTES)
SIGN_IN_OPTIONS = (
    ("username", "User name"),
    ("email", "Email address"),
    ("phone_number", "Phone number"),
    ("email phone_number", "Email address or phone number"),
)
ALIASES = (("email", "Email"), ("phone_number", "Phone number"), ("preferred_username", "Preferred user name"))
MFA_MODES = (("OFF", "No MFA"), ("OPTIONAL", "Optional MFA"), ("ON", "Require MFA"))
MFA_FACTORS = (("TOTP", "Authenticator apps (TOTP)"), ("SMS", "SMS message"), ("EMAIL", "Email message"))
# The first factors of choice-based sign-in besides the password, which a pool always allows (SignInPolicyType).
FIRST_FACTORS = (
    ("EMAIL_OTP", "One-time code by email"),
    ("SMS_OTP", "One-time code by SMS"),
    ("WEB_AUTHN", "Passkeys"),
)
USER_VERIFICATION = (("preferred", "Preferred"), ("required", "Required"))
RECOVERY = (
    ("verified_email", "Email only"),
    ("verified_phone_number", "SMS only"),
    ("verified_email verified_phone_number", "Email, then SMS"),
    ("verified_phone_number verified_email", "SMS, then email"),
    ("admin_only", "Only an administrator can recover accounts"),
)
FIELDS = {
    "poolName": "pool_name",
    "usernameAttributes": "sign_in",
    "aliasAttributes": "aliases",
    "schema": "custom_attributes",
    "policies.passwordPolicy.minimumLength": "min_length",
    "policies.passwordPolicy.temporaryPasswordValidityDays": "temp_days",
    "policies.passwordPolicy": "min_length",
    "autoVerifiedAttributes": "auto_verify",
    "verificationMessageTemplate.emailSubject": "verify_subject",
    "verificationMessageTemplate.emailMessage": "verify_message",
    "verificationMessageTemplate.smsMessage": "verify_sms",
    "verificationMessageTemplate": "verify_message",
    "adminCreateUserConfig.inviteMessageTemplate.emailSubject": "invite_subject",
    "adminCreateUserConfig.inviteMessageTemplate.emailMessage": "invite_message",
    "adminCreateUserConfig.inviteMessageTemplate.sMSMessage": "invite_sms",
    "accountRecoverySetting": "recovery",
    "smsConfiguration.snsCallerArn": "sns_caller_arn",
    "smsConfiguration": "sns_caller_arn",
    "policies.signInPolicy.allowedFirstAuthFactors": "first_factors",
    "policies.signInPolicy": "first_factors",
    "webAuthnConfiguration.relyingPartyId": "rp_id",
    "webAuthnConfiguration.userVerification": "user_verification",
    "webAuthnConfiguration": "rp_id",
}
# UpdateUserPoolRequest's members: an update sends every one the pool has, or it reverts to its default.
UPDATABLE = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
)
# The legacy message members mirror VerificationMessageTemplate; the template alone is sent.
_MIRRORED = ("SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject")
NO_FACTOR = "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."


def number(page: Page, name: str) -> int | None:
    text = page.text(name)
    if not text:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 12:
        page.errors.note(name, "Enter a whole number.")
        return None
    return int(text)


def _optional_text(page: Page, name: str) -> str | None:
    return page.raw(name).strip("\r\n") or None


def _custom_attributes(page: Page) -> list[dict[str, Any]]:
    """``name`` or ``name:Number`` per line: custom attributes, mutable, of the model's default lengths."""
    schema = []
    for line in page.raw("custom_attributes").splitlines():
        name, _, kind = line.strip().partition(":")
        if name:
            schema.append({"Name": name.strip(), "AttributeDataType": kind.strip() or "String", "Mutable": True})
    return schema


def settings_request(page: Page) -> dict[str, Any]:
    """The settings the wizard and the edit page share, as CreateUserPool / UpdateUserPool members."""
    policy: dict[str, Any] = {f"Require{k}": page.checked(f"require_{k.lower()}") for k in _FLAGS}
    for member, name in (("MinimumLength", "min_length"), ("TemporaryPasswordValidityDays", "temp_days")):
        found = number(page, name)
        if found is not None:
            policy[member] = found
    chosen = set(page.values("first_factors"))
    first_factors = ["PASSWORD", *(f for f, _ in FIRST_FACTORS if f in chosen)]
    request: dict[str, Any] = {
        "Policies": {"PasswordPolicy": policy, "SignInPolicy": {"AllowedFirstAuthFactors": first_factors}},
        "AutoVerifiedAttributes": page.values("auto_verify"),
        "DeletionProtection": "ACTIVE" if page.checked("deletion_protection") else "INACTIVE",
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": not page.checked("self_sign_up")},
    }
    recovery = page.text("recovery")
    if recovery:
        request["AccountRecoverySetting"] = {
            "RecoveryMechanisms": [{"Name": n, "Priority": i} for i, n in enumerate(recovery.split(), start=1)]
        }
    template = {
        "EmailSubject": page.text("verify_subject") or None,
        "EmailMessage": _optional_text(page, "verify_message"),
        "SmsMessage": _optional_text(page, "verify_sms"),
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
    }
    request["VerificationMessageTemplate"] = {k: v for k, v in template.items() if v is not None}
    invite = {
        "EmailSubject": page.text("invite_subject") or None,
        "EmailMessage": _optional_text(page, "invite_message"),
        "SMSMessage": _optional_text(page, "invite_sms"),
    }
    invite = {k: v for k, v in invite.items() if v is not None}
    if invite:
        request["AdminCreateUserConfig"]["InviteMessageTemplate"] = invite
    sns = page.text("sns_caller_arn")
    if sns:
        request["SmsConfiguration"] = {"SnsCallerArn": sns, "ExternalId": page.text("sns_external_id") or None}
    return request


_FLAGS = ("Uppercase", "Lowercase", "Numbers", "Symbols")


def create_request(page: Page) -> dict[str, Any]:
    """CreateUserPool from the wizard; MFA is set afterwards by :func:`mfa_request`, as in the AWS console."""
    # PoolName first: a request lists its members in the model's order, as the SDKs send them, so that
    # several validation failures are reported in the order boto3 would get them.
    request = {"PoolName": page.text("pool_name"), **settings_request(page)}
    sign_in = page.text("sign_in") or "username"
    if sign_in == "username":
        request["AliasAttributes"] = page.values("aliases") or None
    else:
        request["UsernameAttributes"] = sign_in.split()
    request["UsernameConfiguration"] = {"CaseSensitive": page.checked("case_sensitive")}
    required = [
        {"Name": name, "AttributeDataType": "String", "Mutable": True, "Required": True}
        for name in page.values("required")
    ]
    request["Schema"] = (required + _custom_attributes(page)) or None
    return request


def _webauthn(page: Page, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """WebAuthnConfiguration from the passkey fields (SetUserPoolMfaConfig replaces it, so it is always sent
    where the pool has one; its FactorConfiguration, not on the form, is kept)."""
    rp_id = page.text("rp_id")
    verification = page.text("user_verification") or "preferred"
    wanted = bool(rp_id) or verification != "preferred" or "WEB_AUTHN" in page.values("first_factors")
    if not wanted and not current:
        return None
    config: dict[str, Any] = {"UserVerification": verification}
    if rp_id:
        config["RelyingPartyId"] = rp_id
    if current and current.get("FactorConfiguration"):
        config["FactorConfiguration"] = current["FactorConfiguration"]
    return config


def mfa_request(page: Page, current_webauthn: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """SetUserPoolMfaConfig for the chosen mode, factors and passkey settings; None when nothing is to be set."""
    mode = page.text("mfa") or "OFF"
    factors = set(page.values("mfa_factors"))
    webauthn = _webauthn(page, current_webauthn)
    passkeys = {"WebAuthnConfiguration": webauthn} if webauthn else {}
    if mode == "OFF":
        return {"MfaConfiguration": "OFF", **passkeys}
    if not factors:
        page.errors.note("mfa_factors", NO_FACTOR)
        return None
    request: dict[str, Any] = {"MfaConfiguration": mode, **passkeys}
    if "TOTP" in factors:
        request["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "SMS" in factors:
        request["SmsMfaConfiguration"] = {}
    if "EMAIL" in factors:
        request["EmailMfaConfiguration"] = {}
    return request


def unchanged_update(pool: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPool that leaves ``pool`` (as DescribeUserPool shows it) as it is: an update replaces every
    member, and one it omits reverts to its default, so a page that changes one setting sends this with its
    change over it."""
    request = {k: copy.deepcopy(pool[k]) for k in UPDATABLE if k in pool and k not in _MIRRORED}
    request["PoolName"] = pool["Name"]
    request["UserPoolId"] = pool["Id"]
    return request


def update_request(pool: dict[str, Any], page: Page) -> dict[str, Any]:
    """UpdateUserPool: what the pool has now, with the form's settings over it (a full replace, so nothing
    the form does not show may be dropped)."""
    request = unchanged_update(pool)
    changes = settings_request(page)
    admin = dict(pool.get("AdminCreateUserConfig", {}))
    # Mirrored by the password policy's TemporaryPasswordValidityDays; the form's templates replace these.
    admin.pop("UnusedAccountValidityDays", None)
    admin.pop("InviteMessageTemplate", None)
    admin.update(changes.pop("AdminCreateUserConfig"))
    if "AccountRecoverySetting" not in changes:
        request.pop("AccountRecoverySetting", None)
    request.update(changes)
    request["AdminCreateUserConfig"] = admin
    request["PoolName"] = page.text("pool_name")
    return request


def form_values(pool: dict[str, Any], mfa: dict[str, Any]) -> dict[str, Any]:
    """The edit form's values for a pool as DescribeUserPool and GetUserPoolMfaConfig show it."""
    policy = pool.get("Policies", {}).get("PasswordPolicy", {})
    template = pool.get("VerificationMessageTemplate", {})
    admin = pool.get("AdminCreateUserConfig", {})
    invite = admin.get("InviteMessageTemplate", {})
    mechanisms = sorted(
        pool.get("AccountRecoverySetting", {}).get("RecoveryMechanisms", []), key=lambda m: m["Priority"]
    )
    factors = []
    if "SoftwareTokenMfaConfiguration" in mfa:
        factors.append("TOTP")
    if "SmsMfaConfiguration" in mfa:
        factors.append("SMS")
    if "EmailMfaConfiguration" in mfa:
        factors.append("EMAIL")
    return {
        "pool_name": pool.get("Name", ""),
        "min_length": policy.get("MinimumLength", 8),
        "temp_days": policy.get("TemporaryPasswordValidityDays", 7),
        **{f"require_{k.lower()}": policy.get(f"Require{k}", False) for k in _FLAGS},
        "auto_verify": pool.get("AutoVerifiedAttributes", []),
        "deletion_protection": pool.get("DeletionProtection") == "ACTIVE",
        "self_sign_up": not admin.get("AllowAdminCreateUserOnly", False),
        "recovery": " ".join(m["Name"] for m in mechanisms),
        "verify_subject": template.get("EmailSubject", ""),
        "verify_message": template.get("EmailMessage", ""),
        "verify_sms": template.get("SmsMessage", ""),
        "invite_subject": invite.get("EmailSubject", ""),
        "invite_message": invite.get("EmailMessage", ""),
        "invite_sms": invite.get("SMSMessage", ""),
        "sns_caller_arn": pool.get("SmsConfiguration", {}).get("SnsCallerArn", ""),
        "sns_external_id": pool.get("SmsConfiguration", {}).get("ExternalId", ""),
        "mfa": mfa.get("MfaConfiguration", "OFF"),
        "mfa_factors": factors,
        "first_factors": [
            f
            for f in pool.get("Policies", {}).get("SignInPolicy", {}).get("AllowedFirstAuthFactors", [])
            if f != "PASSWORD"
        ],
        "rp_id": mfa.get("WebAuthnConfiguration", {}).get("RelyingPartyId", ""),
        "user_verification": mfa.get("WebAuthnConfiguration", {}).get("UserVerification", "preferred"),
    }


def new_pool_values() -> dict[str, Any]:
    """The wizard's starting values: Cognito's defaults, with the choices the AWS console suggests."""
    return {
        "sign_in": "username",
        "aliases": [],
        "case_sensitive": False,
        "required": ["email"],
        "min_length": 8,
        "temp_days": 7,
        **{f"require_{k.lower()}": True for k in _FLAGS},
        "auto_verify": ["email"],
        "deletion_protection": False,
        "self_sign_up": True,
        "recovery": "verified_email",
        "mfa": "OFF",
        "mfa_factors": ["TOTP"],
        "first_factors": [],
        "rp_id": "",
        "user_verification": "preferred",
    }


def echo(page: Page, multi: tuple[str, ...], flags: tuple[str, ...]) -> dict[str, Any]:
    """The form's values as sent, to show again after an error."""
    values: dict[str, Any] = {}
    if page.form is not None:
        for key in page.form:
            if key not in ("_csrf", "password", "temporary_password"):
                values[key] = page.values(key) if key in multi else page.raw(key)
    for name in multi:
        values.setdefault(name, [])
    for name in flags:
        values[name] = page.checked(name)
    return values


POOL_MULTI = ("aliases", "required", "auto_verify", "mfa_factors", "first_factors")
POOL_FLAGS = (
    "case_sensitive",
    "deletion_protection",
    "self_sign_up",
    *(f"require_{k.lower()}" for k in _FLAGS),
)
