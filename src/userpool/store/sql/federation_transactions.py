"""Sign-ins waiting for an identity provider's answer, by the SHA-256 of the state sent to the provider.

A transaction is taken by a SELECT followed by a DELETE that must remove its row: of two requests racing with
the same state, the database lets exactly one delete it (the other's DELETE removes nothing, or waits for
the first to commit and then removes nothing), so only one of them gets it. The PKCE verifier is sealed,
bound to the state's digest, so a row copied under another state does not open.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.federation_transactions import FederationTransaction
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import federation_transactions

_f = federation_transactions.c


def _context(state_hash: str) -> str:
    return f"federation-transaction:{state_hash}"


class SqlFederationTransactionRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    def add(self, transaction: FederationTransaction) -> None:
        t = transaction
        with conflicts_as({}, "state_hash"):
            self._conn.execute(
                federation_transactions.insert().values(
                    state_hash=t.state_hash,
                    pool_id=t.pool_id,
                    client_id=t.client_id,
                    provider_name=t.provider_name,
                    redirect_uri=t.redirect_uri,
                    response_type=t.response_type,
                    scopes=list(t.scopes),
                    app_state=t.app_state,
                    app_nonce=t.app_nonce,
                    code_challenge=t.code_challenge,
                    code_challenge_method=t.code_challenge_method,
                    nonce=t.nonce,
                    code_verifier_sealed=self._sealer.seal(t.code_verifier, _context(t.state_hash)),
                    idp_redirect_uri=t.idp_redirect_uri,
                    binding_hash=t.binding_hash,
                    created_at=t.created_at,
                    expires_at=t.expires_at,
                )
            )

    def take(self, state_hash: str) -> FederationTransaction | None:
        row = self._conn.execute(sa.select(federation_transactions).where(_f.state_hash == state_hash)).first()
        if row is None:
            return None
        deleted = self._conn.execute(federation_transactions.delete().where(_f.state_hash == state_hash))
        if deleted.rowcount != 1:
            return None
        return self._transaction(row)

    def _transaction(self, row: Any) -> FederationTransaction:
        return FederationTransaction(
            state_hash=row.state_hash,
            pool_id=row.pool_id,
            client_id=row.client_id,
            provider_name=row.provider_name,
            redirect_uri=row.redirect_uri,
            response_type=row.response_type,
            scopes=tuple(row.scopes or ()),
            app_state=row.app_state,
            app_nonce=row.app_nonce,
            code_challenge=row.code_challenge,
            code_challenge_method=row.code_challenge_method,
            nonce=row.nonce,
            code_verifier=self._sealer.unseal(row.code_verifier_sealed, _context(row.state_hash)),
            idp_redirect_uri=row.idp_redirect_uri,
            binding_hash=row.binding_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    def delete_expired(self, now: float) -> None:
        self._conn.execute(federation_transactions.delete().where(_f.expires_at <= now))
