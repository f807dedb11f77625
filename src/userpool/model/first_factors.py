"""The first factors of choice-based sign-in (USER_AUTH): which ones a pool allows and a user can use
(Cognito developer guide: 'Authentication flows', choice-based; InitiateAuth's AvailableChallenges, GetUserAuthFactors).

A pool allows the AuthFactorType values of ``Policies.SignInPolicy.AllowedFirstAuthFactors`` (PASSWORD
always). A user can use PASSWORD (challenge names PASSWORD and PASSWORD_SRP) when it has a password,
EMAIL_OTP with a verified email address and SMS_OTP with a verified phone number. One-time codes are offered
only to confirmed users (a temporary password must still be replaced through NEW_PASSWORD_REQUIRED), and not
in pools that require MFA: a passwordless sign-in never goes on to a second factor, so it would bypass it.
WEB_AUTHN goes to confirmed users with a registered passkey; where MFA is required only when the pool's
WebAuthnConfiguration makes a passkey with user verification count as MFA (FactorConfiguration
MULTI_FACTOR_WITH_USER_VERIFICATION), or the user turned passkey MFA on (WebAuthnMfaSettings).
"""

from __future__ import annotations

from userpool.model.passkeys import MULTI_FACTOR
from userpool.model.records import Pool, User
from userpool.model.sign_in import password_hash_for_sign_in
from userpool.model.user_mfa import passkey_mfa
from userpool.model.vocabulary import ChallengeName, UserStatus

# The attribute each one-time-code factor sends its code to.
OTP_ATTRIBUTE: dict[str, str] = {ChallengeName.EMAIL_OTP: "email", ChallengeName.SMS_OTP: "phone_number"}
# Challenge names in the order AvailableChallenges lists them.
CHALLENGE_ORDER = (
    ChallengeName.PASSWORD,
    ChallengeName.PASSWORD_SRP,
    ChallengeName.EMAIL_OTP,
    ChallengeName.SMS_OTP,
    ChallengeName.WEB_AUTHN,
)


def allowed_factors(pool: Pool) -> frozenset[str]:
    """The AuthFactorType values the pool's SignInPolicy allows as a first factor."""
    policy = (pool.config.get("Policies") or {}).get("SignInPolicy") or {}
    return frozenset(policy.get("AllowedFirstAuthFactors") or [ChallengeName.PASSWORD])


def _has_verified(user: User, attribute: str) -> bool:
    return bool(user.attributes.get(attribute)) and user.attributes.get(f"{attribute}_verified") == "true"


def _passkeys_usable(pool: Pool, user: User | None = None) -> bool:
    """Whether passkeys may be a first factor here: MFA not required, or a passkey counting as MFA (for the
    pool, or for a user who turned passkey MFA on)."""
    if pool.config.get("MfaConfiguration") != "ON" or (user is not None and passkey_mfa(user)):
        return True
    return (pool.config.get("WebAuthnConfiguration") or {}).get("FactorConfiguration") == MULTI_FACTOR


def user_factors(pool: Pool, user: User, has_passkey: bool = False) -> tuple[str, ...]:
    """The AuthFactorType values ``user`` can sign in with through USER_AUTH (ConfiguredUserAuthFactors);
    ``has_passkey`` says whether it registered one."""
    allowed = allowed_factors(pool)
    has_password = ChallengeName.PASSWORD in allowed and password_hash_for_sign_in(user) is not None
    factors: list[str] = [ChallengeName.PASSWORD] if has_password else []
    if user.status == UserStatus.CONFIRMED and pool.config.get("MfaConfiguration") != "ON":
        factors += [f for f, attribute in OTP_ATTRIBUTE.items() if f in allowed and _has_verified(user, attribute)]
    usable = has_passkey and user.status == UserStatus.CONFIRMED and _passkeys_usable(pool, user)
    if usable and ChallengeName.WEB_AUTHN in allowed:
        factors.append(ChallengeName.WEB_AUTHN)
    return tuple(factors)


def _as_challenges(factors: tuple[str, ...] | frozenset[str]) -> list[str]:
    names = {ChallengeName.PASSWORD_SRP, *factors} if ChallengeName.PASSWORD in factors else set(factors)
    return [name for name in CHALLENGE_ORDER if name in names]


def available_challenges(pool: Pool, user: User, has_passkey: bool = False) -> list[str]:
    """AvailableChallenges of a SELECT_CHALLENGE for ``user``: its factors, a password as both PASSWORD and
    PASSWORD_SRP."""
    return _as_challenges(user_factors(pool, user, has_passkey))


def unknown_user_challenges(pool: Pool) -> list[str]:
    """AvailableChallenges for a username that names nobody, where the client hides that: what a user of the
    pool with every factor would be offered."""
    allowed = allowed_factors(pool)
    if pool.config.get("MfaConfiguration") == "ON":
        allowed = allowed - set(OTP_ATTRIBUTE)
    if not _passkeys_usable(pool):
        allowed = allowed - {ChallengeName.WEB_AUTHN}
    return _as_challenges(allowed)
