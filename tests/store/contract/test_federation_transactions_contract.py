"""Federation transactions on SQLite and PostgreSQL: kept whole (the PKCE verifier sealed, never in clear),
taken exactly once when requests race, and swept at their expiry."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_client, new_pool, race, rows_in
from userpool.model.federation_transactions import LIFETIME_SECONDS, FederationTransaction
from userpool.store.base import Conflict
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import federation_transactions

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def _transaction(pool_id: str, client_id: str, state_hash: str = "a" * 64, **over: object) -> FederationTransaction:
    values: dict[str, object] = {
        "state_hash": state_hash,
        "pool_id": pool_id,
        "client_id": client_id,
        "provider_name": "Corp",
        "redirect_uri": "https://app.example/cb?x=ü",
        "response_type": "code",
        "scopes": ("openid", "email"),
        "app_state": "APPSTATE",
        "app_nonce": "APPNONCE",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "nonce": "our-nonce",
        "code_verifier": VERIFIER,
        "idp_redirect_uri": "https://auth.example.com/oauth2/idpresponse",
        "binding_hash": "b" * 64,
        "created_at": NOW,
        "expires_at": NOW + LIFETIME_SECONDS,
        **over,
    }
    return FederationTransaction(**values)  # type: ignore[arg-type]


@covers("FederationTransactionRepo.add", "FederationTransactionRepo.take")
def test_federation_transactions__round_trip_sealed_and_taken_once(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
    full = _transaction(pool.id, client.id)
    bare = _transaction(
        pool.id,
        client.id,
        "c" * 64,
        response_type="token",
        scopes=(),
        app_state=None,
        app_nonce=None,
        code_challenge=None,
        code_challenge_method=None,
    )
    with store.write() as tx:
        tx.federation_transactions.add(full)
        tx.federation_transactions.add(bare)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.federation_transactions.add(full)
    assert caught.value.field == "state_hash"
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(federation_transactions.c.code_verifier_sealed)).scalars().all()
    assert len(stored) == 2 and all(VERIFIER not in value for value in stored)
    wins = race(store, lambda tx: tx.federation_transactions.take(full.state_hash))
    assert [won for won in wins if won is not None] == [full]
    with store.write() as tx:
        assert tx.federation_transactions.take(full.state_hash) is None
        assert tx.federation_transactions.take("d" * 64) is None
        assert tx.federation_transactions.take(bare.state_hash) == bare
    assert rows_in(store, "federation_transactions") == 0


@covers("FederationTransactionRepo.delete_expired")
def test_federation_transactions__swept_from_their_expiry(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
        short = _transaction(pool.id, client.id, "1" * 64, expires_at=NOW + 60)
        long = _transaction(pool.id, client.id, "2" * 64)
        tx.federation_transactions.add(short)
        tx.federation_transactions.add(long)
    with store.write() as tx:
        tx.federation_transactions.delete_expired(NOW + 59.5)
    assert rows_in(store, "federation_transactions") == 2
    with store.write() as tx:
        tx.federation_transactions.delete_expired(NOW + 60)
        assert tx.federation_transactions.take(short.state_hash) is None
        assert tx.federation_transactions.take(long.state_hash) == long


def test_federation_transactions__go_with_their_client(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
        tx.federation_transactions.add(_transaction(pool.id, client.id))
    with store.write() as tx:
        tx.clients.delete(client.id)
    assert rows_in(store, "federation_transactions") == 0
