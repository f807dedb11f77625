"""model/passkeys.py and the WEB_AUTHN first factor of model/first_factors.py: relying party IDs, the origins
that may use one (W3C Web Authentication Level 3 §5.1.3; browsers' secure contexts), and who is offered a
passkey sign-in."""

from __future__ import annotations

import pytest

from tests.unit.test_first_factors import _pool, _user
from userpool.errors import InvalidParameterException
from userpool.model.first_factors import available_challenges, unknown_user_challenges, user_factors
from userpool.model.passkeys import RelyingParty, check_relying_party_id, origin_allowed, relying_party
from userpool.model.records import Pool


@pytest.mark.parametrize(
    ("rp_id", "origin", "allowed"),
    [
        ("auth.example.com", "https://auth.example.com", True),
        ("auth.example.com", "https://login.auth.example.com:8443", True),
        ("auth.example.com", "http://auth.example.com", False),
        ("auth.example.com", "https://example.com", False),
        ("auth.example.com", "https://evilauth.example.com", False),
        ("auth.example.com", "https://auth.example.com.evil.net", False),
        ("auth.example.com", "https://auth.example.com/path", False),
        ("localhost", "http://localhost:9229", True),
        ("localhost", "http://localhost", True),
        ("localhost", "https://localhost:8443", True),
        ("localhost", "http://app.localhost:3000", True),
        ("localhost", "http://127.0.0.1:9229", False),
        ("localhost", "ftp://localhost", False),
        ("localhost", "null", False),
        ("localhost", "http://localhost:99999", False),
    ],
)
def test_origin_allowed(rp_id: str, origin: str, allowed: bool) -> None:
    assert origin_allowed(rp_id, origin) is allowed


@pytest.mark.parametrize("rp_id", ["localhost", "auth.example.com", "xn--bcher-kva.example", "a-b.co"])
def test_check_relying_party_id__domain_names(rp_id: str) -> None:
    check_relying_party_id(rp_id)


@pytest.mark.parametrize(
    "rp_id", ["127.0.0.1", "::1", "[::1]", "https://a.com", "a.com:443", "a.com/x", "-a.com", "a..com", "1.2.3.4"]
)
def test_check_relying_party_id__never_ips_or_urls(rp_id: str) -> None:
    with pytest.raises(InvalidParameterException):
        check_relying_party_id(rp_id)


def test_relying_party__configured_else_domain() -> None:
    pool = Pool("eu-west-1_abc", "p", {"WebAuthnConfiguration": {"RelyingPartyId": "Auth.Example.com"}}, 0.0, 0.0)
    assert relying_party(pool, "other.example") == RelyingParty("auth.example.com", "preferred")
    bare = Pool("eu-west-1_abc", "p", {}, 0.0, 0.0)
    assert relying_party(bare, "login.example") == RelyingParty("login.example", "preferred")
    assert relying_party(bare, None) is None
    strict = Pool("eu-west-1_abc", "p", {"WebAuthnConfiguration": {"UserVerification": "required"}}, 0.0, 0.0)
    assert relying_party(strict, "x.example") == RelyingParty("x.example", "required")
    counted = {"WebAuthnConfiguration": {"FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"}}
    assert relying_party(Pool("eu-west-1_abc", "p", counted, 0.0, 0.0), "x.example") == RelyingParty(
        "x.example", "required", multi_factor=True
    )


def test_user_factors__web_authn_with_a_passkey_where_allowed() -> None:
    factors = ["PASSWORD", "WEB_AUTHN"]
    assert user_factors(_pool(factors), _user(), has_passkey=True) == ("PASSWORD", "WEB_AUTHN")
    assert user_factors(_pool(factors), _user(), has_passkey=False) == ("PASSWORD",)
    assert user_factors(_pool(["PASSWORD"]), _user(), has_passkey=True) == ("PASSWORD",)
    assert available_challenges(_pool(factors), _user(), True) == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    # Where MFA is required a passkey is a first factor only when it counts as MFA.
    assert user_factors(_pool(factors, mfa="ON"), _user(), has_passkey=True) == ("PASSWORD",)
    assert unknown_user_challenges(_pool(factors, mfa="ON")) == ["PASSWORD", "PASSWORD_SRP"]
    counted = _pool(factors, mfa="ON")
    counted.config["WebAuthnConfiguration"] = {"FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"}
    assert user_factors(counted, _user(), has_passkey=True) == ("PASSWORD", "WEB_AUTHN")
    assert unknown_user_challenges(_pool(factors)) == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
