"""A pool's MFA configuration through boto3: SetUserPoolMfaConfig, GetUserPoolMfaConfig, and UpdateUserPool's MFA."""

from __future__ import annotations

from typing import Any

from tests.support.pools import SMS_CONFIGURATION, described, error_of, mfa_config


def test_set_user_pool_mfa_config__turns_factors_on_and_off(idp: Any, pool_id: str) -> None:
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code: {####}", "Subject": "Sign-in code"},
        WebAuthnConfiguration={"RelyingPartyId": "auth.example.com"},
    )
    expected = {
        "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
        "EmailMfaConfiguration": {"Message": "Your code: {####}", "Subject": "Sign-in code"},
        "WebAuthnConfiguration": {"RelyingPartyId": "auth.example.com", "UserVerification": "preferred"},
    }
    answer.pop("ResponseMetadata")
    assert answer == expected
    assert mfa_config(idp, pool_id) == expected
    assert described(idp, pool_id)["MfaConfiguration"] == "OPTIONAL"
    # Each call replaces the whole MFA configuration: factors it leaves out are turned off.
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION}
    )
    assert answer["SmsMfaConfiguration"] == {"SmsConfiguration": SMS_CONFIGURATION}
    assert mfa_config(idp, pool_id) == {
        "MfaConfiguration": "ON",
        "SmsMfaConfiguration": {"SmsConfiguration": SMS_CONFIGURATION},
    }
    assert described(idp, pool_id)["SmsConfiguration"] == SMS_CONFIGURATION
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert mfa_config(idp, pool_id) == {"MfaConfiguration": "OFF"}
    assert described(idp, pool_id)["MfaConfiguration"] == "OFF"


def test_set_user_pool_mfa_config__rejects_inconsistent_configuration(idp: Any, pool_id: str) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"MfaConfiguration": "ON"},
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        ),
        (
            {"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": False}},
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        ),
        (
            {"MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": {"Enabled": True}},
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
        ),
        (
            {"MfaConfiguration": "ON", "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}"}},
            "Invalid SMS MFA configuration given, external id and a valid caller arn are required",
        ),
    ]
    for config, message in cases:
        assert error_of(lambda c=config: idp.set_user_pool_mfa_config(UserPoolId=pool_id, **c)) == (
            "InvalidParameterException",
            message,
        )
    assert mfa_config(idp, pool_id) == {"MfaConfiguration": "OFF"}
    for call in (
        lambda: idp.set_user_pool_mfa_config(UserPoolId="eu-west-1_missing00", MfaConfiguration="OFF"),
        lambda: idp.get_user_pool_mfa_config(UserPoolId="eu-west-1_missing00"),
    ):
        assert error_of(call) == ("ResourceNotFoundException", "User pool eu-west-1_missing00 does not exist.")


def test_update_user_pool__keeps_mfa_factors_set_by_set_user_pool_mfa_config(idp: Any, pool_id: str) -> None:
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON", AutoVerifiedAttributes=["email"])
    assert mfa_config(idp, pool_id) == {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS_CONFIGURATION)
    assert mfa_config(idp, pool_id) == {
        "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
    }
    # MFA OFF through UpdateUserPool turns every factor off; ON again then needs one.
    idp.update_user_pool(UserPoolId=pool_id)
    assert mfa_config(idp, pool_id) == {"MfaConfiguration": "OFF"}
    code, message = error_of(lambda: idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON"))
    assert code == "InvalidParameterException" and message.startswith("SMS configuration")
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIGURATION)
    assert mfa_config(idp, pool_id)["SmsMfaConfiguration"] == {"SmsConfiguration": SMS_CONFIGURATION}
