"""The races of scale-out, through ``serve --workers 2`` on SQLite and on PostgreSQL: attribute updates, an
alias claimed by several users, group changes while tokens are issued, one code confirmed many times, and
failed sign-ins counted at once. Whatever the interleaving, no answer is a 500, nothing is duplicated, and
no committed write is lost or torn. (Sign-ups and refresh-token rotation racing: test_workers.py.)"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.auth import PASSWORD, make_client, make_user, payload, sign_in
from tests.support.mail import Inbox
from tests.support.processes import admin
from tests.support.races import RACERS, Answer, Racing, race, race_each
from userpool.model.lockout import FREE_FAILURES

pytestmark = pytest.mark.socket

WRONG = "Incorrect username or password."
LOCKED = "Password attempts exceeded"


def _all_ok(answers: list[Answer]) -> None:
    assert all(a.outcome == ("ok", 200) for a in answers), Counter((a.code, a.message) for a in answers)


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def _as_list(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in values.items()]


def test_attribute_updates_racing__one_writers_whole_set_wins_and_no_update_is_lost(racing: Racing) -> None:
    idp = admin(racing.url)
    custom = ["team", *(f"slot{i}" for i in range(RACERS))]
    pool_id = idp.create_user_pool(
        PoolName="attributes",
        Schema=[{"Name": name, "AttributeDataType": "String", "Mutable": True} for name in custom],
    )["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann", attributes={"nickname": "annie"})
    access = sign_in(idp, client, "ann")["AccessToken"]

    def write(index: int, values: dict[str, str]) -> Callable[[Any], Any]:
        # Half the writers are the admin, half the user itself with its access token.
        if index % 2:
            return lambda c: c.update_user_attributes(AccessToken=access, UserAttributes=_as_list(values))
        return lambda c: c.admin_update_user_attributes(
            UserPoolId=pool_id, Username="ann", UserAttributes=_as_list(values)
        )

    # Every writer sets the same three attributes to values of its own: the user ends with one writer's
    # three values, never a mix of two writers' (a torn write).
    sets = [
        {"given_name": f"given-{i}", "family_name": f"family-{i}", "custom:team": f"team-{i}"} for i in range(RACERS)
    ]
    _all_ok(race_each(racing.url, [write(i, values) for i, values in enumerate(sets)]))
    final = _attributes(idp, pool_id, "ann")
    assert {k: final[k] for k in sets[0]} in sets, final
    assert final["nickname"] == "annie"

    # Every writer sets an attribute no other writer touches: each read-modify-write keeps the others'
    # changes, so all of them are there afterwards (none lost to a concurrent writer's stale copy).
    _all_ok(race_each(racing.url, [write(i, {f"custom:slot{i}": f"value-{i}"}) for i in range(RACERS)]))
    after = _attributes(idp, pool_id, "ann")
    assert {k: v for k, v in after.items() if k.startswith("custom:slot")} == {
        f"custom:slot{i}": f"value-{i}" for i in range(RACERS)
    }
    assert {k: after[k] for k in final} == final
    rows = racing.scalar(
        "SELECT count(*) FROM user_attributes WHERE pool_id = :pool AND sub = :sub", pool=pool_id, sub=after["sub"]
    )
    assert rows == len(after)


def test_alias_races__one_user_holds_the_address_and_signs_in_with_it(racing: Racing) -> None:
    idp = admin(racing.url)
    shared = [{"Name": "email", "Value": "shared@example.com"}, {"Name": "email_verified", "Value": "true"}]

    # An email alias: every user sets the same verified address at once; one holds it, the others are
    # refused with AliasExistsException, as Cognito refuses them without ForceAliasCreation.
    pool_id = idp.create_user_pool(PoolName="aliases", AliasAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    names = [f"user{i}" for i in range(RACERS)]
    for name in names:
        make_user(idp, pool_id, name)
    answers = race_each(
        racing.url,
        [
            lambda c, name=name: c.admin_update_user_attributes(
                UserPoolId=pool_id, Username=name, UserAttributes=shared
            )
            for name in names
        ],
    )
    assert Counter(a.outcome for a in answers) == {("ok", 200): 1, ("AliasExistsException", 400): RACERS - 1}
    winner = names[[a.code for a in answers].index("ok")]
    holders = idp.list_users(UserPoolId=pool_id, Filter='email = "shared@example.com"')["Users"]
    assert [u["Username"] for u in holders] == [winner]
    assert payload(sign_in(idp, client, "shared@example.com")["AccessToken"])["username"] == winner
    assert racing.scalar("SELECT count(*) FROM user_aliases WHERE pool_id = :pool", pool=pool_id) == 1

    # Two users each asking for the other's address, many times at once: refused every time, whichever
    # user's request looks at the other first.
    other = next(name for name in names if name != winner)
    idp.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username=other,
        UserAttributes=[{"Name": "email", "Value": "other@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    swaps = [(winner, "other@example.com"), (other, "shared@example.com")]
    answers = race_each(
        racing.url,
        [
            lambda c, name=name, email=email: c.admin_update_user_attributes(
                UserPoolId=pool_id, Username=name, UserAttributes=[{"Name": "email", "Value": email}, shared[1]]
            )
            for name, email in swaps * (RACERS // 2)
        ],
    )
    assert Counter(a.outcome for a in answers) == {("AliasExistsException", 400): RACERS}
    assert _attributes(idp, pool_id, winner)["email"] == "shared@example.com"
    assert _attributes(idp, pool_id, other)["email"] == "other@example.com"

    # Email as the username: users who sign in with addresses of their own all move to one address.
    by_email = idp.create_user_pool(PoolName="alias-usernames", UsernameAttributes=["email"])["UserPool"]["Id"]
    email_client = make_client(idp, by_email)
    addresses = [f"user{i}@example.com" for i in range(RACERS)]
    for address in addresses:
        make_user(idp, by_email, address, attributes={"email_verified": "true"})
    answers = race_each(
        racing.url,
        [
            lambda c, address=address: c.admin_update_user_attributes(
                UserPoolId=by_email, Username=address, UserAttributes=shared
            )
            for address in addresses
        ],
    )
    assert Counter(a.outcome for a in answers) == {("ok", 200): 1, ("AliasExistsException", 400): RACERS - 1}
    moved = addresses[[a.code for a in answers].index("ok")]
    holder = payload(sign_in(idp, email_client, "shared@example.com")["IdToken"])
    assert holder["email"] == "shared@example.com"
    assert holder["sub"] == _attributes(idp, by_email, "shared@example.com")["sub"]
    stayed = next(a for a in addresses if a != moved)
    assert payload(sign_in(idp, email_client, stayed)["IdToken"])["email"] == stayed
    assert racing.scalar("SELECT count(*) FROM user_aliases WHERE pool_id = :pool", pool=by_email) == RACERS


def _refresh(idp: Any, client: dict[str, Any], token: str) -> dict[str, Any]:
    answer = idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
    )
    return dict(answer["AuthenticationResult"])


def _groups_in(token: str) -> list[str]:
    groups: list[str] = payload(token).get("cognito:groups", [])
    return groups


def test_group_changes_while_tokens_are_issued(racing: Racing) -> None:
    idp = admin(racing.url)
    pool_id = idp.create_user_pool(PoolName="groups")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    togglers, rounds = 6, 3
    names = [f"g{k}" for k in range(togglers)]
    for precedence, name in enumerate(names):
        idp.create_group(UserPoolId=pool_id, GroupName=name, Precedence=precedence)

    def toggle(name: str, end_in: bool) -> Callable[[Any], Any]:
        # One thread per group, so each group's last change, and the final membership, is known.
        def run(c: Any) -> Any:
            membership = {"UserPoolId": pool_id, "Username": "ann", "GroupName": name}
            for _ in range(rounds):
                c.admin_add_user_to_group(**membership)
                c.admin_remove_user_from_group(**membership)
            return c.admin_add_user_to_group(**membership) if end_in else {}

        return run

    def check(*results: dict[str, Any]) -> None:
        for result in results:
            for token in (result["IdToken"], result["AccessToken"]):
                groups = _groups_in(token)
                assert len(groups) == len(set(groups)) and set(groups) <= set(names), groups

    def sign_in_and_refresh(c: Any) -> dict[str, Any]:
        for _ in range(rounds):
            tokens = sign_in(c, client, "ann")
            check(tokens, _refresh(c, client, tokens["RefreshToken"]))
        return {"RefreshToken": tokens["RefreshToken"]}

    earlier = sign_in(idp, client, "ann")["RefreshToken"]

    def refresh(c: Any) -> dict[str, Any]:
        for _ in range(2 * rounds):
            check(_refresh(c, client, earlier))
        return {}

    # Every sign-in counts against the lockout until its password is found right (model/lockout.py); more
    # of them at once than the lockout lets through are verified as the ones before them succeed.
    signers = 2 * FREE_FAILURES + 2
    calls = [toggle(name, end_in=k % 2 == 0) for k, name in enumerate(names)]
    calls += [sign_in_and_refresh] * signers + [refresh] * (RACERS - togglers - signers)
    answers = race_each(racing.url, calls)
    _all_ok(answers)

    member_of = sorted(names[::2])
    listed = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="ann")["Groups"]
    assert [g["GroupName"] for g in listed] == member_of
    fresh = sign_in(idp, client, "ann")
    assert sorted(_groups_in(fresh["IdToken"])) == member_of
    assert sorted(_groups_in(fresh["AccessToken"])) == member_of
    # Refresh tokens issued before and during the race get the final membership too.
    during = answers[togglers].response["RefreshToken"]
    for token in (earlier, during):
        assert sorted(_groups_in(_refresh(idp, client, token)["IdToken"])) == member_of

    # One group name, many creators: one group.
    outcomes = race(racing.url, lambda c: c.create_group(UserPoolId=pool_id, GroupName="same"))
    assert outcomes == {("ok", 200): 1, ("GroupExistsException", 400): RACERS - 1}
    assert sorted(g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]) == sorted([*names, "same"])

    # One membership added by many at once: adding is idempotent, and the user is in the group once.
    membership = {"UserPoolId": pool_id, "Username": "ann", "GroupName": "same"}
    assert race(racing.url, lambda c: c.admin_add_user_to_group(**membership)) == {("ok", 200): RACERS}
    users = idp.list_users_in_group(UserPoolId=pool_id, GroupName="same")["Users"]
    assert [u["Username"] for u in users] == ["ann"]
    groups = _groups_in(sign_in(idp, client, "ann")["AccessToken"])
    assert sorted(groups) == sorted([*member_of, "same"])
    assert race(racing.url, lambda c: c.admin_remove_user_from_group(**membership)) == {("ok", 200): RACERS}
    assert idp.list_users_in_group(UserPoolId=pool_id, GroupName="same")["Users"] == []


def _mail_to(inbox: Inbox, address: str) -> str:
    """The code in the mail to ``address``; either worker's outbox dispatcher may deliver it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [m for m in inbox.mails if address in m.recipients]
        if found:
            assert len(found) == 1
            return found[0].code
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def test_one_code_confirmed_many_times_at_once__confirms_once(racing: Racing) -> None:
    idp = admin(racing.url)
    pool_id = idp.create_user_pool(PoolName="confirm", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    idp.sign_up(
        ClientId=client["ClientId"],
        Username="carol",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
    )
    code = _mail_to(racing.inbox, "carol@example.com")
    answers = race_each(
        racing.url,
        [lambda c: c.confirm_sign_up(ClientId=client["ClientId"], Username="carol", ConfirmationCode=code)] * RACERS,
    )
    # One confirms; every other finds the user confirmed, as Cognito answers a second confirmation.
    assert Counter((a.code, a.status, a.message) for a in answers) == {
        ("ok", 200, ""): 1,
        ("NotAuthorizedException", 400, "User cannot be confirmed. Current status is CONFIRMED"): RACERS - 1,
    }
    user = idp.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"
    sign_in(idp, client, "carol")


def _failed_sign_ins(racing: Racing, pool_id: str, username: str) -> int:
    return int(
        racing.scalar(
            "SELECT failed_sign_ins FROM users WHERE pool_id = :pool AND username_norm = :name",
            pool=pool_id,
            name=username,
        )
    )


def test_right_passwords_racing__many_sign_ins_of_one_user_at_once_all_succeed(racing: Racing) -> None:
    # Many clients of one user (a shared service account, a fleet's instances) sign in at the same moment:
    # each attempt is counted before its password is verified, and none is refused as a lockout.
    idp = admin(racing.url)
    pool_id = idp.create_user_pool(PoolName="one-user-many-clients")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "fleet")

    outcomes = race(racing.url, lambda c: sign_in(c, client, "fleet"))

    assert outcomes == {("ok", 200): RACERS}
    assert _failed_sign_ins(racing, pool_id, "fleet") == 0


def test_wrong_passwords_racing__every_attempt_is_counted(racing: Racing) -> None:
    idp = admin(racing.url)
    pool_id = idp.create_user_pool(PoolName="counters")["UserPool"]["Id"]
    client = make_client(idp, pool_id)

    def guess(username: str) -> Callable[[Any], Any]:
        return lambda c: c.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": "Wrong-Pass-1"},
        )

    # Four wrong guesses each (the fifth would lock), at once for six users: each counts exactly four.
    per_user = 4
    users = [f"guess{i}" for i in range(RACERS // per_user)]
    for username in users:
        make_user(idp, pool_id, username)
    answers = race_each(racing.url, [guess(u) for u in users for _ in range(per_user)])
    assert {(a.code, a.status, a.message) for a in answers} == {("NotAuthorizedException", 400, WRONG)}
    assert {u: _failed_sign_ins(racing, pool_id, u) for u in users} == {u: per_user for u in users}
    for username in users:
        sign_in(idp, client, username)  # not locked; and a success resets the count
        assert _failed_sign_ins(racing, pool_id, username) == 0

    # Past the threshold: every attempt either counts (and is told the password is wrong) or meets the
    # lock (and does not count). However they interleave, the two add up.
    make_user(idp, pool_id, "mallory")
    answers = race_each(racing.url, [guess("mallory")] * RACERS)
    said = Counter((a.code, a.status, a.message) for a in answers)
    assert set(said) <= {("NotAuthorizedException", 400, WRONG), ("NotAuthorizedException", 400, LOCKED)}, said
    counted = said[("NotAuthorizedException", 400, WRONG)]
    assert counted >= 5 and _failed_sign_ins(racing, pool_id, "mallory") == counted
