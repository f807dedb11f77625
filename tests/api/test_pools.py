"""User pool operations through boto3: Create/Describe/Update/Delete/ListUserPools."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.pools import (
    SMS_CONFIGURATION,
    STANDARD_ATTRIBUTE_ORDER,
    described,
    error_of,
    mfa_config,
    schema_by_name,
    send_extra_members,
)


def test_create_user_pool__minimal_echoes_cognito_defaults(idp: Any) -> None:
    created = idp.create_user_pool(PoolName="minimal pool")["UserPool"]
    pool_id = created["Id"]
    assert pool_id.startswith("eu-west-1_") and len(pool_id.split("_")[1]) == 9
    assert created["Arn"] == f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pool_id}"
    assert isinstance(created["CreationDate"], datetime) and created["LastModifiedDate"] == created["CreationDate"]
    assert created["Policies"] == {
        "PasswordPolicy": {
            "MinimumLength": 8,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
            "TemporaryPasswordValidityDays": 7,
        },
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
    }
    assert created["DeletionProtection"] == "INACTIVE"
    assert created["MfaConfiguration"] == "OFF"
    assert created["LambdaConfig"] == {}
    assert created["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert created["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": []}
    assert created["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert created["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    assert created["UserPoolTags"] == {}
    assert created["UserPoolTier"] == "ESSENTIALS"
    assert created["EstimatedNumberOfUsers"] == 0
    for absent in ("UsernameAttributes", "AliasAttributes", "AccountRecoverySetting", "SmsConfiguration"):
        assert absent not in created
    schema = schema_by_name(created)
    assert [a["Name"] for a in created["SchemaAttributes"]] == STANDARD_ATTRIBUTE_ORDER
    assert schema["sub"] == {
        "Name": "sub",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    }
    assert schema["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    assert schema["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert "StringAttributeConstraints" not in schema["email_verified"]
    assert described(idp, pool_id) == created


FULL_CONFIGURATION: dict[str, Any] = {
    "Policies": {
        "PasswordPolicy": {
            "MinimumLength": 12,
            "RequireUppercase": True,
            "RequireLowercase": False,
            "RequireNumbers": True,
            "RequireSymbols": False,
            "PasswordHistorySize": 3,
            "TemporaryPasswordValidityDays": 3,
        },
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]},
    },
    "DeletionProtection": "ACTIVE",
    "LambdaConfig": {
        "PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up",
        "PreTokenGeneration": "arn:aws:lambda:eu-west-1:123456789012:function:pre-token",
    },
    "AutoVerifiedAttributes": ["email"],
    "AliasAttributes": ["email", "preferred_username"],
    "VerificationMessageTemplate": {
        "SmsMessage": "Code {####}",
        "EmailMessage": "Your code is {####}",
        "EmailSubject": "Verify",
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
    },
    "SmsAuthenticationMessage": "Sign-in code {####}",
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
    "MfaConfiguration": "OPTIONAL",
    "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False},
    "EmailConfiguration": {
        "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com",
        "ReplyToEmailAddress": "help@example.com",
        "EmailSendingAccount": "DEVELOPER",
        "From": "Example <no-reply@example.com>",
    },
    "SmsConfiguration": SMS_CONFIGURATION,
    "UserPoolTags": {"team": "identity"},
    "AdminCreateUserConfig": {
        "AllowAdminCreateUserOnly": True,
        "InviteMessageTemplate": {
            "SMSMessage": "Hi {username}, password {####}",
            "EmailMessage": "Hello {username}, your password is {####}",
            "EmailSubject": "Welcome",
        },
    },
    "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"},
    "UsernameConfiguration": {"CaseSensitive": False},
    "AccountRecoverySetting": {
        "RecoveryMechanisms": [
            {"Priority": 1, "Name": "verified_email"},
            {"Priority": 2, "Name": "verified_phone_number"},
        ]
    },
    "UserPoolTier": "PLUS",
}


def test_create_user_pool__full_configuration_is_stored_and_echoed(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="full", **FULL_CONFIGURATION)["UserPool"]
    for member in (
        "Policies",
        "DeletionProtection",
        "AutoVerifiedAttributes",
        "AliasAttributes",
        "VerificationMessageTemplate",
        "SmsAuthenticationMessage",
        "UserAttributeUpdateSettings",
        "MfaConfiguration",
        "DeviceConfiguration",
        "EmailConfiguration",
        "SmsConfiguration",
        "UserPoolTags",
        "UserPoolAddOns",
        "UsernameConfiguration",
        "AccountRecoverySetting",
        "UserPoolTier",
    ):
        assert pool[member] == FULL_CONFIGURATION[member], member
    # The legacy top-level message members mirror the template, and the pre token trigger shows both ways.
    assert pool["SmsVerificationMessage"] == "Code {####}"
    assert pool["EmailVerificationMessage"] == "Your code is {####}"
    assert pool["EmailVerificationSubject"] == "Verify"
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {
        "LambdaVersion": "V1_0",
        "LambdaArn": FULL_CONFIGURATION["LambdaConfig"]["PreTokenGeneration"],
    }
    assert pool["AdminCreateUserConfig"] == {
        **FULL_CONFIGURATION["AdminCreateUserConfig"],
        "UnusedAccountValidityDays": 3,
    }
    assert described(idp, pool["Id"]) == pool
    assert mfa_config(idp, pool["Id"])["SmsMfaConfiguration"] == {
        "SmsAuthenticationMessage": "Sign-in code {####}",
        "SmsConfiguration": SMS_CONFIGURATION,
    }


def test_create_user_pool__rejects_bad_configuration(idp: Any) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"UsernameAttributes": ["email"], "AliasAttributes": ["phone_number"]},
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ),
        ({"MfaConfiguration": "ON"}, "SMS configuration and Auto verification for phone_number are required"),
        (
            {"AdminCreateUserConfig": {"InviteMessageTemplate": {"EmailMessage": "Hello {username}, welcome"}}},
            "InviteMessageTemplate.EmailMessage must contain both {username} and {####} placeholders.",
        ),
        (
            {"SmsVerificationMessage": "Code {####}", "VerificationMessageTemplate": {"SmsMessage": "Other {####}"}},
            "SmsVerificationMessage and VerificationMessageTemplate.SmsMessage must be the same",
        ),
        (
            {
                "Policies": {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}},
                "AdminCreateUserConfig": {"UnusedAccountValidityDays": 5},
            },
            "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
        ),
        ({"EmailConfiguration": {"EmailSendingAccount": "DEVELOPER"}}, "SourceArn is required"),
        (
            {
                "AccountRecoverySetting": {
                    "RecoveryMechanisms": [
                        {"Priority": 1, "Name": "admin_only"},
                        {"Priority": 2, "Name": "verified_email"},
                    ]
                }
            },
            "admin_only cannot be combined",
        ),
        (
            {"UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}},
            "email is not in AutoVerifiedAttributes",
        ),
        (
            {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SOFTWARE_TOKEN"]}}},
            "SOFTWARE_TOKEN is not supported",
        ),
        (
            {
                "LambdaConfig": {
                    "PreTokenGeneration": "arn:aws:lambda:eu-west-1:123456789012:function:a",
                    "PreTokenGenerationConfig": {
                        "LambdaVersion": "V2_0",
                        "LambdaArn": "arn:aws:lambda:eu-west-1:123456789012:function:b",
                    },
                }
            },
            "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function.",
        ),
    ]
    for config, message in cases:
        code, text = error_of(lambda c=config: idp.create_user_pool(PoolName="bad", **c))
        assert code == "InvalidParameterException" and message in text, (config, text)
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []


def test_create_user_pool__model_constraints_answer_in_cognito_wording(app_server: Any) -> None:
    raw = app_server.client(parameter_validation=False)
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"Policies": {"PasswordPolicy": {"MinimumLength": 5}}},
            "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy "
            "constraint: Member must have value greater than or equal to 6",
        ),
        (
            {"AutoVerifiedAttributes": ["address"]},
            "1 validation error detected: Value 'address' at 'autoVerifiedAttributes.1.member' failed to satisfy "
            "constraint: Member must satisfy enum value set: [phone_number, email]",
        ),
        (
            {"VerificationMessageTemplate": {"SmsMessage": "no code here"}},
            "1 validation error detected: Value 'no code here' at 'verificationMessageTemplate.smsMessage' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: .*\\{####\\}.*",
        ),
    ]
    for config, message in cases:
        assert error_of(lambda c=config: raw.create_user_pool(PoolName="bad", **c)) == (
            "InvalidParameterException",
            message,
        )


def test_describe_user_pool__unknown_or_malformed_pool_id(idp: Any, app_server: Any) -> None:
    assert error_of(lambda: idp.describe_user_pool(UserPoolId="eu-west-1_nothere00")) == (
        "ResourceNotFoundException",
        "User pool eu-west-1_nothere00 does not exist.",
    )
    raw = app_server.client(parameter_validation=False)
    code, message = error_of(lambda: raw.describe_user_pool(UserPoolId="no-underscore"))
    assert code == "InvalidParameterException" and "at 'userPoolId'" in message


def test_update_user_pool__omitted_settings_revert_to_defaults(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="full", **FULL_CONFIGURATION)["UserPool"]
    idp.update_user_pool(UserPoolId=pool["Id"], AutoVerifiedAttributes=["phone_number"])
    after = described(idp, pool["Id"])
    defaults = idp.create_user_pool(PoolName="defaults")["UserPool"]
    for member in (
        "Policies",
        "DeletionProtection",
        "LambdaConfig",
        "VerificationMessageTemplate",
        "UserAttributeUpdateSettings",
        "MfaConfiguration",
        "EmailConfiguration",
        "AdminCreateUserConfig",
        "UserPoolTier",
    ):
        assert after[member] == defaults[member], member
    for member in ("SmsAuthenticationMessage", "DeviceConfiguration", "SmsConfiguration", "AccountRecoverySetting"):
        assert member not in after, member
    assert "SmsVerificationMessage" not in after and "UserPoolAddOns" not in after
    assert after["AutoVerifiedAttributes"] == ["phone_number"]
    # Settings fixed at creation, and the tags, are not reset by an update that does not mention them.
    for member in ("AliasAttributes", "UsernameConfiguration", "SchemaAttributes", "UserPoolTags", "CreationDate"):
        assert after[member] == pool[member], member
    assert after["Name"] == "full"
    assert after["LastModifiedDate"] >= pool["LastModifiedDate"]
    assert mfa_config(idp, pool["Id"]) == {"MfaConfiguration": "OFF"}


def test_update_user_pool__with_the_described_configuration_changes_nothing(idp: Any) -> None:
    # The AWS-recommended way to change one setting: send back what DescribeUserPool answered.
    pool = idp.create_user_pool(PoolName="round-trip", **FULL_CONFIGURATION)["UserPool"]
    accepted = idp.meta.service_model.operation_model("UpdateUserPool").input_shape.members
    idp.update_user_pool(UserPoolId=pool["Id"], **{k: v for k, v in pool.items() if k in accepted})
    after = described(idp, pool["Id"])
    assert after.pop("LastModifiedDate") >= pool.pop("LastModifiedDate")
    assert after == pool


def test_update_user_pool__sets_new_settings_and_name(idp: Any, pool_id: str) -> None:
    idp.update_user_pool(
        UserPoolId=pool_id,
        PoolName="renamed",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": True}},
        DeletionProtection="ACTIVE",
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailMessageByLink": "Click {##here##}",
            "EmailSubjectByLink": "Confirm",
        },
        UserPoolTags={"env": "test"},
    )
    pool = described(idp, pool_id)
    assert pool["Name"] == "renamed"
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 10,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }
    assert pool["DeletionProtection"] == "ACTIVE"
    assert pool["VerificationMessageTemplate"]["EmailMessageByLink"] == "Click {##here##}"
    assert pool["UserPoolTags"] == {"env": "test"}
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=5)["UserPools"]] == ["renamed"]


def test_update_user_pool__cannot_change_settings_fixed_at_creation(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="fixed", UsernameAttributes=["email"])["UserPool"]
    immutable = {
        "UsernameAttributes": ["phone_number"],
        "AliasAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "Schema": [{"Name": "extra", "AttributeDataType": "String"}],
    }
    send_extra_members(idp, "UpdateUserPool", immutable)
    idp.update_user_pool(UserPoolId=pool["Id"], AutoVerifiedAttributes=["email"])
    after = described(idp, pool["Id"])
    assert after["UsernameAttributes"] == ["email"]
    assert "AliasAttributes" not in after and "UsernameConfiguration" not in after
    assert after["SchemaAttributes"] == pool["SchemaAttributes"]
    assert after["AutoVerifiedAttributes"] == ["email"]


def test_update_user_pool__json_nulls_count_as_absent(idp: Any, pool_id: str) -> None:
    nulls = {
        "DeletionProtection": None,
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True, "InviteMessageTemplate": None},
        "UserPoolTags": {"kept": "yes", "dropped": None},
        "AutoVerifiedAttributes": [None, "email"],
    }
    send_extra_members(idp, "UpdateUserPool", nulls)
    idp.update_user_pool(UserPoolId=pool_id)
    pool = described(idp, pool_id)
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True, "UnusedAccountValidityDays": 7}
    assert pool["UserPoolTags"] == {"kept": "yes"}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    send_extra_members(
        idp, "AddCustomAttributes", {"CustomAttributes": [None, {"Name": "x", "AttributeDataType": "String"}]}
    )
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "y", "AttributeDataType": "String"}])
    assert described(idp, pool_id)["SchemaAttributes"][-1]["Name"] == "custom:x"


def test_update_user_pool__errors_leave_the_pool_unchanged(idp: Any, pool_id: str) -> None:
    before = described(idp, pool_id)
    assert error_of(lambda: idp.update_user_pool(UserPoolId="eu-west-1_missing00")) == (
        "ResourceNotFoundException",
        "User pool eu-west-1_missing00 does not exist.",
    )
    code, message = error_of(
        lambda: idp.update_user_pool(UserPoolId=pool_id, PoolName="changed", MfaConfiguration="ON")
    )
    assert code == "InvalidParameterException" and message.startswith("SMS configuration")
    assert described(idp, pool_id) == before


def test_delete_user_pool__removes_the_pool_and_what_it_holds(idp: Any, pool_id: str) -> None:
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    assert idp.delete_user_pool(UserPoolId=pool_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert error_of(lambda: idp.describe_user_pool(UserPoolId=pool_id))[0] == "ResourceNotFoundException"
    assert error_of(lambda: idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id))[0] == (
        "ResourceNotFoundException"
    )
    assert error_of(lambda: idp.delete_user_pool(UserPoolId=pool_id)) == (
        "ResourceNotFoundException",
        f"User pool {pool_id} does not exist.",
    )


def test_delete_user_pool__refused_while_deletion_protection_is_active(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="kept", DeletionProtection="ACTIVE")["UserPool"]["Id"]
    assert error_of(lambda: idp.delete_user_pool(UserPoolId=pool_id)) == (
        "InvalidParameterException",
        f"The user pool {pool_id} cannot be deleted because deletion protection is activated. "
        "Deletion protection must be inactivated first.",
    )
    assert described(idp, pool_id)["Name"] == "kept"
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []


def test_list_user_pools__pages_without_repeats(idp: Any) -> None:
    created = {idp.create_user_pool(PoolName=f"pool-{i}")["UserPool"]["Id"] for i in range(7)}
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 3}
    while True:
        page = idp.list_user_pools(**kwargs)
        pages += 1
        assert len(page["UserPools"]) <= 3
        for summary in page["UserPools"]:
            assert set(summary) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"}
            seen.append(summary["Id"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7 and set(seen) == created
    paginator = idp.get_paginator("list_user_pools")
    assert sum(len(p["UserPools"]) for p in paginator.paginate(MaxResults=60)) == 7


def test_list_user_pools__rejects_bad_limits_and_tokens(app_server: Any) -> None:
    raw = app_server.client(parameter_validation=False)
    code, message = error_of(lambda: raw.list_user_pools(MaxResults=61))
    assert code == "InvalidParameterException"
    assert "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60" in message
    assert error_of(lambda: raw.list_user_pools(MaxResults=0))[0] == "InvalidParameterException"
    assert error_of(lambda: raw.list_user_pools(MaxResults=5, NextToken="not-a-token")) == (
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_create_user_pool__over_a_real_socket(live_idp: Any) -> None:
    created = live_idp.create_user_pool(PoolName="socket", UserPoolTags={"via": "socket"})["UserPool"]
    listed = live_idp.list_user_pools(MaxResults=10)["UserPools"]
    assert [p["Id"] for p in listed] == [created["Id"]]
    assert live_idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]["UserPoolTags"] == {"via": "socket"}
