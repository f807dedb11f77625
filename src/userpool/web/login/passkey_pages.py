"""``/login/choose`` (a sign-in without the password: a passkey or a one-time code), ``/passkeys/add`` (the
offer of a passkey after a password sign-in, and registering one) and ``/passkeys`` (the signed-in user's
passkeys, each removable) of the hosted pages (Cognito developer guide: 'User pool managed login', 'Passkey
sign-in'). The passkey pages speak for the user of the browser's hosted session; without one they send it to
sign in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Deps
from userpool.errors import CognitoError
from userpool.model.vocabulary import ChallengeName
from userpool.services.hosted import pages
from userpool.services.hosted.login_sessions import SignedIn, cookie_name, signed_in
from userpool.services.hosted.passkey_pages import (
    add_passkey,
    choice_based,
    creation_options,
    passkeys_enabled,
    passkeys_of,
    remove_passkey,
)
from userpool.services.sign_in.steps.passkey_auth import NO_PASSKEY
from userpool.web.login import i18n, passwordless
from userpool.web.login.forms import BadInput, read_form, value
from userpool.web.login.journey import Journey, begin, notice_of
from userpool.web.login.sign_in_pages import challenge_page, csrf_refused, login_form

SCRIPT = Path(__file__).parent / "static" / "passkeys.js"
_SCRIPT_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}


def make_script() -> Any:
    script = SCRIPT.read_text("utf-8")

    async def passkeys_js(_: Request) -> Response:
        return Response(script, headers=_SCRIPT_HEADERS, media_type="text/javascript")

    return passkeys_js


def make_choose(deps: Deps) -> Any:
    async def choose(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        if request.method == "GET":  # the page's language links: its form again, in that language
            return j.redirect(j.url("/login"))
        try:
            form = await read_form(request)
            if not j.csrf_valid(form):
                return await csrf_refused(j, j.url("/login"))
            username = value(form, "username", "username")
            factor = form.get("factor", "")
            if factor not in passwordless.FACTORS:
                raise BadInput("factor")
        except BadInput:
            return await login_form(j, form.get("username", "")[:128], j.t("error.input"), 400)
        pool, client = j.target.pool, j.target.client
        if not choice_based(client):
            return await login_form(j, username, j.t("error.factor_unavailable"), 400)
        try:
            if factor == ChallengeName.WEB_AUTHN:
                body = await run_in_threadpool(pages.sign_in_with_passkey, j.ctx, pool, client, username)
            else:
                body = await run_in_threadpool(pages.sign_in_without_password, j.ctx, pool, client, username, factor)
        except CognitoError as err:
            refusal = j.t("error.factor_unavailable") if err.message == NO_PASSKEY else None
            return await login_form(j, username, refusal or i18n.service_message(j.lang, err.message), 400)
        params = body.get("ChallengeParameters") or {}
        if body.get("ChallengeName") == ChallengeName.SELECT_CHALLENGE and not passwordless.choices(params):
            # Nothing but the password for this user (no passkey, no verified address the pool accepts).
            return await login_form(j, username, j.t("error.factor_unavailable"), 400)
        return await challenge_page(j, body, username)

    return choose


async def _session_user(j: Journey) -> SignedIn | None:
    cookie = j.request.cookies.get(cookie_name(j.target.pool.id))
    return await run_in_threadpool(signed_in, j.ctx, j.target.pool.id, cookie)


def _to_app(j: Journey) -> str:
    """``/oauth2/authorize`` again: with the hosted session it answers the application at once."""
    carried = {k: v for k, v in j.params.items() if k not in ("identity_provider", "idp_identifier", "next")}
    return f"/oauth2/authorize?{urlencode(carried)}"


async def _add_page(j: Journey, session: SignedIn, error: str | None = None, status: int = 200) -> Response:
    try:
        options = await run_in_threadpool(creation_options, j.ctx, j.target.pool, j.target.client.id, session.user)
    except CognitoError:
        # Passkeys not enabled for the pool, no relying party, or the user has the most it may have.
        return await j.render("error.html", 400, message_key="error.passkeys_unavailable", back=_to_app(j))
    return await j.render(
        "passkey.html",
        status,
        scripts=True,
        title="passkey_add.title",
        intro=j.t("passkey_add.intro"),
        error=error,
        ceremony="create",
        options=json.dumps(options),
        action=j.url("/passkeys/add"),
        submit="passkey_add.submit",
        links=[(None, "passkey_add.skip", _to_app(j))],
    )


def make_add(deps: Deps) -> Any:
    async def add(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        session = await _session_user(j)
        if session is None:
            return j.redirect(j.url("/login"))
        if request.method == "GET":
            return await _add_page(j, session)
        try:
            form = await read_form(request)
            if not j.csrf_valid(form):
                return await csrf_refused(j, j.url("/passkeys/add"))
            credential = value(form, "credential", "hidden")
        except BadInput:
            return await _add_page(j, session, j.t("passkey.failed"), 400)
        try:
            await run_in_threadpool(add_passkey, j.ctx, j.target.pool, j.target.client.id, session.user, credential)
        except CognitoError as err:
            return await _add_page(j, session, i18n.service_message(j.lang, err.message), 400)
        return j.redirect(_to_app(j))

    return add


def _listed(passkeys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**p, "created": datetime.fromtimestamp(float(p["CreatedAt"]), UTC).strftime("%Y-%m-%d %H:%M UTC")}
        for p in passkeys
    ]


def make_passkeys(deps: Deps) -> Any:
    async def passkeys(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        session = await _session_user(j)
        if session is None:
            return j.redirect(j.url("/login", next="passkeys"))
        if not await run_in_threadpool(passkeys_enabled, j.ctx, j.target.pool, j.target.client):
            return await j.render("error.html", 400, message_key="error.unsupported", back=_to_app(j))
        found = await run_in_threadpool(passkeys_of, j.ctx, j.target.pool, session.user)
        return await j.render(
            "passkeys.html", passkeys=_listed(found), notice=notice_of(j.request), continue_href=_to_app(j)
        )

    return passkeys


def make_remove(deps: Deps) -> Any:
    async def remove(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        session = await _session_user(j)
        if session is None:
            return j.redirect(j.url("/login"))
        try:
            form = await read_form(request)
            if not j.csrf_valid(form):
                return await csrf_refused(j, j.url("/passkeys"))
            credential_id = value(form, "credential_id", "hidden")
        except BadInput:
            return await j.render("error.html", 400, message_key="error.input", back=j.url("/passkeys"))
        if form.get("confirm") != "yes":
            found = await run_in_threadpool(passkeys_of, j.ctx, j.target.pool, session.user)
            chosen = next((p for p in found if p["CredentialId"] == credential_id), None)
            if chosen is None:
                return await j.render("error.html", 404, message_key="error.no_passkey", back=j.url("/passkeys"))
            return await j.render("passkeys.html", confirm=chosen, continue_href=_to_app(j))
        if not await run_in_threadpool(remove_passkey, j.ctx, j.target.pool, session.user, credential_id):
            return await j.render("error.html", 404, message_key="error.no_passkey", back=j.url("/passkeys"))
        return j.redirect(j.url("/passkeys", notice="passkey_removed"))

    return remove
