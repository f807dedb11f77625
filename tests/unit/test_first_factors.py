"""model/first_factors.py: the USER_AUTH first factors a pool allows and a user can use (Cognito developer guide:
'Authentication flows', choice-based)."""

from __future__ import annotations

from dataclasses import replace

from userpool.model.first_factors import available_challenges, unknown_user_challenges, user_factors
from userpool.model.records import Pool, User

ALL = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


def _pool(factors: list[str] | None = None, mfa: str = "OFF") -> Pool:
    config = {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": factors or ALL}}, "MfaConfiguration": mfa}
    return Pool("eu-west-1_abc", "p", config, 0.0, 0.0)


def _user(password: bool = True, **attributes: str) -> User:
    return User(
        pool_id="eu-west-1_abc",
        sub="00000000-0000-4000-8000-000000000001",
        username="ann",
        username_norm="ann",
        status="CONFIRMED",
        enabled=True,
        password_hash="$argon2id$stand-in" if password else None,
        password_expires_at=None,
        attributes={"sub": "00000000-0000-4000-8000-000000000001", **attributes},
        created_at=0.0,
        updated_at=0.0,
    )


VERIFIED = {"email": "a@example.com", "email_verified": "true", "phone_number": "+15555550100"}


def test_user_factors__verified_addresses_only() -> None:
    user = _user(**VERIFIED)
    assert user_factors(_pool(), user) == ("PASSWORD", "EMAIL_OTP")
    phone = _user(**VERIFIED, phone_number_verified="true")
    assert user_factors(_pool(), phone) == ("PASSWORD", "EMAIL_OTP", "SMS_OTP")
    assert available_challenges(_pool(), phone) == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]


def test_user_factors__passwordless_user_and_pool_policy() -> None:
    user = _user(password=False, **VERIFIED)
    assert available_challenges(_pool(), user) == ["EMAIL_OTP"]
    assert available_challenges(_pool(["PASSWORD"]), user) == []


def test_user_factors__no_codes_for_temporary_passwords_or_required_mfa() -> None:
    user = _user(**VERIFIED, phone_number_verified="true")
    assert user_factors(_pool(), replace(user, status="FORCE_CHANGE_PASSWORD")) == ("PASSWORD",)
    assert user_factors(_pool(mfa="ON"), user) == ("PASSWORD",)
    assert user_factors(_pool(mfa="OPTIONAL"), user) == ("PASSWORD", "EMAIL_OTP", "SMS_OTP")


def test_unknown_user_challenges__what_the_pool_allows() -> None:
    assert unknown_user_challenges(_pool()) == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert unknown_user_challenges(_pool(["PASSWORD", "SMS_OTP"])) == ["PASSWORD", "PASSWORD_SRP", "SMS_OTP"]
    assert unknown_user_challenges(_pool(mfa="ON")) == ["PASSWORD", "PASSWORD_SRP"]


def test_user_factors__password_sign_in_disabled_leaves_no_password_factor() -> None:
    user = replace(_user(**VERIFIED), password_sign_in_disabled=True)
    assert user_factors(_pool(), user) == ("EMAIL_OTP",)
