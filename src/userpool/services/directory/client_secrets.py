"""Rotating an app client's secret: AddUserPoolClientSecret, ListUserPoolClientSecrets,
DeleteUserPoolClientSecret (API reference; the rules are in model/client_secrets.py).

A client holds at most two secrets and authenticates with either, so a new secret can be rolled out to its
applications before the old one is deleted. The pool's row is locked while a client's secrets change, so
that two concurrent additions cannot both see room for one more.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.ids import new_client_secret
from userpool.model.client_secrets import descriptor, with_added_secret, with_deleted_secret
from userpool.services.lookup.records import client_or_404, pool_or_404


def add_user_pool_client_secret(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Give a confidential client a second secret, generated unless ``ClientSecret`` names one:
    AddUserPoolClientSecret. The value is returned only when the server generated it."""
    given = req.get("ClientSecret")
    value = given if given is not None else new_client_secret()
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        client = client_or_404(tx, pool.id, req["ClientId"])
        updated, secret = with_added_secret(client, value, ctx.now)
        tx.clients.update(updated)
    return {"ClientSecretDescriptor": descriptor(updated, secret, with_value=given is None)}


def list_user_pool_client_secrets(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """The ids and creation dates of a client's secrets, oldest first, never their values:
    ListUserPoolClientSecrets (two at most, so one page and no NextToken)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        client = client_or_404(tx, pool.id, req["ClientId"])
    return {"ClientSecrets": [descriptor(client, secret) for secret in client.secrets]}


def delete_user_pool_client_secret(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete one of a client's secrets, never its last: DeleteUserPoolClientSecret. From then on only the
    other secret authenticates the client."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        client = client_or_404(tx, pool.id, req["ClientId"])
        tx.clients.update(with_deleted_secret(client, req["ClientSecretId"]))
    return {}
