"""A pool's stored configuration: what CreateUserPool / UpdateUserPool set, with Cognito's defaults filled in.

The document keeps Cognito's wire names so that DescribeUserPool echoes, member for member, what a client
configured plus the defaults Cognito reports (IaC tools diff against them; AWS: DescribeUserPool API
reference). UpdateUserPool is a full replace: every omitted setting reverts to its default, while the settings
fixed at creation (sign-in identifiers, case sensitivity, schema) are carried over untouched.

Members that are not part of ``UserPoolType`` (the MFA factors SetUserPoolMfaConfig manages, the log delivery
SetLogDeliveryConfiguration sets, the session management of Set(UserPool|UserPoolClient)SessionConfiguration)
live in the same document under the names in ``model.pool_mfa``, ``model.log_delivery`` and
``model.session_config``; ``wire_members`` leaves them out, and UpdateUserPool keeps them.
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model import log_delivery, pool_mfa, session_config
from userpool.model.records import Pool
from userpool.model.schema import build_schema

DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
DEFAULT_TEMPORARY_PASSWORD_DAYS = 7
DEFAULT_SIGN_IN_POLICY: dict[str, Any] = {"AllowedFirstAuthFactors": ["PASSWORD"]}
MAX_TAGS = 50
DEFAULT_ACR_VALUES = {f"Level{n}": f"urn:cognito:loa:{n}" for n in range(1, 5)}

# UserPoolType's configuration members, in the model's order: what DescribeUserPool may echo.
WIRE_MEMBERS = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "SchemaAttributes",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
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
    "DcrConfiguration",
    "UsernameConfiguration",
    "AccountRecoverySetting",
    "UserPoolTier",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
)
# Fixed at CreateUserPool; UpdateUserPoolRequest has no member for them (AWS: UpdateUserPool API reference).
IMMUTABLE = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration", "SchemaAttributes")
# Kept when an UpdateUserPool omits them: tags are resource metadata managed by TagResource too, and the model
# documents DcrConfiguration as kept; the key and issuer settings can only be matched, never reset.
KEPT_WHEN_OMITTED = ("UserPoolTags", "DcrConfiguration", "KeyConfiguration", "IssuerConfiguration")
# Settings stored as sent, with no default and no cross-member rule.
_VERBATIM = ("AutoVerifiedAttributes", "SmsAuthenticationMessage", "DeviceConfiguration", "SmsConfiguration")
_LEGACY_MESSAGES = (
    ("SmsVerificationMessage", "SmsMessage"),
    ("EmailVerificationMessage", "EmailMessage"),
    ("EmailVerificationSubject", "EmailSubject"),
)
_CUSTOM_SENDERS = ("CustomEmailSender", "CustomSMSSender")
_POLICY_FLAGS = ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols")


def without_nulls(value: Any) -> Any:
    """``value`` with JSON nulls dropped at every depth: the AWS JSON protocol reads a null member as absent,
    and the model's validation lets nulls through, so none may reach the stored configuration."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value if v is not None]
    return value


def checked_tags(tags: dict[str, str]) -> dict[str, str]:
    """``tags`` if a pool may carry them: at most 50, none in the reserved ``aws:`` namespace (TagResource)."""
    reserved = sorted(k for k in tags if k.lower().startswith("aws:"))
    if reserved:
        raise InvalidParameterException(f"Tag keys starting with 'aws:' are reserved: {', '.join(reserved)}")
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(f"A user pool can have at most {MAX_TAGS} tags; this would make {len(tags)}.")
    return tags


def _password_policy(given: dict[str, Any] | None) -> dict[str, Any]:
    if given is None:
        return dict(DEFAULT_PASSWORD_POLICY)
    # A PasswordPolicy that is sent replaces the default one: unsent flags are false, as for any unset
    # boolean member [unverified]; a 0 validity means the default, per the model's documentation.
    policy = {
        "MinimumLength": given.get("MinimumLength", DEFAULT_PASSWORD_POLICY["MinimumLength"]),
        **{k: bool(given.get(k, False)) for k in _POLICY_FLAGS},
    }
    if "PasswordHistorySize" in given:
        policy["PasswordHistorySize"] = given["PasswordHistorySize"]
    policy["TemporaryPasswordValidityDays"] = given.get("TemporaryPasswordValidityDays") or (
        DEFAULT_TEMPORARY_PASSWORD_DAYS
    )
    return policy


def _policies(given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    sign_in = copy.deepcopy(given.get("SignInPolicy") or DEFAULT_SIGN_IN_POLICY)
    factors = sign_in.get("AllowedFirstAuthFactors") or []
    # Passwords stay a first factor, and TOTP is only ever a second one (SignInPolicyType; CDK's
    # AllowedFirstAuthFactors.password "must be true").
    if "SOFTWARE_TOKEN" in factors:
        raise InvalidParameterException("SOFTWARE_TOKEN is not supported as a first authentication factor.")
    if "PASSWORD" not in factors:
        raise InvalidParameterException("AllowedFirstAuthFactors must include PASSWORD.")
    return {"PasswordPolicy": _password_policy(given.get("PasswordPolicy")), "SignInPolicy": sign_in}


def _lambda_config(given: dict[str, Any] | None) -> dict[str, Any]:
    config = copy.deepcopy(given or {})
    legacy, versioned = config.get("PreTokenGeneration"), config.get("PreTokenGenerationConfig")
    # The legacy and versioned pre token generation triggers are one setting seen two ways (LambdaConfigType).
    if legacy and versioned and versioned.get("LambdaArn") != legacy:
        raise InvalidParameterException(
            "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function."
        )
    if legacy and not versioned:
        config["PreTokenGenerationConfig"] = {"LambdaVersion": "V1_0", "LambdaArn": legacy}
    if versioned and not legacy:
        config["PreTokenGeneration"] = versioned["LambdaArn"]
    if any(config.get(k) for k in _CUSTOM_SENDERS) and not config.get("KMSKeyID"):
        raise InvalidParameterException(
            "KMSKeyID is required when a CustomEmailSender or CustomSMSSender trigger is set."
        )
    return config


def _messages(request: dict[str, Any]) -> dict[str, Any]:
    """The verification message settings, with the legacy top-level members mirroring the template."""
    template = copy.deepcopy(request.get("VerificationMessageTemplate") or {})
    out: dict[str, Any] = {}
    for legacy, member in _LEGACY_MESSAGES:
        legacy_value, template_value = request.get(legacy), template.get(member)
        if legacy_value and template_value and legacy_value != template_value:
            raise InvalidParameterException(
                f"{legacy} and VerificationMessageTemplate.{member} must be the same when both are set."
            )
        value = template_value or legacy_value
        if value:
            out[legacy] = template[member] = value
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    if template["DefaultEmailOption"] == "CONFIRM_WITH_LINK" and "{##" not in template.get(
        "EmailMessageByLink", "{##Verify Email##}"
    ):
        raise InvalidParameterException("EmailMessageByLink must contain a {##link text##} placeholder.")
    out["VerificationMessageTemplate"] = template
    return out


def _email_configuration(given: dict[str, Any] | None) -> dict[str, Any]:
    config = copy.deepcopy(given or {})
    config.setdefault("EmailSendingAccount", "COGNITO_DEFAULT")
    if config["EmailSendingAccount"] == "DEVELOPER" and not config.get("SourceArn"):
        raise InvalidParameterException("SourceArn is required when EmailSendingAccount is DEVELOPER.")
    return config


def _admin_create_user(given: dict[str, Any] | None, policies: dict[str, Any], sent_days: bool) -> dict[str, Any]:
    config = copy.deepcopy(given or {})
    config.setdefault("AllowAdminCreateUserOnly", False)
    password = policies["PasswordPolicy"]
    if "UnusedAccountValidityDays" in config:
        # The legacy member and the password policy's validity are one setting (AdminCreateUserConfigType).
        if sent_days and config["UnusedAccountValidityDays"] != password["TemporaryPasswordValidityDays"]:
            raise InvalidParameterException(
                "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
            )
        password["TemporaryPasswordValidityDays"] = config["UnusedAccountValidityDays"] or (
            DEFAULT_TEMPORARY_PASSWORD_DAYS
        )
    config["UnusedAccountValidityDays"] = password["TemporaryPasswordValidityDays"]
    template = config.get("InviteMessageTemplate") or {}
    for member in ("SMSMessage", "EmailMessage"):
        text = template.get(member)
        # Both placeholders are required in each invitation message (AWS: MessageTemplateType API reference).
        if text is not None and ("{username}" not in text or "{####}" not in text):
            raise InvalidParameterException(
                f"InviteMessageTemplate.{member} must contain both {{username}} and {{####}} placeholders."
            )
    return config


def _account_recovery(given: dict[str, Any] | None) -> dict[str, Any] | None:
    if given is None:
        return None  # pools without the setting keep Cognito's legacy recovery (phone, then email)
    mechanisms = given.get("RecoveryMechanisms") or []
    names = [m["Name"] for m in mechanisms]
    priorities = [m["Priority"] for m in mechanisms]
    if len(set(names)) != len(names) or len(set(priorities)) != len(priorities):
        raise InvalidParameterException(
            "Each recovery mechanism and each priority may appear only once in AccountRecoverySetting."
        )
    if "admin_only" in names and len(names) > 1:
        raise InvalidParameterException("admin_only cannot be combined with another recovery mechanism.")
    return copy.deepcopy(given)


def _attribute_updates(given: dict[str, Any] | None, auto_verified: list[str]) -> dict[str, Any]:
    names = list((given or {}).get("AttributesRequireVerificationBeforeUpdate") or [])
    missing = [n for n in names if n not in auto_verified]
    if missing:
        raise InvalidParameterException(
            "AttributesRequireVerificationBeforeUpdate may only name auto-verified attributes; "
            f"{', '.join(missing)} is not in AutoVerifiedAttributes."
        )
    return {"AttributesRequireVerificationBeforeUpdate": names}


def _acr(given: dict[str, Any] | None) -> dict[str, Any] | None:
    if given is None:
        return None
    # The effective configuration: default names for every level the caller left out (AcrConfigurationType).
    merged = {level: {"AcrValue": value} for level, value in DEFAULT_ACR_VALUES.items()}
    merged.update(copy.deepcopy(given))
    values = [v["AcrValue"] for v in merged.values()]
    if len(set(values)) != len(values):
        raise InvalidParameterException("Each ACR level must have a unique AcrValue, including the default names.")
    return merged


def _optional(given: dict[str, Any] | None) -> dict[str, Any] | None:
    return copy.deepcopy(given) if given is not None else None


def _settings(request: dict[str, Any]) -> dict[str, Any]:
    """The settings shared by CreateUserPool and UpdateUserPool, defaults filled in and checked."""
    password_sent = "TemporaryPasswordValidityDays" in ((request.get("Policies") or {}).get("PasswordPolicy") or {})
    policies = _policies(request.get("Policies"))
    email = _email_configuration(request.get("EmailConfiguration"))
    config: dict[str, Any] = {
        "DeletionProtection": request.get("DeletionProtection", "INACTIVE"),
        "LambdaConfig": _lambda_config(request.get("LambdaConfig")),
        **_messages(request),
        "UserAttributeUpdateSettings": _attribute_updates(
            request.get("UserAttributeUpdateSettings"), request.get("AutoVerifiedAttributes") or []
        ),
        "MfaConfiguration": request.get("MfaConfiguration", "OFF"),
        "EmailConfiguration": email,
        "UserPoolTags": checked_tags(dict(request.get("UserPoolTags") or {})),
        "AdminCreateUserConfig": _admin_create_user(request.get("AdminCreateUserConfig"), policies, password_sent),
        "Policies": policies,
        "UserPoolTier": request.get("UserPoolTier", "ESSENTIALS"),
    }
    for member in _VERBATIM:
        if member in request:
            config[member] = copy.deepcopy(request[member])
    optional = {
        "AccountRecoverySetting": _account_recovery(request.get("AccountRecoverySetting")),
        "AcrConfiguration": _acr(request.get("AcrConfiguration")),
        "UserPoolAddOns": _optional(request.get("UserPoolAddOns")),
        "DcrConfiguration": _dcr(request.get("DcrConfiguration")),
        "KeyConfiguration": _key(request.get("KeyConfiguration")),
        "IssuerConfiguration": _optional(request.get("IssuerConfiguration")),
    }
    config.update({k: v for k, v in optional.items() if v is not None})
    return config


def _dcr(given: dict[str, Any] | None) -> dict[str, Any] | None:
    if given is None:
        return None
    # An omitted EnableStatus turns dynamic client registration on (DcrConfigurationType).
    return {"EnableStatus": "Enabled", "OpenDcrEnabled": False, **copy.deepcopy(given)}


def _key(given: dict[str, Any] | None) -> dict[str, Any] | None:
    if given is not None and given.get("KeyType") == "CUSTOMER_MANAGED_KEY" and not given.get("KmsKeyArn"):
        raise InvalidParameterException("KmsKeyArn is required when KeyType is CUSTOMER_MANAGED_KEY.")
    return _optional(given)


def _sign_in_identifiers(request: dict[str, Any]) -> dict[str, Any]:
    usernames, aliases = request.get("UsernameAttributes"), request.get("AliasAttributes")
    if usernames and aliases:
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    identifiers: dict[str, Any] = {}
    for member, value in (("UsernameAttributes", usernames), ("AliasAttributes", aliases)):
        if value is not None:
            identifiers[member] = list(dict.fromkeys(value))
    if "UsernameConfiguration" in request:
        identifiers["UsernameConfiguration"] = copy.deepcopy(request["UsernameConfiguration"])
    return identifiers


def create_config(request: dict[str, Any]) -> dict[str, Any]:
    """The stored configuration of a pool created by CreateUserPool ``request`` (name and id excluded)."""
    config = {
        **_sign_in_identifiers(request),
        "SchemaAttributes": build_schema(request.get("Schema")),
        **_settings(request),
    }
    config.update(pool_mfa.on_create(config))
    return config


def update_config(current: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The configuration after UpdateUserPool ``request``: a full replace of everything it may set."""
    config = _settings(request)
    for member in IMMUTABLE:
        if member in current:
            config[member] = copy.deepcopy(current[member])
    for member in KEPT_WHEN_OMITTED:
        if member not in request and member in current:
            config[member] = copy.deepcopy(current[member])
    config.update(pool_mfa.on_update(current, config))
    config.update(log_delivery.stored(current))
    config.update(session_config.stored(current))
    return config


def wire_members(config: dict[str, Any]) -> dict[str, Any]:
    """The UserPoolType members of a stored configuration, ready for DescribeUserPool / CreateUserPool."""
    return {k: copy.deepcopy(config[k]) for k in WIRE_MEMBERS if k in config}


# Reading a stored pool's settings. Services and entry points read a pool's configuration document through
# these (tests/unit/test_settings_access.py keeps it so), so each member's name and default is written once.


def username_attributes(pool: Pool) -> list[str]:
    """UsernameAttributes: the attributes (email, phone_number) that sign users in in place of a username."""
    return list(pool.config.get("UsernameAttributes") or [])


def alias_attributes(pool: Pool) -> list[str]:
    """AliasAttributes: the attributes a user may also sign in with, beside its username."""
    return list(pool.config.get("AliasAttributes") or [])


def auto_verified_attributes(pool: Pool) -> list[str]:
    """AutoVerifiedAttributes: the attributes Cognito sends a verification code to by itself."""
    return list(pool.config.get("AutoVerifiedAttributes") or [])


def admin_create_user_only(pool: Pool) -> bool:
    """AdminCreateUserConfig.AllowAdminCreateUserOnly: only administrators create users (no SignUp)."""
    return bool((pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"))


def attribute_update_settings(pool: Pool) -> dict[str, Any]:
    """UserAttributeUpdateSettings (AttributesRequireVerificationBeforeUpdate)."""
    return dict(pool.config.get("UserAttributeUpdateSettings") or {})


def deletion_protected(pool: Pool) -> bool:
    """DeletionProtection: DeleteUserPool is refused while it is ACTIVE."""
    return pool.config.get("DeletionProtection") == "ACTIVE"


def lambda_config(pool: Pool) -> dict[str, Any]:
    """LambdaConfig, as ListUserPools shows it."""
    found: dict[str, Any] = pool.config.get("LambdaConfig", {})
    return found


def schema_attributes(pool: Pool) -> list[dict[str, Any]]:
    """SchemaAttributes: the pool's attribute schema, standard and custom."""
    found: list[dict[str, Any]] = pool.config.get("SchemaAttributes", [])
    return found


def user_pool_tier(pool: Pool) -> str:
    """UserPoolTier: the pool's feature plan (LITE, ESSENTIALS or PLUS)."""
    return str(pool.config.get("UserPoolTier") or "ESSENTIALS")


def pool_tags(pool: Pool) -> dict[str, str]:
    """UserPoolTags."""
    return dict(pool.config.get("UserPoolTags") or {})


def advanced_security_mode(pool: Pool) -> str:
    """UserPoolAddOns.AdvancedSecurityMode: threat protection OFF (the default), AUDIT (events recorded and
    assessed, nothing acted on) or ENFORCED (the configured responses applied) for the standard sign-ins."""
    return str((pool.config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode") or "OFF")


def custom_auth_security_mode(pool: Pool) -> str:
    """UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode: threat protection of CUSTOM_AUTH sign-ins,
    AUDIT or ENFORCED; OFF when not set (AWS: AdvancedSecurityAdditionalFlowsType)."""
    add_ons = pool.config.get("UserPoolAddOns") or {}
    return str((add_ons.get("AdvancedSecurityAdditionalFlows") or {}).get("CustomAuthMode") or "OFF")
