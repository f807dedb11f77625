"""Users, groups and password history on SQLite and PostgreSQL: usernames and aliases unique per pool
after case folding, Conflict naming which, lookups by every name a user has, ListUsers filters and pages
in byte order, memberships that go with their group or user."""

from __future__ import annotations

import json
from dataclasses import replace

import psycopg
import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_pool, new_user, rows_in, user_record
from userpool.model.records import Group, Page, UserQuery
from userpool.store.base import Conflict, NotFound
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import VALUE_PREFIX_CHARS

ALIASES = ("email", "phone_number", "preferred_username")


@covers("UserRepo.add", "UserRepo.get_by_sub", "UserRepo.get_by_username", "UserRepo.count")
def test_users__every_field_round_trips(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, AliasAttributes=["email"])
        full = user_record(
            pool,
            "Zoë_ユーザー",
            attributes={"email": "zoe@example.com", "name": "Zoë 🎉", "custom:empty": "", "custom:json": '{"a": 1}'},
            alias_kinds=("email",),
            status="FORCE_CHANGE_PASSWORD",
            enabled=False,
            password_hash="$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
            password_expires_at=NOW + 86400.5,
            mfa={"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"], "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"},
            srp_salt="ab" * 16,
            srp_verifier="cd" * 128,
            created_at=NOW + 0.001,
            updated_at=NOW + 0.002,
        )
        tx.users.add(full)
        bare = new_user(tx, pool, "bare")
    with store.read() as tx:
        assert tx.users.get_by_sub(pool.id, full.sub) == full
        assert tx.users.get_by_username(pool.id, "Zoë_ユーザー") == full
        got = tx.users.get_by_sub(pool.id, bare.sub)
        assert got == bare
        assert got is not None and (got.mfa, got.aliases, got.srp_salt, got.srp_verifier) == ({}, (), None, None)
        assert tx.users.get_by_sub(pool.id, "no-such-sub") is None
        assert tx.users.get_by_username(pool.id, "nobody") is None
        assert tx.users.get_by_sub("us-east-1_other", full.sub) is None
        assert tx.users.count(pool.id) == 2
        assert tx.users.count("us-east-1_other") == 0
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT srp_verifier_sealed FROM users").scalars().all()
    assert not any(value and "cd" * 16 in value for value in sealed)


@covers("UserRepo.add", "UserRepo.get_by_username")
def test_users__usernames_unique_after_case_folding(store: SqlStore) -> None:
    with store.write() as tx:
        folded = new_pool(tx, "us-east-1_folded", case_sensitive=False)
        exact = new_pool(tx, "us-east-1_exact", case_sensitive=True)
        ann = new_user(tx, folded, "Ann")
        new_user(tx, folded, "Ärger")
        new_user(tx, exact, "Ann")
        new_user(tx, exact, "ann")  # a case-sensitive pool tells them apart
        new_user(tx, exact, "ANN")
    for taken in ("ANN", "ann", "äRGER"):
        with pytest.raises(Conflict) as caught, store.write() as tx:
            new_user(tx, folded, taken)
        assert caught.value.field == "username"
    with pytest.raises(Conflict) as caught, store.write() as tx:
        new_user(tx, exact, "ann")
    assert caught.value.field == "username"
    with store.read() as tx:
        found = tx.users.get_by_username(folded.id, "ann")
        assert found is not None and found.sub == ann.sub and found.username == "Ann"
        assert tx.users.get_by_username(folded.id, "Ann") is None  # callers look up the folded form
        assert tx.users.count(folded.id) == 2
        assert tx.users.count(exact.id) == 3


@covers("UserRepo.add", "UserRepo.update", "UserRepo.alias_holder")
def test_users__aliases_unique_after_case_folding(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, case_sensitive=False, AliasAttributes=["email", "preferred_username"])
        ann = new_user(tx, pool, "ann", attributes={"email": "Ann@Example.COM"}, alias_kinds=ALIASES)
        bo = new_user(tx, pool, "bo", attributes={"email": "bo@example.com"}, alias_kinds=ALIASES)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        new_user(tx, pool, "cy", attributes={"email": "ANN@example.com"}, alias_kinds=ALIASES)
    assert caught.value.field == "alias"
    taking = user_record(pool, "bo", attributes={"email": "ann@example.com"}, alias_kinds=ALIASES, sub=bo.sub)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.users.update(taking)
    assert caught.value.field == "alias"
    with store.read() as tx:
        assert tx.users.alias_holder(pool.id, "email:ann@example.com") == ann.sub
        assert tx.users.alias_holder(pool.id, "email:bo@example.com") == bo.sub
        assert tx.users.alias_holder(pool.id, "email:nobody@example.com") is None
        assert tx.users.get_by_username(pool.id, "cy") is None  # the refused add left no user behind
        assert tx.users.get_by_sub(pool.id, bo.sub) == bo  # the refused update changed nothing
    # A freed alias can be taken.
    with store.write() as tx:
        tx.users.update(replace(ann, attributes={"sub": ann.sub}, aliases=()))
        tx.users.update(taking)
    with store.read() as tx:
        assert tx.users.alias_holder(pool.id, "email:ann@example.com") == bo.sub


@covers("UserRepo.add", "UserRepo.update")
def test_users__conflict_names_the_field_whatever_the_values(store: SqlStore) -> None:
    # PostgreSQL's message quotes the row's values; the field comes from the constraint, not from them.
    with store.write() as tx:
        pool = new_pool(tx, AliasAttributes=["email"])
        new_user(tx, pool, "username_norm", attributes={"email": "username_norm@example.com"}, alias_kinds=ALIASES)
        other = new_user(tx, pool, "user_aliases")
    with pytest.raises(Conflict) as caught, store.write() as tx:
        new_user(tx, pool, "cy", attributes={"email": "username_norm@example.com"}, alias_kinds=ALIASES)
    assert caught.value.field == "alias"
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.users.update(replace(other, aliases=("email:username_norm@example.com",)))
    assert caught.value.field == "alias"
    with pytest.raises(Conflict) as caught, store.write() as tx:
        new_user(tx, pool, "user_aliases")
    assert caught.value.field == "username"


@covers("UserRepo.update")
def test_users__update_replaces_attributes_and_aliases(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, AliasAttributes=["email", "phone_number"])
        other = new_user(tx, pool, "other")
        ann = new_user(
            tx,
            pool,
            "ann",
            attributes={"email": "a@x.org", "phone_number": "+15550100", "name": "A"},
            alias_kinds=ALIASES,
        )
    changed = user_record(
        pool,
        "ann",
        attributes={"email": "new@x.org", "locale": "de"},
        alias_kinds=ALIASES,
        sub=ann.sub,
        status="RESET_REQUIRED",
        mfa={"MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]},
        updated_at=NOW + 60,
    )
    with store.write() as tx:
        tx.users.update(changed)
    with store.read() as tx:
        assert tx.users.get_by_sub(pool.id, ann.sub) == changed
        assert tx.users.alias_holder(pool.id, "phone_number:+15550100") is None
        assert tx.users.get_by_sub(pool.id, other.sub) == other
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.users.update(replace(changed, username="other", username_norm="other"))
    assert caught.value.field == "username"
    with pytest.raises(NotFound), store.write() as tx:
        tx.users.update(replace(changed, sub="no-such-sub"))


@covers("UserRepo.delete", "UserRepo.alias_holder")
def test_users__delete_takes_attributes_and_aliases(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, AliasAttributes=["email"])
        ann = new_user(tx, pool, "ann", attributes={"email": "a@x.org"}, alias_kinds=ALIASES)
        tx.users.delete(pool.id, ann.sub)
        # The same name and alias are free again in the same transaction.
        again = new_user(tx, pool, "ann", attributes={"email": "a@x.org"}, alias_kinds=ALIASES)
    with pytest.raises(NotFound), store.write() as tx:
        tx.users.delete(pool.id, ann.sub)
    with store.read() as tx:
        assert tx.users.alias_holder(pool.id, "email:a@x.org") == again.sub
    with store.write() as tx:
        tx.users.delete(pool.id, again.sub)
    assert [rows_in(store, table) for table in ("users", "user_attributes", "user_aliases")] == [0, 0, 0]


@covers("UserRepo.find")
def test_users__find_by_username_then_aliases_in_order_then_sub(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, AliasAttributes=["email", "preferred_username"])
        named = new_user(tx, pool, "bob")
        by_email = new_user(tx, pool, "u1", attributes={"email": "bob"}, alias_kinds=ALIASES)
        by_nick = new_user(tx, pool, "u2", attributes={"preferred_username": "bobby"}, alias_kinds=ALIASES)
    with store.read() as tx:
        assert tx.users.find(pool.id, "bob", ("email:bob",), None) == named
        assert tx.users.find(pool.id, "nobody", ("email:bob", "preferred_username:bobby"), None) == by_email
        assert tx.users.find(pool.id, "nobody", ("email:none", "preferred_username:bobby"), None) == by_nick
        assert tx.users.find(pool.id, "nobody", (), by_nick.sub) == by_nick
        assert tx.users.find(pool.id, "nobody", ("email:none",), "no-such-sub") is None
        assert tx.users.find("us-east-1_other", "bob", ("email:bob",), named.sub) is None
        with pytest.raises(ValueError):
            tx.users.find(pool.id, "bob", ("a", "b", "c", "d"), None)
    with store.write() as tx:  # the locking form, in a write transaction
        assert tx.users.find(pool.id, "", ("",), named.sub) == named


@covers("UserRepo.get_by_username", "UserRepo.find")
def test_users__a_name_with_a_nul_finds_nobody_not_the_user_named_by_its_start(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, AliasAttributes=["email"])
        new_user(tx, pool, "bob", attributes={"email": "bob@example.com"}, alias_kinds=("email",))
    for name in ("bob\0", "bob\0x"):
        with store.read() as tx:
            try:  # SQLite compares the whole string; psycopg refuses a NUL in a text parameter
                found = [
                    tx.users.get_by_username(pool.id, name),
                    tx.users.find(pool.id, name, ("email:" + name,), None),
                ]
            except psycopg.DataError:
                found = []
        assert found in ([None, None], []), found


@covers("UserRepo.get_many")
def test_users__get_many_in_the_order_asked(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_one")
        other = new_pool(tx, "us-east-1_two")
        users = [new_user(tx, pool, name, attributes={"name": name.upper()}) for name in ("a", "b", "c")]
        stranger = new_user(tx, other, "d")
    with store.read() as tx:
        subs = [users[2].sub, "no-such-sub", users[0].sub, stranger.sub, users[1].sub]
        assert tx.users.get_many(pool.id, subs) == [users[2], users[0], users[1]]
        assert tx.users.get_many(pool.id, []) == []


@covers("UserRepo.list")
def test_users__listed_by_username_in_byte_order_with_filters(store: SqlStore) -> None:
    names = ["bob", "Bob", "alice", "älice", "carol", "a😀", "ab"]
    with store.write() as tx:
        pool = new_pool(tx)
        for name in names:
            status = "UNCONFIRMED" if name.startswith("a") else "CONFIRMED"
            new_user(tx, pool, name, status=status, enabled=name != "carol")
        new_user(tx, new_pool(tx, "us-east-1_other"), "aaron")

    def every(query: UserQuery | None, limit: int) -> list[str]:
        found: list[str] = []
        after: str | None = None
        while True:
            page = tx.users.list(pool.id, query, limit, after)
            found += [u.username for u in page.items]
            if page.next_cursor is None:
                return found
            after = page.next_cursor

    with store.read() as tx:
        assert every(None, 3) == sorted(names)
        assert every(None, 7) == sorted(names)
        assert every(UserQuery("username", "a", True), 2) == ["ab", "alice", "a😀"]
        assert every(UserQuery("username", "bob", False), 10) == ["bob"]
        assert every(UserQuery("username", "B", True), 10) == ["Bob"]
        assert every(UserQuery("cognito:user_status", "UNCONFIRMED", False), 1) == ["ab", "alice", "a😀"]
        assert every(UserQuery("cognito:user_status", "UNCON", True), 10) == ["ab", "alice", "a😀"]
        assert every(UserQuery("status", "Disabled", False), 10) == ["carol"]
        assert len(every(UserQuery("status", "Enabled", False), 2)) == 6
        assert tx.users.list(pool.id, UserQuery("username", "zz", True), 5, None) == Page([], None)


@covers("UserRepo.list")
def test_users__listed_by_attribute_with_long_and_unicode_values(store: SqlStore) -> None:
    stem = "x" * VALUE_PREFIX_CHARS
    values = {
        "u1": "ann@example.com",
        "u2": "Ann@example.com",
        "u3": "ann@example.org",
        "u4": "anné@example.com",
        "u5": stem + "tail-1",
        "u6": stem + "tail-2",
        "u7": stem + "other",
        "u8": "ann😀@example.com",
    }
    with store.write() as tx:
        pool = new_pool(tx)
        subs = {name: new_user(tx, pool, name, attributes={"email": value}).sub for name, value in values.items()}
        new_user(tx, pool, "nomail", attributes={"name": "ann@example.com"})

    def every(value: str, prefix: bool, limit: int) -> list[str]:
        found: list[str] = []
        after: str | None = None
        while True:
            page = tx.users.list(pool.id, UserQuery("email", value, prefix), limit, after)
            found += [u.username for u in page.items]
            if page.next_cursor is None:
                return found
            json.loads(page.next_cursor)  # an opaque token, but one that must survive a round trip
            after = page.next_cursor

    with store.read() as tx:
        assert every("ann@example.com", False, 10) == ["u1"]
        assert sorted(every("ann", True, 1)) == ["u1", "u3", "u4", "u8"]
        assert every("ann@example.", True, 10) == ["u1", "u3"]  # in value order
        assert every("Ann", True, 10) == ["u2"]
        assert sorted(every(stem + "tail", True, 1)) == ["u5", "u6"]
        assert every(stem + "tail-2", False, 10) == ["u6"]
        assert sorted(every(stem, True, 2)) == ["u5", "u6", "u7"]
        assert every(stem, False, 10) == []
        assert every("ann😀", True, 10) == ["u8"]
        found = tx.users.list(pool.id, UserQuery("email", "ann@example.com", False), 10, None).items
        assert found[0].sub == subs["u1"] and found[0].attributes["email"] == values["u1"]


@covers(
    "GroupRepo.add",
    "GroupRepo.get",
    "GroupRepo.update",
    "GroupRepo.delete",
    "GroupRepo.list",
    "GroupRepo.count",
)
def test_groups__round_trip_unique_per_pool_paged_in_byte_order(store: SqlStore) -> None:
    names = ["admins", "Admins", "äpfel", "beta", "Zeta"]
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_one")
        other = new_pool(tx, "us-east-1_two")
        for i, name in enumerate(names):
            tx.groups.add(Group(pool.id, name, None if i else "", None, i if i % 2 else None, NOW, NOW))
        tx.groups.add(Group(other.id, "admins", "elsewhere", "arn:aws:iam::1:role/r", 0, NOW, NOW))
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.groups.add(Group(pool.id, "admins", "twin", None, None, NOW, NOW))
    assert caught.value.field == "name"
    with store.read() as tx:
        first = tx.groups.get(pool.id, "admins")
        assert first == Group(pool.id, "admins", "", None, None, NOW, NOW)  # "" stays "", None stays None
        assert tx.groups.get(other.id, "admins") == Group(
            other.id, "admins", "elsewhere", "arn:aws:iam::1:role/r", 0, NOW, NOW
        )
        assert tx.groups.get(pool.id, "ADMINS") is None
        listed: list[str] = []
        after: str | None = None
        while True:
            page = tx.groups.list(pool.id, 2, after)
            listed += [g.name for g in page.items]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert listed == sorted(names)
        assert tx.groups.count(pool.id) == 5
        assert tx.groups.count("us-east-1_none") == 0
    changed = Group(pool.id, "beta", "Beschreibung ✓", "arn:aws:iam::1:role/b", 0, NOW, NOW + 5)
    with store.write() as tx:
        tx.groups.update(changed)
    with store.read() as tx:
        assert tx.groups.get(pool.id, "beta") == changed
    with pytest.raises(NotFound), store.write() as tx:
        tx.groups.update(replace(changed, name="nothere"))
    with store.write() as tx:
        tx.groups.delete(pool.id, "beta")
    with pytest.raises(NotFound), store.write() as tx:
        tx.groups.delete(pool.id, "beta")


@covers(
    "GroupRepo.add_member",
    "GroupRepo.remove_member",
    "GroupRepo.groups_of",
    "GroupRepo.count_groups_of",
    "GroupRepo.members",
)
def test_groups__memberships_paged_and_gone_with_group_or_user(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        users = {name: new_user(tx, pool, name) for name in ("bo", "Al", "cy", "al")}
        for name in ("g3", "G1", "g2", "g1"):
            tx.groups.add(Group(pool.id, name, None, None, None, NOW, NOW))
            for user in users.values():
                tx.groups.add_member(pool.id, name, user.sub)
        tx.groups.add_member(pool.id, "g1", users["bo"].sub)  # again: no error, one membership
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.groups.add_member(pool.id, "g1", "no-such-sub")
    assert caught.value.field == "member"
    with pytest.raises(Conflict), store.write() as tx:
        tx.groups.add_member(pool.id, "nogroup", users["bo"].sub)
    bo = users["bo"].sub
    with store.read() as tx:
        first = tx.groups.groups_of(pool.id, bo, 3, None)
        assert [g.name for g in first.items] == ["G1", "g1", "g2"] and first.next_cursor is not None
        rest = tx.groups.groups_of(pool.id, bo, 3, first.next_cursor)
        assert [g.name for g in rest.items] == ["g3"] and rest.next_cursor is None
        assert tx.groups.count_groups_of(pool.id, bo) == 4
        page = tx.groups.members(pool.id, "g1", 3, None)
        assert [u.username for u in page.items] == ["Al", "al", "bo"]
        assert page.items[2] == users["bo"]
        assert page.next_cursor is not None
        last = tx.groups.members(pool.id, "g1", 3, page.next_cursor)
        assert [u.username for u in last.items] == ["cy"] and last.next_cursor is None
        assert tx.groups.members(pool.id, "nogroup", 3, None) == Page([], None)
    with store.write() as tx:
        tx.groups.remove_member(pool.id, "g1", bo)
        tx.groups.remove_member(pool.id, "g1", bo)  # not a member any more: nothing to do
        tx.groups.delete(pool.id, "g2")
        tx.users.delete(pool.id, users["cy"].sub)
    with store.read() as tx:
        assert [g.name for g in tx.groups.groups_of(pool.id, bo, 10, None).items] == ["G1", "g3"]
        assert tx.groups.count_groups_of(pool.id, users["cy"].sub) == 0
        assert [u.username for u in tx.groups.members(pool.id, "g1", 10, None).items] == ["Al", "al"]


@covers("PasswordHistoryRepo.record", "PasswordHistoryRepo.recent")
def test_password_history__newest_first_trimmed_per_user(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann = new_user(tx, pool, "ann")
        bo = new_user(tx, pool, "bo")
        for i in range(5):
            tx.password_history.record(pool.id, ann.sub, f"hash-{i}", NOW + i, keep=3)
        tx.password_history.record(pool.id, bo.sub, "bo-hash", NOW, keep=3)
        tx.password_history.record(pool.id, bo.sub, None, NOW + 1, keep=3)  # no password to remember
    with store.read() as tx:
        assert tx.password_history.recent(pool.id, ann.sub, 10) == ["hash-4", "hash-3", "hash-2"]
        assert tx.password_history.recent(pool.id, ann.sub, 2) == ["hash-4", "hash-3"]
        assert tx.password_history.recent(pool.id, ann.sub, 0) == []
        assert tx.password_history.recent(pool.id, bo.sub, 10) == ["bo-hash"]
    with store.write() as tx:
        tx.password_history.record(pool.id, ann.sub, None, NOW + 9, keep=1)  # a smaller history trims
        tx.password_history.record(pool.id, bo.sub, "ignored", NOW + 9, keep=0)  # none kept at all
    with store.read() as tx:
        assert tx.password_history.recent(pool.id, ann.sub, 10) == ["hash-4"]
        assert tx.password_history.recent(pool.id, bo.sub, 10) == []
    with store.write() as tx:
        tx.password_history.record(pool.id, ann.sub, "hash-5", NOW + 10, keep=3)
        tx.users.delete(pool.id, ann.sub)
    with store.read() as tx:
        assert tx.password_history.recent(pool.id, ann.sub, 10) == []
