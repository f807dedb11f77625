"""Building the record a Create/UpdateIdentityProvider request describes (AWS: CreateIdentityProvider API
reference): the request's members checked (model/idp_details.py), then what needs the network or time,
run outside any transaction: an OIDC provider's endpoints discovered from its issuer, a SAML provider's
metadata fetched from MetadataURL and read, and a SAML provider's encryption key made.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.crypto.certificates import new_key_and_certificate
from userpool.errors import InvalidParameterException
from userpool.model.identity_providers import OIDC, SAML, EncryptionKey, IdentityProvider, SamlMetadata
from userpool.model.idp_details import (
    checked_acr_mapping,
    checked_attribute_mapping,
    checked_details,
    checked_identifiers,
    missing_oidc_endpoints,
)
from userpool.model.records import Pool
from userpool.model.saml_metadata import read_metadata
from userpool.services.federation.steps.idp_calls import call_idp
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure
from userpool.services.federation.steps.oidc_discovery import discover


def _discovered(ctx: Ctx, details: dict[str, str]) -> dict[str, str]:
    """The OIDC endpoints the details leave out, from ``<oidc_issuer>/.well-known/openid-configuration``
    (CreateIdentityProvider, ProviderDetails: the endpoints are accepted "when Amazon Cognito can't discover
    endpoint URLs from oidc_issuer")."""
    missing = missing_oidc_endpoints(details)
    if not missing:
        return {}
    issuer = details["oidc_issuer"]
    try:
        endpoints = discover(ctx, issuer)
    except IdpError as e:
        raise InvalidParameterException(f"Unable to discover the endpoints of {issuer}: {e.description}.") from None
    found = {key: str(getattr(endpoints, key)) for key in missing}
    if found.get("attributes_url") == "":
        raise InvalidParameterException(f"{issuer} publishes no userinfo_endpoint: give attributes_url.")
    return found


_UNFETCHED = "Unable to fetch the SAML metadata from MetadataURL"


def _metadata_document(ctx: Ctx, details: dict[str, str]) -> str:
    """The SAML metadata: MetadataFile as given, or the document at MetadataURL, fetched now."""
    if "MetadataFile" in details:
        return details["MetadataFile"]
    return fetched_metadata_document(ctx, details["MetadataURL"])


def fetched_metadata_document(ctx: Ctx, url: str) -> str:
    """The SAML metadata document at ``url``, fetched now; InvalidParameterException when it cannot be."""
    try:
        answer = call_idp(
            ctx,
            url,
            unreachable=IdpFailure.DISCOVERY_UNREACHABLE,
            timeout_words="Timeout occurred in calling the SAML metadata URL",
        )
    except IdpError as e:
        raise InvalidParameterException(f"{_UNFETCHED}: {e.description}.") from None
    if answer.status != 200:
        raise InvalidParameterException(f"{_UNFETCHED}: HTTP {answer.status}.")
    try:
        return answer.body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameterException("Invalid SAML metadata: the document is not UTF-8.") from None


def _saml_parts(
    ctx: Ctx, pool: Pool, name: str, details: dict[str, str], key: EncryptionKey | None
) -> tuple[SamlMetadata, EncryptionKey]:
    """What the metadata says, and the provider's encryption key: kept, or made for a new provider."""
    metadata = read_metadata(_metadata_document(ctx, details), ctx.now, ctx.settings.federation.allow_http_idp_urls)
    if "MetadataURL" in details:
        metadata = dataclasses.replace(metadata, fetched_at=ctx.now, fetch_tried_at=ctx.now)
    if key is None:
        private_pem, certificate = new_key_and_certificate(f"urn:amazon:cognito:sp:{pool.id}", ctx.now)
        key = EncryptionKey(certificate, private_pem)
    return metadata, key


def new_provider(ctx: Ctx, pool: Pool, req: dict[str, Any]) -> IdentityProvider:
    """The record CreateIdentityProvider stores (name already checked), or InvalidParameterException."""
    provider_type = req["ProviderType"]
    allow_http = ctx.settings.federation.allow_http_idp_urls
    details = checked_details(provider_type, req["ProviderDetails"], None, allow_http)
    provider = IdentityProvider(
        pool_id=pool.id,
        name=req["ProviderName"],
        provider_type=provider_type,
        details=details,
        attribute_mapping=checked_attribute_mapping(provider_type, req.get("AttributeMapping") or {}, pool),
        idp_identifiers=checked_identifiers(req.get("IdpIdentifiers") or []),
        acr_mapping=checked_acr_mapping(provider_type, req.get("AcrMapping") or {}),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    return _with_derived(ctx, pool, provider, None)


def updated_provider(ctx: Ctx, pool: Pool, stored: IdentityProvider, req: dict[str, Any]) -> IdentityProvider:
    """The record UpdateIdentityProvider stores: each member sent replaces the stored one, each left out
    stays; new ProviderDetails are checked, discovered or read again."""
    provider_type = stored.provider_type
    changes: dict[str, Any] = {"updated_at": ctx.now, "version": stored.version + 1}
    if "AttributeMapping" in req:
        changes["attribute_mapping"] = checked_attribute_mapping(provider_type, req["AttributeMapping"], pool)
    if "IdpIdentifiers" in req:
        changes["idp_identifiers"] = checked_identifiers(req["IdpIdentifiers"])
    if "AcrMapping" in req:
        changes["acr_mapping"] = checked_acr_mapping(provider_type, req["AcrMapping"])
    if "ProviderDetails" not in req:
        return dataclasses.replace(stored, **changes)
    allow_http = ctx.settings.federation.allow_http_idp_urls
    changes["details"] = checked_details(provider_type, req["ProviderDetails"], stored.details, allow_http)
    return _with_derived(ctx, pool, dataclasses.replace(stored, **changes), stored.encryption_key)


def _with_derived(ctx: Ctx, pool: Pool, provider: IdentityProvider, key: EncryptionKey | None) -> IdentityProvider:
    if provider.provider_type == OIDC:
        return dataclasses.replace(provider, discovered=_discovered(ctx, provider.details))
    if provider.provider_type == SAML:
        metadata, key = _saml_parts(ctx, pool, provider.name, provider.details, key)
        return dataclasses.replace(provider, saml=metadata, encryption_key=key)
    return provider
