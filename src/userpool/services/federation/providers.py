"""Identity-provider operations: Create/Describe/Update/Delete/ListIdentityProviders and
GetIdentityProviderByIdentifier (AWS: CreateIdentityProvider ... API reference).

A provider is one record per (pool, ProviderName), names compared exactly. Checking a request and what
needs the network (OIDC discovery, SAML metadata) happen before the write transaction; the database then
refuses a second provider of one name, or an IdpIdentifier another provider holds, however requests race.
Deleting a provider also takes its name out of the SupportedIdentityProviders of the pool's app clients:
nobody signs in through it any more (DeleteIdentityProvider), and a client naming a provider that does not
exist could not be saved again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    ConcurrentModificationException,
    DuplicateProviderException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    UnsupportedIdentityProviderException,
)
from userpool.model.client_config import supported_identity_providers, with_supported_identity_providers
from userpool.model.identity_providers import RESERVED_NAMES, IdentityProvider, effective_details
from userpool.model.idp_details import check_new_name
from userpool.model.paging import page_limit
from userpool.model.pool_config import without_nulls
from userpool.services.federation.steps.provider_records import new_provider, updated_provider
from userpool.services.lookup.records import pool_or_404
from userpool.store.base import Conflict, Tx

# Resource quota "identity providers per user pool" (Cognito developer guide: 'Quotas in Amazon Cognito').
MAX_PROVIDERS_PER_POOL = 300
# ListIdentityProviders answers at most 50 (ProvidersListType), though MaxResults may say 60.
MAX_PAGE = 50
_CLIENT_PAGE = 200


def describe(ctx: Ctx, provider: IdentityProvider) -> dict[str, Any]:
    """IdentityProviderType: ProviderDetails with what Cognito derives, Apple's private key left out."""
    body: dict[str, Any] = {
        "UserPoolId": provider.pool_id,
        "ProviderName": provider.name,
        "ProviderType": provider.provider_type,
        "ProviderDetails": effective_details(provider, ctx.settings.federation.endpoints_of(provider.provider_type)),
        "AttributeMapping": dict(provider.attribute_mapping),
        "IdpIdentifiers": list(provider.idp_identifiers),
        "LastModifiedDate": provider.updated_at,
        "CreationDate": provider.created_at,
    }
    if provider.acr_mapping:
        body["AcrMapping"] = dict(provider.acr_mapping)
    return body


def provider_or_404(tx: Tx, pool_id: str, name: str) -> IdentityProvider:
    provider = tx.identity_providers.get(pool_id, name)
    if provider is None:
        raise ResourceNotFoundException(f"Identity provider {name} does not exist in user pool {pool_id}.")
    return provider


def _duplicate(conflict: Conflict, provider: IdentityProvider) -> DuplicateProviderException:
    if conflict.field == "identifier":
        return DuplicateProviderException("An IdpIdentifier of this provider is already used by another provider.")
    return DuplicateProviderException(f"A provider with the name {provider.name} already exists in this user pool.")


def create_identity_provider(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Add an identity provider to a pool (CreateIdentityProvider)."""
    req = without_nulls(req)
    check_new_name(req["ProviderName"], req["ProviderType"])
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        if tx.identity_providers.get(pool.id, req["ProviderName"]) is not None:
            raise DuplicateProviderException(
                f"A provider with the name {req['ProviderName']} already exists in this user pool."
            )
    provider = new_provider(ctx, pool, req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, pool.id, for_update=True)  # the per-pool provider limit
        if tx.identity_providers.count(pool.id) >= MAX_PROVIDERS_PER_POOL:
            raise LimitExceededException(
                f"User pool {pool.id} has reached its limit of {MAX_PROVIDERS_PER_POOL} identity providers."
            )
        try:
            tx.identity_providers.add(provider)
        except Conflict as conflict:
            raise _duplicate(conflict, provider) from None
    return {"IdentityProvider": describe(ctx, provider)}


def describe_identity_provider(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Return one identity provider of a pool by name (DescribeIdentityProvider)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        provider = provider_or_404(tx, pool.id, req["ProviderName"])
    return {"IdentityProvider": describe(ctx, provider)}


def get_identity_provider_by_identifier(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Return the identity provider holding an IdpIdentifier, matched exactly (GetIdentityProviderByIdentifier)."""
    identifier = req["IdpIdentifier"]
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        provider = tx.identity_providers.find_by_identifier(pool.id, identifier)
    if provider is None:
        raise ResourceNotFoundException(f"Identity provider with identifier {identifier} does not exist.")
    return {"IdentityProvider": describe(ctx, provider)}


def _refuse_reserved(name: str) -> None:
    """COGNITO (the pool's own directory) is no record: it can be neither updated nor deleted."""
    if name in RESERVED_NAMES:
        raise UnsupportedIdentityProviderException(f"The identity provider {name} cannot be changed.")


def update_identity_provider(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Change an identity provider: each member sent replaces the stored one (UpdateIdentityProvider).

    The type stays. ConcurrentModificationException when another update wrote the provider between this
    one's read and its write.
    """
    req = without_nulls(req)
    _refuse_reserved(req["ProviderName"])
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        stored = provider_or_404(tx, pool.id, req["ProviderName"])
    provider = updated_provider(ctx, pool, stored, req)
    with ctx.store.write() as tx:
        try:
            written = tx.identity_providers.update(provider, stored.version)
        except Conflict:
            raise InvalidParameterException(
                "An IdpIdentifier of this provider is already used by another provider."
            ) from None
        if not written:
            provider_or_404(tx, pool.id, stored.name)
            raise ConcurrentModificationException(
                f"Identity provider {stored.name} was changed by another request; read it and try again."
            )
    return {"IdentityProvider": describe(ctx, provider)}


def _drop_from_clients(tx: Tx, now: float, pool_id: str, name: str) -> None:
    """Take ``name`` out of SupportedIdentityProviders of every app client of the pool."""
    after: str | None = None
    while True:
        page = tx.clients.list(pool_id, _CLIENT_PAGE, after)
        for client in page.items:
            names = supported_identity_providers(client)
            if name in names:
                config = with_supported_identity_providers(client, [n for n in names if n != name])
                tx.clients.update(dataclasses.replace(client, config=config, updated_at=now))
        if page.next_cursor is None:
            return
        after = page.next_cursor


def delete_identity_provider(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete an identity provider and withdraw it from the pool's app clients (DeleteIdentityProvider)."""
    _refuse_reserved(req["ProviderName"])
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        provider = provider_or_404(tx, pool.id, req["ProviderName"])
        tx.identity_providers.delete(pool.id, provider.name)
        _drop_from_clients(tx, ctx.now, pool.id, provider.name)
    return {}


def list_identity_providers(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Page through a pool's identity providers in byte order of their names (ListIdentityProviders)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        scope = f"ListIdentityProviders:{pool.id}"
        cursor = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
        page = tx.identity_providers.list(pool.id, min(page_limit(req.get("MaxResults"), MAX_PAGE), MAX_PAGE), cursor)
    result: dict[str, Any] = {
        "Providers": [
            {
                "ProviderName": p.name,
                "ProviderType": p.provider_type,
                "LastModifiedDate": p.updated_at,
                "CreationDate": p.created_at,
            }
            for p in page.items
        ]
    }
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token:
        result["NextToken"] = token
    return result
