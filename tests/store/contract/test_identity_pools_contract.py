"""Identity pools' rows on SQLite and PostgreSQL: pools kept exactly and listed in pages, identities listed with or
without the disabled ones, logins unique per pool and found by provider and subject (a 1,024-character developer
user identifier included), moved by a merge and gone with their identity or pool, and the OpenID token keys: one
current generation, retired ones published until they expire, private keys sealed."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW
from userpool.model.identity_pools import Identity, IdentityLogin, IdentityPool, IdentitySigningKey
from userpool.store.base import Conflict, NotFound
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import identity_signing_keys

POOL = "us-east-1:11111111-2222-3333-4444-555555555555"
OTHER_POOL = "us-east-1:99999999-2222-3333-4444-555555555555"
DEVELOPER = "login.example.app"
COGNITO = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Contract1"


def _pool(pool_id: str = POOL, name: str = "contract") -> IdentityPool:
    config = {"AllowUnauthenticatedIdentities": True, "DeveloperProviderName": DEVELOPER}
    roles = {"Roles": {"authenticated": "arn:aws:iam::123456789012:role/auth"}}
    return IdentityPool(pool_id, name, config, roles, {"team": "a"}, NOW, NOW)


def _identity(number: int, pool_id: str = POOL, disabled: bool = False) -> Identity:
    return Identity(f"us-east-1:00000000-0000-0000-0000-{number:012d}", pool_id, NOW, NOW, disabled)


@covers("IdentityPoolRepo.add", "IdentityPoolRepo.get", "IdentityPoolRepo.update")
def test_identity_pools__round_trip_and_update(store: SqlStore) -> None:
    pool = _pool()
    with store.write() as tx:
        tx.identity_pools.add(pool)
        with pytest.raises(Conflict) as taken:
            with tx.rolled_back():
                tx.identity_pools.add(pool)
        assert taken.value.field == "id"
    with store.write() as tx:
        assert tx.identity_pools.get(POOL, for_update=True) == pool
        changed = replace(pool, name="renamed", roles={"Roles": {}}, tags={}, updated_at=NOW + 5)
        tx.identity_pools.update(changed)
        with pytest.raises(NotFound):
            tx.identity_pools.update(replace(changed, id=OTHER_POOL))
    with store.read() as tx:
        assert tx.identity_pools.get(POOL) == changed
        assert tx.identity_pools.get(OTHER_POOL) is None


@covers("IdentityPoolRepo.list")
def test_identity_pools__listed_in_pages(store: SqlStore) -> None:
    ids = [f"us-east-1:{n:08d}-0000-0000-0000-000000000000" for n in range(5)]
    with store.write() as tx:
        for pool_id in reversed(ids):
            tx.identity_pools.add(_pool(pool_id))
    seen: list[str] = []
    after = None
    with store.read() as tx:
        while True:
            page = tx.identity_pools.list(2, after)
            seen += [p.id for p in page.items]
            if page.next_cursor is None:
                break
            after = page.next_cursor
    assert seen == ids


@covers("IdentityPoolRepo.delete", "IdentityRepo.add", "IdentityRepo.add_login", "IdentityRepo.login")
def test_identity_pools__delete_takes_identities_and_logins(store: SqlStore) -> None:
    with store.write() as tx:
        tx.identity_pools.add(_pool())
        tx.identity_pools.add(_pool(OTHER_POOL))
        tx.identities.add(_identity(1))
        tx.identities.add(_identity(2, OTHER_POOL))
        tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, "ann", _identity(1).id, NOW))
        tx.identities.add_login(IdentityLogin(OTHER_POOL, DEVELOPER, "ann", _identity(2).id, NOW))
    with store.write() as tx:
        assert tx.identity_pools.delete(POOL) is True
        assert tx.identity_pools.delete(POOL) is False
    with store.read() as tx:
        assert tx.identities.get(_identity(1).id) is None
        assert tx.identities.login(POOL, DEVELOPER, "ann") is None
        assert tx.identities.login(OTHER_POOL, DEVELOPER, "ann") == IdentityLogin(
            OTHER_POOL, DEVELOPER, "ann", _identity(2).id, NOW
        )


@covers("IdentityRepo.get", "IdentityRepo.update", "IdentityRepo.delete")
def test_identities__round_trip_update_delete(store: SqlStore) -> None:
    identity = _identity(1)
    with store.write() as tx:
        tx.identity_pools.add(_pool())
        tx.identities.add(identity)
        with pytest.raises(Conflict) as taken:
            with tx.rolled_back():
                tx.identities.add(identity)
        assert taken.value.field == "id"
    with store.write() as tx:
        assert tx.identities.get(identity.id, for_update=True) == identity
        tx.identities.update(replace(identity, disabled=True, updated_at=NOW + 9))
        with pytest.raises(NotFound):
            tx.identities.update(_identity(7))
    with store.write() as tx:
        assert tx.identities.get(identity.id) == replace(identity, disabled=True, updated_at=NOW + 9)
        assert tx.identities.delete(identity.id) is True
        assert tx.identities.delete(identity.id) is False
        assert tx.identities.get(identity.id) is None


@covers("IdentityRepo.list")
def test_identities__listed_per_pool_with_or_without_disabled(store: SqlStore) -> None:
    with store.write() as tx:
        tx.identity_pools.add(_pool())
        tx.identity_pools.add(_pool(OTHER_POOL))
        for n in range(5):
            tx.identities.add(_identity(n, disabled=n == 2))
        tx.identities.add(_identity(9, OTHER_POOL))

    def every(hide: bool) -> list[str]:
        found: list[str] = []
        after = None
        with store.read() as tx:
            while True:
                page = tx.identities.list(POOL, 2, after, hide)
                found += [i.id for i in page.items]
                if page.next_cursor is None:
                    return found
                after = page.next_cursor

    assert every(False) == [_identity(n).id for n in range(5)]
    assert every(True) == [_identity(n).id for n in (0, 1, 3, 4)]


@covers("IdentityRepo.add_login", "IdentityRepo.login", "IdentityRepo.logins_of")
def test_identity_logins__unique_per_pool_and_found_by_subject(store: SqlStore) -> None:
    long_subject = "ü" * 1024  # 2,048 bytes of UTF-8: found through its digest
    first, second = _identity(1), _identity(2)
    with store.write() as tx:
        tx.identity_pools.add(_pool())
        tx.identities.add(first)
        tx.identities.add(second)
        tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, long_subject, first.id, NOW))
        tx.identities.add_login(IdentityLogin(POOL, COGNITO, "sub-1", first.id, NOW + 1))
        tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, "bob", second.id, NOW))
        with pytest.raises(Conflict) as linked:
            with tx.rolled_back():
                tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, long_subject, second.id, NOW))
        assert linked.value.field == "login"
    with store.read() as tx:
        found = tx.identities.login(POOL, DEVELOPER, long_subject)
        assert found == IdentityLogin(POOL, DEVELOPER, long_subject, first.id, NOW)
        assert tx.identities.login(POOL, DEVELOPER, "ü" * 1023) is None
        assert tx.identities.login(POOL, COGNITO, long_subject) is None
        logins = tx.identities.logins_of([first.id, second.id, _identity(3).id])
    assert [(x.provider, x.subject) for x in logins[first.id]] == [(DEVELOPER, long_subject), (COGNITO, "sub-1")]
    assert [x.subject for x in logins[second.id]] == ["bob"]
    assert logins[_identity(3).id] == []
    with store.read() as tx:
        assert tx.identities.logins_of([]) == {}


@covers("IdentityRepo.move_logins", "IdentityRepo.remove_login", "IdentityRepo.subjects_of")
def test_identity_logins__moved_removed_and_listed(store: SqlStore) -> None:
    source, target = _identity(1), _identity(2)
    with store.write() as tx:
        tx.identity_pools.add(_pool())
        tx.identities.add(source)
        tx.identities.add(target)
        for name in ("carol", "dave", "erin"):
            tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, name, source.id, NOW))
        tx.identities.add_login(IdentityLogin(POOL, COGNITO, "sub-9", source.id, NOW))
        tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, "ann", target.id, NOW))
    with store.write() as tx:
        assert tx.identities.move_logins(source.id, target.id) == 4
        assert tx.identities.remove_login(POOL, DEVELOPER, "dave") is True
        assert tx.identities.remove_login(POOL, DEVELOPER, "dave") is False
    with store.read() as tx:
        assert tx.identities.logins_of([source.id])[source.id] == []
        assert tx.identities.login(POOL, COGNITO, "sub-9") is not None
        names: list[str] = []
        after = None
        while True:
            page = tx.identities.subjects_of(target.id, DEVELOPER, 2, after)
            names += page.items
            if page.next_cursor is None:
                break
            after = page.next_cursor
    assert sorted(names) == ["ann", "carol", "erin"]
    assert len(names) == 3


@covers("IdentityRepo.delete")
def test_identity_logins__gone_with_their_identity(store: SqlStore) -> None:
    with store.write() as tx:
        tx.identity_pools.add(_pool())
        tx.identities.add(_identity(1))
        tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, "ann", _identity(1).id, NOW))
        tx.identities.delete(_identity(1).id)
    with store.write() as tx:
        assert tx.identities.login(POOL, DEVELOPER, "ann") is None
        tx.identities.add(_identity(2))
        tx.identities.add_login(IdentityLogin(POOL, DEVELOPER, "ann", _identity(2).id, NOW))


def _key(generation: int, kid: str) -> IdentitySigningKey:
    return IdentitySigningKey(kid, generation, f"-----PEM {kid}-----", {"kid": kid, "kty": "RSA"}, NOW)


@covers(
    "IdentitySigningKeyRepo.add",
    "IdentitySigningKeyRepo.current",
    "IdentitySigningKeyRepo.private_pem",
    "IdentitySigningKeyRepo.latest_generation",
)
def test_identity_signing_keys__one_current_generation_sealed(store: SqlStore) -> None:
    with store.write() as tx:
        assert tx.identity_signing_keys.current() is None
        assert tx.identity_signing_keys.latest_generation() == 0
        tx.identity_signing_keys.add(_key(1, "kid-1"))
        with pytest.raises(Conflict) as taken:
            with tx.rolled_back():
                tx.identity_signing_keys.add(_key(1, "kid-other"))
        assert taken.value.field == "generation"
    with store.read() as tx:
        assert tx.identity_signing_keys.current() == "kid-1"
        assert tx.identity_signing_keys.private_pem("kid-1") == "-----PEM kid-1-----"
        assert tx.identity_signing_keys.private_pem("kid-none") is None
        assert tx.identity_signing_keys.latest_generation() == 1
    with store.engine.connect() as conn:
        sealed = conn.execute(sa.select(identity_signing_keys.c.private_sealed)).scalar_one()
    assert "PEM" not in sealed


@covers(
    "IdentitySigningKeyRepo.retire_current",
    "IdentitySigningKeyRepo.published",
    "IdentitySigningKeyRepo.delete_expired",
)
def test_identity_signing_keys__retired_published_until_expiry(store: SqlStore) -> None:
    with store.write() as tx:
        tx.identity_signing_keys.add(_key(1, "kid-1"))
        tx.identity_signing_keys.retire_current(NOW + 10, NOW + 100)
        tx.identity_signing_keys.add(_key(2, "kid-2"))
    with store.write() as tx:
        assert tx.identity_signing_keys.current() == "kid-2"
        assert [k.kid for k in tx.identity_signing_keys.published(NOW + 50)] == ["kid-2", "kid-1"]
        assert [k.kid for k in tx.identity_signing_keys.published(NOW + 100)] == ["kid-2"]
        assert tx.identity_signing_keys.published(NOW)[1].expires_at == NOW + 100
        tx.identity_signing_keys.delete_expired(NOW + 99)
        assert tx.identity_signing_keys.private_pem("kid-1") is not None
        tx.identity_signing_keys.delete_expired(NOW + 100)
        assert tx.identity_signing_keys.private_pem("kid-1") is None
        assert tx.identity_signing_keys.published(NOW)[0].public_jwk == {"kid": "kid-2", "kty": "RSA"}
