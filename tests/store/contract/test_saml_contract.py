"""A pool's SAML signing keys and the SAML assertions it accepted, on SQLite and PostgreSQL: the private
key sealed at rest, one generation per pool however first uses race; an assertion ID accepted once per
pool and identity provider, whoever races for it, until it is swept at its time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_pool, rows_in
from userpool.model.saml_service_provider import SamlSigningKey
from userpool.store.base import Conflict
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import saml_signing_keys

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQ...\n-----END PRIVATE KEY-----\n"
IDP = "https://idp.example/metadata"


@covers("SamlSigningKeyRepo.add", "SamlSigningKeyRepo.newest")
def test_saml_signing_keys__sealed_newest_generation_first(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        other = new_pool(tx, "us-east-1_Contract2")
        assert tx.saml_signing_keys.newest(pool.id) is None
        first = SamlSigningKey(pool.id, 1, "MIIC1", PEM, NOW)
        tx.saml_signing_keys.add(first)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.saml_signing_keys.add(SamlSigningKey(pool.id, 1, "MIIC-other", PEM, NOW))
    assert caught.value.field == "generation"
    second = SamlSigningKey(pool.id, 2, "MIIC2", PEM + "2", NOW + 1)
    with store.write() as tx:
        tx.saml_signing_keys.add(second)
        tx.saml_signing_keys.add(SamlSigningKey(other.id, 1, "MIIC-o", PEM, NOW))
    with store.read() as tx:
        assert tx.saml_signing_keys.newest(pool.id) == second
    with store.engine.connect() as conn:
        sealed = conn.execute(sa.select(saml_signing_keys.c.private_sealed)).scalars().all()
    assert len(sealed) == 3 and all("PRIVATE KEY" not in value for value in sealed)
    with store.write() as tx:
        tx.pools.delete(pool.id)
    assert rows_in(store, "saml_signing_keys") == 1


def _remember_racing(store: SqlStore, pool_id: str, contenders: int = 4) -> list[bool]:
    start = threading.Barrier(contenders)

    def one(_: int) -> bool:
        start.wait()
        try:
            with store.write() as tx:
                tx.saml_assertions.remember(pool_id, IDP, "_assertion1", NOW + 300, NOW)
        except Conflict:
            return False
        return True

    with ThreadPoolExecutor(contenders) as workers:
        return list(workers.map(one, range(contenders)))


@covers("SamlAssertionRepo.remember")
def test_saml_assertions__accepted_once_per_pool_and_issuer(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        other = new_pool(tx, "us-east-1_Contract2")
    assert sorted(_remember_racing(store, pool.id)) == [False, False, False, True]
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.saml_assertions.remember(pool.id, IDP, "_assertion1", NOW + 600, NOW + 299)
    assert caught.value.field == "assertion_id"
    with store.write() as tx:
        # Another provider's, or another pool's, assertion of the same ID is another assertion.
        tx.saml_assertions.remember(pool.id, "https://other-idp.example", "_assertion1", NOW + 300, NOW)
        tx.saml_assertions.remember(other.id, IDP, "_assertion1", NOW + 300, NOW)
        # Once its time is over, an unswept row refuses nothing.
        tx.saml_assertions.remember(pool.id, IDP, "_assertion1", NOW + 900, NOW + 300)
    assert rows_in(store, "saml_assertions") == 3


@covers("SamlAssertionRepo.delete_expired")
def test_saml_assertions__swept_from_their_time(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        tx.saml_assertions.remember(pool.id, IDP, "_short", NOW + 60, NOW)
        tx.saml_assertions.remember(pool.id, IDP, "_long", NOW + 600, NOW)
    with store.write() as tx:
        tx.saml_assertions.delete_expired(NOW + 59.5)
    assert rows_in(store, "saml_assertions") == 2
    with store.write() as tx:
        tx.saml_assertions.delete_expired(NOW + 60)
    assert rows_in(store, "saml_assertions") == 1
    with store.write() as tx:
        tx.pools.delete(pool.id)
    assert rows_in(store, "saml_assertions") == 0
