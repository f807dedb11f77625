"""``serve --workers 2`` on SQLite and on PostgreSQL: requests racing through two worker processes on one
database (the server test_races.py races through too: scale/conftest.py). The single-process races are
tests/api/test_concurrency.py; here the racers are processes."""

from __future__ import annotations

import pytest

from tests.support.auth import PASSWORD, make_client, make_user, sign_in
from tests.support.processes import admin
from tests.support.races import RACERS, Racing, race

pytestmark = pytest.mark.socket


def test_two_workers__sign_ups_racing_on_one_username_or_alias(racing: Racing) -> None:
    idp = admin(racing.url)
    pool_id = idp.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    outcomes = race(racing.url, lambda c: c.sign_up(ClientId=client["ClientId"], Username="racer", Password=PASSWORD))
    assert outcomes == {("ok", 200): 1, ("UsernameExistsException", 400): RACERS - 1}
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == ["racer"]

    # Email as the username: the address is an alias, unique in the pool, whoever signs up with it.
    by_email = idp.create_user_pool(PoolName="race-email", UsernameAttributes=["email"])["UserPool"]["Id"]
    email_client = make_client(idp, by_email)
    outcomes = race(
        racing.url,
        lambda c: c.sign_up(ClientId=email_client["ClientId"], Username="Same@Example.com", Password=PASSWORD),
    )
    assert outcomes == {("ok", 200): 1, ("UsernameExistsException", 400): RACERS - 1}
    users = idp.list_users(UserPoolId=by_email)["Users"]
    assert len(users) == 1
    email = {a["Name"]: a["Value"] for a in users[0]["Attributes"]}["email"]
    assert email.lower() == "same@example.com"


def test_two_workers__refresh_with_rotation_racing(racing: Racing) -> None:
    idp = admin(racing.url)
    pool_id = idp.create_user_pool(PoolName="rotation")["UserPool"]["Id"]
    client = make_client(idp, pool_id, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})
    make_user(idp, pool_id, "ann")
    token = sign_in(idp, client, "ann")["RefreshToken"]
    outcomes = race(
        racing.url,
        lambda c: c.get_tokens_from_refresh_token(ClientId=client["ClientId"], RefreshToken=token),
    )
    # One racer rotates the token; every other presents a token that is no longer current: refused, and
    # the reuse ends the sign-in. Nothing else (no 500, no second rotation).
    assert outcomes[("ok", 200)] == 1, outcomes
    refused = {"RefreshTokenReuseException", "NotAuthorizedException"}
    assert all(code in refused and status == 400 for code, status in outcomes if code != "ok"), outcomes
    # Without rotation, every racer's refresh succeeds and the sign-in stays one sign-in.
    plain = make_client(idp, pool_id)
    first = sign_in(idp, plain, "ann")
    outcomes = race(
        racing.url,
        lambda c: c.initiate_auth(
            ClientId=plain["ClientId"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
        ),
    )
    assert outcomes == {("ok", 200): RACERS}
