"""One call to an identity provider's endpoint through ``ctx.outbound``, with the transport's failures as
``IdpError``s, and the JSON object a provider answers with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from userpool.context import Ctx
from userpool.outbound.port import Failure, OutboundError, OutboundResponse
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure


def call_idp(
    ctx: Ctx,
    url: str,
    *,
    unreachable: IdpFailure,
    timeout_words: str,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboundResponse:
    """GET ``url``, or POST ``form`` to it when given. A refused URL fails as URL_REFUSED; a timeout as
    ``unreachable`` with ``timeout_words`` (AWS names the endpoint: "Timeout occurred in calling IdP token
    endpoint"); any other transport failure as ``unreachable`` with the transport's words ("Connection
    reset")."""
    try:
        if form is None:
            return ctx.outbound.get(url, headers)
        return ctx.outbound.post_form(url, form, headers)
    except OutboundError as e:
        if e.failure is Failure.REFUSED_URL:
            raise IdpError(IdpFailure.URL_REFUSED, e.description) from None
        if e.failure is Failure.TIMEOUT:
            raise IdpError(unreachable, timeout_words) from None
        raise IdpError(unreachable, e.description) from None


def json_object(body: bytes) -> dict[str, Any] | None:
    """``body`` as a JSON object, or None when it is not one."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
