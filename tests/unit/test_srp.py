"""The server side of Cognito's SRP (and the client side this server uses to sign in to another pool) agrees with
the test vector of docs/srp.md and with pycognito's client
math for arbitrary users, passwords and salts (a wrong padHex rule, docs/srp.md, fails about half of random values)."""

from __future__ import annotations

import base64
import hashlib

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pycognito import aws_srp

from userpool.crypto import srp

POOL_ID = "us-east-1_Example1"
SECRET_BLOCK = "c2VjcmV0LWJsb2NrLWRlbW8tMDEyMzQ1Njc4OQ=="
TIMESTAMP = "Tue Sep 5 07:08:09 UTC 2023"


def _sha(value: int) -> str:
    return hashlib.sha256(bytes.fromhex(srp.pad_hex(value))).hexdigest()


def test_constants__match_the_spec() -> None:
    assert hashlib.sha256(srp.N.to_bytes(384, "big")).hexdigest() == (
        "48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c"
    )
    assert format(srp.K, "064x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"


def test_pad_hex__follows_the_two_complement_rule() -> None:
    assert srp.pad_hex(0x7F) == "7f"
    assert srp.pad_hex(0x80) == "0080"
    assert srp.pad_hex(0xABC) == "0abc"
    assert srp.pad_hex(2) == "02"


def test_client__reproduces_the_documented_vector() -> None:
    salt = int("9f1c2e3d4b5a69788796a5b4c3d2e1f0", 16)
    a, b = int("a" * 64, 16), int("b" * 64, 16)
    v = srp.verifier(POOL_ID, "alice", "Passw0rd!", salt)
    big_a = srp.client_public(a)
    key = srp.client_session_key(a, big_a, srp.server_public(v, b), srp.password_x(POOL_ID, "alice", "Passw0rd!", salt))
    assert key is not None and key.hex() == "b735f0ca12209a192445d94487b8ace2"
    # A server public value of 0 mod N is refused, as the clients refuse it.
    assert srp.client_session_key(a, big_a, srp.N, 1) is None


def test_format_timestamp__as_clients_write_it() -> None:
    assert srp.format_timestamp(1693897689) == TIMESTAMP
    assert srp.parse_timestamp(srp.format_timestamp(1_700_000_000.5)) == 1_700_000_000


def test_vector__reproduces_the_documented_vector() -> None:
    salt = int("9f1c2e3d4b5a69788796a5b4c3d2e1f0", 16)
    assert srp.pad_hex(salt) == "009f1c2e3d4b5a69788796a5b4c3d2e1f0"
    x = srp.password_x(POOL_ID, "alice", "Passw0rd!", salt)
    assert format(x, "064x") == "26769f7527cf75387b19c1afcc727fa1f36ba0d35ae74f4fade99c11627a66e1"
    v = srp.verifier(POOL_ID, "alice", "Passw0rd!", salt)
    assert _sha(v) == "a2a30070040bbd0ccbbf7fe7cc24ba0f04b35cdfe2a6eb0daf35b1b3c0f7660f"
    a, b = int("a" * 64, 16), int("b" * 64, 16)
    big_a = pow(srp.G, a, srp.N)
    assert format(big_a, "x").startswith("94a9554a71a4e65e")
    assert _sha(big_a) == "bfbf0e4034f75dfc8413d8a14e8e80cd97e3448c805043013a7622b52e57c6a1"
    big_b = srp.server_public(v, b)
    assert format(big_b, "x").startswith("f2ab835645bcbfeb")
    assert _sha(big_b) == "db05370c5ec56748c99f3a5c9076136ade7631e26970f12536b0a9e8d2ff1993"
    u = srp.scrambler(big_a, big_b)
    assert format(u, "064x") == "e4fba49ac199e9fefd4e76807f16444b2acb8b3b00d796e9c9294dfc5bf61588"
    s = pow(big_a * pow(v, u, srp.N), b, srp.N)
    assert _sha(s) == "1d5edc5b3caa042e02955a51ba3de0b89310ce2dc1109b041a315a87f248bbb9"
    key = srp.session_key(big_a, v, b)
    assert key is not None and key.hex() == "b735f0ca12209a192445d94487b8ace2"
    expected = srp.claim_signature(key, POOL_ID, "alice", base64.b64decode(SECRET_BLOCK), TIMESTAMP)
    assert base64.b64encode(expected).decode() == "YafdrjqL6L+looARIJ/fEUhm+TvicLz7NdtNlIzLhAM="
    assert srp.signature_matches(expected, "YafdrjqL6L+looARIJ/fEUhm+TvicLz7NdtNlIzLhAM=")
    assert not srp.signature_matches(expected, "YafdrjqL6L+looARIJ/fEUhm+TvicLz7NdtNlIzLhAA=")
    assert not srp.signature_matches(expected, "not base64!")


class _NoClient:
    """AWSSRP wants a boto3 client; the math under test never calls it."""


_salts = st.one_of(
    st.integers(min_value=1, max_value=2**128 - 1),
    st.integers(min_value=2**127, max_value=2**128 - 1),  # top bit set: padHex adds "00"
    st.integers(min_value=1, max_value=2**120),  # leading zero bytes: padHex drops them
)


# 25 examples (and the one below): each costs five 3072-bit modular exponentiations in pycognito's pure
# Python, about 40 ms each, and the salt strategies' padding cases each come up several times in 25.
@settings(max_examples=25, deadline=None)
@given(
    username=st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),
    password=st.text(min_size=1, max_size=40),
    salt=_salts,
    b=st.integers(min_value=1, max_value=2**256 - 1),
)
@example(username="alice", password="Passw0rd!", salt=2**127, b=2**255)
def test_property__pycognito_client_and_server_agree(username: str, password: str, salt: int, b: int) -> None:
    client = aws_srp.AWSSRP(username, password, POOL_ID, "client-id", client=_NoClient())
    v = srp.verifier(POOL_ID, username, password, salt)
    big_b = srp.server_public(v, b)
    client_key = client.get_password_authentication_key(username, password, big_b, format(salt, "x"))
    server_key = srp.session_key(srp.parse_client_public(format(client.large_a_value, "x")) or 0, v, b)
    assert server_key == bytes(client_key)
    challenge = {
        "USERNAME": username,
        "USER_ID_FOR_SRP": username,
        "SALT": format(salt, "x"),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": SECRET_BLOCK,
    }
    answer = client.process_challenge(challenge, {"USERNAME": username})
    expected = srp.claim_signature(server_key, POOL_ID, username, base64.b64decode(SECRET_BLOCK), answer["TIMESTAMP"])
    assert srp.signature_matches(expected, answer["PASSWORD_CLAIM_SIGNATURE"])
    assert srp.verifier(POOL_ID, username, password + "x", salt) != v


@settings(max_examples=20, deadline=None)
@given(
    username=st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),
    password=st.text(min_size=1, max_size=40),
    salt=_salts,
)
def test_property__this_client_and_server_agree(username: str, password: str, salt: int) -> None:
    v = srp.verifier(POOL_ID, username, password, salt)
    a, b = srp.new_client_secret(), srp.new_server_secret()
    big_a = srp.client_public(a)
    x = srp.password_x(POOL_ID, username, password, salt)
    assert srp.client_session_key(a, big_a, srp.server_public(v, b), x) == srp.session_key(big_a, v, b)
    wrong = srp.password_x(POOL_ID, username, password + "x", salt)
    assert srp.client_session_key(a, big_a, srp.server_public(v, b), wrong) != srp.session_key(big_a, v, b)
