from __future__ import annotations

from typing import Any


def test_create_user_pool__describe_echoes_it(idp: Any) -> None:
    created = idp.create_user_pool(PoolName="p1")["UserPool"]
    assert created["Id"].startswith("eu-west-1_")
    described = idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert described["Name"] == "p1"
    assert described["Arn"] == f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{created['Id']}"


def test_live_socket(live_idp: Any) -> None:
    created = live_idp.create_user_pool(PoolName="p1")["UserPool"]
    assert live_idp.list_user_pools(MaxResults=10)["UserPools"][0]["Id"] == created["Id"]
