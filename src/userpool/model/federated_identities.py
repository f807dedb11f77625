"""Identities from external providers that sign a user in: the federated user's own and the ones linked to a
user (Cognito developer guide: 'Adding user pool sign-in through a third party', 'Linking federated users to an
existing user profile'; AdminLinkProviderForUser and AdminDisableProviderForUser API references).

An identity is named by its provider and either the provider's subject (``Cognito_Subject``) or, for a link
made by a mapped attribute and not yet used, that pool attribute's name and value. The user attribute
``identities`` lists a user's identities, oldest first; it has two encodings: a JSON string with a boolean
``primary`` and a number ``dateCreated`` (epoch milliseconds) as the user's attribute, and an array of
objects whose values are all strings in the ID token.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from userpool.model.records import Pool
from userpool.model.usernames import case_sensitive

COGNITO_SUBJECT = "Cognito_Subject"
# The ProviderName of the pool's own users in AdminLinkProviderForUser / AdminDisableProviderForUser.
COGNITO_PROVIDER = "Cognito"
IDENTITIES = "identities"
# "The maximum number of federated identities linked to a user is five" (AdminLinkProviderForUser).
MAX_LINKED_IDENTITIES = 5
# The longest subject or attribute value an identity is keyed by (a username holds at most 128 characters,
# the provider's name and "_" included).
MAX_IDENTITY_VALUE = 512
SOCIAL_TYPES = frozenset({"Google", "Facebook", "LoginWithAmazon", "SignInWithApple"})


@dataclass(frozen=True, slots=True)
class FederatedIdentity:
    """One identity of a user from the provider ``provider_name``. ``primary``: the identity that created the
    federated user (False for a linked one). ``disabled``: AdminDisableProviderForUser stopped sign-in through it."""

    pool_id: str
    provider_name: str
    attribute_name: str
    attribute_value: str
    sub: str
    provider_type: str
    issuer: str | None
    primary: bool
    created_at_ms: int
    disabled: bool = False

    @property
    def by_subject(self) -> bool:
        return self.attribute_name == COGNITO_SUBJECT


def federated_username(pool: Pool, provider_name: str, subject: str) -> str:
    """``<ProviderName>_<subject>``, lower-cased whole in a case-insensitive pool (Cognito stores
    ``google_1098...`` there)."""
    name = f"{provider_name}_{subject}"
    return name if case_sensitive(pool) else name.lower()


def provider_group(pool_id: str, provider_name: str) -> str:
    """The group Cognito puts every user of a provider in: ``<UserPoolId>_<ProviderName>``."""
    return f"{pool_id}_{provider_name}"


def _entry(identity: FederatedIdentity) -> dict[str, Any]:
    return {
        "userId": identity.attribute_value,
        "providerName": identity.provider_name,
        "providerType": identity.provider_type,
        "issuer": identity.issuer,
        "primary": identity.primary,
        "dateCreated": identity.created_at_ms,
    }


def identities_attribute(identities: Iterable[FederatedIdentity]) -> str:
    """The ``identities`` attribute: a compact JSON string, oldest identity first."""
    ordered = sorted(identities, key=lambda i: (i.created_at_ms, not i.primary, i.provider_name, i.attribute_value))
    return json.dumps([_entry(i) for i in ordered], separators=(",", ":"), ensure_ascii=False)


def _as_claim_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def identities_claim(attribute: str) -> list[dict[str, Any]] | None:
    """The ID token's ``identities`` claim from the attribute: each entry's values as strings
    (``"primary": "true"``, ``"dateCreated": "1682704282933"``), ``issuer`` null where it is; None when
    the attribute is not a list of objects."""
    try:
        entries = json.loads(attribute)
    except ValueError:
        return None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return None
    return [{k: _as_claim_value(v) for k, v in entry.items()} for entry in entries]
