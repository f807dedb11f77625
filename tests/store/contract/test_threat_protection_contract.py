"""Threat protection's rows on SQLite and PostgreSQL: risk configurations per pool and per client (a client's
own preferred to the pool's, each replaced whole), and users' auth events kept exactly, listed newest first
across pages, updated in place, gone with their user and deleted by age."""

from __future__ import annotations

from dataclasses import replace

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_client, new_pool, new_user
from userpool.model.auth_events import (
    AuthEvent,
    ChallengeKind,
    ChallengeResult,
    EventResponse,
    EventType,
    FeedbackValue,
    RiskDecision,
    RiskLevel,
)
from userpool.model.risk_configuration import RiskConfiguration
from userpool.store.base import Conflict
from userpool.store.sql.store import SqlStore

BLOCK = {"RiskExceptionConfiguration": {"BlockedIPRangeList": ["10.0.0.0/8"]}}
SKIP = {"RiskExceptionConfiguration": {"SkippedIPRangeList": ["2001:db8::/32"]}}


@covers("RiskConfigurationRepo.put", "RiskConfigurationRepo.get", "RiskConfigurationRepo.for_client")
def test_risk_configurations__client_preferred_to_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        client, other = new_client(tx, pool), new_client(tx, pool, "contractclient0002")
        assert tx.risk_configurations.for_client(pool.id, client.id) is None
        tx.risk_configurations.put(RiskConfiguration(pool.id, None, BLOCK, NOW))
    with store.read() as tx:
        pooled = RiskConfiguration(pool.id, None, BLOCK, NOW)
        assert tx.risk_configurations.get(pool.id, None) == pooled
        assert tx.risk_configurations.get(pool.id, client.id) is None
        assert tx.risk_configurations.for_client(pool.id, client.id) == pooled
        assert tx.risk_configurations.for_client(pool.id, None) == pooled
    with store.write() as tx:
        tx.risk_configurations.put(RiskConfiguration(pool.id, client.id, SKIP, NOW + 1))
    with store.read() as tx:
        own = RiskConfiguration(pool.id, client.id, SKIP, NOW + 1)
        assert tx.risk_configurations.for_client(pool.id, client.id) == own
        assert tx.risk_configurations.get(pool.id, client.id) == own
        assert tx.risk_configurations.for_client(pool.id, other.id) == pooled
        assert tx.risk_configurations.for_client("us-east-1_Contract2", client.id) is None


@covers("RiskConfigurationRepo.put", "RiskConfigurationRepo.delete")
def test_risk_configurations__replaced_whole_and_deleted(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
        tx.risk_configurations.put(RiskConfiguration(pool.id, None, BLOCK, NOW))
        tx.risk_configurations.put(RiskConfiguration(pool.id, client.id, BLOCK, NOW))
        tx.risk_configurations.put(RiskConfiguration(pool.id, None, SKIP, NOW + 5))
    with store.write() as tx:
        assert tx.risk_configurations.get(pool.id, None) == RiskConfiguration(pool.id, None, SKIP, NOW + 5)
        assert tx.risk_configurations.delete(pool.id, client.id) is True
        assert tx.risk_configurations.delete(pool.id, client.id) is False
        assert tx.risk_configurations.get(pool.id, client.id) is None
        assert tx.risk_configurations.get(pool.id, None) is not None
        tx.pools.delete(pool.id)
    with store.read() as tx:
        assert tx.risk_configurations.get(pool.id, None) is None


def _event(pool_id: str, sub: str, event_id: str, at: float = NOW, **fields: object) -> AuthEvent:
    base = AuthEvent(pool_id, sub, event_id, EventType.SignIn, at, EventResponse.Pass)
    return replace(base, **fields)  # type: ignore[arg-type]


@covers("AuthEventRepo.add", "AuthEventRepo.get")
def test_auth_events__round_trip(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        user = new_user(tx, pool, "ann")
        stored = _event(
            pool.id,
            user.sub,
            "e1",
            event_type=EventType.PasswordChange,
            response=EventResponse.InProgress,
            risk_decision=RiskDecision.AccountTakeover,
            risk_level=RiskLevel.Medium,
            compromised=True,
            challenges=(
                (ChallengeKind.Password, ChallengeResult.Success),
                (ChallengeKind.Mfa, ChallengeResult.Failure),
            ),
            context={"IpAddress": "192.0.2.1", "DeviceName": "Firefox"},
            client_id="contractclient0001",
            feedback_value=FeedbackValue.Invalid,
            feedback_provider="Admin",
            feedback_at=NOW + 3,
            feedback_token_hash="ab" * 32,
            link_hash="cd" * 32,
        )
        tx.auth_events.add(stored)
        plain = _event(pool.id, user.sub, "e2")
        tx.auth_events.add(plain)
    with store.read() as tx:
        assert tx.auth_events.get(pool.id, "e1") == stored
        assert tx.auth_events.get(pool.id, "e2") == plain
        assert tx.auth_events.get(pool.id, "e3") is None
        assert tx.auth_events.get("us-east-1_Contract2", "e1") is None


@covers("AuthEventRepo.add")
def test_auth_events__one_id_per_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.auth_events.add(_event(pool.id, ann.sub, "same"))
    try:
        with store.write() as tx:
            tx.auth_events.add(_event(pool.id, bo.sub, "same"))
    except Conflict as refused:
        assert refused.field == "event_id"
    else:
        raise AssertionError("a second event with the same id was stored")


@covers("AuthEventRepo.of_user")
def test_auth_events__of_user_newest_first_across_pages(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        # Two events share a time: the id orders them.
        times = {"a": NOW + 1, "b": NOW + 3, "c": NOW + 2, "d": NOW + 3, "e": NOW + 0.5}
        for event_id, at in times.items():
            tx.auth_events.add(_event(pool.id, ann.sub, event_id, at))
        tx.auth_events.add(_event(pool.id, bo.sub, "z", NOW + 9))
    seen: list[str] = []
    after = None
    with store.read() as tx:
        while True:
            page = tx.auth_events.of_user(pool.id, ann.sub, 2, after)
            seen += [e.event_id for e in page.items]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert seen == ["d", "b", "c", "a", "e"]
        assert [e.event_id for e in tx.auth_events.of_user(pool.id, ann.sub, 10, None).items] == seen
        assert tx.auth_events.of_user(pool.id, ann.sub, 5, None).next_cursor is None


@covers("AuthEventRepo.update")
def test_auth_events__update_keeps_who_and_when(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        user = new_user(tx, pool, "ann")
        tx.auth_events.add(_event(pool.id, user.sub, "e1", response=EventResponse.InProgress))
    later = _event(
        pool.id,
        user.sub,
        "e1",
        response=EventResponse.Fail,
        challenges=((ChallengeKind.Mfa, ChallengeResult.Failure),),
        feedback_value=FeedbackValue.Valid,
        feedback_provider="User",
        feedback_at=NOW + 7,
    )
    with store.write() as tx:
        assert tx.auth_events.update(later) is True
        assert tx.auth_events.update(_event(pool.id, user.sub, "gone")) is False
    with store.read() as tx:
        assert tx.auth_events.get(pool.id, "e1") == later


@covers("AuthEventRepo.delete_expired")
def test_auth_events__deleted_by_age_and_with_their_user(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.auth_events.add(_event(pool.id, ann.sub, "old", NOW - 100))
        tx.auth_events.add(_event(pool.id, ann.sub, "new", NOW))
        tx.auth_events.add(_event(pool.id, bo.sub, "bo", NOW))
    with store.write() as tx:
        tx.auth_events.delete_expired(NOW - 1)
        tx.users.delete(pool.id, bo.sub)
    with store.read() as tx:
        assert tx.auth_events.get(pool.id, "old") is None
        assert tx.auth_events.get(pool.id, "new") is not None
        assert tx.auth_events.get(pool.id, "bo") is None


@covers("AuthEventRepo.by_link")
def test_auth_events__found_by_link_in_its_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool, other = new_pool(tx), new_pool(tx, "us-east-1_Contract2")
        ann = new_user(tx, pool, "ann")
        tx.auth_events.add(_event(pool.id, ann.sub, "linked", link_hash="ef" * 32))
        tx.auth_events.add(_event(pool.id, ann.sub, "unlinked"))
    with store.read() as tx:
        found = tx.auth_events.by_link(pool.id, "ef" * 32)
        assert found is not None and found.event_id == "linked"
        assert tx.auth_events.by_link(other.id, "ef" * 32) is None
        assert tx.auth_events.by_link(pool.id, "00" * 32) is None
