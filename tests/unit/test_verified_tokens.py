"""Tokens verified once (crypto/verified_tokens.py): only the exact text comes back, with its key id and a copy of
its claims; the oldest go first beyond the capacity."""

from __future__ import annotations

from userpool.crypto.verified_tokens import VerifiedTokens


def test_verified_tokens__the_exact_token_only_with_copies_of_its_claims() -> None:
    kept = VerifiedTokens()
    kept.put("a.b.c", "kid-1", {"sub": "ann", "cognito:groups": ["x"]})
    kid, claims = kept.get("a.b.c") or ("", {})
    assert (kid, claims) == ("kid-1", {"sub": "ann", "cognito:groups": ["x"]})
    claims["sub"] = "mallory"
    assert kept.get("a.b.c") == ("kid-1", {"sub": "ann", "cognito:groups": ["x"]})
    for other in ("a.b.C", "a.b.c ", "a.b", "", "a.b.c\u0000"):
        assert kept.get(other) is None


def test_verified_tokens__bounded_oldest_first() -> None:
    kept = VerifiedTokens(capacity=3)
    for n in range(5):
        kept.put(f"t{n}", "kid", {"n": n})
    assert [kept.get(f"t{n}") is not None for n in range(5)] == [False, False, True, True, True]
    kept.put("t4", "kid", {"n": 44})  # the same token again takes no second place
    assert [kept.get(f"t{n}") is not None for n in range(2, 5)] == [True, True, True]
