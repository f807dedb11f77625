"""RS256 tokens as crypto/jwt.py signs and checks them: byte for byte what joserfc makes of the same header and
claims, read by PyJWT and joserfc, and every malformed or forged variant refused."""

from __future__ import annotations

import base64
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt as pyjwt
import orjson
import pytest
from joserfc import jws
from joserfc.jwk import RSAKey

from userpool.crypto import jwt, keys

PEM = keys.generate_private_pem()
OTHER_PEM = keys.generate_private_pem()
JWK = keys.public_jwk(PEM)
KID = JWK["kid"]
CLAIMS: dict[str, Any] = {
    "sub": "5f3c6a1e-0000-4000-8000-000000000001",
    "iss": "http://localhost:9229/us-east-1_Example1",
    "client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
    "token_use": "access",
    "scope": "aws.cognito.signin.user.admin",
    "cognito:groups": ["admins", "ünïcode"],
    "auth_time": 1_700_000_000,
    "exp": 1_700_003_600,
    "iat": 1_700_000_000,
    "username": "alice",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signing_key() -> jwt.ParsedKey:
    return jwt.KeyCache().add_signing_key(KID, PEM)


def _verifying_key() -> jwt.ParsedKey:
    return jwt.KeyCache().remember(KID, "us-east-1_Example1", JWK)[1]


def test_sign__the_bytes_joserfc_makes() -> None:
    token = jwt.sign(CLAIMS, KID, _signing_key())
    expected = jws.serialize_compact({"alg": "RS256", "kid": KID}, orjson.dumps(CLAIMS), RSAKey.import_key(PEM))
    assert token == expected
    assert orjson.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==")) == {"alg": "RS256", "kid": KID}


def test_sign__read_by_pyjwt_and_joserfc_with_the_published_key() -> None:
    token = jwt.sign(CLAIMS, KID, _signing_key())
    public = pyjwt.PyJWK(JWK).key
    assert pyjwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False}) == CLAIMS
    assert orjson.loads(jws.deserialize_compact(token, RSAKey.import_key(JWK)).payload) == CLAIMS
    assert pyjwt.get_unverified_header(token) == {"alg": "RS256", "kid": KID}


def test_verify__claims_of_a_good_token_with_the_private_or_public_key() -> None:
    token = jwt.sign(CLAIMS, KID, _signing_key())
    assert jwt.verify(token, _verifying_key()) == CLAIMS
    assert jwt.verify(token, _signing_key()) == CLAIMS
    parsed = jwt.parse(token)
    assert (parsed.kid, parsed.header) == (KID, {"alg": "RS256", "kid": KID})
    assert jwt.verified_claims(parsed, _verifying_key()) == CLAIMS


def test_sign__another_kid_than_the_keys_own() -> None:
    token = jwt.sign(CLAIMS, "other-kid", _signing_key())
    assert jwt.unverified_header(token) == {"alg": "RS256", "kid": "other-kid"}
    assert jwt.verify(token, _verifying_key()) == CLAIMS


def test_sign__a_public_key_cannot_sign() -> None:
    with pytest.raises(ValueError):
        jwt.sign(CLAIMS, KID, _verifying_key())


def _forged(token: str) -> list[str]:
    """Variants of a good token that must all be refused."""
    head, payload, signature = token.split(".")
    other = jwt.sign(CLAIMS, KID, jwt.KeyCache().add_signing_key(KID, OTHER_PEM))
    changed = _b64(orjson.dumps({**CLAIMS, "username": "mallory"}))
    last = signature[-1]
    flipped = "A" if signature[-2] != "A" else "B"
    nul_kid = _b64(orjson.dumps({"alg": "RS256", "kid": "a\x00b"}))
    return [
        f"{head}.{changed}.{signature}",  # claims changed
        f"{head}.{payload}.{other.split('.')[2]}",  # another key's signature
        f"{head}.{payload}.{signature[:-2]}{flipped}{last}",  # signature changed
        f"{head}.{payload}",  # two segments
        f"{head}.{payload}.{signature}.",  # four
        f"{head}.{payload}.{signature}=",  # padding
        f"{head}=.{payload}.{signature}",
        f"{head}.{payload}.{signature.replace('-', '+').replace('_', '/')}",  # plain base64's alphabet
        f"{head}.{payload}é.{signature}",  # not ASCII
        f"{head}.{payload}.{signature[:-1]}{chr(ord(last) + 1) if last not in 'zZ9_-' else 'B'}",  # non-canonical end
        f"{_b64(orjson.dumps({'alg': 'none', 'kid': KID}))}.{payload}.",
        f"{_b64(orjson.dumps({'alg': 'HS256', 'kid': KID}))}.{payload}.{signature}",
        f"{_b64(orjson.dumps({'alg': 'RS256'}))}.{payload}.{signature}",  # no kid
        f"{nul_kid}.{payload}.{signature}",
        f"{_b64(orjson.dumps({'alg': 'RS256', 'kid': KID, 'crit': ['exp']}))}.{payload}.{signature}",
        f"{_b64(b'[1]')}.{payload}.{signature}",
        f"{_b64(b'{')}.{payload}.{signature}",
        f"{_b64(orjson.dumps({'alg': 'RS256', 'kid': KID, 'x': 'y' * 400}))}.{payload}.{signature}",  # oversized
    ]


def test_verify__refuses_forged_and_malformed_tokens() -> None:
    token = jwt.sign(CLAIMS, KID, _signing_key())
    for bad in _forged(token):
        with pytest.raises(jwt.JwtError):
            jwt.verify(bad, _verifying_key())


def test_verify__refuses_claims_that_are_not_an_object() -> None:
    key = _signing_key()
    assert key.private is not None
    head = key.header.decode()
    for payload in (b"[1, 2]", b"not json"):
        signing_input = f"{head}.{_b64(payload)}".encode()
        signature = key.private.sign(signing_input, jwt._PADDING, jwt._SHA256)
        with pytest.raises(jwt.JwtError):
            jwt.verify(f"{signing_input.decode()}.{_b64(signature)}", key)


def test_key_cache__bounded_and_remembers_the_owner() -> None:
    cache = jwt.KeyCache(capacity=2)
    for kid in ("a", "b", "c"):
        cache.remember(kid, f"pool-{kid}", JWK)
    assert cache.verifying_key("a") is None
    found = cache.verifying_key("c")
    assert found is not None and found[0] == "pool-c"
    assert cache.signing_key(KID) is None
    assert cache.add_signing_key(KID, PEM) is cache.signing_key(KID)


def test_public_key_from_jwk__refuses_what_is_not_an_rsa_key() -> None:
    for bad in ({**JWK, "kty": "EC"}, {**JWK, "n": "a+b"}, {**JWK, "e": 3}):
        with pytest.raises(ValueError):
            jwt.public_key_from_jwk(bad)


class _Overlap:
    """A private key that signs with the real one and counts how many of its signatures run at once."""

    def __init__(self, private: Any) -> None:
        self._private = private
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0

    def sign(self, data: bytes, padding: Any, algorithm: Any) -> bytes:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.002)  # long enough for the other threads to arrive while this one signs
            return bytes(self._private.sign(data, padding, algorithm))
        finally:
            with self._lock:
                self.running -= 1


@pytest.mark.parametrize("cpus", [1, 2])
def test_sign__computes_at_most_one_signature_per_usable_cpu_at_once(
    monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    real = _signing_key()
    overlap = _Overlap(real.private)
    key = jwt.ParsedKey(KID, real.public, overlap)  # type: ignore[arg-type]
    monkeypatch.setattr(jwt, "SIGNERS", jwt.Signers(lambda: cpus))
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(lambda n: jwt.sign({**CLAIMS, "jti": str(n)}, KID, key), range(24)))
    assert overlap.most == cpus
    # Every signature is still the key's own.
    for n, token in enumerate(tokens):
        assert jwt.verified_claims(jwt.parse(token), real)["jti"] == str(n)
