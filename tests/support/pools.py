"""What the pool tests share: the Cognito error a boto3 call raises, and a pool's wire shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

# A configuration Cognito accepts for sending SMS (SmsConfigurationType).
SMS_CONFIGURATION = {"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms", "ExternalId": "ext-1"}
# The standard attributes, in the order DescribeUserPool lists them (AWS CLI create-user-pool example).
STANDARD_ATTRIBUTE_ORDER = (
    "sub name given_name family_name middle_name nickname preferred_username profile picture website email "
    "email_verified gender birthdate zoneinfo locale phone_number phone_number_verified address updated_at"
).split()


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call`` raises; every Cognito client error is HTTP 400."""
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"]["Code"], response["Error"]["Message"]


def described(idp: Any, pool_id: str) -> dict[str, Any]:
    """DescribeUserPool's UserPool."""
    return dict(idp.describe_user_pool(UserPoolId=pool_id)["UserPool"])


def schema_by_name(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


def mfa_config(idp: Any, pool_id: str) -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer without botocore's ResponseMetadata."""
    answer = dict(idp.get_user_pool_mfa_config(UserPoolId=pool_id))
    answer.pop("ResponseMetadata")
    return answer


def send_extra_members(idp: Any, operation: str, members: dict[str, Any]) -> None:
    """Make ``idp`` put ``members`` into the body of every ``operation`` call, as a raw HTTP client could:
    boto3 itself refuses members its model does not have and never sends JSON nulls."""

    def add_members(request: Any, **_: Any) -> None:
        request.data = json.dumps({**json.loads(request.body), **members}).encode()

    idp.meta.events.register(f"before-sign.cognito-idp.{operation}", add_members)
