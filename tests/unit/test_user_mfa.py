"""model/user_mfa.py: SetUserMFAPreference's rules and the MFA step a sign-in takes (Cognito developer guide:
'Adding MFA to a user pool')."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from userpool.errors import InvalidParameterException
from userpool.model.records import Pool, User
from userpool.model.user_mfa import (
    MfaDecision,
    enabled,
    legacy_sms_setting,
    mfa_decision,
    preference_update,
    preferred,
    user_factors,
    with_legacy_sms,
)

SMS, TOTP, EMAIL = "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"
SELECT_MFA_TYPE, MFA_SETUP = "SELECT_MFA_TYPE", "MFA_SETUP"
PHONE_AND_MAIL = {"phone_number": "+15555550100", "email": "ann@example.com"}


def _pool(mode: str = "OPTIONAL", factors: tuple[str, ...] = (SMS, TOTP, EMAIL)) -> Pool:
    return Pool("eu-west-1_abc", "p", {"MfaConfiguration": mode, "EnabledMfas": list(factors)}, 0.0, 0.0)


def _user(mfa: dict[str, Any] | None = None, attributes: dict[str, str] | None = None) -> User:
    given = PHONE_AND_MAIL if attributes is None else attributes
    return User(
        pool_id="eu-west-1_abc",
        sub="00000000-0000-4000-8000-000000000001",
        username="ann",
        username_norm="ann",
        status="CONFIRMED",
        enabled=True,
        password_hash=None,
        password_expires_at=None,
        attributes={"sub": "00000000-0000-4000-8000-000000000001", **given},
        created_at=0.0,
        updated_at=0.0,
        mfa=mfa or {},
    )


def _apply(user: User, request: dict[str, Any], pool: Pool | None = None, verified: bool = True) -> User:
    return replace(user, mfa=preference_update(pool or _pool(), user, request, verified))


def test_preference__enable_prefer_and_move_the_preference() -> None:
    user = _apply(_user(), {"SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}})
    assert (enabled(user), preferred(user)) == ((TOTP,), TOTP)
    user = _apply(user, {"SMSMfaSettings": {"Enabled": True, "PreferredMfa": True}})
    assert (enabled(user), preferred(user)) == ((SMS, TOTP), SMS)
    assert user.mfa["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    # Enabled without PreferredMfa leaves the preference alone; PreferredMfa false drops it from that factor.
    user = _apply(user, {"SMSMfaSettings": {"Enabled": True}})
    assert preferred(user) == SMS
    user = _apply(user, {"SMSMfaSettings": {"Enabled": True, "PreferredMfa": False}})
    assert (enabled(user), preferred(user)) == ((SMS, TOTP), None)
    # Turning the preferred factor off drops the preference; other members of the document are kept.
    user = replace(user, mfa={**user.mfa, "pending_attributes": {"email": {}}})
    user = _apply(user, {"SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}})
    user = _apply(user, {"SoftwareTokenMfaSettings": {"Enabled": False}, "SMSMfaSettings": {"Enabled": False}})
    assert (enabled(user), preferred(user)) == ((), None)
    # The factor list stays, empty: GetUser then answers UserMFASettingList: [].
    assert user.mfa == {"pending_attributes": {"email": {}}, "UserMFASettingList": []}


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        (
            {"SMSMfaSettings": {"Enabled": True, "PreferredMfa": True}, "EmailMfaSettings": {"PreferredMfa": True}},
            "Only one MFA method can be set as preferred.",
        ),
        ({"EmailMfaSettings": {"Enabled": False, "PreferredMfa": True}}, "EMAIL_OTP cannot be set as preferred"),
        ({"EmailMfaSettings": {"PreferredMfa": True}}, "EMAIL_OTP cannot be set as preferred"),
        ({"WebAuthnMfaSettings": {"Enabled": True}}, "does not have a passkey"),
    ],
)
def test_preference__refused_combinations(request_body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterException) as exc:
        preference_update(_pool(), _user(), request_body, True)
    assert message in exc.value.message


def test_preference__factor_needs_a_destination_and_the_pool() -> None:
    nobody = _user(attributes={})
    for block, factor in (("SMSMfaSettings", SMS), ("EmailMfaSettings", EMAIL)):
        with pytest.raises(InvalidParameterException) as exc:
            preference_update(_pool(), nobody, {block: {"Enabled": True}}, True)
        assert exc.value.message == f"User does not have delivery config set to turn on {factor}"
    with pytest.raises(InvalidParameterException) as exc:
        preference_update(_pool(), _user(), {"SoftwareTokenMfaSettings": {"Enabled": True}}, False)
    assert exc.value.message == "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
    with pytest.raises(InvalidParameterException) as exc:
        preference_update(_pool(factors=(TOTP,)), _user(), {"SMSMfaSettings": {"Enabled": True}}, True)
    assert "SMS_MFA" in exc.value.message
    # Turning a factor off needs neither; the call leaves the user an (empty) factor list.
    off = {"SMSMfaSettings": {"Enabled": False}}
    assert preference_update(_pool("OFF", ()), nobody, off, False) == {"UserMFASettingList": []}


def test_preference__totp_stays_on_in_a_pool_that_requires_mfa() -> None:
    user = _apply(_user(), {"SoftwareTokenMfaSettings": {"Enabled": True}}, _pool("ON"))
    with pytest.raises(InvalidParameterException):
        preference_update(_pool("ON"), user, {"SoftwareTokenMfaSettings": {"Enabled": False}}, True)
    assert preferred(_apply(user, {"SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}})) == TOTP


def test_legacy_settings__one_switch_with_sms_mfa() -> None:
    assert legacy_sms_setting([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]) is True
    assert legacy_sms_setting([]) is False
    with pytest.raises(InvalidParameterException):
        legacy_sms_setting([{"DeliveryMedium": "EMAIL", "AttributeName": "email"}])
    user = replace(_user(), mfa=with_legacy_sms(_user(), True))
    assert enabled(user) == (SMS,)
    user = _apply(user, {"SMSMfaSettings": {"Enabled": True, "PreferredMfa": True}})
    assert replace(user, mfa=with_legacy_sms(user, False)).mfa == {"UserMFASettingList": []}
    # A document written before SMS was unified: MFAOptions alone still means SMS MFA.
    assert enabled(_user({"MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]})) == (SMS,)


def _on(*factors: str, prefer: str | None = None, attributes: dict[str, str] | None = None) -> User:
    mfa: dict[str, Any] = {"UserMFASettingList": list(factors)}
    if prefer:
        mfa["PreferredMfaSetting"] = prefer
    return _user(mfa, attributes)


@pytest.mark.parametrize(
    ("pool", "user", "verified", "decision"),
    [
        (_pool("OFF", ()), _on(TOTP), True, MfaDecision(None)),
        (_pool(), _user(), True, MfaDecision(None)),
        (_pool(), _on(TOTP), True, MfaDecision(TOTP)),
        (_pool(), _on(TOTP), False, MfaDecision(None)),
        (_pool(), _on(SMS), False, MfaDecision(SMS)),
        (_pool(), _on(SMS, attributes={}), False, MfaDecision(None)),
        (_pool(), _on(SMS, TOTP, EMAIL), True, MfaDecision(SELECT_MFA_TYPE, (SMS, TOTP, EMAIL))),
        (_pool(), _on(SMS, TOTP, prefer=TOTP), True, MfaDecision(TOTP)),
        (_pool(), _on(SMS, EMAIL, prefer=TOTP), True, MfaDecision(SELECT_MFA_TYPE, (SMS, EMAIL))),
        # The pool stopped offering TOTP: a user who set it up keeps it; SMS without the pool's SMS goes.
        (_pool(factors=(EMAIL,)), _on(SMS, TOTP), True, MfaDecision(TOTP)),
        (_pool("ON", (TOTP,)), _user(), True, MfaDecision(TOTP)),
        (_pool("ON", (TOTP,)), _user(), False, MfaDecision(MFA_SETUP, (TOTP,))),
        (_pool("ON", (SMS, TOTP)), _user(attributes={}), False, MfaDecision(MFA_SETUP, (SMS, TOTP))),
        (_pool("ON", (SMS, TOTP)), _user(), False, MfaDecision(SMS)),
    ],
)
def test_mfa_decision__table(pool: Pool, user: User, verified: bool, decision: MfaDecision) -> None:
    assert mfa_decision(pool, user, verified) == decision


def test_user_factors__enabled_usable_preferred() -> None:
    found = user_factors(_pool(factors=(TOTP,)), _on(SMS, TOTP, prefer=SMS), True)
    assert (found.enabled, found.usable, found.preferred) == ((SMS, TOTP), (TOTP,), SMS)
