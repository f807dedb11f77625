"""Which pool a pool-domain request is for, and which app client an OAuth request speaks for (Cognito developer guide:
'Configuring a user pool domain', 'Token endpoint').

A request that arrives on a pool's domain (``<prefix>.<auth domain suffix>`` or a custom domain) belongs to
that pool; on the server's plain URL the pool is the one of the ``client_id``, so everything works on
``http://localhost:9229`` without DNS. A client of another pool than the domain's is unknown there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from userpool.context import Ctx
from userpool.model.client_config import allows_oauth_flow
from userpool.model.client_secrets import secret_matches
from userpool.model.oauth_requests import OAuthError
from userpool.model.records import Client, Pool
from userpool.store.base import Tx

# AWS's own prefix-domain form, for set-ups that point such a name at this server (/etc/hosts, a proxy).
_AWS_SUFFIX = ".amazoncognito.com"


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The client authentication a token or revocation request carried: HTTP Basic or form fields."""

    client_id: str | None
    secret: str | None
    basic: bool


def host_name(host_header: str) -> str:
    """The host of a Host header, lower-case, without port or trailing dot."""
    try:
        name = urlsplit(f"//{host_header}").hostname or ""
    except ValueError:
        return ""
    return name.rstrip(".").lower()


@lru_cache(maxsize=8)
def _suffix(auth_domain_suffix: str, base_url: str) -> str:
    suffix = auth_domain_suffix or urlsplit(base_url).hostname or "localhost"
    return suffix.strip(".").lower()


def _domain_names(ctx: Ctx, host_header: str) -> tuple[str, tuple[str, ...]]:
    """The host of ``host_header`` and the domain names it could be stored under (none for no host)."""
    settings = ctx.settings
    suffix = _suffix(settings.auth_domain_suffix, settings.base_url)
    if len(host_header) > _HOST_MAX:
        return _names_of(host_header, suffix)
    return _kept_names_of(host_header, suffix)


def _names_of(host_header: str, suffix: str) -> tuple[str, tuple[str, ...]]:
    host = host_name(host_header)
    if not host or len(host) > 253:
        return host, ()
    candidates = [host]  # a custom domain is its full host name
    if host.endswith("." + suffix):
        candidates.append(host[: -len(suffix) - 1])
    if host.endswith(_AWS_SUFFIX) and ".auth." in host:
        candidates.append(host.split(".auth.", 1)[0])
    return host, tuple(candidates)


# Every OAuth request works the names out of its Host: those of the few names a server is reached at are kept,
# while an attacker's many different (and at most _HOST_MAX long) ones only turn the bounded cache over.
_HOST_MAX = 260  # a DNS name (253) and a port
_kept_names_of = lru_cache(maxsize=256)(_names_of)


def _pool_of(tx: Tx, host: str, candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        found = tx.domains.get(name)
        custom = found is not None and "CustomDomainConfig" in found.config
        if found is not None and (custom == (name == host)):
            return found.pool_id
    return None


def domain_pool(ctx: Ctx, host_header: str) -> str | None:
    """The id of the pool whose domain ``host_header`` names; None for the server's plain URL."""
    host, candidates = _domain_names(ctx, host_header)
    if not candidates:
        return None
    with ctx.store.read() as tx:
        return _pool_of(tx, host, candidates)


def domain_pool_in(ctx: Ctx, tx: Tx, host_header: str) -> str | None:
    """``domain_pool`` in the caller's transaction."""
    host, candidates = _domain_names(ctx, host_header)
    return _pool_of(tx, host, candidates)


def oauth_client(tx: Tx, client_id: str | None, domain_pool_id: str | None) -> tuple[Pool, Client] | None:
    """The pool and client ``client_id`` names, if it belongs to the domain's pool (when on one)."""
    if not client_id or len(client_id) > 128 or "\x00" in client_id:
        return None
    found = tx.clients.with_pool(client_id)
    if found is None or (domain_pool_id is not None and found[1].pool_id != domain_pool_id):
        return None
    return found


def authenticate_client(ctx: Ctx, credentials: ClientCredentials, domain_pool_id: str | None) -> tuple[Pool, Client]:
    """The client a token / revocation request authenticates as; ``invalid_client`` (401) for an unknown
    client or a missing or wrong secret (RFC 6749 §2.3, §5.2); any of the client's secrets (two while they are
    rotated) is accepted, each compared in constant time."""
    with ctx.store.read() as tx:
        return authenticated_client(tx, credentials, domain_pool_id)


def authenticated_client(tx: Tx, credentials: ClientCredentials, domain_pool_id: str | None) -> tuple[Pool, Client]:
    """``authenticate_client`` in the caller's transaction."""
    found = oauth_client(tx, credentials.client_id, domain_pool_id)
    if found is None:
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    pool, client = found
    if client.secrets:
        if not secret_matches(client, credentials.secret or ""):
            raise OAuthError("invalid_client", "Client authentication failed.", 401)
    return pool, client


def allows_flow(client: Client, flow: str) -> bool:
    """Whether the client uses the authorization server (AllowedOAuthFlowsUserPoolClient) with ``flow``."""
    return allows_oauth_flow(client, flow)
