"""``/confirmUser``: the link of a sign-up confirmation email, in pools whose VerificationMessageTemplate says
CONFIRM_WITH_LINK (services/users/steps/code_delivery.py writes it). Opening it confirms the user as ConfirmSignUp does,
with the code the link carries, and shows a page saying so.

The link names the app client, the user and the code (``client_id``, ``user_name``, ``confirmation_code``, as
Cognito's links do) and nothing else: no redirect URI, so the page links nowhere. On a pool's domain the
client must be one of that pool's; the client's secret, if it has one, is the server's to prove (the hosted
pages compute the SECRET_HASH). A link that was used, replaced or mistyped confirms nothing and says why.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Ctx, Deps
from userpool.errors import CognitoError
from userpool.model.records import Client, Pool
from userpool.services.hosted import pages
from userpool.services.hosted.oauth_clients import domain_pool, oauth_client
from userpool.web.login import i18n
from userpool.web.login.forms import BadInput, value
from userpool.web.login.journey import error_page, make_ctx, message_page

_PARAMETERS = (("client_id", "username"), ("user_name", "username"), ("confirmation_code", "code"))


def _link(request: Request) -> dict[str, str]:
    """The link's three parameters, each once, within the model's bounds."""
    found: dict[str, str] = {}
    for name, kind in _PARAMETERS:
        given = request.query_params.getlist(name)
        if len(given) != 1:
            raise BadInput(name)
        found[name] = value({name: given[0]}, name, kind)
    return found


def _client(ctx: Ctx, client_id: str, domain_pool_id: str | None) -> tuple[Pool, Client] | None:
    with ctx.store.read() as tx:
        return oauth_client(tx, client_id, domain_pool_id)


def make_confirm_user(deps: Deps) -> Any:
    async def confirm_user(request: Request) -> Response:
        lang = i18n.language(request.query_params.get("lang"))
        try:
            link = _link(request)
        except BadInput:
            return error_page(deps, request, "invalid_request")
        ctx = make_ctx(deps, request)
        domain = await run_in_threadpool(domain_pool, ctx, request.headers.get("host", ""))
        found = await run_in_threadpool(_client, ctx, link["client_id"], domain)
        if found is None:
            return error_page(deps, request, "invalid_client")
        pool, client = found
        try:
            await run_in_threadpool(pages.confirm, ctx, client, link["user_name"], link["confirmation_code"])
        except CognitoError as err:
            text = i18n.service_message(lang, err.message)
            return message_page(request, lang, "confirm_link.title", text, 400, pool.name)
        done = i18n.translator(lang)("confirm_link.done")
        return message_page(request, lang, "confirm_link.title", done, 200, pool.name)

    return confirm_user
