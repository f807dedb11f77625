"""``/login`` and ``/challenge``: the password form and every step that may follow it — a forced new password
with the pool's required attributes, an MFA code, the choice of a second factor, and setting up an
authenticator app with a QR code (Cognito developer guide: 'User pool managed login'). The pages are built from the
challenge's name and parameters alone, so each challenge the sign-in service answers gets its page.

A finished sign-in opens the hosted session (the single sign-on cookie) and hands the application its code.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Deps
from userpool.errors import CognitoError, NotAuthorizedException, UserNotConfirmedException
from userpool.model.client_config import supported_identity_providers
from userpool.model.identity_providers import SAML
from userpool.model.pool_config import admin_create_user_only, username_attributes
from userpool.model.records import User
from userpool.model.vocabulary import ChallengeName
from userpool.services.hosted import pages
from userpool.services.hosted.login_sessions import (
    LIFETIME_SECONDS,
    cookie_name,
    end_session,
    open_session,
    session_id_of,
)
from userpool.services.hosted.oauth_authorize import COGNITO, complete
from userpool.services.hosted.pages import CODE_RESPONSES
from userpool.services.hosted.passkey_pages import offer_due, passkeys_enabled
from userpool.services.sign_in.steps.outcome import Outcome
from userpool.services.tokens.steps.token_issuance import hosted_post_authentication
from userpool.web.login import i18n, passwordless
from userpool.web.login.forms import BadInput, Field, read_form, value
from userpool.web.login.journey import Journey, begin, notice_of
from userpool.web.security import set_cookie, source_of

ATTRIBUTE_PREFIX = "userAttributes."
# Cognito's words for a challenge Session that expired or was used up: the sign-in must start again.
_SESSION_GONE = "Invalid session"
_MAX_PARAMETERS = 4096


def _username_field(j: Journey, username: str = "") -> Field:
    uses_email = "email" in username_attributes(j.target.pool)
    return Field(
        "username",
        j.t("field.email" if uses_email else "field.username"),
        type="email" if uses_email else "text",
        autocomplete="username",
        value=username,
        autofocus=not username,
    )


# How the social providers are named on their buttons ("Continue with Google"); other providers by name.
_BUTTON_NAMES = {"Google": "Google", "Facebook": "Facebook", "LoginWithAmazon": "Amazon", "SignInWithApple": "Apple"}


def _carried(j: Journey) -> dict[str, str]:
    return {k: v for k, v in j.params.items() if k not in ("identity_provider", "idp_identifier")}


def _saml_by_identifier(j: Journey) -> dict[str, str]:
    """The client's SAML providers (name -> SSO URL) when every one of them has IdpIdentifiers: the page then
    asks for a corporate e-mail address instead of showing their buttons (Cognito developer guide: 'Naming
    SAML identity providers'); empty otherwise."""
    with j.ctx.store.read() as tx:
        offered = [
            tx.identity_providers.get(j.target.pool.id, name) for name in supported_identity_providers(j.target.client)
        ]
    saml = [p for p in offered if p is not None and p.provider_type == SAML]
    if not saml or not all(p.idp_identifiers for p in saml):
        return {}
    return {p.name: p.saml.sso_redirect_url if p.saml else "" for p in saml}


def _provider_buttons(j: Journey, by_identifier: dict[str, str]) -> list[tuple[str, str]]:
    """One button per external provider the client offers (but those reached by e-mail domain), each sending
    the same authorization request to ``/oauth2/authorize`` with ``identity_provider`` (Cognito developer
    guide: 'User pool managed login')."""
    carried = _carried(j)
    return [
        (
            j.t("sign_in.continue_with", provider=_BUTTON_NAMES.get(name, name)),
            f"/oauth2/authorize?{urlencode({**carried, 'identity_provider': name})}",
        )
        for name in supported_identity_providers(j.target.client)
        if name != COGNITO and name not in by_identifier
    ]


def corporate_redirect(j: Journey, email: str) -> str | None:
    """``/oauth2/authorize`` with ``idp_identifier`` = the domain of the corporate ``email``; None when it is
    not an e-mail address."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain or len(email) > 256 or any(c in domain for c in " /\\?#@"):
        return None
    return f"/oauth2/authorize?{urlencode({**_carried(j), 'idp_identifier': domain.lower()})}"


async def login_form(j: Journey, username: str = "", error: str | None = None, status: int = 200) -> Response:
    pool = j.target.pool
    by_identifier = await run_in_threadpool(_saml_by_identifier, j)
    providers = _provider_buttons(j, by_identifier)
    corporate = {"hidden": _carried(j)} if by_identifier else None
    # Chromium holds the form's submission to form-action through the redirects to the provider.
    to_providers = tuple(s for s in (source_of(url) for url in by_identifier.values()) if s)
    if COGNITO not in supported_identity_providers(j.target.client):
        return await j.render(
            "form.html",
            status,
            form_sources=to_providers,
            title="sign_in.title",
            error=error,
            providers=providers,
            corporate=corporate,
            fields=[],
        )
    links: list[tuple[str | None, str, str]] = [(None, "sign_in.forgot", j.url("/forgotPassword"))]
    if not admin_create_user_only(pool):
        links.append(("sign_in.no_account", "sign_in.sign_up", j.url("/signup")))
    if await run_in_threadpool(passkeys_enabled, j.ctx, pool, j.target.client):
        links.append((None, "sign_in.manage_passkeys", j.url("/passkeys")))
    uses_email = "email" in username_attributes(pool)
    return await j.render(
        "form.html",
        status,
        form_sources=to_providers,
        title="sign_in.title",
        intro=j.t("sign_in.intro_email" if uses_email else "sign_in.intro"),
        notice=notice_of(j.request),
        error=error,
        action=j.url("/login"),
        fields=[
            _username_field(j, username or j.params.get("login_hint", "")),
            Field(
                "password",
                j.t("field.password"),
                type="password",
                autocomplete="current-password",
                autofocus=bool(username),
            ),
        ],
        submit="sign_in.submit",
        factor_buttons=passwordless.factor_buttons(j),
        links=links,
        providers=providers,
        corporate=corporate,
    )


async def csrf_refused(j: Journey, back: str) -> Response:
    return await j.render("error.html", 403, message_key="error.csrf", back=back)


def make_login(deps: Deps) -> Any:
    async def login(request: Request) -> Response:
        j = await begin(deps, request, local_sign_in=request.method == "POST")
        if isinstance(j, Response):
            return j
        if request.method == "GET":
            email = request.query_params.get("corporate_email")
            if email is None:
                return await login_form(j)
            to_provider = corporate_redirect(j, email)
            if to_provider is None:
                return await login_form(j, error=j.t("error.corporate_email"), status=400)
            return j.redirect(to_provider)
        try:
            form = await read_form(request)
        except BadInput:
            return await login_form(j, error=j.t("error.input"), status=400)
        if not j.csrf_valid(form):
            return await csrf_refused(j, j.url("/login"))
        try:
            username = value(form, "username", "username")
            password = value(form, "password", "password")
        except BadInput:
            return await login_form(j, form.get("username", "")[:128], j.t("error.input"), 400)
        pool, client = j.target.pool, j.target.client
        try:
            outcome = await run_in_threadpool(pages.sign_in, j.ctx, pool, client, username, password)
        except UserNotConfirmedException:
            return j.redirect(j.url("/confirm", username=username))
        except CognitoError as err:
            return await login_form(j, username, i18n.service_message(j.lang, err.message), 400)
        return await conclude(j, outcome, username)

    return login


async def conclude(j: Journey, outcome: Outcome, username: str) -> Response:
    """The page after a sign-in step: the next challenge's page, or back to the application."""
    if outcome.signed_in is not None:
        try:
            await run_in_threadpool(
                hosted_post_authentication, j.ctx, j.target.pool, j.target.client, outcome.signed_in
            )
        except CognitoError as err:
            # The pool's PostAuthentication function refused the sign-in: no session, no code.
            return await login_form(j, username, i18n.service_message(j.lang, err.message), 400)
        if j.params.get("next") == "passkeys":
            return await finish(j, outcome.signed_in, j.ctx.now, then=j.url("/passkeys"))
        if await run_in_threadpool(offer_due, j.ctx, j.target.pool, j.target.client, outcome.signed_in):
            # As managed login does: a user without a passkey is offered one before going on to the app.
            return await finish(j, outcome.signed_in, j.ctx.now, then=j.url("/passkeys/add"))
        return await finish(j, outcome.signed_in, j.ctx.now)
    if outcome.challenge is not None:
        return await challenge_page(j, outcome.challenge, username)
    return await j.render("error.html", 400, message_key="error.generic")


async def finish(j: Journey, user: User, auth_time: float, then: str | None = None) -> Response:
    """Open a fresh hosted session (a new cookie value: no fixation) and send the code to the application, or
    the browser to hosted page ``then`` first."""
    ctx, target = j.ctx, j.target
    name = cookie_name(target.pool.id)
    await run_in_threadpool(end_session, ctx, target.pool.id, j.request.cookies.get(name))
    cookie = await run_in_threadpool(open_session, ctx, target.pool, target.client.id, user, auth_time)
    if then is None:
        then = await run_in_threadpool(complete, ctx, target, j.authorize, user, auth_time, session_id_of(cookie))
    response = j.redirect(then)
    set_cookie(response, j.request, name, cookie, LIFETIME_SECONDS)
    return response


def _json_list(raw: str | None) -> list[str]:
    try:
        found = json.loads(raw or "[]")
    except (ValueError, RecursionError):  # a few KB of "[" nest beyond the parser's recursion limit
        return []
    return [str(x) for x in found] if isinstance(found, list) else []


def _attribute_field(j: Journey, name: str, current: str = "") -> Field:
    kinds = {"email": ("email", "email"), "phone_number": ("tel", "tel")}
    kind, autocomplete = kinds.get(name, ("text", "off"))
    label = j.t(f"field.{name}") if f"field.{name}" in i18n.CATALOGS["en"] else name
    hint = j.t(f"hint.{name}") if f"hint.{name}" in i18n.CATALOGS["en"] else None
    return Field(ATTRIBUTE_PREFIX + name, label, type=kind, autocomplete=autocomplete, value=current, hint=hint)


def _code_field(j: Journey) -> Field:
    return Field(
        "code",
        j.t("field.code"),
        autocomplete="one-time-code",
        inputmode="numeric",
        hint=j.t("hint.code"),
        autofocus=True,
    )


def _qr_svg(issuer: str, username: str, secret: str) -> str:
    """``otpauth://totp/<issuer>:<user>?secret=…&issuer=…`` (Google Authenticator's Key Uri Format) as inline SVG."""
    label = quote(f"{issuer}:{username}", safe="")
    uri = f"otpauth://totp/{label}?{urlencode({'secret': secret, 'issuer': issuer})}"
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=4, light="#ffffff", dark="#111827"))


async def challenge_page(
    j: Journey,
    challenge: dict[str, Any],
    username: str,
    error: str | None = None,
    status: int = 200,
    secret: str | None = None,
) -> Response:
    """The page of challenge ``ChallengeName``, carrying its Session, the username and its parameters."""
    name = str(challenge["ChallengeName"])
    session = str(challenge["Session"])
    params = {str(k): str(v) for k, v in (challenge.get("ChallengeParameters") or {}).items()}
    page: dict[str, Any] = {}
    if name == ChallengeName.NEW_PASSWORD_REQUIRED:
        required = [a[len(ATTRIBUTE_PREFIX) :] for a in _json_list(params.get("requiredAttributes"))]
        page = {
            "title": "new_password.title",
            "intro": j.t("new_password.intro"),
            "fields": [
                Field(
                    "new_password",
                    j.t("field.new_password"),
                    type="password",
                    autocomplete="new-password",
                    autofocus=True,
                ),
                Field("confirm_password", j.t("field.confirm_password"), type="password", autocomplete="new-password"),
                *[_attribute_field(j, a) for a in required if a.startswith("custom:") or a.isidentifier()],
            ],
            "submit": "new_password.submit",
        }
    elif name in CODE_RESPONSES:
        destination = params.get("CODE_DELIVERY_DESTINATION")
        intro = j.t("mfa.sent", destination=destination) if destination else j.t("mfa.totp")
        page = {"title": "mfa.title", "intro": intro, "fields": [_code_field(j)], "submit": "mfa.submit"}
    elif name == ChallengeName.SELECT_MFA_TYPE:
        choices = [c for c in _json_list(params.get("MFAS_CAN_CHOOSE")) if c in CODE_RESPONSES]
        options = tuple((c, j.t(f"mfa.{c}")) for c in choices)
        field = Field("answer", j.t("mfa_select.intro"), options=options)
        page = {"title": "mfa_select.title", "fields": [field], "submit": "mfa_select.submit"}
    elif name == ChallengeName.SELECT_CHALLENGE:
        page = passwordless.select_page(j, params)
    elif name == ChallengeName.WEB_AUTHN:
        page = passwordless.passkey_page(j, params)
    elif name == ChallengeName.MFA_SETUP:
        if secret is None:
            secret, session = await run_in_threadpool(pages.associate_totp, j.ctx, session)
        assert secret is not None
        page = {
            "title": "mfa_setup.title",
            "intro": j.t("mfa_setup.intro"),
            "qr_svg": _qr_svg(j.target.pool.name, username, secret),
            "secret_code": secret,
            "fields": [_code_field(j)],
            "submit": "mfa_setup.submit",
        }
    else:
        return await j.render("error.html", 400, message_key="error.unsupported", back=j.url("/login"))
    hidden = {"challenge": name, "session": session, "username": username, "parameters": json.dumps(params)}
    if name == ChallengeName.MFA_SETUP and secret is not None:
        hidden["secret"] = secret
    template = page.pop("template", "form.html")
    return await j.render(
        template,
        status,
        error=error,
        action=j.url("/challenge"),
        hidden=hidden,
        links=[(None, "back_to_sign_in", j.url("/login"))],
        **page,
    )


def _responses(name: str, form: dict[str, str], params: dict[str, str]) -> dict[str, str]:
    """The ChallengeResponses a challenge page's form stands for."""
    passwordless_answer = passwordless.responses(name, form, params)
    if passwordless_answer is not None:
        return passwordless_answer
    if name == ChallengeName.NEW_PASSWORD_REQUIRED:
        password = value(form, "new_password", "password")
        if password != form.get("confirm_password"):
            raise ValueError("passwords_differ")
        answers = {"NEW_PASSWORD": password}
        for key in form:
            if key.startswith(ATTRIBUTE_PREFIX):
                answers[key] = value(form, key, "attribute", required=False)
        return answers
    if name in CODE_RESPONSES:
        return {CODE_RESPONSES[name]: value(form, "code", "code")}
    if name == ChallengeName.SELECT_MFA_TYPE:
        answer = value(form, "answer", "code")
        if answer not in _json_list(params.get("MFAS_CAN_CHOOSE")):
            raise BadInput("answer")
        return {"ANSWER": answer}
    return {}


def _parameters(form: dict[str, str]) -> dict[str, str]:
    raw = form.get("parameters", "{}")
    try:
        found = json.loads(raw) if len(raw) <= _MAX_PARAMETERS else None
    except (ValueError, RecursionError):  # a few KB of "[" nest beyond the parser's recursion limit
        found = None
    if not isinstance(found, dict):
        raise BadInput("parameters")
    return {str(k): str(v) for k, v in found.items()}


def make_challenge(deps: Deps) -> Any:
    async def challenge(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        try:
            form = await read_form(request)
            if not j.csrf_valid(form):
                return await csrf_refused(j, j.url("/login"))
            name = value(form, "challenge", "username")
            session = value(form, "session", "hidden")
            username = value(form, "username", "username")
            params = _parameters(form)
        except BadInput:
            return await j.render("error.html", 400, message_key="error.input", back=j.url("/login"))
        current = {"ChallengeName": name, "Session": session, "ChallengeParameters": params}
        secret = form.get("secret") if name == ChallengeName.MFA_SETUP else None
        try:
            responses = _responses(name, form, params)
            pool, client = j.target.pool, j.target.client
            if name == ChallengeName.MFA_SETUP:
                code = value(form, "code", "code")
                session = await run_in_threadpool(pages.verify_totp, j.ctx, session, code)
            outcome = await run_in_threadpool(pages.answer, j.ctx, pool, client, name, username, session, responses)
        except ValueError as err:  # BadInput included
            key = "error.passwords_differ" if str(err) == "passwords_differ" else "error.input"
            return await challenge_page(j, current, username, j.t(key), 400, secret)
        except NotAuthorizedException as err:
            if err.message.startswith(_SESSION_GONE):
                return await j.render("error.html", 400, message_key="error.session", back=j.url("/login"))
            return await challenge_page(j, current, username, i18n.service_message(j.lang, err.message), 400, secret)
        except CognitoError as err:
            return await challenge_page(j, current, username, i18n.service_message(j.lang, err.message), 400, secret)
        return await conclude(j, outcome, username)

    return challenge
