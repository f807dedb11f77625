"""What a federated sign-in is given once the provider's answer is verified, and how it fails.

The browser flow (``/oauth2/idpresponse``, ``/saml2/idpresponse``) builds a ``ProviderIdentity`` from the IdP
record it signed in through and calls ``federated_users.sign_in_federated_user``; a refusal is a
``FederatedSignInError`` whose ``description`` is what Cognito sends the application as ``error_description``
(Cognito developer guide: 'OIDC user pool IdP authentication flow', errors returned to the app).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from userpool.model.records import Client, Pool


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """The IdP record a sign-in came through: its ``name`` (ProviderName, as the record spells it), ``type``
    (ProviderType), ``issuer`` (a SAML IdP's entity ID; None for OIDC and social providers) and its
    AttributeMapping (pool attribute -> the provider's claim)."""

    name: str
    type: str
    issuer: str | None
    attribute_mapping: Mapping[str, str]


class FederatedSignInError(Exception):
    """A federated sign-in refused. ``description``: Cognito's words (``attributes required: [email]``,
    ``PreSignUp failed with error ...``); ``error``: the OAuth error code the application gets with it."""

    def __init__(self, description: str, error: str = "invalid_request") -> None:
        super().__init__(description)
        self.description = description
        self.error = error


@dataclass(frozen=True, slots=True)
class FederatedCall:
    """One federated sign-in: who signs in (``subject`` as the provider spells it) through which provider
    and app client, and the attributes the provider's answer gives (mapped, or the InboundFederation
    function's choice)."""

    pool: Pool
    client: Client
    provider: ProviderIdentity
    subject: str
    attributes: Mapping[str, str]
