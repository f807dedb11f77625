"""ListUsers is answered through indexes: the plan of every statement it runs against the user tables,
on SQLite and PostgreSQL, with 2,000 users in the pool and as many in a neighbouring one."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.support.plans import analyze, captured_sql, explain, plan_problems
from tests.support.users import NewUser, add_users
from userpool.model.records import User

USERS = 2_000
STATUSES = ("CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED", "RESET_REQUIRED")


def _people(prefix: str) -> list[NewUser]:
    return [
        NewUser(
            f"{prefix}{i:05d}",
            {
                "email": f"{prefix}{i:05d}@example.com",
                "email_verified": "true",
                "phone_number": f"+1555{i:07d}",
                "name": f"Given{i % 97} Family{i % 89}",
                "given_name": f"Given{i % 97}",
                "family_name": f"Family{i % 89}",
                "preferred_username": f"nick{i:05d}",
            },
            status=STATUSES[i % len(STATUSES)],
            enabled=i % 10 != 0,
        )
        for i in range(USERS)
    ]


def _sub_of(users: list[User], username: str) -> str:
    return next(u.sub for u in users if u.username == username)


def test_list_users__every_query_uses_an_index(idp: Any, app_server: Server) -> None:
    store = app_server.runtime.store
    pool_id = idp.create_user_pool(PoolName="plans", AliasAttributes=["email"])["UserPool"]["Id"]
    neighbour = idp.create_user_pool(PoolName="neighbour", AliasAttributes=["email"])["UserPool"]["Id"]
    users = add_users(store, pool_id, _people("user"))
    add_users(store, neighbour, _people("other"))
    analyze(store.engine)

    sub = _sub_of(users, "user01234")
    filters = [
        "",
        'username = "user01234"',
        'username ^= "user012"',
        'email = "user01234@example.com"',
        'email ^= "user012"',
        'phone_number = "+15550001234"',
        'phone_number ^= "+1555000123"',
        'name = "Given7 Family7"',
        'given_name ^= "Given1"',
        'family_name = "Family5"',
        'preferred_username ^= "nick0123"',
        f'sub = "{sub}"',
        'cognito:user_status = "confirmed"',
        'cognito:user_status ^= "FORCE"',
        'status = "Disabled"',
        'status = "Enabled"',
    ]
    problems: dict[str, list[str]] = {}
    checked = 0
    for filter_ in filters:
        with captured_sql(store.engine) as statements:
            first = idp.list_users(UserPoolId=pool_id, Filter=filter_, Limit=10)
            assert first["Users"], filter_
            if "PaginationToken" in first:
                idp.list_users(UserPoolId=pool_id, Filter=filter_, Limit=10, PaginationToken=first["PaginationToken"])
        reads = [s for s in statements if s.reads_users]
        assert reads, filter_
        for statement in reads:
            plan = explain(store.engine, statement)
            checked += 1
            bad = plan_problems(store.engine.dialect.name, plan, statement)
            if bad:
                problems[f"{filter_!r}: {statement.sql}"] = plan
    assert problems == {}
    assert checked >= 3 * len(filters)
