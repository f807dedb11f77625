"""External identities on SQLite and PostgreSQL: one per (pool, provider, subject or linked attribute), compared
exactly (case included), listed per user oldest first, gone with their user."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import new_pool, new_user, race
from userpool.model.federated_identities import COGNITO_SUBJECT, FederatedIdentity
from userpool.store.base import Conflict, NotFound, Tx
from userpool.store.sql.store import SqlStore


def _identity(pool_id: str, sub: str, subject: str, **fields: object) -> FederatedIdentity:
    base = FederatedIdentity(pool_id, "Corp", COGNITO_SUBJECT, subject, sub, "OIDC", None, True, 1_700_000_000_123)
    return replace(base, **fields)  # type: ignore[arg-type]


@covers("FederatedIdentityRepo.add", "FederatedIdentityRepo.get")
def test_federated_identities__round_trip_and_exact_keys(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, case_sensitive=False)
        user = new_user(tx, pool, "corp_ab12cd")
        stored = _identity(pool.id, user.sub, "AB12cd", issuer="urn:idp:example", disabled=True)
        tx.federated_identities.add(stored)
    with store.read() as tx:
        assert tx.federated_identities.get(pool.id, "Corp", COGNITO_SUBJECT, "AB12cd") == stored
        # The provider's subject keeps its case, whatever the pool does with usernames.
        assert tx.federated_identities.get(pool.id, "Corp", COGNITO_SUBJECT, "ab12cd") is None
        assert tx.federated_identities.get(pool.id, "corp", COGNITO_SUBJECT, "AB12cd") is None
        assert tx.federated_identities.get(pool.id, "Corp", "email", "AB12cd") is None
        assert tx.federated_identities.get("us-east-1_other", "Corp", COGNITO_SUBJECT, "AB12cd") is None


@covers("FederatedIdentityRepo.add")
def test_federated_identities__one_per_key_in_a_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.federated_identities.add(_identity(pool.id, ann.sub, "s1"))
    with pytest.raises(Conflict) as refused, store.write() as tx:
        tx.federated_identities.add(_identity(pool.id, bo.sub, "s1", primary=False))
    assert refused.value.field == "identity"
    with store.write() as tx:
        # Another attribute, another provider: other identities.
        tx.federated_identities.add(_identity(pool.id, bo.sub, "s1", attribute_name="email"))
        tx.federated_identities.add(_identity(pool.id, bo.sub, "s1", provider_name="Google", provider_type="Google"))
    with store.read() as tx:
        assert [i.sub for i in tx.federated_identities.of_user(pool.id, bo.sub)] == [bo.sub, bo.sub]


@covers("FederatedIdentityRepo.add")
def test_federated_identities__racing_inserts_of_one_identity_let_one_through(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        user = new_user(tx, pool, "ann")

    def attempt(tx: Tx) -> str:
        try:
            tx.federated_identities.add(_identity(pool.id, user.sub, "same"))
        except Conflict as conflict:
            return conflict.field
        return "added"

    assert sorted(race(store, attempt)) == ["added", "identity", "identity", "identity"]


@covers("FederatedIdentityRepo.of_user")
def test_federated_identities__of_user_oldest_first(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.federated_identities.add(_identity(pool.id, ann.sub, "late", created_at_ms=3))
        tx.federated_identities.add(_identity(pool.id, ann.sub, "early", created_at_ms=1, primary=False))
        tx.federated_identities.add(_identity(pool.id, bo.sub, "other", created_at_ms=2))
    with store.read() as tx:
        assert [i.attribute_value for i in tx.federated_identities.of_user(pool.id, ann.sub)] == ["early", "late"]
        assert tx.federated_identities.of_user(pool.id, "no-such-sub") == []


@covers("FederatedIdentityRepo.update")
def test_federated_identities__update_replaces_all_but_the_key(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        stored = _identity(pool.id, ann.sub, "s1")
        tx.federated_identities.add(stored)
    changed = replace(stored, sub=bo.sub, issuer="urn:x", primary=False, disabled=True, provider_type="SAML")
    with store.write() as tx:
        tx.federated_identities.update(changed)
    with store.read() as tx:
        assert tx.federated_identities.get(pool.id, "Corp", COGNITO_SUBJECT, "s1") == changed
    with pytest.raises(NotFound), store.write() as tx:
        tx.federated_identities.update(replace(changed, attribute_value="none"))


@covers("FederatedIdentityRepo.delete")
def test_federated_identities__delete_and_gone_with_the_user(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.federated_identities.add(_identity(pool.id, ann.sub, "a1"))
        tx.federated_identities.add(_identity(pool.id, ann.sub, "a2"))
        tx.federated_identities.add(_identity(pool.id, bo.sub, "b1"))
    with store.write() as tx:
        assert tx.federated_identities.delete(pool.id, "Corp", COGNITO_SUBJECT, "a1") is True
        assert tx.federated_identities.delete(pool.id, "Corp", COGNITO_SUBJECT, "a1") is False
        tx.users.delete(pool.id, ann.sub)
    with store.read() as tx:
        assert tx.federated_identities.get(pool.id, "Corp", COGNITO_SUBJECT, "a2") is None
        assert [i.attribute_value for i in tx.federated_identities.of_user(pool.id, bo.sub)] == ["b1"]
