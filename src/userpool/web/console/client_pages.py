"""App clients: list, create (the secret shown once, on the page that answers the creation), details with a
"launch hosted UI" link, edit and delete (Create/Describe/Update/Delete/ListUserPoolClients); the client's
secrets on its page, listed with when each was made, a second one added (its value shown on the page that
answers, and never again) and one deleted, never the last (List/Add/DeleteUserPoolClientSecret)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from userpool.model.client_config import UNWRITABLE_ATTRIBUTES
from userpool.model.client_secrets import MAX_SECRETS
from userpool.model.vocabulary import ExplicitAuthFlow
from userpool.web.console.frame import Page, problem
from userpool.web.console.pool_forms import echo, number
from userpool.web.console.pool_pages import load_pool
from userpool.web.console.provider_forms import TYPE_LABELS
from userpool.web.console.provider_pages import pool_providers
from userpool.web.console.wording import when

# Labelled with the names that tutorials and the AWS documentation use (ExplicitAuthFlows' values).
AUTH_FLOWS = tuple(
    (name, f"{name} — {what}")
    for name, what in (
        (ExplicitAuthFlow.ALLOW_USER_SRP_AUTH, "secure remote password (SRP)"),
        (ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH, "refresh tokens"),
        (ExplicitAuthFlow.ALLOW_USER_PASSWORD_AUTH, "user name and password"),
        (ExplicitAuthFlow.ALLOW_ADMIN_USER_PASSWORD_AUTH, "admin (server-side) password"),
        (ExplicitAuthFlow.ALLOW_CUSTOM_AUTH, "custom (Lambda) challenges"),
        (ExplicitAuthFlow.ALLOW_USER_AUTH, "choice-based sign-in"),
        (ExplicitAuthFlow.ALLOW_TOKEN_EXCHANGE_DELEGATION, "token exchange: delegation"),
        (ExplicitAuthFlow.ALLOW_TOKEN_EXCHANGE_IMPERSONATION, "token exchange: impersonation"),
        (ExplicitAuthFlow.ALLOW_CLIENT_TOKEN_AUTH, "machine-to-machine tokens (GetClientToken), alone"),
    )
)
OAUTH_FLOWS = (
    ("code", "Authorization code grant"),
    ("implicit", "Implicit grant"),
    ("client_credentials", "Client credentials"),
)
STANDARD_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
FIELDS = {
    "clientName": "client_name",
    "explicitAuthFlows": "auth_flows",
    "accessTokenValidity": "access_validity",
    "idTokenValidity": "id_validity",
    "refreshTokenValidity": "refresh_validity",
    "readAttributes": "read_attributes",
    "writeAttributes": "write_attributes",
    "allowedOAuthFlows": "oauth_flows",
    "allowedOAuthScopes": "scopes",
    "callbackURLs": "callback_urls",
    "logoutURLs": "logout_urls",
    "supportedIdentityProviders": "providers",
}
# Errors of Cognito's that name no validation path, and the field each is about (model/client_config.py,
# model/oauth_settings.py): shown there as well as above the form.
_MESSAGE_FIELDS = (
    ("CallbackUrls", "callback_urls"),
    ("Invalid write attributes", "write_attributes"),
    ("Invalid read attributes", "read_attributes"),
    ("AllowedOAuthScopes", "scopes"),
    ("Invalid scope", "scopes"),
    ("with client_credentials flow", "scopes"),
    ("AllowedOAuthFlows", "oauth_flows"),
    ("client_credentials flow", "oauth_flows"),
    ("The provider", "providers"),
    ("IdP-initiated sign-in", "providers"),
)
_MINUTES = {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 1440}
_MULTI = ("auth_flows", "oauth_flows", "scopes", "read_attributes", "write_attributes", "providers")
_FLAGS = ("generate_secret", "prevent_existence_errors", "token_revocation")
# UpdateUserPoolClient members the form does not show: sent back as they are, since an update replaces all.
_KEPT = (
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
    "DefaultRedirectURI",
)


def _lines(page: Page, name: str) -> list[str] | None:
    found = [line.strip() for line in page.raw(name).splitlines() if line.strip()]
    return found or None


def client_request(page: Page) -> dict[str, Any]:
    """The members the form sets, as Create/UpdateUserPoolClient take them."""
    flows = page.values("oauth_flows")
    request: dict[str, Any] = {
        "ClientName": page.text("client_name"),
        "ExplicitAuthFlows": page.values("auth_flows") or None,
        "AccessTokenValidity": number(page, "access_validity"),
        "IdTokenValidity": number(page, "id_validity"),
        "RefreshTokenValidity": number(page, "refresh_validity"),
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        "ReadAttributes": page.values("read_attributes") or None,
        "WriteAttributes": page.values("write_attributes") or None,
        "PreventUserExistenceErrors": "ENABLED" if page.checked("prevent_existence_errors") else "LEGACY",
        "EnableTokenRevocation": page.checked("token_revocation"),
        "SupportedIdentityProviders": page.values("providers") or None,
        "CallbackURLs": _lines(page, "callback_urls"),
        "LogoutURLs": _lines(page, "logout_urls"),
        "AllowedOAuthFlows": flows or None,
        "AllowedOAuthScopes": page.values("scopes") or None,
        "AllowedOAuthFlowsUserPoolClient": bool(flows),
    }
    return request


def _in_minutes(client: dict[str, Any], member: str, unit_key: str) -> int | str:
    if member not in client:
        return ""
    unit = client.get("TokenValidityUnits", {}).get(unit_key, "hours")
    return round(int(client[member]) * _MINUTES[unit])


def client_values(client: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a client as DescribeUserPoolClient shows it (validities in the form's units)."""
    refresh_unit = client.get("TokenValidityUnits", {}).get("RefreshToken", "days")
    refresh = round(int(client.get("RefreshTokenValidity", 30)) * _MINUTES[refresh_unit] / _MINUTES["days"])
    access = _in_minutes(client, "AccessTokenValidity", "AccessToken")
    id_token = _in_minutes(client, "IdTokenValidity", "IdToken")
    return {
        "client_name": client.get("ClientName", ""),
        "auth_flows": client.get("ExplicitAuthFlows", []),
        "access_validity": access,
        "id_validity": id_token,
        "refresh_validity": refresh or 1,
        "read_attributes": client.get("ReadAttributes", []),
        "write_attributes": client.get("WriteAttributes", []),
        "prevent_existence_errors": client.get("PreventUserExistenceErrors") == "ENABLED",
        "token_revocation": client.get("EnableTokenRevocation", True),
        "providers": client.get("SupportedIdentityProviders", []),
        "callback_urls": "\n".join(client.get("CallbackURLs", [])),
        "logout_urls": "\n".join(client.get("LogoutURLs", [])),
        "oauth_flows": client.get("AllowedOAuthFlows", []),
        "scopes": client.get("AllowedOAuthScopes", []),
    }


def _place_errors(page: Page) -> None:
    for message in page.errors.messages:
        field = next((name for phrase, name in _MESSAGE_FIELDS if phrase in message), None)
        if field and message not in page.errors.get(field):
            page.errors.note(field, message)


def _new_values() -> dict[str, Any]:
    """What the AWS console proposes for a new client, but no OAuth grant: a grant needs a callback URL, and
    the form as first shown must be one that can be sent as it is."""
    return {
        "auth_flows": [ExplicitAuthFlow.ALLOW_USER_SRP_AUTH, ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH],
        "access_validity": 60,
        "id_validity": 60,
        "refresh_validity": 30,
        "prevent_existence_errors": True,
        "token_revocation": True,
        "providers": ["COGNITO"],
        "oauth_flows": [],
        "scopes": ["openid", "email", "profile"],
    }


async def _choices(page: Page, pool: dict[str, Any]) -> dict[str, Any]:
    servers = await page.call("ListResourceServers", {"UserPoolId": pool["Id"], "MaxResults": 50}) or {}
    custom = [
        f"{server['Identifier']}/{scope['ScopeName']}"
        for server in servers.get("ResourceServers", [])
        for scope in server.get("Scopes", [])
    ]
    attributes = [a["Name"] for a in pool.get("SchemaAttributes", []) if a["Name"] != "sub"]
    providers = [
        (p["ProviderName"], f"{p['ProviderName']} ({TYPE_LABELS.get(p['ProviderType'], p['ProviderType'])})")
        for p in await pool_providers(page, pool["Id"])
    ]
    return {
        "auth_flow_choices": AUTH_FLOWS,
        "oauth_flow_choices": OAUTH_FLOWS,
        "scope_choices": [(s, s) for s in (*STANDARD_SCOPES, *custom)],
        "attribute_choices": [(a, a) for a in attributes],
        # Cognito refuses email_verified and phone_number_verified among WriteAttributes: users change them
        # only by confirming a code (AWS: CreateUserPoolClient API reference, WriteAttributes).
        "writable_choices": [(a, a) for a in attributes if a not in UNWRITABLE_ATTRIBUTES],
        "provider_choices": [("COGNITO", "Cognito user pool directory"), *providers],
    }


def _crumbs(page: Page, pool: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("User pools", page.url("/")),
        (pool["Name"], page.pool_url()),
        ("App clients", page.pool_url("/clients")),
        *more,
    ]


async def clients(page: Page) -> Response:
    pool = await load_pool(page)
    found = await page.call("ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": 60}) or {}
    return await page.render(
        "clients.html",
        pool=pool,
        clients=found.get("UserPoolClients", []),
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("App clients", None)],
    )


async def _client_form(
    page: Page, pool: dict[str, Any], values: dict[str, Any], client: dict[str, Any] | None
) -> Response:
    title = f"Edit {client['ClientName']}" if client else "Create app client"
    action = page.pool_url(f"/clients/{client['ClientId']}/edit") if client else page.pool_url("/clients/new")
    choices = await _choices(page, pool)
    # A flow the form does not offer (a legacy name such as ADMIN_NO_SRP_AUTH) is shown, ticked, so that
    # saving the form keeps it: an update replaces the whole list.
    offered = {value for value, _ in AUTH_FLOWS}
    kept = [(f, f) for f in values.get("auth_flows") or [] if isinstance(f, str) and f not in offered]
    choices["auth_flow_choices"] = (*AUTH_FLOWS, *kept)
    return await page.render(
        "client_form.html",
        pool=pool,
        client=client,
        values=values,
        title=title,
        action=action,
        crumbs=_crumbs(page, pool, (title, None)),
        **choices,
    )


async def new_client(page: Page) -> Response:
    pool = await load_pool(page)
    if page.request.method == "GET":
        return await _client_form(page, pool, _new_values(), None)
    request = {"UserPoolId": pool["Id"], "GenerateSecret": page.checked("generate_secret"), **client_request(page)}
    created = None if page.errors else await page.call("CreateUserPoolClient", request, FIELDS)
    if created is None:
        _place_errors(page)
        return await _client_form(page, pool, echo(page, _MULTI, _FLAGS), None)
    client = created["UserPoolClient"]
    # The answer to the creation is the one page that shows the secret: it is not shown again.
    return await _client_page(
        page, pool, client, secret=client.get("ClientSecret"), status=201, notice="client_created"
    )


async def _client_page(
    page: Page,
    pool: dict[str, Any],
    client: dict[str, Any],
    secret: str | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    hosted = None
    if client.get("AllowedOAuthFlowsUserPoolClient") and client.get("CallbackURLs"):
        query = {
            "client_id": client["ClientId"],
            "response_type": "code" if "code" in client.get("AllowedOAuthFlows", []) else "token",
            "scope": " ".join(client.get("AllowedOAuthScopes", [])),
            "redirect_uri": client["CallbackURLs"][0],
        }
        hosted = f"{page.origin}/oauth2/authorize?{urlencode(query)}"
    target = {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]}
    risk = (await page.call("DescribeRiskConfiguration", target) or {}).get("RiskConfiguration", {})
    return await page.render(
        "client.html",
        status,
        pool=pool,
        client=client,
        secret=secret,
        secrets=await _secrets(page, pool, client),
        max_secrets=MAX_SECRETS,
        hosted_url=hosted,
        own_risk_configuration=risk.get("ClientId") == client["ClientId"],
        crumbs=_crumbs(page, pool, (client["ClientName"], None)),
        notice=notice,
    )


async def _describe(page: Page, pool: dict[str, Any]) -> dict[str, Any]:
    client_id = str(page.request.path_params["client_id"])
    found = await page.fetch("DescribeUserPoolClient", {"UserPoolId": pool["Id"], "ClientId": client_id})
    return dict(found["UserPoolClient"])


async def client_detail(page: Page) -> Response:
    pool = await load_pool(page)
    return await _client_page(page, pool, await _describe(page, pool))


async def edit_client(page: Page) -> Response:
    pool = await load_pool(page)
    client = await _describe(page, pool)
    if page.request.method == "GET":
        return await _client_form(page, pool, client_values(client), client)
    request = {k: copy.deepcopy(client[k]) for k in _KEPT if k in client}
    request.update(client_request(page))
    request.update(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    if page.errors or await page.call("UpdateUserPoolClient", request, FIELDS) is None:
        _place_errors(page)
        return await _client_form(page, pool, echo(page, _MULTI, _FLAGS), client)
    return page.redirect(page.pool_url(f"/clients/{client['ClientId']}"), "client_updated")


async def delete_client(page: Page) -> Response:
    pool = await load_pool(page)
    client = await _describe(page, pool)
    if page.request.method == "POST":
        done = await page.call("DeleteUserPoolClient", {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]})
        if done is not None:
            return page.redirect(page.pool_url("/clients"), "client_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title=f"Delete {client['ClientName']}",
        question=f"Delete the app client {client['ClientName']} ({client['ClientId']})?",
        detail="Applications using it can no longer sign users in; tokens already issued stay valid until they expire.",
        confirm_label="Delete app client",
        danger=True,
        action=page.pool_url(f"/clients/{client['ClientId']}/delete"),
        back=page.pool_url(f"/clients/{client['ClientId']}"),
        crumbs=_crumbs(page, pool, (client["ClientName"], None)),
    )


async def _secrets(page: Page, pool: dict[str, Any], client: dict[str, Any]) -> list[dict[str, Any]]:
    """The client's secrets, oldest first (none for a public client)."""
    if not client.get("ClientSecret"):
        return []
    target = {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]}
    found = await page.fetch("ListUserPoolClientSecrets", target)
    return list(found.get("ClientSecrets", []))


async def add_secret(page: Page) -> Response:
    """A generated second secret, shown once on the client's page that answers."""
    pool = await load_pool(page)
    client = await _describe(page, pool)
    added = await page.call("AddUserPoolClientSecret", {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]})
    if added is None:
        return await _client_page(page, pool, client, status=400)
    secret = added["ClientSecretDescriptor"]["ClientSecretValue"]
    return await _client_page(page, pool, client, secret=secret, status=201, notice="secret_added")


async def delete_secret(page: Page) -> Response:
    """One of the client's secrets: confirmed (GET), then deleted (POST)."""
    pool = await load_pool(page)
    client = await _describe(page, pool)
    secret_id = page.arg("secret", 128)
    chosen = next((s for s in await _secrets(page, pool, client) if s["ClientSecretId"] == secret_id), None)
    if chosen is None:
        return await problem(page, 404, "Secret not found", f"{client['ClientName']} has no secret with that ID.")
    here = page.pool_url(f"/clients/{client['ClientId']}")
    if page.request.method == "POST":
        request = {"UserPoolId": pool["Id"], "ClientId": client["ClientId"], "ClientSecretId": secret_id}
        if await page.call("DeleteUserPoolClientSecret", request) is not None:
            return page.redirect(here, "secret_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title=f"Delete a secret of {client['ClientName']}",
        question=f"Delete the client secret {secret_id}, made {when(chosen.get('ClientSecretCreateDate'))}?",
        detail="Applications that still authenticate with it are refused from now on; the other secret keeps working.",
        confirm_label="Delete secret",
        danger=True,
        action=page.pool_url(f"/clients/{client['ClientId']}/secrets/delete", secret=secret_id),
        back=here,
        crumbs=_crumbs(page, pool, (client["ClientName"], here), ("Delete secret", None)),
    )
