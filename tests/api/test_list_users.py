"""ListUsers through boto3: every filter kind, AttributesToGet, Limit and pagination tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, make_settings, running_server
from tests.support.users import NewUser, add_users
from userpool.model.filters import quote
from userpool.store.base import Store

# One pytest-xdist worker runs the module, so that ``directory`` below is made once, not once per worker.
pytestmark = pytest.mark.xdist_group("list_users")


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def _usernames(response: dict[str, Any]) -> list[str]:
    return sorted(u["Username"] for u in response["Users"])


def _attrs(user: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user["Attributes"]}


def _create(idp: Any, pool_id: str, username: str, **attributes: str) -> str:
    """AdminCreateUser without an invitation; the new user's sub."""
    user = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": n, "Value": v} for n, v in attributes.items()],
    )["User"]
    return str(_attrs(user)["sub"])


def _list_all(idp: Any, pool_id: str, **kwargs: Any) -> tuple[list[str], int]:
    """Every username a listing returns, following its tokens; and how many pages it took."""
    names: list[str] = []
    pages = 0
    token: str | None = None
    while True:
        extra = {"PaginationToken": token} if token else {}
        response = idp.list_users(UserPoolId=pool_id, **kwargs, **extra)
        pages += 1
        names += [u["Username"] for u in response["Users"]]
        token = response.get("PaginationToken")
        if token is None:
            return names, pages


def _people(idp: Any, store: Store, pool_id: str) -> dict[str, str]:
    """Four users with distinct values of every filterable attribute; username -> sub. States AdminCreateUser
    cannot reach (UNCONFIRMED, COMPROMISED) are written through the store."""
    subs = {
        "alice": _create(
            idp,
            pool_id,
            "alice",
            email="alice@example.com",
            phone_number="+15550000001",
            name="Alice Liddell",
            given_name="Alice",
            family_name="Liddell",
            preferred_username="ally",
        ),
        "alfred": _create(
            idp,
            pool_id,
            "alfred",
            email="alfred@example.org",
            phone_number="+15550000002",
            name="Alfred Pennyworth",
            given_name="Alfred",
            family_name="Pennyworth",
            preferred_username="alf",
        ),
    }
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password="Passw0rd!x", Permanent=True)
    stored = add_users(
        store,
        pool_id,
        [
            NewUser("bob", {"email": "bob@example.com", "given_name": "Bob"}, status="UNCONFIRMED"),
            NewUser("Carol", {"email": "carol@example.net", "family_name": 'O"Hara'}, status="COMPROMISED"),
        ],
    )
    idp.admin_disable_user(UserPoolId=pool_id, Username="bob")
    return subs | {u.username: u.sub for u in stored}


@dataclass(frozen=True)
class Directory:
    """A pool of the four users of ``_people`` on a server of its own, for the tests that only read it."""

    idp: Any
    pool_id: str
    people: dict[str, str]


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """One server and pool for every test that only lists (a filter each, for most): made once, not once per
    test (the module is one xdist group, so once per run)."""
    folder = tmp_path_factory.mktemp("list-users")
    with running_server(make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="test-pool")["UserPool"]["Id"]
        yield Directory(idp, pool_id, _people(idp, server.runtime.store, pool_id))


def test_list_users__empty_filter_lists_every_user(directory: Directory) -> None:
    idp, pool_id, people = directory.idp, directory.pool_id, directory.people
    for extra in ({}, {"Filter": ""}, {"Filter": "   "}):
        response = idp.list_users(UserPoolId=pool_id, **extra)
        assert _usernames(response) == sorted(people)
        assert "PaginationToken" not in response
    alice = next(u for u in idp.list_users(UserPoolId=pool_id)["Users"] if u["Username"] == "alice")
    assert alice["Enabled"] is True
    assert alice["UserStatus"] == "CONFIRMED"
    assert alice["Attributes"][0] == {"Name": "sub", "Value": people["alice"]}
    assert _attrs(alice)["email"] == "alice@example.com"
    # The same user as AdminGetUser shows it.
    got = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    for key in ("Username", "UserCreateDate", "UserLastModifiedDate", "Enabled", "UserStatus"):
        assert alice[key] == got[key], key
    assert alice["Attributes"] == got["UserAttributes"]


def test_list_users__empty_pool(idp: Any, pool_id: str) -> None:
    response = idp.list_users(UserPoolId=pool_id)
    assert response["Users"] == []
    assert "PaginationToken" not in response


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ('email = "alice@example.com"', ["alice"]),
        ('email ^= "al"', ["alfred", "alice"]),
        ('email ^= "alice@example.co"', ["alice"]),
        ('email = "alice@example.co"', []),
        ('phone_number = "+15550000002"', ["alfred"]),
        ('phone_number ^= "+1555"', ["alfred", "alice"]),
        ('name = "Alice Liddell"', ["alice"]),
        ('name ^= "Al"', ["alfred", "alice"]),
        ('given_name = "Bob"', ["bob"]),
        ('given_name ^= "A"', ["alfred", "alice"]),
        ('family_name = "Pennyworth"', ["alfred"]),
        ('family_name ^= "O\\"H"', ["Carol"]),
        ('preferred_username = "alf"', ["alfred"]),
        ('preferred_username ^= "al"', ["alfred", "alice"]),
        ('username = "bob"', ["bob"]),
        ('username ^= "al"', ["alfred", "alice"]),
        ('status = "Enabled"', ["Carol", "alfred", "alice"]),
        ('status = "Disabled"', ["bob"]),
        ('status ^= "Dis"', ["bob"]),
        ('status ^= ""', ["Carol", "alfred", "alice", "bob"]),
        ('status = "enabled"', []),
        ('cognito:user_status = "CONFIRMED"', ["alice"]),
        ('cognito:user_status = "force_change_password"', ["alfred"]),
        ('cognito:user_status ^= "Unc"', ["bob"]),
        ('cognito:user_status ^= "C"', ["Carol", "alice"]),
        ('cognito:user_status = "ARCHIVED"', []),
        ('cognito:user_status = "nonsense"', []),
    ],
)
def test_list_users__filter(directory: Directory, filter_: str, expected: list[str]) -> None:
    idp, pool_id = directory.idp, directory.pool_id
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter=filter_)) == expected


def test_list_users__filter_on_sub(directory: Directory) -> None:
    idp, pool_id, people = directory.idp, directory.pool_id, directory.people
    sub = people["bob"]
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter=f"sub = {quote(sub)}")) == ["bob"]
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter=f"sub ^= {quote(sub[:8])}")) == ["bob"]


def test_list_users__filter_syntax_variants(directory: Directory) -> None:
    idp, pool_id = directory.idp, directory.pool_id
    # AWS's own sample quotes the attribute name; the CLI examples leave out every space.
    for text in (
        '"email"^="alice@example.com"',
        'email="alice@example.com"',
        '  email   =   "alice@example.com"  ',
        'email\t=\t"alice@example.com"',
    ):
        assert _usernames(idp.list_users(UserPoolId=pool_id, Filter=text)) == ["alice"], text
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='family_name = "O\\"Hara"')) == ["Carol"]


@pytest.mark.parametrize(
    "filter_",
    ["email = alice@example.com", "username=", 'email "x"', 'email == "x"', 'email = "x" and', 'email = "x', "="],
)
def test_list_users__filter_parse_error(idp: Any, pool_id: str, filter_: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId=pool_id, Filter=filter_)
    assert _error(exc) == ("InvalidParameterException", "Error while parsing filter")


@pytest.mark.parametrize("name", ["custom:team", "locale", "email_verified", "Email"])
def test_list_users__filter_on_unsearchable_attribute(idp: Any, pool_id: str, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId=pool_id, Filter=f'{name} = "x"')
    assert _error(exc) == ("InvalidParameterException", f"Invalid search attribute: {name}")


def test_list_users__username_is_case_sensitive_by_default(directory: Directory) -> None:
    idp, pool_id = directory.idp, directory.pool_id
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='username = "Carol"')) == ["Carol"]
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='username = "carol"')) == []
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='username ^= "AL"')) == []


def test_list_users__username_in_case_insensitive_pool(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="ci", UsernameConfiguration={"CaseSensitive": False})["UserPool"]["Id"]
    for username in ("Dora", "dominic", "Eve"):
        _create(idp, pool_id, username)
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='username = "DORA"')) == ["Dora"]
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='username = "dora"')) == ["Dora"]
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='username ^= "DO"')) == ["Dora", "dominic"]
    # The listing shows usernames as they were created, not folded.
    assert _usernames(idp.list_users(UserPoolId=pool_id)) == ["Dora", "Eve", "dominic"]


def test_list_users__attributes_to_get(directory: Directory) -> None:
    idp, pool_id, people = directory.idp, directory.pool_id, directory.people
    response = idp.list_users(UserPoolId=pool_id, Filter='username = "alice"', AttributesToGet=["email", "sub"])
    assert response["Users"][0]["Attributes"] == [
        {"Name": "sub", "Value": people["alice"]},
        {"Name": "email", "Value": "alice@example.com"},
    ]
    only_given = idp.list_users(UserPoolId=pool_id, AttributesToGet=["given_name"])["Users"]
    assert {u["Username"]: _attrs(u) for u in only_given} == {
        "alice": {"given_name": "Alice"},
        "alfred": {"given_name": "Alfred"},
        "bob": {"given_name": "Bob"},
        "Carol": {},
    }


def test_list_users__empty_attributes_to_get_returns_no_attributes(directory: Directory) -> None:
    idp, pool_id, people = directory.idp, directory.pool_id, directory.people
    users = idp.list_users(UserPoolId=pool_id, AttributesToGet=[])["Users"]
    assert len(users) == len(people)
    assert all(u["Attributes"] == [] for u in users)


def test_list_users__attributes_to_get_custom_attribute(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="custom", Schema=[{"Name": "team", "AttributeDataType": "String"}])[
        "UserPool"
    ]["Id"]
    _create(idp, pool_id, "zed", **{"custom:team": "blue", "email": "z@example.com"})
    users = idp.list_users(UserPoolId=pool_id, AttributesToGet=["custom:team"])["Users"]
    assert users[0]["Attributes"] == [{"Name": "custom:team", "Value": "blue"}]


@pytest.mark.parametrize("names", [["nickname_x"], ["email", "custom:undefined"], ["Email"]])
def test_list_users__attributes_to_get_unknown_attribute(directory: Directory, names: list[str]) -> None:
    idp, pool_id = directory.idp, directory.pool_id
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId=pool_id, AttributesToGet=names)
    assert _error(exc) == ("InvalidParameterException", "One or more requested attributes do not exist.")


def test_list_users__pages_without_repeats_or_gaps(idp: Any, pool_id: str) -> None:
    everyone = [f"user{i:03d}" for i in range(47)]
    for name in everyone:
        _create(idp, pool_id, name, email=f"{name}@example.com", given_name="Same")
    names, pages = _list_all(idp, pool_id, Limit=10)
    assert (sorted(names), len(names), pages) == (everyone, 47, 5)
    # Many users share the value: paging by (value, sub) must still neither repeat nor skip.
    names, pages = _list_all(idp, pool_id, Limit=6, Filter='given_name = "Same"')
    assert (sorted(names), len(names), pages) == (everyone, 47, 8)
    names, pages = _list_all(idp, pool_id, Limit=7, Filter='email ^= "user01"')
    assert (sorted(names), pages) == ([f"user01{i}" for i in range(10)], 2)
    names, _ = _list_all(idp, pool_id, Limit=9, Filter='cognito:user_status = "force_change_password"')
    assert sorted(names) == everyone


def test_list_users__boto3_paginator(idp: Any, pool_id: str) -> None:
    for i in range(23):
        _create(idp, pool_id, f"p{i:02d}", email=f"p{i}@x.io")
    pages = list(idp.get_paginator("list_users").paginate(UserPoolId=pool_id, Filter='email ^= "p"', Limit=5))
    assert [len(p["Users"]) for p in pages] == [5, 5, 5, 5, 3]
    assert len({u["Username"] for p in pages for u in p["Users"]}) == 23


def test_list_users__limit_zero_or_absent_means_sixty(idp: Any, app_server: Server, pool_id: str) -> None:
    add_users(app_server.runtime.store, pool_id, [NewUser(f"u{i:02d}") for i in range(61)])
    for extra in ({}, {"Limit": 0}):
        response = idp.list_users(UserPoolId=pool_id, **extra)
        assert len(response["Users"]) == 60
        rest = idp.list_users(UserPoolId=pool_id, PaginationToken=response["PaginationToken"], **extra)
        assert [u["Username"] for u in rest["Users"]] == ["u60"]
        assert "PaginationToken" not in rest


def test_list_users__limit_above_sixty_is_refused(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId=pool_id, Limit=61)
    code, message = _error(exc)
    assert code == "InvalidParameterException"
    assert "less than or equal to 60" in message


def test_list_users__token_of_another_filter_is_refused(idp: Any, pool_id: str) -> None:
    for i in range(5):
        _create(idp, pool_id, f"t{i}", email=f"t{i}@example.com")
    token = idp.list_users(UserPoolId=pool_id, Filter='email ^= "t"', Limit=2)["PaginationToken"]
    for other in ('email ^= "t1"', 'username ^= "t"', ""):
        with pytest.raises(ClientError) as exc:
            idp.list_users(UserPoolId=pool_id, Filter=other, Limit=2, PaginationToken=token)
        assert _error(exc)[0] == "InvalidParameterException"
    # The same filter written differently is the same listing.
    same = idp.list_users(UserPoolId=pool_id, Filter='"email"^="t"', Limit=2, PaginationToken=token)
    assert len(same["Users"]) == 2


def test_list_users__token_of_another_pool_is_refused(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    for pool in (pool_id, other):
        for i in range(3):
            _create(idp, pool, f"a{i}")
    token = idp.list_users(UserPoolId=pool_id, Limit=1)["PaginationToken"]
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId=other, Limit=1, PaginationToken=token)
    assert _error(exc)[0] == "InvalidParameterException"


def test_list_users__garbage_token_is_refused(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId=pool_id, PaginationToken="not-a-token")
    assert _error(exc)[0] == "InvalidParameterException"


def test_list_users__missing_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        idp.list_users(UserPoolId="eu-west-1_Missing00")
    assert _error(exc) == ("ResourceNotFoundException", "User pool eu-west-1_Missing00 does not exist.")


def test_list_users__other_pools_users_are_not_listed(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    _create(idp, pool_id, "mine", email="same@example.com")
    _create(idp, other, "theirs", email="same@example.com")
    assert _usernames(idp.list_users(UserPoolId=pool_id)) == ["mine"]
    assert _usernames(idp.list_users(UserPoolId=pool_id, Filter='email = "same@example.com"')) == ["mine"]
