"""App client operations: Create/Describe/Update/Delete/ListUserPoolClients."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, LimitExceededException, ScopeDoesNotExistException
from userpool.ids import new_client_id, new_client_secret
from userpool.model import session_config
from userpool.model.client_config import (
    CLIENT_TOKEN_NEEDS_SECRET,
    attribute_permissions,
    behaviour_settings,
    explicit_auth_flows,
    redirect_settings,
    token_validity,
)
from userpool.model.identity_providers import COGNITO_PROVIDER, SAML, allows_idp_initiated
from userpool.model.oauth_settings import (
    STANDARD_SCOPES,
    check_oauth_flows,
    check_redirect_url,
    split_custom_scope,
)
from userpool.model.paging import page_limit
from userpool.model.pool_config import without_nulls
from userpool.model.records import Client, ClientSecret, Pool
from userpool.model.schema import definitions
from userpool.model.vocabulary import ExplicitAuthFlow
from userpool.services.lookup.records import client_or_404, pool_or_404
from userpool.store.base import Conflict, Tx

# Resource quota "app clients per user pool" (Cognito developer guide: 'Quotas in Amazon Cognito').
MAX_CLIENTS_PER_POOL = 1000


def describe(client: Client) -> dict[str, Any]:
    """UserPoolClientType for a stored client; ClientSecret only when the client has one."""
    body: dict[str, Any] = {"UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.id}
    if client.secret is not None:
        body["ClientSecret"] = client.secret
    body["LastModifiedDate"] = client.updated_at
    body["CreationDate"] = client.created_at
    body.update(copy.deepcopy(client.config))
    return body


def _check_providers(tx: Tx, pool: Pool, requested: list[str] | None) -> None:
    """SupportedIdentityProviders name COGNITO (the pool's own users) or identity providers of the pool,
    exactly as they are named (CreateUserPoolClient API reference). A client of a SAML provider that allows
    IdP-initiated sign-in names SAML providers only ("Using IdP-initiated SAML sign-in", Cognito developer
    guide)."""
    types: dict[str, str] = {}
    idp_initiated = False
    for name in requested or []:
        if name == COGNITO_PROVIDER:
            types[name] = name
            continue
        provider = tx.identity_providers.get(pool.id, name)
        if provider is None:
            raise InvalidParameterException(f"The provider {name} does not exist for User Pool {pool.id}")
        types[name] = provider.provider_type
        idp_initiated = idp_initiated or allows_idp_initiated(provider)
    if idp_initiated and any(t != SAML for t in types.values()):
        raise InvalidParameterException(
            "An app client with a SAML provider that allows IdP-initiated sign-in can only support SAML providers."
        )


def _check_scopes_exist(tx: Tx, pool: Pool, scopes: list[str] | None) -> None:
    """ScopeDoesNotExistException for a scope that is neither standard nor a resource server's scope."""
    names_by_server: dict[str, set[str] | None] = {}
    for scope in scopes or []:
        if scope in STANDARD_SCOPES:
            continue
        parts = split_custom_scope(scope)
        if parts is not None:
            identifier, name = parts
            if identifier not in names_by_server:
                server = tx.resource_servers.get(pool.id, identifier)
                names_by_server[identifier] = {s["ScopeName"] for s in server.scopes} if server else None
            known = names_by_server[identifier]
            if known is not None and name in known:
                continue
        raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")


def _check_urls(req: dict[str, Any]) -> None:
    for member in ("CallbackURLs", "LogoutURLs"):
        for url in req.get(member) or []:
            check_redirect_url(url, member)
    default = req.get("DefaultRedirectURI")
    if default is not None:
        check_redirect_url(default, "DefaultRedirectURI")
        # CreateUserPoolClient, DefaultRedirectURI: "Must be in the CallbackURLs list."
        if default not in (req.get("CallbackURLs") or []):
            raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")


def _checked_config(tx: Tx, pool: Pool, req: dict[str, Any], has_secret: bool, verb: str) -> dict[str, Any]:
    """The whole stored configuration for a Create/UpdateUserPoolClient request, or the error Cognito gives.

    Reads only; nothing is written until every rule has passed.
    """
    flows = explicit_auth_flows(req.get("ExplicitAuthFlows"))
    if ExplicitAuthFlow.ALLOW_CLIENT_TOKEN_AUTH in flows and not has_secret:
        raise InvalidParameterException(CLIENT_TOKEN_NEEDS_SECRET)
    validity = token_validity(req)
    permissions = attribute_permissions(req, definitions(pool), verb)
    _check_urls(req)
    _check_providers(tx, pool, req.get("SupportedIdentityProviders"))
    _check_scopes_exist(tx, pool, req.get("AllowedOAuthScopes"))
    oauth = redirect_settings(req)
    check_oauth_flows(
        oauth.get("AllowedOAuthFlows", []),
        oauth.get("AllowedOAuthScopes", []),
        oauth.get("CallbackURLs", []),
        has_secret=has_secret,
        enabled=oauth["AllowedOAuthFlowsUserPoolClient"],
    )
    behaviour = behaviour_settings(req, has_secret)
    return {**validity, **permissions, "ExplicitAuthFlows": flows, **oauth, **behaviour}


def _new_secret(req: dict[str, Any]) -> str | None:
    custom = req.get("ClientSecret")
    if custom is not None and req.get("GenerateSecret"):
        # CreateUserPoolClient, ClientSecret: "You cannot specify both GenerateSecret as true and provide
        # a ClientSecret value."
        raise InvalidParameterException("You cannot specify both GenerateSecret as true and a ClientSecret value.")
    if custom is not None:
        return str(custom)
    return new_client_secret() if req.get("GenerateSecret") else None


def create_user_pool_client(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Create an app client with Cognito's defaults filled in (CreateUserPoolClient)."""
    req = without_nulls(req)
    secret = _new_secret(req)
    while True:
        try:
            with ctx.store.write() as tx:
                pool = pool_or_404(tx, req["UserPoolId"], for_update=True)  # the per-pool client limit
                if tx.clients.count(pool.id) >= MAX_CLIENTS_PER_POOL:
                    raise LimitExceededException(
                        f"User pool {pool.id} has reached its limit of {MAX_CLIENTS_PER_POOL} app clients."
                    )
                config = _checked_config(tx, pool, req, secret is not None, "creating")
                secrets = (ClientSecret(secret, ctx.now),) if secret is not None else ()
                client = Client(new_client_id(), pool.id, req["ClientName"], secrets, config, ctx.now, ctx.now)
                tx.clients.add(client)
            return {"UserPoolClient": describe(client)}
        except Conflict:
            continue  # a 26-character id collided; draw another


def describe_user_pool_client(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Return a client's configuration, its secret included (DescribeUserPoolClient)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        return {"UserPoolClient": describe(client_or_404(tx, pool.id, req["ClientId"]))}


def update_user_pool_client(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Replace a client's configuration; omitted members return to their defaults (UpdateUserPoolClient).

    The secret cannot be changed here, and an omitted ClientName keeps the current name.
    """
    req = without_nulls(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        client = client_or_404(tx, pool.id, req["ClientId"])
        config = _checked_config(tx, pool, req, client.secret is not None, "updating")
        updated = dataclasses.replace(
            client, name=req.get("ClientName") or client.name, config=config, updated_at=ctx.now
        )
        tx.clients.update(updated)
    return {"UserPoolClient": describe(updated)}


def delete_user_pool_client(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete an app client of the given pool (DeleteUserPoolClient)."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)  # its session configuration may go too
        client = client_or_404(tx, pool.id, req["ClientId"])
        tx.clients.delete(client.id)
        # A client's own risk configuration (SetRiskConfiguration) goes with it; the pool's stays.
        tx.risk_configurations.delete(pool.id, client.id)
        # So does its session configuration (SetUserPoolClientSessionConfiguration), kept with the pool's.
        config = session_config.with_client_settings(pool.config, client.id, None)
        if config != pool.config:
            tx.pools.update(dataclasses.replace(pool, config=config))
    return {}


def list_user_pool_clients(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Page through a pool's app clients as ClientId/ClientName/UserPoolId summaries (ListUserPoolClients)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        scope = f"ListUserPoolClients:{pool.id}"
        cursor = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
        # Every client here is created through the API, none by dynamic client registration.
        if req.get("ClientType") == "DCR":
            return {"UserPoolClients": []}
        page = tx.clients.list(pool.id, page_limit(req.get("MaxResults")), cursor)
    result: dict[str, Any] = {
        "UserPoolClients": [{"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name} for c in page.items]
    }
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token:
        result["NextToken"] = token
    return result
