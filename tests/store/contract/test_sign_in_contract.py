"""The sign-in repositories on SQLite and PostgreSQL: signing keys by generation, sign-in sessions and
refresh tokens, single-use challenge Sessions, sign-in counters, one-time codes, stand-ins, devices and
software tokens. Expiry is judged against an injected clock, at its boundary; single-use and conditional
writes let exactly one of several racing transactions through."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, database_order, new_client, new_pool, new_user, race, rows_in
from userpool.clock import FixedClock
from userpool.model.codes import FORGOT_PASSWORD, MFA_EMAIL, SIGNUP, OneTimeCode
from userpool.model.devices import Device
from userpool.model.records import Client, Pool, User
from userpool.model.token_records import ChallengeSession, RefreshToken, SignInCounters, SigningKey, SignInSession
from userpool.store.base import Conflict
from userpool.store.sql.store import SqlStore

TOTP_A, TOTP_B = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"
STAND_IN_SUB = "0b3c2f4e-8a1d-4c2b-9e7f-5d6a7b8c9d0e"


def _setup(store: SqlStore) -> tuple[Pool, Client, User, User]:
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
        return pool, client, new_user(tx, pool, "ann"), new_user(tx, pool, "bo")


def _key(pool_id: str, use: str, generation: int, kid: str | None = None) -> SigningKey:
    kid = kid or f"{pool_id}-{use}-{generation}"
    pem = f"-----BEGIN PRIVATE KEY-----\n{kid}\n-----END PRIVATE KEY-----\n"
    jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": "0vx7" * 8, "e": "AQAB"}
    return SigningKey(kid, pool_id, use, generation, "current", pem, jwk, NOW)


@covers(
    "SigningKeyRepo.add",
    "SigningKeyRepo.current_kids",
    "SigningKeyRepo.private_pem",
    "SigningKeyRepo.published_key",
    "SigningKeyRepo.latest_generation",
)
def test_signing_keys__one_generation_per_pool_and_use_sealed(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_one")
        other = new_pool(tx, "us-east-1_two")
        assert tx.signing_keys.current_kids(pool.id) == {}
        assert tx.signing_keys.latest_generation(pool.id) == 0
        first = [_key(pool.id, "id", 1), _key(pool.id, "access", 1)]
        tx.signing_keys.add(first)
        tx.signing_keys.add([_key(other.id, "id", 1)])  # generations count per pool
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.signing_keys.add([_key(pool.id, "id", 1, kid="twin")])
    assert caught.value.field == "generation"
    with store.read() as tx:
        assert tx.signing_keys.current_kids(pool.id) == {"id": first[0].kid, "access": first[1].kid}
        assert tx.signing_keys.private_pem(first[1].kid) == first[1].private_pem
        assert tx.signing_keys.private_pem("no-such-kid") is None
        published = tx.signing_keys.published_key(first[0].kid)
        assert published is not None
        assert (published.pool_id, published.token_use, published.public_jwk) == (pool.id, "id", first[0].public_jwk)
        assert published.expires_at is None
        assert tx.signing_keys.published_key("no-such-kid") is None
        assert tx.signing_keys.latest_generation(pool.id) == 1
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT private_sealed FROM signing_keys").scalars().all()
    assert all("PRIVATE KEY" not in value for value in sealed)


@covers("SigningKeyRepo.published", "SigningKeyRepo.retire_current", "SigningKeyRepo.delete_expired")
def test_signing_keys__retired_keys_published_until_they_expire(store: SqlStore) -> None:
    clock = FixedClock(NOW)
    with store.write() as tx:
        pool = new_pool(tx)
        tx.signing_keys.add([_key(pool.id, "id", 1), _key(pool.id, "access", 1)])
        tx.signing_keys.retire_current(pool.id, clock.now(), clock.now() + 100)
        tx.signing_keys.add([_key(pool.id, "id", 2), _key(pool.id, "access", 2)])
    with store.read() as tx:
        assert tx.signing_keys.current_kids(pool.id) == {"id": f"{pool.id}-id-2", "access": f"{pool.id}-access-2"}
        # Newest generation first, then by token use.
        order = [(k.kid.rsplit("-", 2)[1], k.kid[-1]) for k in tx.signing_keys.published(pool.id, clock.now())]
        assert order == [("access", "2"), ("id", "2"), ("access", "1"), ("id", "1")]
        old = tx.signing_keys.published_key(f"{pool.id}-id-1")
        assert old is not None and old.expires_at == NOW + 100
        clock.advance(99.5)
        assert len(tx.signing_keys.published(pool.id, clock.now())) == 4
        clock.advance(0.5)  # at expires_at, a retired key is no longer published
        assert [k.kid for k in tx.signing_keys.published(pool.id, clock.now())] == [
            f"{pool.id}-access-2",
            f"{pool.id}-id-2",
        ]
    with store.write() as tx:
        tx.signing_keys.delete_expired(pool.id, clock.now() - 0.5)
        assert tx.signing_keys.published_key(f"{pool.id}-id-1") is not None
        tx.signing_keys.delete_expired(pool.id, clock.now())
        assert tx.signing_keys.published_key(f"{pool.id}-id-1") is None
        assert tx.signing_keys.latest_generation(pool.id) == 2
    assert rows_in(store, "signing_keys") == 2


@covers("SignInSessionRepo.add", "SignInSessionRepo.get", "SignInSessionRepo.revoke", "SignInSessionRepo.revoke_user")
def test_sign_in_sessions__round_trip_and_revocation(store: SqlStore) -> None:
    pool, client, ann, bo = _setup(store)
    full = SignInSession(
        "11111111-0000-4000-8000-000000000001",
        pool.id,
        client.id,
        ann.sub,
        NOW - 5,
        NOW,
        NOW + 3600,
        device_key="us-east-1_device",
        scopes=("openid", "aws.cognito.signin.user.admin", "https://api/read"),
        last_active_at=NOW + 0.5,
        last_ip="2001:db8::1",
        device_type="Firefox 121 on Linux ✓",
        sso_session_id="sso" + "a1" * 12 + "b",
    )
    bare = SignInSession("11111111-0000-4000-8000-000000000002", pool.id, client.id, ann.sub, NOW, NOW, NOW + 60)
    bos = SignInSession("11111111-0000-4000-8000-000000000003", pool.id, client.id, bo.sub, NOW, NOW, NOW + 60)
    with store.write() as tx:
        for session in (full, bare, bos):
            tx.sign_in_sessions.add(session)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.sign_in_sessions.add(bare)
    assert caught.value.field == "origin_jti"
    with store.read() as tx:
        assert tx.sign_in_sessions.get(full.origin_jti) == full
        assert tx.sign_in_sessions.get(bare.origin_jti) == bare  # no scopes: an empty tuple again
        assert tx.sign_in_sessions.get("no-such-jti") is None
    with store.write() as tx:
        tx.sign_in_sessions.revoke(bare.origin_jti, NOW + 1)
        tx.sign_in_sessions.revoke(bare.origin_jti, NOW + 2)  # the first revocation's time stays
        tx.sign_in_sessions.revoke_user(pool.id, ann.sub, NOW + 3)
    with store.read() as tx:
        assert tx.sign_in_sessions.get(bare.origin_jti) == replace(bare, revoked_at=NOW + 1)
        assert tx.sign_in_sessions.get(full.origin_jti) == replace(full, revoked_at=NOW + 3)
        assert tx.sign_in_sessions.get(bos.origin_jti) == bos


@covers("SignInSessionRepo.extend", "SignInSessionRepo.delete_expired")
def test_sign_in_sessions__extended_then_forgotten_with_their_tokens(store: SqlStore) -> None:
    pool, client, ann, bo = _setup(store)
    clock = FixedClock(NOW)
    mine = SignInSession("22222222-0000-4000-8000-000000000001", pool.id, client.id, ann.sub, NOW, NOW, NOW + 60)
    theirs = replace(mine, origin_jti="22222222-0000-4000-8000-000000000002", sub=bo.sub)
    with store.write() as tx:
        tx.sign_in_sessions.add(mine)
        tx.sign_in_sessions.add(theirs)
        tx.refresh_tokens.add(RefreshToken("a" * 64, mine.origin_jti, NOW, NOW + 60))
        tx.sign_in_sessions.extend(mine.origin_jti, NOW + 120)
        tx.sign_in_sessions.extend(mine.origin_jti, NOW + 90)  # never shortened
    with store.read() as tx:
        extended = tx.sign_in_sessions.get(mine.origin_jti)
        assert extended is not None and extended.expires_at == NOW + 120
    clock.advance(119)
    with store.write() as tx:
        tx.sign_in_sessions.delete_expired(pool.id, ann.sub, clock.now())
        assert tx.sign_in_sessions.get(mine.origin_jti) is not None
        clock.advance(1)
        tx.sign_in_sessions.delete_expired(pool.id, ann.sub, clock.now())
        assert tx.sign_in_sessions.get(mine.origin_jti) is None
        assert tx.refresh_tokens.get("a" * 64) is None
        assert tx.sign_in_sessions.get(theirs.origin_jti) == theirs  # another user's expired session stays


@covers("SignInSessionRepo.live_for_user", "SignInSessionRepo.touch")
def test_sign_in_sessions__a_users_live_ones_and_their_activity(store: SqlStore) -> None:
    pool, client, ann, bo = _setup(store)
    with store.write() as tx:
        other_pool = new_pool(tx, "us-east-1_Contract2")
        other_client = new_client(tx, other_pool, "contractclient0002")
        elsewhere = new_user(tx, other_pool, "ann", sub=ann.sub)  # the same sub in another pool
    first = SignInSession("55555555-0000-4000-8000-000000000001", pool.id, client.id, ann.sub, NOW, NOW, NOW + 60)
    second = replace(first, origin_jti="55555555-0000-4000-8000-000000000002", created_at=NOW + 1)
    revoked = replace(first, origin_jti="55555555-0000-4000-8000-000000000003", revoked_at=NOW)
    expired = replace(first, origin_jti="55555555-0000-4000-8000-000000000004", expires_at=NOW + 10)
    bos = replace(first, origin_jti="55555555-0000-4000-8000-000000000005", sub=bo.sub)
    there = SignInSession(
        "55555555-0000-4000-8000-000000000006", other_pool.id, other_client.id, elsewhere.sub, NOW, NOW, NOW + 60
    )
    with store.write() as tx:
        for session in (second, first, revoked, expired, bos, there):
            tx.sign_in_sessions.add(session)
    with store.read() as tx:
        assert tx.sign_in_sessions.live_for_user(pool.id, ann.sub, NOW + 5) == [first, expired, second]
        assert tx.sign_in_sessions.live_for_user(pool.id, ann.sub, NOW + 10) == [first, second]  # expiry excluded
        assert tx.sign_in_sessions.live_for_user(pool.id, "no-such-sub", NOW) == []
    with store.write() as tx:
        tx.sign_in_sessions.touch(second.origin_jti, NOW + 20, "192.0.2.1", "Safari 17 on iOS")
        tx.sign_in_sessions.touch("no-such-jti", NOW + 20, None, None)  # nothing to do
    with store.read() as tx:
        touched = replace(second, last_active_at=NOW + 20, last_ip="192.0.2.1", device_type="Safari 17 on iOS")
        assert tx.sign_in_sessions.get(second.origin_jti) == touched
        assert tx.sign_in_sessions.get(first.origin_jti) == first


@covers("RefreshTokenRepo.add", "RefreshTokenRepo.get", "RefreshTokenRepo.with_session", "RefreshTokenRepo.supersede")
def test_refresh_tokens__superseded_once(store: SqlStore) -> None:
    pool, client, ann, _ = _setup(store)
    session = SignInSession(
        "33333333-0000-4000-8000-000000000001",
        pool.id,
        client.id,
        ann.sub,
        NOW - 5,
        NOW,
        NOW + 90,
        device_key="us-east-1_0b3c2f4e-8a1d-4c2b-9e7f-5d6a7b8c9d0e",
        scopes=("openid", "email"),
        last_ip="192.0.2.1",
    )
    token = RefreshToken("b" * 64, session.origin_jti, NOW, NOW + 60)
    with store.write() as tx:
        tx.sign_in_sessions.add(session)
        tx.refresh_tokens.add(token)
        tx.refresh_tokens.add(RefreshToken("c" * 64, session.origin_jti, NOW, NOW + 60, superseded_at=NOW - 1))
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.refresh_tokens.add(token)
    assert caught.value.field == "token_hash"
    with pytest.raises(Conflict), store.write() as tx:  # a token of no sign-in
        tx.refresh_tokens.add(RefreshToken("d" * 64, "no-such-jti", NOW, NOW + 60))
    with store.read() as tx:
        assert tx.refresh_tokens.get(token.token_hash) == token
        assert tx.refresh_tokens.get("e" * 64) is None
        # The token's expiry and its session's are two columns of one row there.
        assert tx.refresh_tokens.with_session(token.token_hash) == (token, session)
        assert tx.refresh_tokens.with_session("e" * 64) is None
    assert race(store, lambda tx: tx.refresh_tokens.supersede(token.token_hash, NOW + 1)).count(True) == 1
    with store.write() as tx:
        assert tx.refresh_tokens.supersede(token.token_hash, NOW + 2) is False
        assert tx.refresh_tokens.supersede("c" * 64, NOW + 2) is False
        assert tx.refresh_tokens.supersede("e" * 64, NOW + 2) is False
    with store.read() as tx:
        assert tx.refresh_tokens.get(token.token_hash) == replace(token, superseded_at=NOW + 1)
        assert tx.refresh_tokens.with_session("c" * 64) == (
            replace(token, token_hash="c" * 64, superseded_at=NOW - 1),
            session,
        )


@covers(
    "AuthChallengeRepo.add",
    "AuthChallengeRepo.get",
    "AuthChallengeRepo.consume",
    "AuthChallengeRepo.delete_expired",
)
def test_auth_challenges__single_use_and_expiring(store: SqlStore) -> None:
    pool, client, ann, _ = _setup(store)
    clock = FixedClock(NOW)
    state = {"srp_b": "ff" * 64, "mfa": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"], "note": "Prüfung ✓", "n": None, "e": {}}
    first = ChallengeSession("a" * 64, pool.id, client.id, ann.sub, "PASSWORD_VERIFIER", NOW, NOW + 180, state)
    plain = ChallengeSession("b" * 64, pool.id, client.id, ann.sub, "NEW_PASSWORD_REQUIRED", NOW, NOW + 300)
    with store.write() as tx:
        tx.auth_challenges.add(first)
        tx.auth_challenges.add(plain)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.auth_challenges.add(first)
    assert caught.value.field == "session_hash"
    with store.read() as tx:
        assert tx.auth_challenges.get(first.session_hash) == first
        assert tx.auth_challenges.get(plain.session_hash) == plain
        assert tx.auth_challenges.get("c" * 64) is None
    assert race(store, lambda tx: tx.auth_challenges.consume(first.session_hash)).count(True) == 1
    with store.write() as tx:
        assert tx.auth_challenges.consume(first.session_hash) is False
        tx.auth_challenges.add(first)
        clock.advance(179)
        tx.auth_challenges.delete_expired(clock.now())
        assert tx.auth_challenges.get(first.session_hash) is not None
        clock.advance(1)
        tx.auth_challenges.delete_expired(clock.now())
        assert tx.auth_challenges.get(first.session_hash) is None
        assert tx.auth_challenges.get(plain.session_hash) == plain


@covers("SignInCounterRepo.get", "SignInCounterRepo.set_attempts", "SignInCounterRepo.sign_out")
def test_sign_in_counters__read_modify_write_within_a_transaction(store: SqlStore) -> None:
    pool, _, ann, bo = _setup(store)
    with store.read() as tx:
        assert tx.sign_in_counters.get(pool.id, ann.sub) == SignInCounters()
        assert tx.sign_in_counters.get(pool.id, "no-such-sub") is None
    with store.write() as tx:
        user = tx.users.get_by_sub(pool.id, ann.sub)  # reads the counters along with the row
        assert user is not None
        assert tx.sign_in_counters.get(pool.id, ann.sub, for_update=True) == SignInCounters()
        tx.sign_in_counters.set_attempts(pool.id, ann.sub, SignInCounters(4, NOW, NOW + 900))
        # The transaction sees its own write, not what it read before it.
        assert tx.sign_in_counters.get(pool.id, ann.sub) == SignInCounters(4, NOW, NOW + 900)
        tx.sign_in_counters.sign_out(pool.id, ann.sub, NOW + 5)
        assert tx.sign_in_counters.get(pool.id, ann.sub, for_update=True) == SignInCounters(4, NOW, NOW + 900, NOW + 5)
        tx.sign_in_counters.set_attempts(pool.id, ann.sub, SignInCounters(0, None, None, signed_out_at=NOW + 99))
    with store.read() as tx:
        # set_attempts leaves the sign-out time alone; None clears the attempt times.
        assert tx.sign_in_counters.get(pool.id, ann.sub) == SignInCounters(0, None, None, NOW + 5)
        assert tx.sign_in_counters.get(pool.id, bo.sub) == SignInCounters()


@covers("CodeRepo.put", "CodeRepo.get", "CodeRepo.delete")
def test_codes__one_per_purpose_replaced_and_kept_past_expiry(store: SqlStore) -> None:
    pool, _, ann, bo = _setup(store)
    code = OneTimeCode(pool.id, ann.sub, SIGNUP, "a" * 64, None, NOW + 60, 0, None, 1, NOW, NOW)
    with store.write() as tx:
        tx.codes.put(code)
        tx.codes.put(replace(code, purpose=FORGOT_PASSWORD, attribute="email"))
        tx.codes.put(replace(code, sub=bo.sub))
    replacement = replace(code, code_hash="b" * 64, attribute="phone_number", attempts=2, attempts_since=NOW + 1)
    with store.write() as tx:
        assert tx.codes.get(pool.id, ann.sub, SIGNUP, for_update=True) == code
        tx.codes.put(replacement)
    with store.read() as tx:
        # The store keeps an expired code: whether it may still be used is the caller's judgement.
        assert tx.codes.get(pool.id, ann.sub, SIGNUP) == replacement
        assert tx.codes.get(pool.id, ann.sub, FORGOT_PASSWORD) == replace(
            code, purpose=FORGOT_PASSWORD, attribute="email"
        )
        assert tx.codes.get(pool.id, bo.sub, SIGNUP) == replace(code, sub=bo.sub)
        assert tx.codes.get(pool.id, ann.sub, MFA_EMAIL) is None
    with store.write() as tx:
        tx.codes.delete(pool.id, ann.sub, SIGNUP)
        tx.codes.delete(pool.id, ann.sub, MFA_EMAIL)  # none held: nothing to do
    with store.read() as tx:
        assert tx.codes.get(pool.id, ann.sub, SIGNUP) is None
        assert tx.codes.get(pool.id, bo.sub, SIGNUP) is not None
    assert rows_in(store, "one_time_codes") == 2


@covers(
    "StandInRepo.counters",
    "StandInRepo.codes",
    "StandInRepo.delete_expired",
    "AttemptCounterRepo.get",
    "AttemptCounterRepo.set_attempts",
)
def test_stand_ins__counters_and_codes_without_a_user(store: SqlStore) -> None:
    pool, _, _, _ = _setup(store)
    counters = SignInCounters(failed_attempts=3, last_attempt_at=NOW, locked_until=NOW + 2)
    code = OneTimeCode(pool.id, STAND_IN_SUB, FORGOT_PASSWORD, "c" * 64, "email", NOW + 3600, 1, NOW, 1, NOW, NOW)
    with store.write() as tx:
        # A locking read of a name never tried finds nothing, and leaves nothing that counts.
        assert tx.stand_ins.counters.get(pool.id, STAND_IN_SUB, for_update=True) is None
        assert tx.stand_ins.codes.get(pool.id, STAND_IN_SUB, FORGOT_PASSWORD, for_update=True) is None
    with store.write() as tx:
        assert tx.stand_ins.counters.get(pool.id, STAND_IN_SUB, for_update=True) is None
        tx.stand_ins.counters.set_attempts(pool.id, STAND_IN_SUB, counters)
        tx.stand_ins.codes.put(code)
        tx.stand_ins.codes.put(replace(code, purpose=SIGNUP, attribute=None, attempts_since=None))
    with store.read() as tx:
        assert tx.stand_ins.counters.get(pool.id, STAND_IN_SUB) == counters
        assert tx.stand_ins.codes.get(pool.id, STAND_IN_SUB, FORGOT_PASSWORD) == code
        signup = tx.stand_ins.codes.get(pool.id, STAND_IN_SUB, SIGNUP)
        assert signup == replace(code, purpose=SIGNUP, attribute=None, attempts_since=None)
        assert tx.stand_ins.counters.get("us-east-1_other", STAND_IN_SUB) is None
    with store.write() as tx:
        tx.stand_ins.codes.delete(pool.id, STAND_IN_SUB, SIGNUP)
        tx.stand_ins.delete_expired(NOW + 60)  # the counter lives on, fifteen quiet minutes after the lock
    with store.read() as tx:
        assert tx.stand_ins.codes.get(pool.id, STAND_IN_SUB, SIGNUP) is None
        assert tx.stand_ins.counters.get(pool.id, STAND_IN_SUB) == counters
    with store.write() as tx:
        tx.stand_ins.delete_expired(NOW + 2 + 15 * 60)
    with store.read() as tx:
        assert tx.stand_ins.counters.get(pool.id, STAND_IN_SUB) is None
        assert tx.stand_ins.codes.get(pool.id, STAND_IN_SUB, FORGOT_PASSWORD) == code
    assert rows_in(store, "user_stand_ins") == 1


@covers("StandInRepo.add_session", "StandInRepo.session", "StandInRepo.consume_session")
def test_stand_ins__simulated_challenges_single_use_and_expiring(store: SqlStore) -> None:
    pool, _, _, _ = _setup(store)
    clock = FixedClock(NOW)
    record = {"challenge": "PASSWORD_VERIFIER", "username": "nobody-ü", "salt": "ab" * 8, "empty": [], "none": None}
    with store.write() as tx:
        tx.stand_ins.add_session(pool.id, "d" * 64, record, clock.now() + 180)
        tx.stand_ins.add_session(pool.id, "e" * 64, record, clock.now() + 180)
    with store.read() as tx:
        assert tx.stand_ins.session(pool.id, "d" * 64, clock.now()) == record
        assert tx.stand_ins.session("us-east-1_other", "d" * 64, clock.now()) is None
        clock.advance(180)
        assert tx.stand_ins.session(pool.id, "d" * 64, clock.now()) is None
    assert race(store, lambda tx: tx.stand_ins.consume_session(pool.id, "d" * 64)).count(True) == 1
    with store.write() as tx:
        assert tx.stand_ins.consume_session(pool.id, "d" * 64) is False
        tx.stand_ins.delete_expired(clock.now())
    assert rows_in(store, "user_stand_ins") == 0


@covers("DeviceRepo.add", "DeviceRepo.get", "DeviceRepo.update", "DeviceRepo.delete")
def test_devices__round_trip_sealed_verifier_and_tri_state_remembered(store: SqlStore) -> None:
    pool, _, ann, bo = _setup(store)
    handed_out = Device("us-east-1_dev-1", pool.id, ann.sub, "-AbCdEfGhI", NOW, NOW)
    confirmed = replace(
        handed_out,
        device_key="us-east-1_dev-2",
        name="Pixel — Zoë's ✓",
        srp_salt="aa" * 16,
        srp_verifier="bb" * 128,
        remembered=False,
        last_ip="2001:db8::1",
        confirmed_at=NOW + 1,
        authenticated_at=NOW + 2,
    )
    with store.write() as tx:
        tx.devices.add(handed_out)
        tx.devices.add(confirmed)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.devices.add(replace(handed_out, sub=bo.sub))
    assert caught.value.field == "device_key"
    with store.read() as tx:
        got = tx.devices.get(pool.id, ann.sub, handed_out.device_key)
        assert got == handed_out and got is not None and got.remembered is None
        assert tx.devices.get(pool.id, ann.sub, confirmed.device_key) == confirmed  # False stays False
        assert tx.devices.get(pool.id, bo.sub, handed_out.device_key) is None  # only its owner's
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT srp_verifier_sealed FROM devices").scalars().all()
    assert not any(value and "bb" * 16 in value for value in sealed)
    remembered = replace(confirmed, remembered=True, name=None, last_ip=None, updated_at=NOW + 9)
    with store.write() as tx:
        assert tx.devices.get(pool.id, ann.sub, confirmed.device_key, for_update=True) == confirmed
        tx.devices.update(remembered)
    with store.read() as tx:
        assert tx.devices.get(pool.id, ann.sub, confirmed.device_key) == remembered
    with store.write() as tx:
        assert tx.devices.delete(pool.id, bo.sub, confirmed.device_key) is False
        assert tx.devices.delete(pool.id, ann.sub, confirmed.device_key) is True
        assert tx.devices.delete(pool.id, ann.sub, confirmed.device_key) is False


@covers("DeviceRepo.list_confirmed")
def test_devices__only_confirmed_listed_in_key_order(store: SqlStore) -> None:
    pool, _, ann, bo = _setup(store)
    keys = ["us-east-1_c", "us-east-1_A", "us-east-1_b", "us-east-1_B"]
    with store.write() as tx:
        for key in keys:
            tx.devices.add(Device(key, pool.id, ann.sub, "-g", NOW, NOW, srp_verifier="01", confirmed_at=NOW))
        tx.devices.add(Device("us-east-1_a", pool.id, ann.sub, "-g", NOW, NOW))  # handed out, never confirmed
        tx.devices.add(Device("us-east-1_z", pool.id, bo.sub, "-g", NOW, NOW, srp_verifier="01", confirmed_at=NOW))
    with store.read() as tx:
        order = [key for key in database_order(store, "devices", "device_key") if key in keys]
        first = tx.devices.list_confirmed(pool.id, ann.sub, 3, None)
        assert [d.device_key for d in first.items] == order[:3]
        assert first.items[0].srp_verifier == "01"
        rest = tx.devices.list_confirmed(pool.id, ann.sub, 3, first.next_cursor)
        assert [d.device_key for d in rest.items] == order[3:] and rest.next_cursor is None
    with store.write() as tx:
        tx.users.delete(pool.id, ann.sub)
    assert rows_in(store, "devices") == 1


@covers("SoftwareTokenRepo.get", "SoftwareTokenRepo.associate", "SoftwareTokenRepo.promote")
def test_software_tokens__pending_then_verified_by_one_caller(store: SqlStore) -> None:
    pool, _, ann, _ = _setup(store)
    with store.write() as tx:
        assert tx.software_tokens.get(pool.id, ann.sub) is None
        tx.software_tokens.associate(pool.id, ann.sub, TOTP_A, NOW)
    with store.read() as tx:
        pending = tx.software_tokens.get(pool.id, ann.sub)
    assert pending is not None and (pending.secret, pending.pending_secret, pending.generation) == (None, TOTP_A, 1)
    assert (pending.created_at, pending.associated_at, pending.verified_at, pending.friendly_name) == (
        NOW,
        NOW,
        None,
        None,
    )
    assert race(store, lambda tx: tx.software_tokens.promote(pending, 7, "Authenticator ✓", NOW + 1)).count(True) == 1
    with store.write() as tx:
        tx.software_tokens.associate(pool.id, ann.sub, TOTP_B, NOW + 2)
    with store.read() as tx:
        both = tx.software_tokens.get(pool.id, ann.sub)
    assert both is not None
    assert (both.secret, both.pending_secret, both.last_step, both.generation) == (TOTP_A, TOTP_B, 7, 3)
    assert (both.friendly_name, both.verified_at, both.associated_at, both.created_at) == (
        "Authenticator ✓",
        NOW + 1,
        NOW + 2,
        NOW,
    )
    with store.write() as tx:
        assert tx.software_tokens.promote(pending, 8, None, NOW + 3) is False  # read before the new association
        assert tx.software_tokens.promote(both, 8, None, NOW + 3) is True
    with store.read() as tx:
        verified = tx.software_tokens.get(pool.id, ann.sub)
    assert verified is not None and (verified.secret, verified.pending_secret, verified.friendly_name) == (
        TOTP_B,
        None,
        None,
    )


@covers("SoftwareTokenRepo.delete")
def test_software_tokens__deleted_with_both_secrets(store: SqlStore) -> None:
    pool, _, ann, bea = _setup(store)
    with store.write() as tx:
        tx.software_tokens.associate(pool.id, ann.sub, TOTP_A, NOW)
        tx.software_tokens.associate(pool.id, bea.sub, TOTP_B, NOW)
    with store.read() as tx:
        pending = tx.software_tokens.get(pool.id, ann.sub)
    assert pending is not None
    with store.write() as tx:
        assert tx.software_tokens.promote(pending, 7, "phone", NOW + 1)
        tx.software_tokens.associate(pool.id, ann.sub, TOTP_B, NOW + 2)
    with store.write() as tx:
        assert tx.software_tokens.delete(pool.id, ann.sub) is True
        assert tx.software_tokens.delete(pool.id, ann.sub) is False
    with store.read() as tx:
        assert tx.software_tokens.get(pool.id, ann.sub) is None
        assert tx.software_tokens.get(pool.id, bea.sub) is not None  # another user's stays
    # A promotion read before the deletion finds nothing to promote.
    with store.write() as tx:
        assert tx.software_tokens.promote(pending, 8, None, NOW + 3) is False
        tx.software_tokens.associate(pool.id, ann.sub, TOTP_A, NOW + 4)
    with store.read() as tx:
        fresh = tx.software_tokens.get(pool.id, ann.sub)
    assert fresh is not None and (fresh.secret, fresh.pending_secret, fresh.generation) == (None, TOTP_A, 1)


@covers("SoftwareTokenRepo.accept_step")
def test_software_tokens__each_step_accepted_once(store: SqlStore) -> None:
    pool, _, ann, _ = _setup(store)
    with store.write() as tx:
        tx.software_tokens.associate(pool.id, ann.sub, TOTP_A, NOW)
    with store.read() as tx:
        pending = tx.software_tokens.get(pool.id, ann.sub)
    assert pending is not None
    with store.write() as tx:
        assert tx.software_tokens.accept_step(pending, 5, NOW) is False  # nothing verified yet
        assert tx.software_tokens.promote(pending, 10, None, NOW)
    with store.read() as tx:
        verified = tx.software_tokens.get(pool.id, ann.sub)
    assert verified is not None
    assert race(store, lambda tx: tx.software_tokens.accept_step(verified, 11, NOW + 30)).count(True) == 1
    with store.write() as tx:
        assert tx.software_tokens.accept_step(verified, 11, NOW + 31) is False
        assert tx.software_tokens.accept_step(verified, 10, NOW + 31) is False
        assert tx.software_tokens.accept_step(verified, 2**40, NOW + 31) is True  # steps are 64-bit
    with store.read() as tx:
        latest = tx.software_tokens.get(pool.id, ann.sub)
    assert latest is not None and (latest.last_step, latest.updated_at, latest.generation) == (2**40, NOW + 31, 2)
