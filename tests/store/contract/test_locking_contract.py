"""Two write transactions at once, on SQLite (one writer at a time) and PostgreSQL (READ COMMITTED, row
locks): a locking read waits for the transaction that locked or changed the row and then sees its
commit, so read-modify-writes never lose an update; and two first writes of one key end as the port
says, in a Conflict naming the field or in an upsert, never in another error."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_pool, new_user, overlapping
from userpool.model.codes import SIGNUP, OneTimeCode
from userpool.model.devices import Device
from userpool.model.operators import AttemptCount, Operator
from userpool.model.records import Group, Pool, User
from userpool.model.token_records import SignInCounters, SigningKey
from userpool.store.base import Conflict, Tx
from userpool.store.sql.store import SqlStore

STAND_IN_SUB = "0b3c2f4e-8a1d-4c2b-9e7f-5d6a7b8c9d0e"


def _pool_and_user(store: SqlStore) -> tuple[Pool, User]:
    with store.write() as tx:
        pool = new_pool(tx)
        return pool, new_user(tx, pool, "ann")


@covers("PoolRepo.get")
def test_pool_read_for_update_waits_for_the_writer(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)

    def rename(tx: Tx) -> None:
        locked = tx.pools.get(pool.id, for_update=True)
        assert locked is not None
        tx.pools.update(replace(locked, name="first"))

    seen = overlapping(store, rename, lambda tx: tx.pools.get(pool.id, for_update=True))
    assert seen is not None and seen.name == "first"


@covers("UserRepo.get_by_sub", "UserRepo.get_by_username", "UserRepo.find")
def test_user_reads_in_a_write_transaction_wait_for_the_writer(store: SqlStore) -> None:
    pool, ann = _pool_and_user(store)

    def change(tx: Tx) -> None:
        user = tx.users.get_by_sub(pool.id, ann.sub)
        assert user is not None
        tx.users.update(replace(user, attributes={**user.attributes, "name": "first"}))

    reads = (
        lambda tx: tx.users.get_by_sub(pool.id, ann.sub),
        lambda tx: tx.users.get_by_username(pool.id, "ann"),
        lambda tx: tx.users.find(pool.id, "nobody", (), ann.sub),
    )
    for read in reads:
        seen = overlapping(store, change, read)
        assert seen is not None and seen.attributes["name"] == "first"


@covers("SignInCounterRepo.get", "SignInCounterRepo.set_attempts")
def test_sign_in_counter_read_for_update_waits_for_the_writer(store: SqlStore) -> None:
    pool, ann = _pool_and_user(store)

    def count(tx: Tx) -> None:
        counters = tx.sign_in_counters.get(pool.id, ann.sub, for_update=True)
        assert counters is not None
        tx.sign_in_counters.set_attempts(pool.id, ann.sub, replace(counters, failed_attempts=1))

    seen = overlapping(store, count, lambda tx: tx.sign_in_counters.get(pool.id, ann.sub, for_update=True))
    assert seen == SignInCounters(failed_attempts=1)


@covers("CodeRepo.get", "CodeRepo.put")
def test_codes__locked_read_waits_and_first_puts_both_succeed(store: SqlStore) -> None:
    pool, ann = _pool_and_user(store)
    code = OneTimeCode(pool.id, ann.sub, SIGNUP, "a" * 64, "email", NOW + 60, 0, None, 1, NOW, NOW)
    # Two first codes at once: the later replaces the earlier, neither fails on the key.
    overlapping(store, lambda tx: tx.codes.put(code), lambda tx: tx.codes.put(replace(code, code_hash="b" * 64)))

    def guess(tx: Tx) -> None:
        stored = tx.codes.get(pool.id, ann.sub, SIGNUP, for_update=True)
        assert stored is not None
        tx.codes.put(replace(stored, attempts=stored.attempts + 1, attempts_since=NOW))

    seen = overlapping(store, guess, lambda tx: tx.codes.get(pool.id, ann.sub, SIGNUP, for_update=True))
    assert seen is not None and (seen.code_hash, seen.attempts) == ("b" * 64, 1)


@covers("StandInRepo.counters", "AttemptCounterRepo.get", "AttemptCounterRepo.set_attempts")
def test_stand_in_counter__first_attempts_at_a_name_queue(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)

    def attempt(tx: Tx) -> int:
        counters = tx.stand_ins.counters.get(pool.id, STAND_IN_SUB, for_update=True) or SignInCounters()
        tx.stand_ins.counters.set_attempts(pool.id, STAND_IN_SUB, SignInCounters(counters.failed_attempts + 1, NOW))
        return counters.failed_attempts

    # No record yet when both begin: the second counts on top of the first, not from zero again.
    assert overlapping(store, attempt, attempt) == 1
    with store.read() as tx:
        assert tx.stand_ins.counters.get(pool.id, STAND_IN_SUB) == SignInCounters(2, NOW)


@covers("DeviceRepo.get", "OperatorRepo.get")
def test_device_and_operator_reads_for_update_wait_for_the_writer(store: SqlStore) -> None:
    pool, ann = _pool_and_user(store)
    device = Device("us-east-1_dev", pool.id, ann.sub, "-g", NOW, NOW)
    with store.write() as tx:
        tx.devices.add(device)
        tx.operators.add(Operator("admin", "$argon2id$hash", NOW))

    def change(tx: Tx) -> None:
        tx.devices.get(pool.id, ann.sub, device.device_key, for_update=True)
        tx.devices.update(replace(device, name="first"))
        tx.operators.get("admin", for_update=True)
        tx.operators.update(Operator("admin", "$argon2id$hash", NOW, last_sign_in_at=NOW + 1))

    def read(tx: Tx) -> tuple[Device | None, Operator | None]:
        return tx.devices.get(pool.id, ann.sub, device.device_key, for_update=True), tx.operators.get(
            "admin", for_update=True
        )

    seen_device, seen_operator = overlapping(store, change, read)
    assert seen_device is not None and seen_device.name == "first"
    assert seen_operator is not None and seen_operator.last_sign_in_at == NOW + 1


@covers("UserRepo.add", "OperatorRepo.add", "SigningKeyRepo.add")
def test_two_first_inserts_of_one_key__the_second_is_a_conflict(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
    kids = itertools.count()
    key = SigningKey("kid", pool.id, "id", 1, "current", "pem", {}, NOW)
    cases = (
        (lambda tx: new_user(tx, pool, "ann"), "username"),
        (lambda tx: tx.operators.add(Operator("admin", "$argon2id$hash", NOW)), "username"),
        (lambda tx: tx.signing_keys.add([replace(key, kid=f"kid-{next(kids)}")]), "generation"),
    )
    for insert, field in cases:
        with pytest.raises(Conflict) as caught:
            overlapping(store, insert, insert)
        assert caught.value.field == field


@covers("GroupRepo.add_member")
def test_two_first_adds_of_one_membership__one_membership(store: SqlStore) -> None:
    pool, ann = _pool_and_user(store)
    with store.write() as tx:
        tx.groups.add(Group(pool.id, "g", None, None, None, NOW, NOW))

    def add(tx: Tx) -> None:
        tx.groups.add_member(pool.id, "g", ann.sub)

    try:
        overlapping(store, add, add)
    except Conflict as conflict:  # PostgreSQL: both looked before either inserted (callers treat it as done)
        assert conflict.field == "member"
    with store.read() as tx:
        assert tx.groups.count_groups_of(pool.id, ann.sub) == 1


@covers("SoftwareTokenRepo.associate", "ConsoleAttemptRepo.take")
def test_two_first_upserts_of_one_key__both_count(store: SqlStore) -> None:
    pool, ann = _pool_and_user(store)
    overlapping(
        store,
        lambda tx: tx.software_tokens.associate(pool.id, ann.sub, "A" * 32, NOW),
        lambda tx: tx.software_tokens.associate(pool.id, ann.sub, "B" * 32, NOW + 1),
    )

    def take(tx: Tx) -> bool:
        return tx.console_attempts.take("key", 5, NOW, 60, 100)

    assert overlapping(store, take, take) is True
    with store.read() as tx:
        token = tx.software_tokens.get(pool.id, ann.sub)
        assert token is not None and (token.pending_secret, token.generation) == ("B" * 32, 2)
        assert tx.console_attempts.get("key", NOW) == AttemptCount(2, NOW + 60)
