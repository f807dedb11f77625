"""What adaptive authentication reads of the auth events, on SQLite and PostgreSQL: whether a user's successful
sign-ins include this network or device, failed sign-ins of the user and from an address within a window,
counted up to the cap, and the newest successful sign-in; every answer the user's (or the pool's) own, and each
read through an index (SQLite's plans; PostgreSQL's depend on its statistics)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_pool, new_user
from tests.support.plans import captured_sql, explain
from userpool.model.auth_events import AuthEvent, EventResponse, EventType
from userpool.model.risk_signals import FAILURE_COUNT_CAP, SignInHistory
from userpool.store.sql.store import SqlStore

HOME, AWAY = "192.0.2.0/24", "198.51.100.0/24"
FIREFOX, CURL = "f" * 64, "c" * 64


def _sign_in(
    pool_id: str,
    sub: str,
    event_id: str,
    at: float = NOW,
    response: EventResponse = EventResponse.Pass,
    address: str = "192.0.2.1",
    network: str | None = HOME,
    device: str | None = FIREFOX,
    event_type: EventType = EventType.SignIn,
) -> AuthEvent:
    return AuthEvent(
        pool_id,
        sub,
        event_id,
        event_type,
        at,
        response,
        context={"IpAddress": address},
        network=network,
        device=device,
    )


def _ask(store: SqlStore, pool_id: str, sub: str, **overrides: object) -> SignInHistory:
    question: dict[str, object] = {
        "network": HOME,
        "device": FIREFOX,
        "ip_address": "192.0.2.1",
        "since": NOW - 60,
    }
    question.update(overrides)
    with store.read() as tx:
        return tx.auth_events.familiarity(pool_id, sub, **question)  # type: ignore[arg-type]


@covers("AuthEventRepo.familiarity")
def test_familiarity__only_successful_sign_ins_make_a_network_or_device_known(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
    assert _ask(store, pool.id, ann.sub) == SignInHistory()
    with store.write() as tx:
        # Failed, in progress, or another kind of event: none of them makes anything known.
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "f", NOW - 3600, EventResponse.Fail))
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "i", NOW - 3600, EventResponse.InProgress))
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "u", NOW - 3600, event_type=EventType.SignUp))
        # Another user's successful sign-in is not ann's.
        tx.auth_events.add(_sign_in(pool.id, bo.sub, "b"))
    assert _ask(store, pool.id, ann.sub) == SignInHistory()
    with store.write() as tx:
        # A successful sign-in that named no device: networks are known, devices are not.
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "p", NOW - 7200, network=AWAY, device=None))
    assert _ask(store, pool.id, ann.sub) == SignInHistory(networks=True)
    assert _ask(store, pool.id, ann.sub, network=AWAY) == SignInHistory(networks=True, network_seen=True)
    # An event in progress that ends well counts from then on.
    with store.write() as tx:
        tx.auth_events.update(_sign_in(pool.id, ann.sub, "i", NOW - 3600))
    known = SignInHistory(networks=True, network_seen=True, devices=True)
    assert _ask(store, pool.id, ann.sub, device=CURL) == known
    assert _ask(store, pool.id, ann.sub) == replace(known, device_seen=True)
    # Nothing to compare with: nothing is seen.
    assert _ask(store, pool.id, ann.sub, network=None, device=None) == SignInHistory(networks=True, devices=True)
    # The name no user has asks for the empty sub, which has nothing.
    assert _ask(store, pool.id, "") == SignInHistory()


@covers("AuthEventRepo.familiarity")
def test_familiarity__failures_in_the_window_per_user_and_address_capped(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        other = new_pool(tx, "us-east-1_Contract2")
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        elsewhere = new_user(tx, other, "ann")
        fail = EventResponse.Fail
        for n in range(2):
            tx.auth_events.add(_sign_in(pool.id, ann.sub, f"a{n}", NOW - n, fail, "192.0.2.1"))
        # Older than the window, another address, another kind of event, another pool: not counted.
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "old", NOW - 61, fail, "192.0.2.1"))
        tx.auth_events.add(_sign_in(pool.id, bo.sub, "b0", NOW, fail, "192.0.2.7"))
        tx.auth_events.add(_sign_in(pool.id, bo.sub, "pw", NOW, fail, "192.0.2.1", event_type=EventType.ForgotPassword))
        tx.auth_events.add(_sign_in(other.id, elsewhere.sub, "x", NOW, fail, "192.0.2.1"))
        # bo's failure from ann's address counts for the address.
        tx.auth_events.add(_sign_in(pool.id, bo.sub, "b1", NOW - 60, fail, "192.0.2.1"))
    assert _ask(store, pool.id, ann.sub) == SignInHistory(user_failures=2, ip_failures=3)
    assert _ask(store, pool.id, bo.sub, ip_address="192.0.2.7") == SignInHistory(user_failures=2, ip_failures=1)
    assert _ask(store, pool.id, ann.sub, ip_address=None).ip_failures == 0
    with store.write() as tx:
        for n in range(FAILURE_COUNT_CAP + 3):
            tx.auth_events.add(_sign_in(pool.id, ann.sub, f"many{n}", NOW - 30, fail, "192.0.2.1"))
    assert _ask(store, pool.id, ann.sub) == SignInHistory(
        user_failures=FAILURE_COUNT_CAP, ip_failures=FAILURE_COUNT_CAP
    )


@covers("AuthEventRepo.last_success")
def test_last_success__the_newest_successful_sign_in(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        assert tx.auth_events.last_success(pool.id, ann.sub) is None
        older = _sign_in(pool.id, ann.sub, "old", NOW - 100, address="192.0.2.1")
        newer = _sign_in(pool.id, ann.sub, "new", NOW - 50, address="198.51.100.1")
        tx.auth_events.add(newer)
        tx.auth_events.add(older)
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "fail", NOW, EventResponse.Fail))
        tx.auth_events.add(_sign_in(pool.id, ann.sub, "up", NOW, event_type=EventType.SignUp))
        tx.auth_events.add(_sign_in(pool.id, bo.sub, "bo", NOW + 1))
    with store.read() as tx:
        assert tx.auth_events.last_success(pool.id, ann.sub) == newer
        assert tx.auth_events.last_success(pool.id, "") is None


@covers("AuthEventRepo.add", "AuthEventRepo.update")
def test_auth_events__network_and_device_round_trip(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann = new_user(tx, pool, "ann")
        first = _sign_in(pool.id, ann.sub, "e1", response=EventResponse.InProgress)
        tx.auth_events.add(first)
        bare = _sign_in(pool.id, ann.sub, "e2", network=None, device=None)
        tx.auth_events.add(bare)
    with store.write() as tx:
        assert tx.auth_events.get(pool.id, "e1") == first
        assert tx.auth_events.get(pool.id, "e2") == bare
        moved = replace(first, response=EventResponse.Pass, network=AWAY, device=CURL)
        tx.auth_events.update(moved)
    with store.read() as tx:
        assert tx.auth_events.get(pool.id, "e1") == moved


@pytest.mark.parametrize("question", ["familiarity", "last_success"])
def test_sign_in_history__read_through_indexes(store: SqlStore, question: str) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans tables this small as sequential scans whatever their indexes")
    with store.write() as tx:
        pool = new_pool(tx)
        ann = new_user(tx, pool, "ann")
        for n in range(20):
            tx.auth_events.add(_sign_in(pool.id, ann.sub, f"e{n}", NOW - n, EventResponse.Fail))
    with captured_sql(store.engine) as statements:
        if question == "familiarity":
            _ask(store, pool.id, ann.sub)
        else:
            with store.read() as tx:
                tx.auth_events.last_success(pool.id, ann.sub)
    (statement,) = [s for s in statements if "auth_events" in s.sql]
    plan = explain(store.engine, statement)
    assert not [line for line in plan if line.startswith("SCAN auth_events") or "TEMP B-TREE" in line], plan
    assert any("USING INDEX" in line or "USING COVERING INDEX" in line for line in plan), plan
