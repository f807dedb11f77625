"""A user's MFA factors: what is turned on and preferred, how SetUserMFAPreference changes that, and which
second factor a sign-in asks for (Cognito developer guide: 'Adding MFA to a user pool').

The user's record keeps the factors in its ``mfa`` document under Cognito's wire names:
``UserMFASettingList`` (factors turned on), ``PreferredMfaSetting`` and the legacy ``MFAOptions``. SMS MFA
is one switch whichever way it was set: SetUserSettings' ``MFAOptions`` and SetUserMFAPreference's
``SMSMfaSettings`` both turn it, and both views show it. The software token itself (its secret, whether it
was verified, the last accepted time step) is a ``SoftwareToken`` row of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.pool_mfa import EMAIL, SMS, TOTP, enabled_factors
from userpool.model.records import Pool, User
from userpool.model.vocabulary import ChallengeName, DeliveryMedium

SETTING_LIST = "UserMFASettingList"
PREFERRED = "PreferredMfaSetting"
MFA_OPTIONS = "MFAOptions"
ORDER = (SMS, TOTP, EMAIL)
SMS_OPTION = {"DeliveryMedium": DeliveryMedium.SMS, "AttributeName": "phone_number"}
# The attribute each factor sends its codes to (TOTP has none: the user's authenticator app computes them).
DESTINATION: dict[str, str] = {SMS: "phone_number", EMAIL: "email"}
_SETTINGS = (("SMSMfaSettings", SMS), ("SoftwareTokenMfaSettings", TOTP), ("EmailMfaSettings", EMAIL))

# Cognito's words when a factor has nothing to deliver to (seen for SOFTWARE_TOKEN_MFA and SMS_MFA; the
# same wording is used for EMAIL_OTP).
NO_DELIVERY = "User does not have delivery config set to turn on {factor}"
NOT_IN_POOL = "{factor} is not enabled for the user pool."
ONE_PREFERRED = "Only one MFA method can be set as preferred."
PREFERRED_OFF = "{factor} cannot be set as preferred without being enabled."
TOTP_REQUIRED = "Software token MFA cannot be turned off while MFA is required for the user pool."
NO_PASSKEY = "User does not have a passkey registered to turn on WEB_AUTHN MFA."
# WebAuthnMfaSettingsType: the user must keep another MFA method, so that losing the passkey locks nobody out.
PASSKEY_ALONE = "Passkey MFA needs another MFA method turned on for the user."
WEBAUTHN_MFA = "WebAuthnMfaEnabled"
LEGACY_SMS_ONLY = "Only SMS to phone_number is supported as an MFA option."


@dataclass(frozen=True, slots=True)
class SoftwareToken:
    """A user's TOTP authenticator (AssociateSoftwareToken / VerifySoftwareToken).

    ``secret`` is the verified secret (base32) that sign-in codes are checked against, ``pending_secret``
    one handed out by AssociateSoftwareToken and not verified yet: the verified one keeps working until a
    new one is verified. ``last_step`` is the last time step whose code was accepted for ``secret``; no
    code of that step or an earlier one is accepted again. ``generation`` changes with every association
    and verification, so that a conditional write can tell that nobody else changed the row since it was
    read.
    """

    pool_id: str
    sub: str
    generation: int
    created_at: float
    updated_at: float
    secret: str | None = None
    pending_secret: str | None = None
    last_step: int | None = None
    friendly_name: str | None = None
    verified_at: float | None = None
    associated_at: float | None = None

    @property
    def verified(self) -> bool:
        return self.secret is not None


@dataclass(frozen=True, slots=True)
class UserFactors:
    """What a user has: ``enabled`` factors (UserMFASettingList, in SMS, TOTP, email order), the
    ``preferred`` one, and ``usable``: the factors a sign-in can challenge with right now."""

    enabled: tuple[str, ...]
    usable: tuple[str, ...]
    preferred: str | None


@dataclass(frozen=True, slots=True)
class MfaDecision:
    """The second factor a sign-in asks for: ``challenge`` is None (no MFA), SMS_MFA, SOFTWARE_TOKEN_MFA,
    EMAIL_OTP, SELECT_MFA_TYPE or MFA_SETUP; ``options`` are MFAS_CAN_CHOOSE for SELECT_MFA_TYPE and
    MFAS_CAN_SETUP for MFA_SETUP, empty otherwise."""

    challenge: str | None
    options: tuple[str, ...] = ()


def _ordered(factors: Iterable[str]) -> tuple[str, ...]:
    chosen = set(factors)
    return tuple(f for f in ORDER if f in chosen)


def has_factor_list(user: User) -> bool:
    """Whether GetUser / AdminGetUser answer a UserMFASettingList, empty or not (see ``with_factors``)."""
    return SETTING_LIST in user.mfa or bool(enabled(user))


def enabled(user: User) -> tuple[str, ...]:
    """The factors the user turned on; legacy SMS MFAOptions count as SMS_MFA."""
    listed = [f for f in user.mfa.get(SETTING_LIST) or [] if f in ORDER]
    if user.mfa.get(MFA_OPTIONS):
        listed.append(SMS)
    return _ordered(listed)


def preferred(user: User) -> str | None:
    """The user's preferred factor, if it is still turned on."""
    choice = user.mfa.get(PREFERRED)
    return choice if isinstance(choice, str) and choice in enabled(user) else None


def with_factors(
    mfa: dict[str, Any], factors: Iterable[str], preferred_factor: str | None, *, listed: bool = False
) -> dict[str, Any]:
    """The ``mfa`` document with these factors on and this one preferred; other members are kept.

    Once a user has a factor list (any SetUserMFAPreference call makes one: ``listed``), it stays, empty when
    every factor is off: Cognito then answers ``UserMFASettingList: []`` where a user who never set a
    preference has no such member (aws-sdk-js-v3 issue 7961, aws-sdk issue 693)."""
    on = _ordered(factors)
    updated = {k: v for k, v in mfa.items() if k not in (SETTING_LIST, PREFERRED, MFA_OPTIONS)}
    if on or listed or SETTING_LIST in mfa:
        updated[SETTING_LIST] = list(on)
    if preferred_factor is not None and preferred_factor in on:
        updated[PREFERRED] = preferred_factor
    if SMS in on:
        updated[MFA_OPTIONS] = [dict(SMS_OPTION)]
    return updated


def legacy_sms_setting(options: list[dict[str, Any]]) -> bool:
    """SetUserSettings / AdminSetUserSettings' MFAOptions: whether they turn SMS MFA on (an empty list
    turns it off). Only SMS to phone_number can be named (AWS: MFAOptionType API reference)."""
    for option in options:
        if option.get("DeliveryMedium") != DeliveryMedium.SMS or option.get("AttributeName") != "phone_number":
            raise InvalidParameterException(LEGACY_SMS_ONLY)
    return bool(options)


def with_legacy_sms(user: User, on: bool) -> dict[str, Any]:
    """The user's ``mfa`` document after SetUserSettings turned SMS MFA on or off."""
    factors = set(enabled(user))
    factors = factors | {SMS} if on else factors - {SMS}
    return with_factors(user.mfa, factors, preferred(user))


def _check_can_enable(pool: Pool, user: User, factor: str, totp_verified: bool) -> None:
    if factor not in enabled_factors(pool.config):
        raise InvalidParameterException(NOT_IN_POOL.format(factor=factor))
    has_destination = bool(user.attributes.get(DESTINATION[factor])) if factor in DESTINATION else totp_verified
    if not has_destination:
        raise InvalidParameterException(NO_DELIVERY.format(factor=factor))


def _flag(settings: dict[str, Any], name: str) -> bool | None:
    value = settings.get(name)
    return None if value is None else bool(value)


def preference_update(
    pool: Pool, user: User, request: dict[str, Any], totp_verified: bool, has_passkey: bool = False
) -> dict[str, Any]:
    """The user's ``mfa`` document after (Admin)SetUserMFAPreference ``request``; InvalidParameterException
    for a change Cognito refuses.

    A settings block that is absent leaves its factor alone; inside a block, an absent ``Enabled`` or
    ``PreferredMfa`` leaves that flag alone (Amplify's ENABLED sends ``{Enabled: true}`` and NOT_PREFERRED
    ``{Enabled: true, PreferredMfa: false}``). Turning a factor on needs the pool to offer it and somewhere to
    deliver it: a phone number, an email address, a verified software token. One factor at most is preferred;
    preferring one takes the preference from another, turning a factor off drops its preference. In a pool
    that requires MFA, software token MFA cannot be turned off (SoftwareTokenMfaSettingsType). Passkey MFA
    (WebAuthnMfaSettings) needs a registered passkey (``has_passkey``) and another factor turned on.
    """
    on = set(enabled(user))
    choice = preferred(user)
    requested = [(factor, request[key]) for key, factor in _SETTINGS if request.get(key) is not None]
    if sum(1 for _, settings in requested if settings.get("PreferredMfa")) > 1:
        raise InvalidParameterException(ONE_PREFERRED)
    for factor, settings in requested:
        turn_on, prefer = _flag(settings, "Enabled"), _flag(settings, "PreferredMfa")
        if turn_on and factor not in on:
            _check_can_enable(pool, user, factor, totp_verified)
        if turn_on is False and factor == TOTP and factor in on and pool.config.get("MfaConfiguration") == "ON":
            raise InvalidParameterException(TOTP_REQUIRED)
        if prefer and (turn_on is False or (turn_on is None and factor not in on)):
            raise InvalidParameterException(PREFERRED_OFF.format(factor=factor))
    for factor, settings in requested:
        turn_on, prefer = _flag(settings, "Enabled"), _flag(settings, "PreferredMfa")
        if turn_on is not None:
            on = on | {factor} if turn_on else on - {factor}
        if prefer:
            choice = factor
        elif (prefer is False or turn_on is False) and choice == factor:
            choice = None
    updated = with_factors(user.mfa, on, choice, listed=True)
    passkey = _flag(request.get("WebAuthnMfaSettings") or {}, "Enabled")
    if passkey:
        if not has_passkey:
            raise InvalidParameterException(NO_PASSKEY)
        if not on:
            raise InvalidParameterException(PASSKEY_ALONE)
        updated[WEBAUTHN_MFA] = True
    elif passkey is False:
        updated.pop(WEBAUTHN_MFA, None)
    return updated


def passkey_mfa(user: User) -> bool:
    """Whether the user turned passkey MFA on (WebAuthnMfaSettings): its passkey sign-ins must verify the
    user, and count as MFA where the pool requires it."""
    return bool(user.mfa.get(WEBAUTHN_MFA))


def user_factors(pool: Pool, user: User, totp_verified: bool) -> UserFactors:
    """What ``user`` has turned on and prefers, and which factors a sign-in can use now.

    Usable: software token MFA when it is turned on and a token is verified (even if the pool stopped
    offering TOTP since: AWS lets users who set it up keep using it), or, in a pool that requires MFA, when
    a token is verified at all; SMS and email MFA when turned on, offered by the pool and the user has the
    phone number / email address to send the code to.
    """
    on = enabled(user)
    offered = set(enabled_factors(pool.config))
    required = pool.config.get("MfaConfiguration") == "ON"
    usable: list[str] = []
    for factor in ORDER:
        if factor == TOTP:
            if totp_verified and (factor in on or required):
                usable.append(factor)
        elif factor in on and factor in offered and user.attributes.get(DESTINATION[factor]):
            usable.append(factor)
    return UserFactors(enabled=on, usable=tuple(usable), preferred=preferred(user))


def mfa_off(pool: Pool) -> bool:
    """MfaConfiguration OFF: no sign-in takes an MFA step, whatever factors the user has."""
    return bool(pool.config.get("MfaConfiguration", "OFF") == "OFF")


def mfa_decision(pool: Pool, user: User, totp_verified: bool) -> MfaDecision:
    """The MFA step after a verified first factor (Cognito developer guide: 'Adding MFA to a user pool');
    ``totp_verified`` says whether the user has a verified software token.

    - MfaConfiguration OFF: no MFA.
    - One usable factor: its challenge. Several: the preferred one's if it is usable, else SELECT_MFA_TYPE
      with the usable factors to choose from.
    - None usable: OPTIONAL signs in without MFA. ON asks for SMS_MFA when the pool offers SMS and the user
      has a phone number (as AWS does, though its documentation does not say so), else MFA_SETUP with the
      factors the pool offers.

    Remembered devices, which skip MFA, are the caller's decision, before this one.
    """
    if mfa_off(pool):
        return MfaDecision(None)
    setting = pool.config.get("MfaConfiguration", "OFF")
    factors = user_factors(pool, user, totp_verified)
    if len(factors.usable) == 1:
        return MfaDecision(factors.usable[0])
    if factors.usable:
        if factors.preferred in factors.usable:
            return MfaDecision(factors.preferred)
        return MfaDecision(ChallengeName.SELECT_MFA_TYPE, factors.usable)
    if setting != "ON":
        return MfaDecision(None)
    offered = _ordered(enabled_factors(pool.config))
    if SMS in offered and user.attributes.get(DESTINATION[SMS]):
        return MfaDecision(SMS)
    return MfaDecision(ChallengeName.MFA_SETUP, offered)
