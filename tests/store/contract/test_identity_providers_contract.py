"""A pool's identity providers on SQLite and PostgreSQL: records round-trip with their secrets sealed at rest,
names and IdpIdentifiers are unique per pool in the database (racing writers included), updates are
conditional on the version read, and pages come in byte order of the names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, database_order, new_pool, race, rows_in
from userpool.model.identity_providers import EncryptionKey, IdentityProvider, SamlMetadata
from userpool.model.records import Page
from userpool.store.base import Conflict, NotFound, Tx
from userpool.store.sql.store import SqlStore

SECRET = "oidc-client-secret-Ünïcode-✓"
APPLE_KEY = "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n-----END PRIVATE KEY-----"
SAML_KEY = "-----BEGIN PRIVATE KEY-----\nsaml-encryption-key\n-----END PRIVATE KEY-----"


def oidc(pool_id: str, name: str = "Corp", identifiers: tuple[str, ...] = ("corp.example",)) -> IdentityProvider:
    return IdentityProvider(
        pool_id=pool_id,
        name=name,
        provider_type="OIDC",
        details={
            "attributes_request_method": "GET",
            "authorize_scopes": "openid email",
            "client_id": "rp",
            "client_secret": SECRET,
            "oidc_issuer": "https://idp.example.com",
        },
        attribute_mapping={"email": "email", "username": "sub"},
        idp_identifiers=identifiers,
        acr_mapping={"Level1": "urn:acr:1"},
        created_at=NOW,
        updated_at=NOW + 0.5,
        discovered={"authorize_url": "https://idp.example.com/auth", "jwks_uri": "https://idp.example.com/jwks"},
    )


def saml(pool_id: str) -> IdentityProvider:
    return IdentityProvider(
        pool_id=pool_id,
        name="Ädfs",
        provider_type="SAML",
        details={"IDPSignout": "true", "MetadataFile": "<md:EntityDescriptor/>"},
        attribute_mapping={"email": "urn:oid:1.2.840.113549.1.9.1.1"},
        idp_identifiers=(),
        acr_mapping={},
        created_at=NOW,
        updated_at=NOW,
        saml=SamlMetadata("https://idp/metadata", "https://idp/sso", None, ("MIIBcert1", "MIIBcert2")),
        encryption_key=EncryptionKey("MIIBencryption", SAML_KEY),
    )


def apple(pool_id: str) -> IdentityProvider:
    details = {"authorize_scopes": "email name", "client_id": "com.example", "key_id": "K", "private_key": APPLE_KEY}
    return IdentityProvider(pool_id, "SignInWithApple", "SignInWithApple", details, {}, (), {}, NOW, NOW)


def _column(store: SqlStore, sql: str) -> list[str]:
    with store.engine.connect() as conn:
        return [str(v) for v in conn.exec_driver_sql(sql).scalars()]


@covers("IdentityProviderRepo.add", "IdentityProviderRepo.get")
def test_identity_providers__round_trip_with_secrets_sealed(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        records = [oidc(pool.id), saml(pool.id), apple(pool.id)]
        for record in records:
            tx.identity_providers.add(record)
    with store.read() as tx:
        for record in records:
            assert tx.identity_providers.get(pool.id, record.name) == record
        assert tx.identity_providers.get(pool.id, "corp") is None  # names are matched exactly
        assert tx.identity_providers.get("us-east-1_other", "Corp") is None
    stored = " ".join(
        _column(store, "SELECT details FROM identity_providers")
        + _column(store, "SELECT secrets_sealed FROM identity_providers WHERE secrets_sealed IS NOT NULL")
        + _column(store, "SELECT encryption_key_sealed FROM identity_providers WHERE encryption_key_sealed IS NOT NULL")
    )
    assert "rp" in stored and SECRET not in stored and "MIGTAgEA" not in stored and "saml-encryption" not in stored


@covers("IdentityProviderRepo.add")
def test_identity_providers__names_and_identifiers_unique_per_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        other = new_pool(tx, "us-east-1_other")
        tx.identity_providers.add(oidc(pool.id))
        tx.identity_providers.add(oidc(other.id))  # the same name and identifier in another pool
        tx.identity_providers.add(oidc(pool.id, "corp", ("CORP.example",)))  # case counts
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.identity_providers.add(oidc(pool.id, identifiers=("new.example",)))
    assert caught.value.field == "name"
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.identity_providers.add(oidc(pool.id, "Other", ("fresh.example", "corp.example")))
    assert caught.value.field == "identifier"
    with store.read() as tx:
        assert tx.identity_providers.get(pool.id, "Other") is None  # nothing of the refused add stays
        assert tx.identity_providers.find_by_identifier(pool.id, "fresh.example") is None


@covers("IdentityProviderRepo.add")
def test_identity_providers__racing_adds_make_one_record(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)

    def attempt(tx: Tx) -> str:
        try:
            tx.identity_providers.add(oidc(pool.id))
        except Conflict as conflict:
            return conflict.field
        return "added"

    assert sorted(race(store, attempt)) == ["added", "name", "name", "name"]
    assert rows_in(store, "identity_providers") == 1
    assert rows_in(store, "identity_provider_identifiers") == 1


@covers("IdentityProviderRepo.find_by_identifier")
def test_identity_providers__found_by_identifier_exactly(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        corp = oidc(pool.id, identifiers=("corp.example", "Corp Login"))
        tx.identity_providers.add(corp)
        tx.identity_providers.add(oidc(pool.id, "Second", ("second.example",)))
    with store.read() as tx:
        assert tx.identity_providers.find_by_identifier(pool.id, "Corp Login") == corp
        assert tx.identity_providers.find_by_identifier(pool.id, "corp.example") == corp
        assert tx.identity_providers.find_by_identifier(pool.id, "CORP.EXAMPLE") is None
        assert tx.identity_providers.find_by_identifier("us-east-1_other", "corp.example") is None
        found = tx.identity_providers.find_by_identifier(pool.id, "second.example")
        assert found is not None and found.name == "Second"


@covers("IdentityProviderRepo.update")
def test_identity_providers__update_conditional_on_version(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        corp = oidc(pool.id)
        tx.identity_providers.add(corp)
        tx.identity_providers.add(oidc(pool.id, "Taken", ("taken.example",)))
    changed = replace(
        corp,
        details={**corp.details, "client_secret": "rotated"},
        idp_identifiers=("moved.example",),
        discovered={},
        version=2,
        updated_at=NOW + 9,
        created_at=NOW - 100,  # ignored: the creation date stays
    )
    with store.write() as tx:
        assert tx.identity_providers.update(changed, expected_version=1)
    with store.read() as tx:
        assert tx.identity_providers.get(pool.id, "Corp") == replace(changed, created_at=NOW)
        assert tx.identity_providers.find_by_identifier(pool.id, "corp.example") is None
        assert tx.identity_providers.find_by_identifier(pool.id, "moved.example") is not None
    with store.write() as tx:  # a writer that read version 1 is too late
        assert not tx.identity_providers.update(replace(corp, version=2), expected_version=1)
        assert not tx.identity_providers.update(replace(corp, name="Gone", version=2), expected_version=1)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.identity_providers.update(replace(changed, idp_identifiers=("taken.example",), version=3), 2)
    assert caught.value.field == "identifier"
    with store.read() as tx:
        assert tx.identity_providers.get(pool.id, "Corp") == replace(changed, created_at=NOW)


@covers("IdentityProviderRepo.update")
def test_identity_providers__racing_updates_one_wins(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        corp = oidc(pool.id)
        tx.identity_providers.add(corp)

    def attempt(tx: Tx) -> bool:
        return tx.identity_providers.update(replace(corp, version=2, updated_at=NOW + 1), expected_version=1)

    assert sorted(race(store, attempt)) == [False, False, False, True]


@covers("IdentityProviderRepo.delete")
def test_identity_providers__delete_frees_name_and_identifiers(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        tx.identity_providers.add(oidc(pool.id))
        tx.identity_providers.add(oidc(pool.id, "Kept", ("kept.example",)))
    with store.write() as tx:
        tx.identity_providers.delete(pool.id, "Corp")
    with pytest.raises(NotFound), store.write() as tx:
        tx.identity_providers.delete(pool.id, "Corp")
    assert rows_in(store, "identity_provider_identifiers") == 1
    with store.write() as tx:
        tx.identity_providers.add(oidc(pool.id, "Again", ("corp.example",)))
    with store.read() as tx:
        found = tx.identity_providers.find_by_identifier(pool.id, "corp.example")
        assert found is not None and found.name == "Again"


@covers("IdentityProviderRepo.list", "IdentityProviderRepo.count")
def test_identity_providers__listed_in_name_order_and_counted_per_pool(store: SqlStore) -> None:
    names = ["b-idp", "A-idp", "a-idp", "Google", "Ädfs", "Z-idp"]
    with store.write() as tx:
        pool = new_pool(tx)
        other = new_pool(tx, "us-east-1_other")
        for name in names:
            tx.identity_providers.add(oidc(pool.id, name, ()))
        tx.identity_providers.add(oidc(other.id, "elsewhere", ()))
    with store.read() as tx:
        seen: list[str] = []
        after: str | None = None
        while True:
            page = tx.identity_providers.list(pool.id, 4, after)
            seen += [p.name for p in page.items]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        in_order = [n for n in database_order(store, "identity_providers", "name") if n in names]
        assert seen == sorted(names, key=lambda n: n.encode()) == in_order
        assert tx.identity_providers.count(pool.id) == 6
        assert tx.identity_providers.count(other.id) == 1
        assert tx.identity_providers.count("us-east-1_none") == 0
        assert tx.identity_providers.list("us-east-1_none", 10, None) == Page([], None)
