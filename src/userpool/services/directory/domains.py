"""Pool domain operations: Create/Describe/Update/DeleteUserPoolDomain (Cognito developer guide: 'Configuring a user
pool domain').

A prefix domain is a bare label (``myapp``); a custom domain is a full host name with a certificate
(``auth.example.com`` + CustomDomainConfig). Domains are unique across the server because the pool
domain endpoints find their pool from the Host header.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from userpool.config import Settings
from userpool.context import Ctx
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.model.pool_config import without_nulls
from userpool.model.records import Domain
from userpool.services.lookup.records import pool_or_404
from userpool.store.base import Conflict, Tx

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PREFIX = re.compile(_LABEL)
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
# Cognito refuses prefixes that could pass for its own or AWS's (AWS docs, "Using the Amazon Cognito
# prefix domain": the prefix "can't contain aws, amazon, or cognito").
_RESERVED_WORDS = ("aws", "amazon", "cognito")
# ManagedLoginVersion: 1 = hosted UI (classic), 2 = managed login (CreateUserPoolDomain).
_LOGIN_VERSIONS = (1, 2)
_TAKEN = "Domain already associated with another user pool."


def _is_custom(domain: Domain) -> bool:
    return "CustomDomainConfig" in domain.config


def _check_name(name: str, custom: bool) -> None:
    if custom:
        if len(name) > 253 or not _HOST.fullmatch(name):
            raise InvalidParameterException(f"{name} is not a valid custom domain name.")
        return
    if not _PREFIX.fullmatch(name):
        raise InvalidParameterException(
            f"{name} is not a valid domain prefix; use CustomDomainConfig for a custom domain."
        )
    for word in _RESERVED_WORDS:
        if word in name:
            raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")


def _check_settings(req: dict[str, Any], custom: bool) -> None:
    version = req.get("ManagedLoginVersion")
    if version is not None and version not in _LOGIN_VERSIONS:
        raise InvalidParameterException("ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login).")
    if req.get("Routing") is not None and not custom:
        # CreateUserPoolDomain, Routing: "currently only supported for custom domains".
        raise InvalidParameterException("Routing configuration is only supported for custom domains.")


def _our_host(ctx: Ctx) -> str:
    """The host that serves every domain here: what AWS would name as the CloudFront distribution."""
    return urlsplit(ctx.settings.base_url).hostname or "localhost"


def domain_url(settings: Settings, name: str) -> str | None:
    """Where a domain's pages are served: a custom domain under its own name (over HTTPS, as its certificate
    says), a prefix domain under the auth domain suffix, on the server's scheme and port. None for a prefix
    under an IP address (``myapp.127.0.0.1``), a name nothing resolves."""
    if "." in name:
        return f"https://{name}"
    base = urlsplit(settings.base_url)
    suffix = settings.auth_domain_suffix or base.hostname or "localhost"
    try:
        ipaddress.ip_address(suffix.strip("[]"))
    except ValueError:
        port = f":{base.port}" if base.port else ""
        return f"{base.scheme}://{name}.{suffix}{port}"
    return None


def pool_domain_host(ctx: Ctx, tx: Tx, pool_id: str) -> str | None:
    """The host of the pool's custom domain, else of its prefix domain; None without a domain that has a
    host name (the default passkey relying party ID: WebAuthnConfigurationType)."""
    for domain in sorted(tx.domains.for_pool(pool_id), key=lambda d: not _is_custom(d)):
        url = domain_url(ctx.settings, domain.domain)
        if url is not None:
            return urlsplit(url).hostname
    return None


def pages_url(ctx: Ctx, tx: Tx, pool_id: str) -> str:
    """The base URL of the pool's hosted pages, for links in its messages: its custom domain, else its prefix
    domain, else the server's own URL (where the pages find the pool from the client_id)."""
    domains = sorted(tx.domains.for_pool(pool_id), key=lambda d: not _is_custom(d))
    url = domain_url(ctx.settings, domains[0].domain) if domains else None
    return url or ctx.settings.base_url


def _answer(ctx: Ctx, domain: Domain) -> dict[str, Any]:
    """The response of Create/UpdateUserPoolDomain."""
    body: dict[str, Any] = {"ManagedLoginVersion": domain.config.get("ManagedLoginVersion", 1)}
    if _is_custom(domain):
        body["CloudFrontDomain"] = _our_host(ctx)
    if "Routing" in domain.config:
        body["Routing"] = copy.deepcopy(domain.config["Routing"])
    return body


def _domain_of_pool(tx: Tx, pool_id: str, name: str) -> Domain:
    domain = tx.domains.get(name)
    if domain is None or domain.pool_id != pool_id:
        raise ResourceNotFoundException(f"Domain {name} does not exist in user pool {pool_id}.")
    return domain


def create_user_pool_domain(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Attach a prefix or custom domain to a pool; at most one of each per pool (CreateUserPoolDomain)."""
    req = without_nulls(req)
    name, custom_config = req["Domain"], req.get("CustomDomainConfig")
    custom = custom_config is not None
    _check_name(name, custom)
    _check_settings(req, custom)
    config: dict[str, Any] = {"ManagedLoginVersion": req.get("ManagedLoginVersion") or 1}
    if custom:
        config["CustomDomainConfig"] = copy.deepcopy(custom_config)
    if req.get("Routing") is not None:
        config["Routing"] = copy.deepcopy(req["Routing"])
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)  # one domain of each kind per pool
        existing = tx.domains.get(name)
        if existing is not None:
            raise InvalidParameterException(_TAKEN if existing.pool_id != pool.id else "Domain already exists.")
        if any(_is_custom(d) == custom for d in tx.domains.for_pool(pool.id)):
            raise InvalidParameterException("User pool already has a domain configured.")
        domain = Domain(name, pool.id, config, ctx.now, ctx.now)
        try:
            tx.domains.add(domain)
        except Conflict:
            raise InvalidParameterException(_TAKEN) from None
    return _answer(ctx, domain)


def describe_user_pool_domain(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Look a domain up by name; an unknown domain gives an empty description (DescribeUserPoolDomain)."""
    with ctx.store.read() as tx:
        domain = tx.domains.get(req["Domain"])
    if domain is None:
        # AWS answers an unknown domain with an empty DomainDescription rather than an error.
        return {"DomainDescription": {}}
    body: dict[str, Any] = {
        "UserPoolId": domain.pool_id,
        "AWSAccountId": ctx.settings.account_id,
        "Domain": domain.domain,
        "CloudFrontDistribution": _our_host(ctx),
        "Status": "ACTIVE",
        **copy.deepcopy(domain.config),
    }
    return {"DomainDescription": body}


def update_user_pool_domain(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Change a domain's ManagedLoginVersion, certificate or routing (UpdateUserPoolDomain).

    The name of a domain never changes; members left out keep their current values.
    """
    req = without_nulls(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        domain = _domain_of_pool(tx, pool.id, req["Domain"])
        custom = _is_custom(domain)
        _check_settings(req, custom)
        if req.get("CustomDomainConfig") is not None and not custom:
            raise InvalidParameterException("CustomDomainConfig can only be set on a custom domain.")
        config = copy.deepcopy(domain.config)
        for member in ("ManagedLoginVersion", "CustomDomainConfig", "Routing"):
            if req.get(member) is not None:
                config[member] = copy.deepcopy(req[member])
        domain = dataclasses.replace(domain, config=config, updated_at=ctx.now)
        tx.domains.update(domain)
    return _answer(ctx, domain)


def delete_user_pool_domain(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Detach a domain from the pool that owns it (DeleteUserPoolDomain)."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        domain = _domain_of_pool(tx, pool.id, req["Domain"])
        tx.domains.delete(domain.domain)
    return {}
