"""Groups and memberships through boto3: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server
from userpool.store.sql.tables import groups

ROLE = "arn:aws:iam::123456789012:role/Admins"
OTHER_ROLE = "arn:aws:iam::123456789012:role/Readers"


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _add_user(idp: Any, pool_id: str, username: str, **attributes: str) -> dict[str, Any]:
    """AdminCreateUser; returns the UserType it answered."""
    user: dict[str, Any] = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )["User"]
    return user


def _sub(user: dict[str, Any]) -> str:
    return str(next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub"))


def _store_groups(server: Server, pool_id: str, names: list[str]) -> None:
    """Groups written straight into their table, in one statement: added one by one through the store, the
    10,000 of the pool limit took seconds."""
    now = time.time()
    rows = [
        {"pool_id": pool_id, "name": name, "description": None, "role_arn": None, "precedence": None}
        | {"created_at": now, "updated_at": now}
        for name in names
    ]
    with server.runtime.store.engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the store's SQLite engine leaves BEGIN to its caller
        conn.execute(groups.insert(), rows)


def _all_pages(call: Any, key: str, **kwargs: Any) -> tuple[list[Any], int]:
    items: list[Any] = []
    pages = 0
    token: str | None = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        pages += 1
        items += page[key]
        token = page.get("NextToken")
        if token is None:
            return items, pages


# CreateGroup / GetGroup


def test_create_group__echoes_every_member(idp: Any, pool_id: str) -> None:
    before = time.time()
    group = idp.create_group(
        UserPoolId=pool_id, GroupName="admins", Description="Administrators", RoleArn=ROLE, Precedence=1
    )["Group"]
    assert group["GroupName"] == "admins"
    assert group["UserPoolId"] == pool_id
    assert group["Description"] == "Administrators"
    assert group["RoleArn"] == ROLE
    assert group["Precedence"] == 1
    assert group["CreationDate"] == group["LastModifiedDate"]
    assert group["CreationDate"].timestamp() >= before - 1
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"] == group


def test_create_group__optional_members_absent_when_not_given(idp: Any, pool_id: str) -> None:
    group = idp.create_group(UserPoolId=pool_id, GroupName="plain")["Group"]
    assert set(group) == {"GroupName", "UserPoolId", "CreationDate", "LastModifiedDate"}
    assert set(idp.get_group(UserPoolId=pool_id, GroupName="plain")["Group"]) == set(group)


def test_create_group__precedence_zero_is_kept(idp: Any, pool_id: str) -> None:
    assert idp.create_group(UserPoolId=pool_id, GroupName="top", Precedence=0)["Group"]["Precedence"] == 0


def test_create_group__duplicate_name(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        idp.create_group(UserPoolId=pool_id, GroupName="admins", Description="again")
    assert _error(exc) == ("GroupExistsException", "A group with the name already exists.")
    assert "Description" not in idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]


def test_create_group__same_name_in_another_pool(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1)
    idp.create_group(UserPoolId=other, GroupName="admins", Precedence=2)
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Precedence"] == 1
    assert idp.get_group(UserPoolId=other, GroupName="admins")["Group"]["Precedence"] == 2


def test_create_group__unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_group(UserPoolId="eu-west-1_missing00", GroupName="admins")
    assert _error(exc) == ("ResourceNotFoundException", "User pool eu-west-1_missing00 does not exist.")


def test_create_group__pool_limit_of_10000(app_server: Server, idp: Any, pool_id: str) -> None:
    _store_groups(app_server, pool_id, [f"g{i:05d}" for i in range(10_000)])
    with pytest.raises(ClientError) as exc:
        idp.create_group(UserPoolId=pool_id, GroupName="one-too-many")
    assert _error(exc)[0] == "LimitExceededException"
    with pytest.raises(ClientError):
        idp.get_group(UserPoolId=pool_id, GroupName="one-too-many")


@pytest.mark.parametrize(
    ("member", "value", "wording"),
    [
        ("Precedence", -1, "Member must have value greater than or equal to 0"),
        ("Precedence", 2**31, "Member must have value less than or equal to 2147483647"),
        ("RoleArn", "not-an-arn-but-long-enough", "Member must satisfy regular expression pattern"),
        ("Description", "x" * 2049, "Member must have length less than or equal to 2048"),
    ],
)
def test_create_group__invalid_member(app_server: Server, pool_id: str, member: str, value: Any, wording: str) -> None:
    raw = app_server.client(parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        raw.create_group(UserPoolId=pool_id, GroupName="bad", **{member: value})
    code, message = _error(exc)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: ")
    assert wording in message
    with pytest.raises(ClientError):
        raw.get_group(UserPoolId=pool_id, GroupName="bad")


def test_create_group__invalid_group_name(app_server: Server, pool_id: str) -> None:
    raw = app_server.client(parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        raw.create_group(UserPoolId=pool_id, GroupName="has space")
    assert _error(exc)[0] == "InvalidParameterException"
    assert "at 'groupName' failed to satisfy constraint" in _error(exc)[1]


def test_create_group__nul_in_description_is_refused(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.create_group(UserPoolId=pool_id, GroupName="nul", Description="a\x00b")
    assert _error(exc)[0] == "InvalidParameterException"


def test_get_group__missing(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.get_group(UserPoolId=pool_id, GroupName="nobody")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")


def test_get_group__names_are_exact(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="Admins")
    with pytest.raises(ClientError) as exc:
        idp.get_group(UserPoolId=pool_id, GroupName="admins")
    assert _error(exc)[0] == "ResourceNotFoundException"


# UpdateGroup


def test_update_group__changes_only_the_members_given(idp: Any, pool_id: str) -> None:
    created = idp.create_group(UserPoolId=pool_id, GroupName="admins", Description="old", RoleArn=ROLE, Precedence=5)[
        "Group"
    ]
    updated = idp.update_group(UserPoolId=pool_id, GroupName="admins", Description="new", Precedence=2)["Group"]
    assert updated["Description"] == "new"
    assert updated["Precedence"] == 2
    assert updated["RoleArn"] == ROLE
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"] == updated

    again = idp.update_group(UserPoolId=pool_id, GroupName="admins", RoleArn=OTHER_ROLE)["Group"]
    assert (again["Description"], again["RoleArn"], again["Precedence"]) == ("new", OTHER_ROLE, 2)


def test_update_group__sets_members_the_group_lacked(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="plain")
    updated = idp.update_group(UserPoolId=pool_id, GroupName="plain", RoleArn=ROLE, Precedence=0)["Group"]
    assert (updated["RoleArn"], updated["Precedence"]) == (ROLE, 0)
    assert "Description" not in updated


def test_update_group__missing(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.update_group(UserPoolId=pool_id, GroupName="nobody", Description="x")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")


def test_update_group__invalid_precedence_changes_nothing(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Description="kept", Precedence=3)
    with pytest.raises(ClientError) as exc:
        idp.update_group(UserPoolId=pool_id, GroupName="admins", Description="lost", Precedence=2**31)
    assert _error(exc)[0] == "InvalidParameterException"
    group = idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]
    assert (group["Description"], group["Precedence"]) == ("kept", 3)


# DeleteGroup


def test_delete_group__memberships_go_with_it(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.create_group(UserPoolId=pool_id, GroupName="staff")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="staff")

    assert idp.delete_group(UserPoolId=pool_id, GroupName="admins")["ResponseMetadata"]["HTTPStatusCode"] == 200

    with pytest.raises(ClientError) as exc:
        idp.get_group(UserPoolId=pool_id, GroupName="admins")
    assert _error(exc)[0] == "ResourceNotFoundException"
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["staff"]
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"] == []


def test_delete_group__missing(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.delete_group(UserPoolId=pool_id, GroupName="nobody")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")


# ListGroups


def test_list_groups__pages_without_repeats(idp: Any, pool_id: str) -> None:
    names = [f"group-{i}" for i in range(7)]
    for name in names:
        idp.create_group(UserPoolId=pool_id, GroupName=name, Precedence=len(name))
    groups, pages = _all_pages(idp.list_groups, "Groups", UserPoolId=pool_id, Limit=3)
    assert pages == 3
    assert sorted(g["GroupName"] for g in groups) == names
    assert len(groups) == len(names)
    assert all(g["UserPoolId"] == pool_id and g["Precedence"] == 7 for g in groups)


def test_list_groups__boto3_paginator(idp: Any, pool_id: str) -> None:
    for i in range(5):
        idp.create_group(UserPoolId=pool_id, GroupName=f"g{i}")
    pages = list(idp.get_paginator("list_groups").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2}))
    assert [len(p["Groups"]) for p in pages] == [2, 2, 1]
    assert sorted(g["GroupName"] for p in pages for g in p["Groups"]) == [f"g{i}" for i in range(5)]


def test_list_groups__empty_pool(idp: Any, pool_id: str) -> None:
    body = idp.list_groups(UserPoolId=pool_id)
    assert body["Groups"] == []
    assert "NextToken" not in body


def test_list_groups__limit_zero_means_sixty(app_server: Server, idp: Any, pool_id: str) -> None:
    _store_groups(app_server, pool_id, [f"g{i:02d}" for i in range(61)])
    first = idp.list_groups(UserPoolId=pool_id, Limit=0)
    assert len(first["Groups"]) == 60
    rest = idp.list_groups(UserPoolId=pool_id, NextToken=first["NextToken"])
    assert [g["GroupName"] for g in rest["Groups"]] == ["g60"]
    assert "NextToken" not in rest


def test_list_groups__limit_above_sixty(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_groups(UserPoolId=pool_id, Limit=61)
    assert _error(exc)[0] == "InvalidParameterException"
    assert "Member must have value less than or equal to 60" in _error(exc)[1]


def test_list_groups__token_of_another_pool(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    for i in range(3):
        idp.create_group(UserPoolId=other, GroupName=f"g{i}")
    token = idp.list_groups(UserPoolId=other, Limit=1)["NextToken"]
    with pytest.raises(ClientError) as exc:
        idp.list_groups(UserPoolId=pool_id, NextToken=token)
    assert _error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        idp.list_groups(UserPoolId=pool_id, NextToken="garbage")
    assert _error(exc)[0] == "InvalidParameterException"


def test_list_groups__unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_groups(UserPoolId="eu-west-1_missing00")
    assert _error(exc)[0] == "ResourceNotFoundException"


# AdminAddUserToGroup / AdminRemoveUserFromGroup


def test_admin_add_user_to_group__is_idempotent(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    first = idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    assert set(first) == {"ResponseMetadata"}
    users = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in users] == ["alice"]


def test_admin_add_user_to_group__by_sub(idp: Any, pool_id: str) -> None:
    alice = _add_user(idp, pool_id, "alice")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=_sub(alice), GroupName="admins")
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]


def test_admin_add_user_to_group__by_verified_email_alias(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="aliases", AliasAttributes=["email"])["UserPool"]["Id"]
    _add_user(idp, pool_id, "alice", email="alice@example.com", email_verified="true")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice@example.com", GroupName="admins")
    users = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in users] == ["alice"]
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice@example.com")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]


def test_admin_add_user_to_group__unknown_user(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="ghost", GroupName="admins")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_add_user_to_group__unknown_group(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    with pytest.raises(ClientError) as exc:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="nobody")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")


def test_admin_add_user_to_group__at_most_100_groups(app_server: Server, idp: Any, pool_id: str) -> None:
    alice = _add_user(idp, pool_id, "alice")
    names = [f"g{i:03d}" for i in range(101)]
    _store_groups(app_server, pool_id, names)
    with app_server.runtime.store.write() as tx:
        for name in names[:100]:
            tx.groups.add_member(pool_id, name, _sub(alice))

    with pytest.raises(ClientError) as exc:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="g100")
    assert _error(exc)[0] == "LimitExceededException"
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="g100")["Users"] == []
    # Adding a membership the user already has is still accepted at the limit.
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="g099")
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="g000")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="g100")
    groups, _ = _all_pages(idp.admin_list_groups_for_user, "Groups", UserPoolId=pool_id, Username="alice")
    assert len(groups) == 100
    assert "g100" in {g["GroupName"] for g in groups}


def test_admin_remove_user_from_group__removes_and_is_idempotent(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    _add_user(idp, pool_id, "bob")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    for name in ("alice", "bob"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="admins")
    removed = idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    assert set(removed) == {"ResponseMetadata"}
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    users = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in users] == ["bob"]
    assert idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"] == []


def test_admin_remove_user_from_group__unknown_user(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="ghost", GroupName="admins")
    assert _error(exc)[0] == "UserNotFoundException"


def test_admin_remove_user_from_group__unknown_group(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    with pytest.raises(ClientError) as exc:
        idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="nobody")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")


# AdminListGroupsForUser


def test_admin_list_groups_for_user__pages_without_repeats(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    _add_user(idp, pool_id, "bob")
    names = [f"team-{i}" for i in range(5)]
    for name in [*names, "not-alice"]:
        idp.create_group(UserPoolId=pool_id, GroupName=name, Description=f"about {name}", RoleArn=ROLE)
    for name in names:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=name)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="bob", GroupName="not-alice")

    groups, pages = _all_pages(idp.admin_list_groups_for_user, "Groups", UserPoolId=pool_id, Username="alice", Limit=2)
    assert pages == 3
    assert sorted(g["GroupName"] for g in groups) == names
    assert all(g["Description"] == f"about {g['GroupName']}" and g["RoleArn"] == ROLE for g in groups)
    paged = idp.get_paginator("admin_list_groups_for_user").paginate(UserPoolId=pool_id, Username="alice")
    assert sorted(g["GroupName"] for p in paged for g in p["Groups"]) == names


def test_admin_list_groups_for_user__token_of_another_user(idp: Any, pool_id: str) -> None:
    _add_user(idp, pool_id, "alice")
    _add_user(idp, pool_id, "bob")
    for name in ("a", "b"):
        idp.create_group(UserPoolId=pool_id, GroupName=name)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=name)
    token = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice", Limit=1)["NextToken"]
    with pytest.raises(ClientError) as exc:
        idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="bob", NextToken=token)
    assert _error(exc)[0] == "InvalidParameterException"


def test_admin_list_groups_for_user__unknown_user(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="ghost")
    assert _error(exc) == ("UserNotFoundException", "User does not exist.")


def test_admin_list_groups_for_user__unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.admin_list_groups_for_user(UserPoolId="eu-west-1_missing00", Username="alice")
    assert _error(exc)[0] == "ResourceNotFoundException"


# ListUsersInGroup


def test_list_users_in_group__user_type_shapes(idp: Any, pool_id: str) -> None:
    alice = _add_user(idp, pool_id, "alice", email="alice@example.com")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    body = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")
    assert "NextToken" not in body
    (user,) = body["Users"]
    assert user == alice
    assert user == idp.list_users(UserPoolId=pool_id)["Users"][0]
    assert {a["Name"]: a["Value"] for a in user["Attributes"]} == {"sub": _sub(alice), "email": "alice@example.com"}
    assert set(user) >= {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate", "Enabled", "UserStatus"}


def test_list_users_in_group__pages_without_repeats(idp: Any, pool_id: str) -> None:
    names = [f"user-{i}" for i in range(7)]
    idp.create_group(UserPoolId=pool_id, GroupName="everyone")
    idp.create_group(UserPoolId=pool_id, GroupName="nobody-else")
    for name in names:
        _add_user(idp, pool_id, name)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="everyone")
    _add_user(idp, pool_id, "outsider")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="outsider", GroupName="nobody-else")

    users, pages = _all_pages(idp.list_users_in_group, "Users", UserPoolId=pool_id, GroupName="everyone", Limit=3)
    assert pages == 3
    assert sorted(u["Username"] for u in users) == names
    paged = idp.get_paginator("list_users_in_group").paginate(UserPoolId=pool_id, GroupName="everyone")
    assert sorted(u["Username"] for p in paged for u in p["Users"]) == names


def test_list_users_in_group__token_of_another_group(idp: Any, pool_id: str) -> None:
    for group in ("a", "b"):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    for name in ("u1", "u2"):
        _add_user(idp, pool_id, name)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="a")
    token = idp.list_users_in_group(UserPoolId=pool_id, GroupName="a", Limit=1)["NextToken"]
    with pytest.raises(ClientError) as exc:
        idp.list_users_in_group(UserPoolId=pool_id, GroupName="b", NextToken=token)
    assert _error(exc)[0] == "InvalidParameterException"


def test_list_users_in_group__unknown_group(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_users_in_group(UserPoolId=pool_id, GroupName="nobody")
    assert _error(exc) == ("ResourceNotFoundException", "Group not found.")
