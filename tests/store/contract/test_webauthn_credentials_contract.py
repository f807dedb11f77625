"""Passkeys on SQLite and PostgreSQL: a credential id once per pool (any user), bytes kept exactly, listed per
user in credential-id order across pages, deleted only by their user, and a signature counter that of several
racing sign-ins presenting the same value exactly one advances."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_pool, new_user, race
from userpool.model.passkeys import Passkey
from userpool.store.base import Conflict, Tx
from userpool.store.sql.store import SqlStore


def _passkey(pool_id: str, sub: str, credential_id: bytes, **fields: object) -> Passkey:
    base = Passkey(pool_id, sub, credential_id, b"\xa5\x01\x02\x03&", 0, "localhost", "Passkey", ("internal",), NOW)
    return replace(base, **fields)  # type: ignore[arg-type]


@covers("WebAuthnCredentialRepo.add", "WebAuthnCredentialRepo.get")
def test_webauthn_credentials__round_trip_bytes_exactly(store: SqlStore) -> None:
    stored_id = b"\x00\xff" + bytes(range(30))
    with store.write() as tx:
        pool = new_pool(tx)
        user = new_user(tx, pool, "ann")
        stored = _passkey(pool.id, user.sub, stored_id, authenticator_attachment="platform", transports=("usb", "nfc"))
        tx.webauthn_credentials.add(stored)
    with store.read() as tx:
        assert tx.webauthn_credentials.get(pool.id, stored_id) == stored
        assert tx.webauthn_credentials.get(pool.id, stored_id[:-1]) is None
        assert tx.webauthn_credentials.get("us-east-1_other", stored_id) is None


@covers("WebAuthnCredentialRepo.add")
def test_webauthn_credentials__one_credential_id_per_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool, other = new_pool(tx), new_pool(tx, "us-east-1_Contract2")
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.webauthn_credentials.add(_passkey(pool.id, ann.sub, b"same"))
    for sub in (ann.sub, bo.sub):
        with pytest.raises(Conflict) as refused, store.write() as tx:
            tx.webauthn_credentials.add(_passkey(pool.id, sub, b"same"))
        assert refused.value.field == "credential_id"
    with store.write() as tx:
        # Another pool's user may hold the same id.
        tx.webauthn_credentials.add(_passkey(other.id, new_user(tx, other, "cy").sub, b"same"))


@covers("WebAuthnCredentialRepo.of_user", "WebAuthnCredentialRepo.count")
def test_webauthn_credentials__of_user_pages_in_credential_id_order(store: SqlStore) -> None:
    ids = [bytes([n, 7]) for n in (9, 1, 200, 5, 128)]
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        for credential_id in ids:
            tx.webauthn_credentials.add(_passkey(pool.id, ann.sub, credential_id))
        tx.webauthn_credentials.add(_passkey(pool.id, bo.sub, b"\x02"))
    seen: list[bytes] = []
    after: bytes | None = None
    with store.read() as tx:
        assert tx.webauthn_credentials.count(pool.id, ann.sub) == 5
        assert tx.webauthn_credentials.count(pool.id, bo.sub) == 1
        while True:
            page = tx.webauthn_credentials.of_user(pool.id, ann.sub, 2, after)
            seen += [p.credential_id for p in page.items]
            if page.next_cursor is None:
                break
            after = seen[-1]
    assert seen == sorted(ids)


@covers("WebAuthnCredentialRepo.delete")
def test_webauthn_credentials__deleted_only_by_their_user(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        tx.webauthn_credentials.add(_passkey(pool.id, ann.sub, b"ann-key"))
    with store.write() as tx:
        assert not tx.webauthn_credentials.delete(pool.id, bo.sub, b"ann-key")
        assert tx.webauthn_credentials.delete(pool.id, ann.sub, b"ann-key")
        assert not tx.webauthn_credentials.delete(pool.id, ann.sub, b"ann-key")
    with store.read() as tx:
        assert tx.webauthn_credentials.get(pool.id, b"ann-key") is None


@covers("WebAuthnCredentialRepo.record_use")
def test_webauthn_credentials__racing_uses_of_one_counter_let_one_through(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        user = new_user(tx, pool, "ann")
        stored = _passkey(pool.id, user.sub, b"key", sign_count=4)
        tx.webauthn_credentials.add(stored)

    def attempt(tx: Tx) -> bool:
        return tx.webauthn_credentials.record_use(stored, 5, NOW + 1)

    assert sorted(race(store, attempt)) == [False, False, False, True]
    with store.read() as tx:
        found = tx.webauthn_credentials.get(pool.id, b"key")
    assert found is not None and (found.sign_count, found.last_used_at) == (5, NOW + 1)
