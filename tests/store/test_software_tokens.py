"""The software-token repository on SQLite and PostgreSQL: sealed secrets, pending vs verified, and the
conditional writes that accept each TOTP step once."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.conftest import Server
from tests.support.users import add_user
from userpool.crypto.sealing import SealError
from userpool.store.sql.tables import software_tokens

NOW = 1_700_000_000.0
FIRST, SECOND = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"


def test_software_tokens__associate_promote_and_reassociate(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    ann = add_user(store, pool_id, "ann")
    with store.read() as tx:
        assert tx.software_tokens.get(pool_id, ann.sub) is None
    with store.write() as tx:
        tx.software_tokens.associate(pool_id, ann.sub, FIRST, NOW)
    with store.read() as tx:
        pending = tx.software_tokens.get(pool_id, ann.sub)
    assert pending is not None
    assert (pending.secret, pending.pending_secret, pending.last_step, pending.verified) == (None, FIRST, None, False)
    with store.write() as tx:
        assert tx.software_tokens.promote(pending, 100, "phone", NOW + 1)
        # The same read a second time: the row moved on, nothing is written.
        assert not tx.software_tokens.promote(pending, 100, "phone", NOW + 1)
    with store.read() as tx:
        verified = tx.software_tokens.get(pool_id, ann.sub)
    assert verified is not None
    assert (verified.secret, verified.pending_secret, verified.last_step) == (FIRST, None, 100)
    assert (verified.friendly_name, verified.verified_at, verified.generation) == ("phone", NOW + 1, 2)

    # A new association waits beside the verified secret, which stays in force until it is replaced.
    with store.write() as tx:
        tx.software_tokens.associate(pool_id, ann.sub, SECOND, NOW + 2)
    with store.read() as tx:
        both = tx.software_tokens.get(pool_id, ann.sub)
    assert both is not None
    assert (both.secret, both.pending_secret, both.last_step, both.generation) == (FIRST, SECOND, 100, 3)


def test_software_tokens__each_step_accepted_once(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    ann = add_user(store, pool_id, "ann")
    with store.write() as tx:
        tx.software_tokens.associate(pool_id, ann.sub, FIRST, NOW)
    with store.read() as tx:
        pending = tx.software_tokens.get(pool_id, ann.sub)
    assert pending is not None
    with store.write() as tx:
        # Nothing verified yet: there is no secret whose step could be accepted.
        assert not tx.software_tokens.accept_step(pending, 5, NOW)
        assert tx.software_tokens.promote(pending, 10, None, NOW)
    with store.read() as tx:
        token = tx.software_tokens.get(pool_id, ann.sub)
    assert token is not None
    with store.write() as tx:
        assert not tx.software_tokens.accept_step(token, 10, NOW)
        assert not tx.software_tokens.accept_step(token, 9, NOW)
        assert tx.software_tokens.accept_step(token, 11, NOW)
        # Two callers holding the same read: the second finds step 11 taken.
        assert not tx.software_tokens.accept_step(token, 11, NOW)
        assert tx.software_tokens.accept_step(token, 12, NOW)
        # A read from before a re-association no longer matches the row.
        tx.software_tokens.associate(pool_id, ann.sub, SECOND, NOW)
        assert not tx.software_tokens.accept_step(replace(token, last_step=12), 13, NOW)
    with store.read() as tx:
        final = tx.software_tokens.get(pool_id, ann.sub)
    assert final is not None and final.last_step == 12


def test_software_tokens__sealed_at_rest_bound_to_user_and_gone_with_it(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    ann, bo = add_user(store, pool_id, "ann"), add_user(store, pool_id, "bo")
    with store.write() as tx:
        tx.software_tokens.associate(pool_id, ann.sub, FIRST, NOW)
        tx.software_tokens.associate(pool_id, bo.sub, SECOND, NOW)
    engine = store.engine
    t = software_tokens
    with engine.begin() as conn:
        rows = conn.execute(sa.select(t)).all()
        assert len(rows) == 2 and all(FIRST not in str(r) and SECOND not in str(r) for r in rows)
        # A sealed secret copied onto another user's row does not open there.
        sealed = conn.execute(sa.select(t.c.pending_secret_sealed).where(t.c.sub == ann.sub)).scalar_one()
        conn.execute(t.update().where(t.c.sub == bo.sub).values(pending_secret_sealed=sealed))
    with pytest.raises(SealError), store.read() as tx:
        tx.software_tokens.get(pool_id, bo.sub)
    with store.write() as tx:
        tx.users.delete(pool_id, ann.sub)
    with store.read() as tx:
        assert tx.software_tokens.get(pool_id, ann.sub) is None
    with engine.begin() as conn:
        assert conn.execute(sa.select(t.c.sub)).scalars().all() == [bo.sub]
