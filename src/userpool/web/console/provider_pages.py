"""Identity providers of a pool: the list, adding one per type, its details with the URLs to register at the
provider, edit and delete (Create/Describe/Update/Delete/ListIdentityProviders)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from userpool.model.identity_providers import OIDC, SAML, SOCIAL_TYPES
from userpool.services.console.saml_providers import saml_provider_state
from userpool.services.directory.domains import domain_url
from userpool.web.console import provider_forms as pf
from userpool.web.console.frame import BadForm, Page
from userpool.web.console.pool_pages import load_pool

# A pool has at most 300 providers (services/federation/providers.py); ListIdentityProviders pages by 50.
_LIST_PAGE = 50
_MAX_PAGES = 6
# Attributes Cognito keeps to itself: never mapped from a provider.
_UNMAPPED = frozenset({"sub", "identities"})


def _crumbs(page: Page, pool: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("User pools", page.url("/")),
        (pool["Name"], page.pool_url()),
        ("Identity providers", page.pool_url("/providers")),
        *more,
    ]


async def pool_providers(page: Page, pool_id: str) -> list[dict[str, Any]]:
    """Every identity provider of the pool (ProviderDescription), in name order."""
    found: list[dict[str, Any]] = []
    token = None
    for _ in range(_MAX_PAGES):
        listed = await page.call(
            "ListIdentityProviders", {"UserPoolId": pool_id, "MaxResults": _LIST_PAGE, "NextToken": token}
        )
        if not listed:
            break
        found.extend(listed.get("Providers", []))
        token = listed.get("NextToken")
        if not token:
            break
    return found


def registration(page: Page, pool: dict[str, Any]) -> dict[str, str]:
    """What an operator registers at the provider: the redirect URI of OIDC and social providers and the SAML
    service provider's entity ID and URLs, on the pool's domain, else on the server's own URL ("Adding
    user pool sign-in through a third party", Cognito developer guide)."""
    settings = page.deps.settings
    domain = pool.get("CustomDomain") or pool.get("Domain")
    base = (domain_url(settings, domain) if domain else None) or settings.base_url
    base = base.rstrip("/")
    server = settings.base_url.rstrip("/")
    return {
        "base": base,
        # The provider sends the browser back to the host it started on: the server's own address too.
        "server_redirect_uri": f"{server}/oauth2/idpresponse" if server != base else "",
        "server_acs_url": f"{server}/saml2/idpresponse" if server != base else "",
        "redirect_uri": f"{base}/oauth2/idpresponse",
        "entity_id": f"urn:amazon:cognito:sp:{pool['Id']}",
        "acs_url": f"{base}/saml2/idpresponse",
        "slo_url": f"{base}/saml2/logout",
    }


def _attribute_choices(pool: dict[str, Any]) -> list[tuple[str, str]]:
    """The pool's attributes a provider may set; an immutable one is marked, as a sign-in after the first
    cannot write it (SchemaAttributeType, Mutable)."""
    offered = [a for a in pool.get("SchemaAttributes", []) if a["Name"] not in _UNMAPPED]
    labelled = ((a["Name"], a["Name"] if a.get("Mutable", True) else f"{a['Name']} (immutable)") for a in offered)
    return [("", "—"), ("username", "username"), *labelled]


async def providers(page: Page) -> Response:
    pool = await load_pool(page)
    found = await page.call(
        "ListIdentityProviders",
        {"UserPoolId": pool["Id"], "MaxResults": _LIST_PAGE, "NextToken": page.arg("next") or None},
    )
    return await page.render(
        "providers.html",
        pool=pool,
        providers=(found or {}).get("Providers", []),
        next_token=(found or {}).get("NextToken"),
        type_labels=pf.TYPE_LABELS,
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Identity providers", None)],
    )


async def _form(
    page: Page, pool: dict[str, Any], provider_type: str, values: dict[str, Any], provider: dict[str, Any] | None
) -> Response:
    label = pf.TYPE_LABELS[provider_type]
    if provider is not None:
        name = provider["ProviderName"]
        title, action = f"Edit {name}", page.pool_url("/provider/edit", name=name)
        back = page.pool_url("/provider", name=name)
    else:
        title, action = f"Add {label}", page.pool_url("/providers/new", type=provider_type)
        back = page.pool_url("/providers")
    # A social provider's name is its type, and no provider's name changes: neither is a field to echo.
    values.setdefault("provider_name", provider["ProviderName"] if provider else provider_type)
    rows = list(values.get("rows") or []) + [("", "")] * pf.BLANK_ROWS
    return await page.render(
        "provider_form.html",
        pool=pool,
        provider=provider,
        provider_type=provider_type,
        type_label=label,
        social=provider_type in SOCIAL_TYPES,
        is_oidc=provider_type == OIDC,
        is_saml=provider_type == SAML,
        text_keys=pf.TEXT_KEYS[provider_type],
        values=values,
        rows=rows,
        attribute_choices=_attribute_choices(pool),
        urls=registration(page, pool),
        title=title,
        action=action,
        back=back,
        crumbs=_crumbs(page, pool, (title, None)),
        f=pf,
    )


def _chosen_type(page: Page) -> str:
    provider_type = page.arg("type", 32)
    if not pf.is_type(provider_type):
        raise BadForm("type")
    return provider_type


async def new_provider(page: Page) -> Response:
    pool = await load_pool(page)
    provider_type = _chosen_type(page)
    if page.request.method == "GET":
        return await _form(page, pool, provider_type, pf.new_values(provider_type), None)
    uploaded = await pf.uploaded_metadata(page)
    name = provider_type if provider_type in SOCIAL_TYPES else page.text("provider_name")
    request = {
        "UserPoolId": pool["Id"],
        "ProviderName": name,
        "ProviderType": provider_type,
        "ProviderDetails": pf.provider_details(page, provider_type, None, uploaded),
        "AttributeMapping": pf.attribute_mapping(page) or None,
        "IdpIdentifiers": pf.identifiers(page) or None,
    }
    if page.errors or await page.call("CreateIdentityProvider", request, pf.FIELDS) is None:
        pf.place_errors(page)
        return await _form(page, pool, provider_type, pf.echo(page, uploaded), None)
    return page.redirect(page.pool_url("/provider", name=name), "provider_created")


async def _describe(page: Page, pool: dict[str, Any]) -> dict[str, Any]:
    name = page.arg("name", 128)
    found = await page.fetch("DescribeIdentityProvider", {"UserPoolId": pool["Id"], "ProviderName": name})
    return dict(found["IdentityProvider"])


async def provider_detail(page: Page) -> Response:
    pool = await load_pool(page)
    provider = await _describe(page, pool)
    details = provider.get("ProviderDetails", {})
    is_saml = provider["ProviderType"] == SAML
    urls = registration(page, pool)
    if is_saml:
        signing = await page.fetch("GetSigningCertificate", {"UserPoolId": pool["Id"]})
        urls["signing_certificate"] = signing["Certificate"]
        query = urlencode({"user_pool_id": pool["Id"], "identity_provider": provider["ProviderName"]})
        urls["metadata_url"] = f"{urls['base']}/saml2/metadata?{query}"
    saml_state = await page.run(saml_provider_state, pool["Id"], provider["ProviderName"]) if is_saml else None
    return await page.render(
        "provider.html",
        pool=pool,
        provider=provider,
        type_label=pf.TYPE_LABELS.get(provider["ProviderType"], provider["ProviderType"]),
        shown_details=[(k, v) for k, v in details.items() if k not in ("MetadataFile", "ActiveEncryptionCertificate")],
        urls=urls,
        is_saml=is_saml,
        saml_state=saml_state,
        crumbs=_crumbs(page, pool, (provider["ProviderName"], None)),
    )


async def edit_provider(page: Page) -> Response:
    pool = await load_pool(page)
    provider = await _describe(page, pool)
    provider_type = provider["ProviderType"]
    if page.request.method == "GET":
        return await _form(page, pool, provider_type, pf.values_of(provider), provider)
    uploaded = await pf.uploaded_metadata(page)
    stored = provider.get("ProviderDetails", {})
    details = pf.provider_details(page, provider_type, stored, uploaded)
    request: dict[str, Any] = {
        "UserPoolId": pool["Id"],
        "ProviderName": provider["ProviderName"],
        "AttributeMapping": pf.attribute_mapping(page),
        "IdpIdentifiers": pf.identifiers(page),
    }
    # Unchanged details are not sent: sending them would discover an OIDC provider's endpoints or fetch
    # SAML metadata again, which a change of the mapping alone should not depend on.
    if details != pf.comparable_details(provider_type, stored):
        request["ProviderDetails"] = details
    if page.errors or await page.call("UpdateIdentityProvider", request, pf.FIELDS) is None:
        pf.place_errors(page)
        return await _form(page, pool, provider_type, pf.echo(page, uploaded), provider)
    return page.redirect(page.pool_url("/provider", name=provider["ProviderName"]), "provider_updated")


async def delete_provider(page: Page) -> Response:
    pool = await load_pool(page)
    provider = await _describe(page, pool)
    name = provider["ProviderName"]
    if page.request.method == "POST":
        if await page.call("DeleteIdentityProvider", {"UserPoolId": pool["Id"], "ProviderName": name}) is not None:
            return page.redirect(page.pool_url("/providers"), "provider_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title=f"Delete {name}",
        question=f"Delete the identity provider {name} ({pf.TYPE_LABELS.get(provider['ProviderType'], '')})?",
        detail="Users can no longer sign in through it, and it is removed from every app client of the pool. "
        "Users it created stay in the pool.",
        confirm_label="Delete identity provider",
        danger=True,
        action=page.pool_url("/provider/delete", name=name),
        back=page.pool_url("/provider", name=name),
        crumbs=_crumbs(page, pool, (name, page.pool_url("/provider", name=name)), ("Delete", None)),
    )
