"""The attributes request: the provider's userinfo (or profile) endpoint called with its access token
(OpenID Connect Core 1.0 §5.3; RFC 6750 §2.1), as Cognito calls a provider's ``attributes_url``.

``attributes_request_method`` chooses GET or POST. Where ``attributes_url_add_attributes`` is true (Google's
People API ``…?personFields=``, Facebook's Graph ``…/me?fields=``) the names of the mapped provider
attributes are appended to the URL, comma-separated ("Mapping IdP attributes to profiles and tokens",
Amazon Cognito developer guide).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from userpool.context import Ctx
from userpool.services.federation.steps.idp_calls import call_idp, json_object
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure


def attributes_request_url(attributes_url: str, add_attributes: bool, attribute_names: Sequence[str]) -> str:
    """``attributes_url``, with the provider attribute names appended when ``add_attributes``; each name
    once, in the order given."""
    if not add_attributes:
        return attributes_url
    names = list(dict.fromkeys(name for name in attribute_names if name))
    return attributes_url + ",".join(quote(name, safe="") for name in names)


def fetch_attributes(
    ctx: Ctx,
    *,
    provider_name: str,
    attributes_url: str,
    access_token: str,
    attributes_request_method: str = "GET",
    add_attributes: bool = False,
    attribute_names: Sequence[str] = (),
    id_token_subject: str = "",
) -> dict[str, Any]:
    """The provider's attributes of the signed-in user, as a JSON object. When the ID token had a subject
    and the answer has a ``sub``, they must be equal (Core §5.3.2). IdpError ATTRIBUTES_UNREACHABLE,
    ATTRIBUTES_ERROR, ATTRIBUTES_INVALID or ATTRIBUTES_SUBJECT_MISMATCH."""
    url = attributes_request_url(attributes_url, add_attributes, attribute_names)
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    answer = call_idp(
        ctx,
        url,
        unreachable=IdpFailure.ATTRIBUTES_UNREACHABLE,
        timeout_words="Timeout occurred in calling IdP userinfo endpoint",
        headers=headers,
        form={} if attributes_request_method.upper() == "POST" else None,
    )
    if answer.status != 200:
        raise IdpError(
            IdpFailure.ATTRIBUTES_ERROR, f"{provider_name} Error - {answer.status} error getting user attributes"
        )
    attributes = json_object(answer.body)
    if attributes is None:
        raise IdpError(
            IdpFailure.ATTRIBUTES_INVALID, f"{provider_name} Error - the user attributes are not a JSON object"
        )
    subject = attributes.get("sub")
    if id_token_subject and subject is not None and subject != id_token_subject:
        raise IdpError(
            IdpFailure.ATTRIBUTES_SUBJECT_MISMATCH, f"{provider_name} Error - the userinfo sub is not the ID token's"
        )
    return attributes
