"""``/signup``, ``/confirm``, ``/resendCode``, ``/forgotPassword`` and ``/confirmForgotPassword``: self-service
registration and password reset on the hosted pages (Cognito developer guide: 'User pool managed login'). They call
SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword, so the pool's rules hold
(AllowAdminCreateUserOnly, required attributes, password policy, triggers, PreventUserExistenceErrors)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Deps
from userpool.errors import CognitoError
from userpool.model.messages import confirms_with_link
from userpool.model.pool_config import admin_create_user_only, auto_verified_attributes, username_attributes
from userpool.model.schema import definitions
from userpool.model.vocabulary import DeliveryMedium
from userpool.services.hosted import pages
from userpool.web.login import i18n
from userpool.web.login.forms import BadInput, Field, read_form, value
from userpool.web.login.journey import Journey, begin
from userpool.web.login.sign_in_pages import ATTRIBUTE_PREFIX, _attribute_field, _code_field, csrf_refused

_IDENTIFIER_KINDS = {"email": ("field.email", "email", "email"), "phone_number": ("field.phone_number", "tel", "tel")}


def _sign_in_kind(j: Journey) -> str | None:
    """The attribute users sign in with instead of a username (UsernameAttributes), if any."""
    allowed = username_attributes(j.target.pool)
    return "email" if "email" in allowed else ("phone_number" if "phone_number" in allowed else None)


def _sign_up_attributes(j: Journey) -> list[str]:
    """The attributes the sign-up form asks for: the required ones, and email when codes go there."""
    pool = j.target.pool
    kind = _sign_in_kind(j)
    names = [n for n, d in definitions(pool).items() if d.get("Required") and n not in ("sub", kind)]
    if "email" in auto_verified_attributes(pool) and "email" not in names and kind != "email":
        names.insert(0, "email")
    return names


def _identifier_field(j: Journey, current: str = "", autofocus: bool = True) -> Field:
    kind = _sign_in_kind(j)
    label, input_type, autocomplete = _IDENTIFIER_KINDS.get(kind or "", ("field.username", "text", "username"))
    return Field("username", j.t(label), type=input_type, autocomplete=autocomplete, value=current, autofocus=autofocus)


async def _form(j: Journey, error: str | None, status: int, **page: Any) -> Response:
    links = page.pop("links", [(None, "back_to_sign_in", j.url("/login"))])
    return await j.render("form.html", status, error=error, links=links, **page)


async def _posted(j: Journey, request: Request) -> dict[str, str] | Response:
    """The form of a POST with a valid CSRF token, or the response refusing it."""
    try:
        form = await read_form(request)
    except BadInput:
        return await j.render("error.html", 400, message_key="error.input", back=j.url("/login"))
    if not j.csrf_valid(form):
        return await csrf_refused(j, j.url("/login"))
    return form


def _message(j: Journey, err: CognitoError) -> str:
    return i18n.service_message(j.lang, err.message)


async def _sign_up_form(
    j: Journey, form: dict[str, str] | None = None, error: str | None = None, status: int = 200
) -> Response:
    form = form or {}
    fields = [
        _identifier_field(j, form.get("username", "")),
        Field("password", j.t("field.password"), type="password", autocomplete="new-password"),
        *[_attribute_field(j, n, form.get(ATTRIBUTE_PREFIX + n, "")) for n in _sign_up_attributes(j)],
    ]
    return await _form(
        j,
        error,
        status,
        title="sign_up.title",
        intro=j.t("sign_up.intro"),
        action=j.url("/signup"),
        fields=fields,
        submit="sign_up.submit",
        links=[("sign_up.have_account", "sign_in.submit", j.url("/login"))],
    )


def make_sign_up(deps: Deps) -> Any:
    async def sign_up(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        if admin_create_user_only(j.target.pool):
            return j.redirect(j.url("/login"))
        if request.method == "GET":
            return await _sign_up_form(j)
        form = await _posted(j, request)
        if isinstance(form, Response):
            return form
        try:
            username = value(form, "username", "username")
            password = value(form, "password", "password")
            attributes = {n: value(form, ATTRIBUTE_PREFIX + n, "attribute") for n in _sign_up_attributes(j)}
            answer = await run_in_threadpool(pages.register, j.ctx, j.target.client, username, password, attributes)
        except BadInput:
            return await _sign_up_form(j, form, j.t("error.input"), 400)
        except CognitoError as err:
            return await _sign_up_form(j, form, _message(j, err), 400)
        if answer.get("UserConfirmed"):
            return j.redirect(j.url("/login", notice="signed_up"))
        mailed = (answer.get("CodeDeliveryDetails") or {}).get("DeliveryMedium") == DeliveryMedium.EMAIL
        if mailed and confirms_with_link(j.target.pool):
            # The mail carries a link (/confirmUser), not a code to type in here.
            return j.redirect(j.url("/login", notice="link_sent"))
        return j.redirect(j.url("/confirm", username=username))

    return sign_up


async def _confirm_form(
    j: Journey, username: str, error: str | None = None, status: int = 200, notice: str | None = None
) -> Response:
    return await _form(
        j,
        error,
        status,
        title="confirm.title",
        intro=j.t("confirm.intro"),
        notice=notice,
        action=j.url("/confirm"),
        fields=[_identifier_field(j, username, autofocus=False), _code_field(j)],
        submit="confirm.submit",
        secondary={"action": j.url("/resendCode"), "hidden": {"username": username}, "label": "confirm.resend"},
    )


def _query_username(request: Request) -> str:
    raw = request.query_params.get("username", "")
    try:
        return value({"username": raw}, "username", "username", required=False)
    except BadInput:
        return ""


def make_confirm(deps: Deps) -> Any:
    async def confirm(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        if request.method == "GET":
            return await _confirm_form(j, _query_username(request))
        form = await _posted(j, request)
        if isinstance(form, Response):
            return form
        try:
            username = value(form, "username", "username")
            code = value(form, "code", "code")
            await run_in_threadpool(pages.confirm, j.ctx, j.target.client, username, code)
        except BadInput:
            return await _confirm_form(j, form.get("username", "")[:128], j.t("error.input"), 400)
        except CognitoError as err:
            return await _confirm_form(j, username, _message(j, err), 400)
        return j.redirect(j.url("/login", notice="confirmed", login_hint=username))

    return confirm


def make_resend(deps: Deps) -> Any:
    async def resend(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        form = await _posted(j, request)
        if isinstance(form, Response):
            return form
        try:
            username = value(form, "username", "username")
            await run_in_threadpool(pages.resend, j.ctx, j.target.client, username)
        except BadInput:
            return await _confirm_form(j, "", j.t("error.input"), 400)
        except CognitoError as err:
            return await _confirm_form(j, username, _message(j, err), 400)
        return await _confirm_form(j, username, notice="confirm.resent")

    return resend


async def _forgot_form(j: Journey, username: str = "", error: str | None = None, status: int = 200) -> Response:
    return await _form(
        j,
        error,
        status,
        title="forgot.title",
        intro=j.t("forgot.intro"),
        action=j.url("/forgotPassword"),
        fields=[_identifier_field(j, username)],
        submit="forgot.submit",
    )


def make_forgot(deps: Deps) -> Any:
    async def forgot(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        if request.method == "GET":
            return await _forgot_form(j)
        form = await _posted(j, request)
        if isinstance(form, Response):
            return form
        try:
            username = value(form, "username", "username")
            await run_in_threadpool(pages.forgot, j.ctx, j.target.client, username)
        except BadInput:
            return await _forgot_form(j, "", j.t("error.input"), 400)
        except CognitoError as err:
            return await _forgot_form(j, username, _message(j, err), 400)
        return j.redirect(j.url("/confirmForgotPassword", username=username))

    return forgot


async def _reset_form(j: Journey, username: str, error: str | None = None, status: int = 200) -> Response:
    return await _form(
        j,
        error,
        status,
        title="reset.title",
        intro=j.t("reset.intro"),
        action=j.url("/confirmForgotPassword"),
        fields=[
            _identifier_field(j, username, autofocus=False),
            _code_field(j),
            Field("password", j.t("field.new_password"), type="password", autocomplete="new-password"),
            Field("confirm_password", j.t("field.confirm_password"), type="password", autocomplete="new-password"),
        ],
        submit="reset.submit",
    )


def make_reset(deps: Deps) -> Any:
    async def reset(request: Request) -> Response:
        j = await begin(deps, request)
        if isinstance(j, Response):
            return j
        if request.method == "GET":
            return await _reset_form(j, _query_username(request))
        form = await _posted(j, request)
        if isinstance(form, Response):
            return form
        username = form.get("username", "")[:128]
        try:
            username = value(form, "username", "username")
            code = value(form, "code", "code")
            password = value(form, "password", "password")
            if password != form.get("confirm_password"):
                return await _reset_form(j, username, j.t("error.passwords_differ"), 400)
            await run_in_threadpool(pages.reset, j.ctx, j.target.client, username, code, password)
        except BadInput:
            return await _reset_form(j, "", j.t("error.input"), 400)
        except CognitoError as err:
            return await _reset_form(j, username, _message(j, err), 400)
        return j.redirect(j.url("/login", notice="password_reset", login_hint=username))

    return reset
