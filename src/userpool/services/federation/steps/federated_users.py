"""The user a verified answer from an identity provider signs in (Cognito developer guide: 'Adding user pool sign-in
through a third party', 'Mapping IdP attributes to profiles and tokens', 'Linking federated users to an existing user
profile', 'Inbound federation Lambda trigger').

In order: the provider's claims through the IdP's AttributeMapping, or the attributes the pool's InboundFederation
function chose instead; then the identity this is: linked to a user, or the federated user the provider's
subject made (found by provider and subject exactly, never by the lower-cased username); else a first sign-in,
which creates it. CustomMessage, UserMigration, the custom-auth and the sender triggers never run here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.context import Ctx
from userpool.errors import CognitoError, InvalidParameterException
from userpool.model.attribute_mapping import mapped_attributes, settable_only
from userpool.model.federated_identities import MAX_IDENTITY_VALUE, federated_username
from userpool.model.records import Client, Pool, User
from userpool.services.federation.steps.federated_calls import FederatedCall, FederatedSignInError, ProviderIdentity
from userpool.services.federation.steps.first_sign_ins import first_sign_in
from userpool.services.federation.steps.returning_users import find_signed_in_as, returning_sign_in
from userpool.store.base import Conflict
from userpool.triggers.inbound_federation import inbound_federation

# A concurrent sign-in through the same identity may change it under this one (a link by attribute settled).
_ATTEMPTS = 2


def _event_attributes(provider: ProviderIdentity, claims: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The InboundFederation event's ``attributes`` when the caller has no finer split of what the provider said."""
    return {"samlResponse" if provider.type == "SAML" else "userInfo": claims}


def _call(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    provider: ProviderIdentity,
    subject: str,
    claims: Mapping[str, Any],
    provider_attributes: Mapping[str, Mapping[str, Any]] | None,
) -> FederatedCall:
    if not subject or len(subject) > MAX_IDENTITY_VALUE or "\x00" in subject:
        raise InvalidParameterException("The identity provider gave no usable subject.")
    attributes = mapped_attributes(provider.attribute_mapping, claims)
    chosen = inbound_federation(
        ctx.triggers,
        pool,
        federated_username(pool, provider.name, subject),
        client_id=client.id,
        provider_name=provider.name,
        provider_type=provider.type,
        provider_attributes=provider_attributes or _event_attributes(provider, claims),
    )
    if chosen is not None:
        attributes = settable_only(chosen)
    return FederatedCall(pool, client, provider, subject, attributes)


def sign_in_federated_user(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    provider: ProviderIdentity,
    subject: str,
    claims: Mapping[str, Any],
    *,
    provider_attributes: Mapping[str, Mapping[str, Any]] | None = None,
) -> User:
    """The user to issue tokens for after ``provider`` authenticated ``subject`` (its ``sub``, ``id``,
    ``user_id`` or SAML NameID, as the provider spells it) with ``claims`` (the ID token's claims overlaid by the
    userinfo answer's, or the SAML attributes). ``provider_attributes``: the InboundFederation event's
    ``attributes`` (``tokenResponse``, ``idToken``, ``userInfo`` or ``samlResponse``), when the caller has them
    apart. Call it outside any transaction: triggers run here. Raises FederatedSignInError."""
    try:
        call = _call(ctx, pool, client, provider, subject, claims, provider_attributes)
        for _ in range(_ATTEMPTS):
            with ctx.store.read() as tx:
                found = find_signed_in_as(tx, call)
            if found is None:
                return first_sign_in(ctx, call)
            try:
                return returning_sign_in(ctx, call, found)
            except Conflict:
                continue
        raise FederatedSignInError("The sign-in could not be completed; try again.", "server_error")
    except CognitoError as err:
        raise FederatedSignInError(err.message) from None
