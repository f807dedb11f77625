"""model/attribute_mapping.py and model/federated_identities.py: an external provider's claims as the pool's
attributes, and the two encodings of ``identities`` (Cognito developer guide: 'Mapping IdP attributes to profiles
and tokens'; 'Linking federated users to an existing user profile')."""

from __future__ import annotations

import json
from typing import Any

import pytest

from userpool.errors import InvalidParameterException
from userpool.model.attribute_mapping import (
    claim_text,
    first_sign_in_attributes,
    later_sign_in_attributes,
    mapped_attributes,
)
from userpool.model.federated_identities import (
    COGNITO_SUBJECT,
    FederatedIdentity,
    federated_username,
    identities_attribute,
    identities_claim,
)
from userpool.model.records import Pool
from userpool.model.schema import build_schema


def _pool(case_sensitive: bool = False, schema: list[dict[str, Any]] | None = None) -> Pool:
    config = {"UsernameConfiguration": {"CaseSensitive": case_sensitive}, "SchemaAttributes": build_schema(schema)}
    return Pool("eu-west-1_abc", "p", config, 0.0, 0.0)


def _identity(value: str, created_at_ms: int, primary: bool, provider: str = "Google") -> FederatedIdentity:
    return FederatedIdentity(
        "eu-west-1_abc", provider, COGNITO_SUBJECT, value, "sub", provider, None, primary, created_at_ms
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (1.5, "1.5"),
        ("Ann", "Ann"),
        (["a", "b"], '["a","b"]'),
        ({"formatted": "1 Main St"}, '{"formatted":"1 Main St"}'),
        (None, None),
        ("", None),
    ],
)
def test_claim_text__values_as_attribute_strings(value: Any, text: str | None) -> None:
    assert claim_text(value) == text


def test_mapped_attributes__server_owned_names_never_mapped() -> None:
    mapping = {
        "email": "mail",
        "email_verified": "verified",
        "sub": "id",
        "identities": "id",
        "cognito:user_status": "id",
        "username": "id",
        "given_name": "missing",
    }
    claims = {"mail": "a@example.com", "verified": "True", "id": "x"}
    assert mapped_attributes(mapping, claims) == {"email": "a@example.com", "email_verified": "true"}


def test_first_sign_in_attributes__email_unverified_unless_mapped() -> None:
    pool = _pool()
    assert first_sign_in_attributes(pool, {"email": "a@example.com"}, None) == {
        "email": "a@example.com",
        "email_verified": "false",
    }
    given = {"phone_number": "+15555550100", "phone_number_verified": "true"}
    assert first_sign_in_attributes(pool, given, None) == given


def test_first_sign_in_attributes__every_required_attribute_named() -> None:
    required = [
        {"Name": "email", "AttributeDataType": "String", "Required": True},
        {"Name": "phone_number", "AttributeDataType": "String", "Required": True},
    ]
    with pytest.raises(InvalidParameterException) as refused:
        first_sign_in_attributes(_pool(schema=required), {"given_name": "Ann"}, None)
    assert refused.value.message == "attributes required: [email, phone_number]"


def test_first_sign_in_attributes__schema_problems_in_cognitos_words() -> None:
    with pytest.raises(InvalidParameterException) as refused:
        first_sign_in_attributes(_pool(), {"email": "not-an-address", "custom:nope": "x"}, None)
    assert refused.value.message == (
        "Invalid user attributes: email: Invalid email address format.\n"
        "custom:nope: Attribute does not exist in the schema."
    )


def test_later_sign_in_attributes__changed_address_unverified_unchanged_kept() -> None:
    pool = _pool()
    current = {"sub": "s", "email": "a@example.com", "email_verified": "true", "name": "Ann"}
    assert later_sign_in_attributes(pool, current, {"email": "a@example.com"}, None) == current
    changed = later_sign_in_attributes(pool, current, {"email": "b@example.com"}, None)
    assert (changed["email"], changed["email_verified"], changed["name"]) == ("b@example.com", "false", "Ann")
    flagged = later_sign_in_attributes(pool, current, {"email": "b@example.com", "email_verified": "TRUE"}, None)
    assert flagged["email_verified"] == "true"


def test_federated_username__lower_cased_whole_in_case_insensitive_pools() -> None:
    assert federated_username(_pool(), "ADFS", "AD\\rumesh") == "adfs_ad\\rumesh"
    assert federated_username(_pool(case_sensitive=True), "Google", "1098AB") == "Google_1098AB"


def test_identities__attribute_and_claim_encodings() -> None:
    linked = _identity("g-2", 1682704282933, primary=False, provider="Facebook")
    own = _identity("1098", 1651166579396, primary=True)
    attribute = identities_attribute([linked, own])
    assert attribute == (
        '[{"userId":"1098","providerName":"Google","providerType":"Google","issuer":null,"primary":true,'
        '"dateCreated":1651166579396},{"userId":"g-2","providerName":"Facebook","providerType":"Facebook",'
        '"issuer":null,"primary":false,"dateCreated":1682704282933}]'
    )
    claim = identities_claim(attribute)
    assert claim is not None
    assert claim[0] == {
        "userId": "1098",
        "providerName": "Google",
        "providerType": "Google",
        "issuer": None,
        "primary": "true",
        "dateCreated": "1651166579396",
    }
    assert (claim[1]["primary"], claim[1]["dateCreated"]) == ("false", "1682704282933")
    assert json.loads(attribute)[0]["primary"] is True
    assert identities_claim("not json") is None and identities_claim('{"a": 1}') is None
