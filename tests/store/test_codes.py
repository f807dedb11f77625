"""The one-time code repository on SQLite and PostgreSQL: one live code per (pool, user, purpose)."""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import Server
from tests.support.users import add_user
from userpool.model.codes import FORGOT_PASSWORD, SIGNUP, OneTimeCode

NOW = 1_700_000_000.0


def _code(pool_id: str, sub: str, purpose: str, code_hash: str) -> OneTimeCode:
    return OneTimeCode(
        pool_id=pool_id,
        sub=sub,
        purpose=purpose,
        code_hash=code_hash,
        attribute="email",
        expires_at=NOW + 3600,
        attempts=0,
        attempts_since=None,
        issued=1,
        issued_since=NOW,
        created_at=NOW,
    )


def test_codes__put_replaces_per_purpose_and_delete_removes(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    ann = add_user(store, pool_id, "ann")
    bo = add_user(store, pool_id, "bo")
    first = _code(pool_id, ann.sub, SIGNUP, "a" * 64)
    with store.write() as tx:
        tx.codes.put(first)
        tx.codes.put(_code(pool_id, ann.sub, FORGOT_PASSWORD, "b" * 64))
        tx.codes.put(_code(pool_id, bo.sub, SIGNUP, "c" * 64))
    second = replace(first, code_hash="d" * 64, attempts=3, attempts_since=NOW + 1, issued=2, created_at=NOW + 2)
    with store.write() as tx:
        tx.codes.put(second)
    with store.read() as tx:
        assert tx.codes.get(pool_id, ann.sub, SIGNUP) == second
        assert tx.codes.get(pool_id, ann.sub, FORGOT_PASSWORD, for_update=True) is not None
        assert tx.codes.get(pool_id, bo.sub, SIGNUP) == _code(pool_id, bo.sub, SIGNUP, "c" * 64)
    with store.write() as tx:
        tx.codes.delete(pool_id, ann.sub, SIGNUP)
    with store.read() as tx:
        assert tx.codes.get(pool_id, ann.sub, SIGNUP) is None
        assert tx.codes.get(pool_id, ann.sub, FORGOT_PASSWORD) is not None


def test_codes__go_with_their_user(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    cy = add_user(store, pool_id, "cy")
    with store.write() as tx:
        tx.codes.put(_code(pool_id, cy.sub, FORGOT_PASSWORD, "e" * 64))
        tx.users.delete(pool_id, cy.sub)
    with store.read() as tx:
        assert tx.codes.get(pool_id, cy.sub, FORGOT_PASSWORD) is None
