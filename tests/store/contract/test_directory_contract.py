"""Pools, clients, domains, resource servers, UI customizations and admin keys on SQLite and PostgreSQL:
JSON documents round-trip member for member, duplicates raise Conflict naming the field, missing rows
NotFound, and pages come in the same byte order on both databases."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, database_order, new_client, new_pool, overlapping
from userpool.model.oauth_records import ALL_CLIENTS, UICustomization
from userpool.model.records import AdminKey, Client, ClientSecret, Domain, Page, Pool, ResourceServer
from userpool.store.base import Conflict, NotFound
from userpool.store.sql.store import SqlStore

# What a configuration document may hold: unicode, nesting, empty containers, None, booleans, numbers.
DOCUMENT: dict[str, Any] = {
    "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireSymbols": False}},
    "Schema": [{"Name": "email", "Mutable": True}, {"Name": "custom:städte", "StringAttributeConstraints": {}}],
    "EmailVerificationMessage": "Ihr Code: {####} — 確認コード 🎉",
    "LambdaConfig": {},
    "AliasAttributes": [],
    "SmsAuthenticationMessage": None,
    "Ratio": 0.25,
    "Big": 2**53,
}


def _all_pages(fetch: Any, limit: int) -> tuple[list[Any], int]:
    """Every item of a paged listing, and how many pages it took."""
    items: list[Any] = []
    after: str | None = None
    pages = 0
    while True:
        page = fetch(limit, after)
        assert isinstance(page, Page)
        pages += 1
        items += page.items
        if page.next_cursor is None:
            return items, pages
        assert len(page.items) == limit
        after = page.next_cursor


@covers("PoolRepo.add", "PoolRepo.get", "PoolRepo.update", "PoolRepo.delete")
def test_pools__round_trip_conflict_and_not_found(store: SqlStore) -> None:
    pool = Pool("us-east-1_Pool1", "Pöol ✓", DOCUMENT, NOW, NOW + 0.125)
    with store.write() as tx:
        tx.pools.add(pool)
    with store.read() as tx:
        assert tx.pools.get(pool.id) == pool
        assert tx.pools.get("us-east-1_nothere") is None
        assert tx.pools.get(pool.id.lower()) is None  # ids are matched exactly
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.pools.add(replace(pool, name="again"))
    assert caught.value.field == "id"
    changed = replace(pool, name="renamed", config={**DOCUMENT, "MfaConfiguration": "ON"}, updated_at=NOW + 9)
    with store.write() as tx:
        locked = tx.pools.get(pool.id, for_update=True)
        assert locked == pool
        tx.pools.update(changed)
    with store.read() as tx:
        assert tx.pools.get(pool.id) == changed
    with pytest.raises(NotFound), store.write() as tx:
        tx.pools.update(replace(pool, id="us-east-1_nothere"))
    with store.write() as tx:
        tx.pools.delete(pool.id)
    with pytest.raises(NotFound), store.write() as tx:
        tx.pools.delete(pool.id)
    with store.read() as tx:
        assert tx.pools.get(pool.id) is None


@covers("PoolRepo.list")
def test_pools__paged_in_id_order_each_once(store: SqlStore) -> None:
    ids = ["us-east-1_b", "us-east-1_A", "us-east-1_a", "us-east-1_B", "us-east-1_Z"]
    with store.write() as tx:
        for pool_id in ids:
            new_pool(tx, pool_id)
    with store.read() as tx:
        pools, pages = _all_pages(tx.pools.list, 2)
        assert [p.id for p in pools] == database_order(store, "pools", "id")
        assert sorted(p.id for p in pools) == sorted(ids)
        assert pages == 3
        exact = tx.pools.list(5, None)
        assert len(exact.items) == 5 and exact.next_cursor is None
        assert tx.pools.list(5, exact.items[-1].id) == Page([], None)


@covers("ClientRepo.add", "ClientRepo.get", "ClientRepo.with_pool", "ClientRepo.update", "ClientRepo.delete")
def test_clients__round_trip_sealed_secret_and_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        public = new_client(tx, pool, "publicclient")
        secret = "s3cr3t-" + "x" * 40
        confidential = Client("confidential", pool.id, "Äpp", (ClientSecret(secret, NOW),), DOCUMENT, NOW, NOW + 1)
        tx.clients.add(confidential)
    with store.read() as tx:
        assert tx.clients.get("publicclient") == public
        assert tx.clients.get("confidential") == confidential
        assert tx.clients.get("CONFIDENTIAL") is None
        assert tx.clients.with_pool("confidential") == (pool, confidential)
        assert tx.clients.with_pool("nothere") is None
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT secret_sealed FROM clients WHERE id = 'confidential'").scalar_one()
    assert secret not in sealed
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.clients.add(replace(public, name="twin"))
    assert caught.value.field == "id"
    second = ClientSecret("n3xt-" + "y" * 40, NOW + 3.25)
    both = replace(confidential, secrets=(*confidential.secrets, second), updated_at=NOW + 3)
    with store.write() as tx:
        tx.clients.update(both)
    with store.read() as tx:
        assert tx.clients.get("confidential") == both
        assert tx.clients.with_pool("confidential") == (pool, both)
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT secret_sealed, next_secret_sealed FROM clients WHERE id = 'confidential'")
        sealed_both = " ".join(row.one())
    assert secret not in sealed_both and second.value not in sealed_both
    newest_only = replace(both, secrets=(second,), updated_at=NOW + 4)
    with store.write() as tx:
        tx.clients.update(newest_only)
    with store.read() as tx:
        assert tx.clients.get("confidential") == newest_only
    rotated = replace(confidential, secrets=(), config={}, name="renamed", updated_at=NOW + 5)
    with store.write() as tx:
        tx.clients.update(rotated)
    with store.read() as tx:
        assert tx.clients.get("confidential") == rotated
    with pytest.raises(NotFound), store.write() as tx:
        tx.clients.update(replace(rotated, id="nothere"))
    with store.write() as tx:
        tx.clients.delete("confidential")
    with pytest.raises(NotFound), store.write() as tx:
        tx.clients.delete("confidential")


@covers("ClientRepo.list", "ClientRepo.count")
def test_clients__listed_and_counted_per_pool(store: SqlStore) -> None:
    ids = ["c3", "C1", "c1", "c2", "C2"]
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_one")
        other = new_pool(tx, "us-east-1_two")
        for client_id in ids:
            new_client(tx, pool, client_id)
        new_client(tx, other, "elsewhere")
    with store.read() as tx:
        clients, _ = _all_pages(lambda limit, after: tx.clients.list(pool.id, limit, after), 2)
        assert [c.id for c in clients] == [i for i in database_order(store, "clients", "id") if i in ids]
        assert sorted(c.id for c in clients) == sorted(ids)
        assert tx.clients.count(pool.id) == 5
        assert tx.clients.count(other.id) == 1
        assert tx.clients.count("us-east-1_none") == 0
        assert tx.clients.list("us-east-1_none", 10, None) == Page([], None)


@covers("DomainRepo.add", "DomainRepo.get", "DomainRepo.for_pool", "DomainRepo.update", "DomainRepo.delete")
def test_domains__unique_across_pools_listed_oldest_first(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_one")
        other = new_pool(tx, "us-east-1_two")
        custom = Domain("auth.example.com", pool.id, {"CustomDomainConfig": {"CertificateArn": "arn:x"}}, NOW + 1, NOW)
        prefix = Domain("my-prefix", pool.id, {"ManagedLoginVersion": 2}, NOW, NOW)
        tx.domains.add(custom)
        tx.domains.add(prefix)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.domains.add(replace(prefix, pool_id=other.id))
    assert caught.value.field == "domain"
    with store.read() as tx:
        assert tx.domains.get("my-prefix") == prefix
        assert tx.domains.get("MY-PREFIX") is None
        assert tx.domains.for_pool(pool.id) == [prefix, custom]
        assert tx.domains.for_pool(other.id) == []
    moved = replace(prefix, config={"ManagedLoginVersion": 1, "Ünïcode": "✓"}, updated_at=NOW + 3)
    with store.write() as tx:
        tx.domains.update(moved)
    with store.read() as tx:
        assert tx.domains.get("my-prefix") == moved
    with pytest.raises(NotFound), store.write() as tx:
        tx.domains.update(replace(moved, domain="nothere"))
    with store.write() as tx:
        tx.domains.delete("my-prefix")
    with pytest.raises(NotFound), store.write() as tx:
        tx.domains.delete("my-prefix")
    with store.read() as tx:
        assert tx.domains.for_pool(pool.id) == [custom]


@covers(
    "ResourceServerRepo.add",
    "ResourceServerRepo.get",
    "ResourceServerRepo.update",
    "ResourceServerRepo.delete",
)
def test_resource_servers__round_trip_and_unique_per_pool(store: SqlStore) -> None:
    scopes = [{"ScopeName": "read", "ScopeDescription": "Lesen ✓"}, {"ScopeName": "write", "ScopeDescription": ""}]
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_one")
        other = new_pool(tx, "us-east-1_two")
        server = ResourceServer(pool.id, "https://api.example.com", "API", scopes, NOW, NOW)
        tx.resource_servers.add(server)
        tx.resource_servers.add(replace(server, pool_id=other.id))  # unique per pool only
        tx.resource_servers.add(replace(server, identifier="https://API.example.com", scopes=[]))
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.resource_servers.add(replace(server, name="again"))
    assert caught.value.field == "identifier"
    with store.read() as tx:
        assert tx.resource_servers.get(pool.id, server.identifier) == server
        upper = tx.resource_servers.get(pool.id, "https://API.example.com")
        assert upper is not None and upper.scopes == []
        assert tx.resource_servers.get(pool.id, "https://nothere") is None
    changed = replace(server, name="Renamed", scopes=scopes[:1], updated_at=NOW + 2)
    with store.write() as tx:
        tx.resource_servers.update(changed)
    with store.read() as tx:
        assert tx.resource_servers.get(pool.id, server.identifier) == changed
        assert tx.resource_servers.get(other.id, server.identifier) == replace(server, pool_id=other.id)
    with pytest.raises(NotFound), store.write() as tx:
        tx.resource_servers.update(replace(changed, identifier="https://nothere"))
    with store.write() as tx:
        tx.resource_servers.delete(pool.id, server.identifier)
    with pytest.raises(NotFound), store.write() as tx:
        tx.resource_servers.delete(pool.id, server.identifier)


@covers("ResourceServerRepo.list", "ResourceServerRepo.count")
def test_resource_servers__paged_in_identifier_byte_order(store: SqlStore) -> None:
    identifiers = ["b-api", "B-api", "a-api", "ä-api", "A-api"]
    with store.write() as tx:
        pool = new_pool(tx)
        for identifier in identifiers:
            tx.resource_servers.add(ResourceServer(pool.id, identifier, identifier, [], NOW, NOW))
    with store.read() as tx:
        servers, pages = _all_pages(lambda limit, after: tx.resource_servers.list(pool.id, limit, after), 2)
        # Byte (code point) order on both databases: upper case, then lower case, then "ä".
        assert [s.identifier for s in servers] == sorted(identifiers)
        assert pages == 3
        assert tx.resource_servers.count(pool.id) == 5
        assert tx.resource_servers.count("us-east-1_none") == 0


@covers("UICustomizationRepo.put", "UICustomizationRepo.get")
def test_ui_customizations__put_inserts_then_replaces_keeping_created_at(store: SqlStore) -> None:
    image = bytes(range(256)) + b"\x00\xff"
    with store.write() as tx:
        pool = new_pool(tx)
        everyone = UICustomization(pool.id, ALL_CLIENTS, ".banner { color: #fff } /* ✓ */", image, "png", "1", NOW, NOW)
        tx.ui_customizations.put(everyone)
        tx.ui_customizations.put(UICustomization(pool.id, "client1", None, None, None, "1", NOW, NOW))
    with store.read() as tx:
        assert tx.ui_customizations.get(pool.id, ALL_CLIENTS) == everyone
        bare = tx.ui_customizations.get(pool.id, "client1")
        assert bare is not None and (bare.css, bare.image, bare.image_type) == (None, None, None)
        assert tx.ui_customizations.get(pool.id, "client2") is None
    later = replace(everyone, css="", image=b"", version="2", created_at=NOW + 50, updated_at=NOW + 50)
    with store.write() as tx:
        tx.ui_customizations.put(later)
    with store.read() as tx:
        # An empty stylesheet and image stay empty, not None; the first creation time stays.
        assert tx.ui_customizations.get(pool.id, ALL_CLIENTS) == replace(later, created_at=NOW)


@covers("UICustomizationRepo.put")
def test_ui_customizations__first_puts_of_two_transactions_both_succeed(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
    first = UICustomization(pool.id, ALL_CLIENTS, "a {}", None, None, "1", NOW, NOW)
    second = UICustomization(pool.id, ALL_CLIENTS, "b {}", None, None, "2", NOW + 1, NOW + 1)
    # Neither finds a row to replace when it looks; the later one replaces the earlier one all the same.
    overlapping(store, lambda tx: tx.ui_customizations.put(first), lambda tx: tx.ui_customizations.put(second))
    with store.read() as tx:
        assert tx.ui_customizations.get(pool.id, ALL_CLIENTS) == replace(second, created_at=NOW)


@covers("AdminKeyRepo.add", "AdminKeyRepo.get", "AdminKeyRepo.list", "AdminKeyRepo.delete")
def test_admin_keys__sealed_unique_listed_oldest_first(store: SqlStore) -> None:
    newer = AdminKey("AKIDNEWER00000000001", "secret-newer-0123456789", None, NOW + 10)
    older = AdminKey("AKIDOLDER00000000001", "secret-older-0123456789", "CI runner ✓", NOW)
    with store.write() as tx:
        tx.admin_keys.add(newer)
        tx.admin_keys.add(older)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.admin_keys.add(replace(older, secret_access_key="other"))
    assert caught.value.field == "access_key_id"
    with store.read() as tx:
        assert tx.admin_keys.get(older.access_key_id) == older
        assert tx.admin_keys.get("akidolder00000000001") is None
        assert tx.admin_keys.list() == [older, newer]
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT secret_sealed FROM admin_keys").scalars().all()
    assert not any("secret-" in value for value in sealed)
    with store.write() as tx:
        tx.admin_keys.delete(older.access_key_id)
    with pytest.raises(NotFound), store.write() as tx:
        tx.admin_keys.delete(older.access_key_id)
    with store.read() as tx:
        assert tx.admin_keys.list() == [newer]
