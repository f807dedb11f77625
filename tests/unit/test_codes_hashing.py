"""One-time codes are stored as digests that a copy of the database alone cannot turn back into codes."""

from __future__ import annotations

from userpool.crypto.codes import code_hash, code_matches, new_code


def test_code_hash__depends_on_the_server_key_user_and_purpose() -> None:
    code = new_code()
    digest = code_hash(b"server-key", "pool", "sub", "signup", code)
    assert code_matches(b"server-key", digest, "pool", "sub", "signup", code)
    assert code_hash(b"other-key", "pool", "sub", "signup", code) != digest
    assert code_hash(b"server-key", "pool", "sub2", "signup", code) != digest
    assert code_hash(b"server-key", "pool", "sub", "forgot_password", code) != digest
    assert not code_matches(b"server-key", digest, "pool", "sub", "signup", "x" + code[1:])
