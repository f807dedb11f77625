"""Identity providers' JWK Sets as the server keeps them (crypto/idp_key_sets.py), and the attributes URL it
asks for mapped names with (services/federation/steps/userinfo.py)."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import ECKey, OctKey, RSAKey

from userpool.crypto.idp_key_sets import KeySetError, parse_key_set
from userpool.services.federation.steps.userinfo import attributes_request_url

RSA = RSAKey.generate_key(2048).as_dict(private=False)
EC = ECKey.generate_key("P-256").as_dict(private=False)


def test_parse_key_set__keeps_rsa_and_ec_signature_keys_by_kid() -> None:
    keys = parse_key_set({"keys": [{**RSA, "kid": "r", "use": "sig"}, {**EC, "kid": "e"}]})
    assert isinstance(keys["r"], RSAKey) and isinstance(keys["e"], ECKey)
    assert not keys["r"].is_private


@pytest.mark.parametrize(
    "member",
    [
        {**RSA, "kid": "x", "use": "enc"},
        {**RSA},
        {**RSA, "kid": ""},
        {**RSA, "kid": 7},
        {**OctKey.generate_key(256).as_dict(), "kid": "x"},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "x"},
        {"kty": "RSA", "kid": "x", "n": "not base64url!", "e": "AQAB"},
        {"kty": "EC", "kid": "x", "crv": "P-256"},
        "a string",
    ],
)
def test_parse_key_set__ignores_keys_that_cannot_verify_an_id_token(member: Any) -> None:
    assert parse_key_set({"keys": [member, {**EC, "kid": "kept"}]}).keys() == {"kept"}


def test_parse_key_set__the_first_of_two_keys_with_one_kid_is_kept() -> None:
    keys = parse_key_set({"keys": [{**RSA, "kid": "k"}, {**EC, "kid": "k"}]})
    assert isinstance(keys["k"], RSAKey)


@pytest.mark.parametrize("document", [None, [], {}, {"keys": {}}, {"keys": "x"}])
def test_parse_key_set__refuses_a_document_that_is_not_a_jwk_set(document: Any) -> None:
    with pytest.raises(KeySetError):
        parse_key_set(document)


@pytest.mark.parametrize(
    ("url", "add", "names", "expected"),
    [
        ("https://graph.facebook.com/v17.0/me?fields=", True, ["id", "email", "id"], "…/me?fields=id,email"),
        ("https://people.googleapis.com/v1/people/me?personFields=", True, ["names"], "…/me?personFields=names"),
        ("https://graph.facebook.com/v17.0/me?fields=", True, ["a&b=c", ""], "…/me?fields=a%26b%3Dc"),
        ("https://api.amazon.com/user/profile", False, ["email"], "…/profile"),
    ],
)
def test_attributes_request_url__appends_the_mapped_names_once_each(
    url: str, add: bool, names: list[str], expected: str
) -> None:
    built = attributes_request_url(url, add, names)
    assert built.endswith(expected.removeprefix("…")) and built.startswith(url)
