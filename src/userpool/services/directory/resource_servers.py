"""Resource server operations: Create/Describe/Update/Delete/ListResourceServers.

A resource server defines custom scopes ``<identifier>/<scope name>`` that app clients may be allowed
(AllowedOAuthScopes). When a scope disappears, by DeleteResourceServer or by an UpdateResourceServer that
leaves it out, it is also taken out of every app client of the pool: Cognito stops granting a deleted
server's scopes (DeleteResourceServer: "users can no longer generate access tokens with scopes that are
associated with that resource server"), and a client left naming a scope that no longer exists could not
be saved again, since Create/UpdateUserPoolClient refuse unknown scopes with ScopeDoesNotExistException.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from userpool.model.client_config import allowed_oauth_scopes, with_oauth_scopes
from userpool.model.oauth_settings import split_custom_scope
from userpool.model.paging import page_limit
from userpool.model.pool_config import without_nulls
from userpool.model.records import ResourceServer
from userpool.services.lookup.records import pool_or_404
from userpool.store.base import Conflict, Tx

# Resource quota "resource servers per user pool" (Cognito developer guide: 'Quotas in Amazon Cognito').
MAX_SERVERS_PER_POOL = 25
DEFAULT_PAGE_SIZE = 50
_CLIENT_PAGE = 200


def _wire(server: ResourceServer) -> dict[str, Any]:
    return {
        "UserPoolId": server.pool_id,
        "Identifier": server.identifier,
        "Name": server.name,
        "Scopes": [dict(s) for s in server.scopes],
    }


def _scopes(req: dict[str, Any]) -> list[dict[str, str]]:
    """The Scopes of a request as stored; a scope name may appear once per server."""
    scopes = [{"ScopeName": s["ScopeName"], "ScopeDescription": s["ScopeDescription"]} for s in req.get("Scopes") or []]
    seen: set[str] = set()
    for scope in scopes:
        if scope["ScopeName"] in seen:
            raise InvalidParameterException(f"Duplicate scope name {scope['ScopeName']} in resource server.")
        seen.add(scope["ScopeName"])
    return scopes


def _server_or_404(tx: Tx, pool_id: str, identifier: str) -> ResourceServer:
    server = tx.resource_servers.get(pool_id, identifier)
    if server is None:
        raise ResourceNotFoundException(f"Resource server {identifier} does not exist in user pool {pool_id}.")
    return server


def _drop_client_scopes(tx: Tx, now: float, pool_id: str, identifier: str, kept: set[str]) -> None:
    """Take ``identifier``'s scopes other than ``kept`` out of every app client of the pool."""

    def dangling(scope: str) -> bool:
        parts = split_custom_scope(scope)
        return parts is not None and parts[0] == identifier and parts[1] not in kept

    after: str | None = None
    while True:
        page = tx.clients.list(pool_id, _CLIENT_PAGE, after)
        for client in page.items:
            scopes = allowed_oauth_scopes(client)
            remaining = [s for s in scopes if not dangling(s)]
            if len(remaining) == len(scopes):
                continue
            config = with_oauth_scopes(client, remaining)
            tx.clients.update(dataclasses.replace(client, config=config, updated_at=now))
        if page.next_cursor is None:
            return
        after = page.next_cursor


def create_resource_server(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Define a resource server and its custom scopes; identifiers are unique per pool (CreateResourceServer)."""
    req = without_nulls(req)
    scopes = _scopes(req)
    identifier = req["Identifier"]
    duplicate = f"{identifier} already exists in pool {req['UserPoolId']}."
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)  # the per-pool server limit
        if tx.resource_servers.get(pool.id, identifier) is not None:
            raise InvalidParameterException(duplicate)
        if tx.resource_servers.count(pool.id) >= MAX_SERVERS_PER_POOL:
            raise LimitExceededException(
                f"User pool {pool.id} has reached its limit of {MAX_SERVERS_PER_POOL} resource servers."
            )
        server = ResourceServer(pool.id, identifier, req["Name"], scopes, ctx.now, ctx.now)
        try:
            tx.resource_servers.add(server)
        except Conflict:
            raise InvalidParameterException(duplicate) from None
    return {"ResourceServer": _wire(server)}


def describe_resource_server(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Return one resource server of a pool (DescribeResourceServer)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        return {"ResourceServer": _wire(_server_or_404(tx, pool.id, req["Identifier"]))}


def update_resource_server(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Replace a resource server's name and scopes; omitted Scopes means none (UpdateResourceServer)."""
    req = without_nulls(req)
    scopes = _scopes(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        server = _server_or_404(tx, pool.id, req["Identifier"])
        updated = dataclasses.replace(server, name=req["Name"], scopes=scopes, updated_at=ctx.now)
        tx.resource_servers.update(updated)
        names = {s["ScopeName"] for s in scopes}
        if any(s["ScopeName"] not in names for s in server.scopes):
            _drop_client_scopes(tx, ctx.now, pool.id, server.identifier, names)
    return {"ResourceServer": _wire(updated)}


def delete_resource_server(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete a resource server and withdraw its scopes from the pool's app clients (DeleteResourceServer)."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        server = _server_or_404(tx, pool.id, req["Identifier"])
        tx.resource_servers.delete(pool.id, server.identifier)
        _drop_client_scopes(tx, ctx.now, pool.id, server.identifier, set())
    return {}


def list_resource_servers(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Page through a pool's resource servers, MaxResults 1-50 (ListResourceServers)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        scope = f"ListResourceServers:{pool.id}"
        page = tx.resource_servers.list(
            pool.id,
            page_limit(req.get("MaxResults"), DEFAULT_PAGE_SIZE),
            ctx.deps.page_tokens.decode(req.get("NextToken"), scope),
        )
    result: dict[str, Any] = {"ResourceServers": [_wire(s) for s in page.items]}
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token:
        result["NextToken"] = token
    return result
