"""Passkeys (WebAuthn): a user's registered credentials, the pool's relying party and which origins may use it
(Cognito developer guide: 'Passkey sign-in'; API reference: WebAuthnConfigurationType; W3C Web Authentication
Level 3, §5.1.3 and §13.4.9 on origins and RP IDs).

The relying party ID is the pool's ``WebAuthnConfiguration.RelyingPartyId`` (SetUserPoolMfaConfig), else the
host of its custom domain, else of its prefix domain; with none of them passkeys are not configured
(WebAuthnConfigurationMissingException). An RP ID is a host name: never an IP address, a URL, or a name
with a port.

Origins: a ceremony is accepted from ``https://<rp id>`` or ``https://<any subdomain of it>`` (any port),
which is what a browser lets a page use the RP ID from. Browsers also treat ``http://localhost`` (and
``*.localhost``) as a secure context, so when the RP ID is ``localhost`` or a name under it, plain
``http://`` on any port is accepted too: a server reached at ``http://localhost:9229`` works with RP ID
``localhost``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from userpool.errors import InvalidParameterException
from userpool.model.records import Pool

WEBAUTHN = "WebAuthnConfiguration"
# Cognito keeps at most 20 passkeys per user ('Quotas in Amazon Cognito'); ListWebAuthnCredentials'
# MaxResults is 1-20 as well.
MAX_PASSKEYS_PER_USER = 20
LIST_LIMIT = 20
REQUIRED, PREFERRED = "required", "preferred"
MULTI_FACTOR = "MULTI_FACTOR_WITH_USER_VERIFICATION"
# How long a registration challenge lives, and the timeout the options give the browser (milliseconds).
REGISTRATION_SECONDS = 300

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
BAD_RP_ID = "Invalid RelyingPartyId: it must be a domain name, without a scheme, port or path."


@dataclass(frozen=True, slots=True)
class Passkey:
    """One registered credential of a user: its id and COSE public key (both as stored bytes), the signature
    counter last seen, and what ListWebAuthnCredentials shows."""

    pool_id: str
    sub: str
    credential_id: bytes
    public_key: bytes
    sign_count: int
    relying_party_id: str
    friendly_name: str
    transports: tuple[str, ...]
    created_at: float
    authenticator_attachment: str | None = None
    last_used_at: float | None = None


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """The pool's WebAuthn relying party: its ID, and whether user verification is required."""

    id: str
    user_verification: str
    multi_factor: bool = False

    @property
    def requires_verification(self) -> bool:
        return self.user_verification == REQUIRED


def check_relying_party_id(rp_id: str) -> None:
    """SetUserPoolMfaConfig: a RelyingPartyId must be a DNS name (letters, digits, hyphens), never an IP."""
    name = rp_id.lower().rstrip(".")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        pass
    else:
        raise InvalidParameterException(BAD_RP_ID)
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise InvalidParameterException(BAD_RP_ID)


def webauthn_config(pool: Pool) -> dict[str, Any]:
    """The pool's WebAuthnConfiguration as stored (empty when never set)."""
    return dict(pool.config.get(WEBAUTHN) or {})


def relying_party(pool: Pool, domain_host: str | None) -> RelyingParty | None:
    """The pool's relying party: the configured RelyingPartyId, else ``domain_host`` (the host of its custom or
    prefix domain); None when it has neither."""
    config = webauthn_config(pool)
    rp_id = config.get("RelyingPartyId") or domain_host
    if not rp_id:
        return None
    multi_factor = config.get("FactorConfiguration") == MULTI_FACTOR
    # A passkey counts as MFA only with user verification, so such a pool asks every authenticator for it.
    verification = REQUIRED if config.get("UserVerification") == REQUIRED or multi_factor else PREFERRED
    return RelyingParty(str(rp_id).lower(), verification, multi_factor)


def _under(host: str, rp_id: str) -> bool:
    return host == rp_id or host.endswith("." + rp_id)


def origin_allowed(rp_id: str, origin: str) -> bool:
    """Whether a ceremony from ``origin`` may use ``rp_id`` (see the module docstring)."""
    try:
        parts = urlsplit(origin)
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        return False
    if parts.path or parts.query or parts.fragment or parts.username or not host or not _under(host, rp_id):
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _under(host, "localhost")


def credential_description(passkey: Passkey, credential_id: str) -> dict[str, Any]:
    """One WebAuthnCredentialDescription of ListWebAuthnCredentials."""
    body: dict[str, Any] = {
        "CredentialId": credential_id,
        "FriendlyCredentialName": passkey.friendly_name,
        "RelyingPartyId": passkey.relying_party_id,
        "AuthenticatorTransports": list(passkey.transports),
        "CreatedAt": passkey.created_at,
    }
    if passkey.authenticator_attachment:
        body["AuthenticatorAttachment"] = passkey.authenticator_attachment
    return body
