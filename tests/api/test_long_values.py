"""Attribute values at the model's 2048-character limit are stored, aliased and found on every database."""

from __future__ import annotations

from typing import Any


def test_admin_create_user__longest_values_are_stored_and_listed(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="long", AliasAttributes=["email", "preferred_username"])["UserPool"]["Id"]
    name = "名" * 2048  # 6 KiB of UTF-8: more than a PostgreSQL btree entry holds
    email = "a" * 690 + "@example.com"
    nick = "n" * 2000
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="longest",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "name", "Value": name},
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "preferred_username", "Value": nick},
        ],
    )
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="shorter",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "name", "Value": name[:-1] + "x"}],
    )
    stored = idp.admin_get_user(UserPoolId=pool_id, Username="longest")["UserAttributes"]
    values = {a["Name"]: a["Value"] for a in stored}
    assert (values["name"], values["email"], values["preferred_username"]) == (name, email, nick)
    # A Filter is at most 256 characters, so long values are found by prefix.
    prefix = idp.list_users(UserPoolId=pool_id, Filter=f'name ^= "{name[:200]}"')["Users"]
    assert sorted(u["Username"] for u in prefix) == ["longest", "shorter"]
    by_email = idp.list_users(UserPoolId=pool_id, Filter=f'email ^= "{email[:200]}"')["Users"]
    assert [u["Username"] for u in by_email] == ["longest"]
