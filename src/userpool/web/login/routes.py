"""The hosted pages' routes, on every host: the pool comes from the Host (pool domain) or the client_id."""

from __future__ import annotations

from starlette.routing import Route

from userpool.context import Deps
from userpool.web.login import account_pages, assets, confirm_link, event_feedback, passkey_pages, sign_in_pages


def routes(deps: Deps) -> list[Route]:
    return [
        Route("/login", sign_in_pages.make_login(deps), methods=["GET", "POST"]),
        Route("/login/choose", passkey_pages.make_choose(deps), methods=["GET", "POST"]),
        Route("/passkeys", passkey_pages.make_passkeys(deps), methods=["GET"]),
        Route("/passkeys/add", passkey_pages.make_add(deps), methods=["GET", "POST"]),
        Route("/passkeys/remove", passkey_pages.make_remove(deps), methods=["POST"]),
        Route("/challenge", sign_in_pages.make_challenge(deps), methods=["POST"]),
        Route("/signup", account_pages.make_sign_up(deps), methods=["GET", "POST"]),
        Route("/confirm", account_pages.make_confirm(deps), methods=["GET", "POST"]),
        Route("/resendCode", account_pages.make_resend(deps), methods=["POST"]),
        Route("/confirmUser", confirm_link.make_confirm_user(deps), methods=["GET"]),
        Route("/authEventFeedback", event_feedback.make_event_feedback(deps), methods=["GET"]),
        Route("/forgotPassword", account_pages.make_forgot(deps), methods=["GET", "POST"]),
        Route("/confirmForgotPassword", account_pages.make_reset(deps), methods=["GET", "POST"]),
        Route("/error", assets.make_error(deps), methods=["GET"]),
        Route("/static/login.css", assets.make_stylesheet(), methods=["GET"]),
        Route("/static/passkeys.js", passkey_pages.make_script(), methods=["GET"]),
        Route("/ui/custom.css", assets.make_custom_css(deps), methods=["GET"]),
        Route("/ui/logo", assets.make_logo(deps), methods=["GET"]),
    ]
